package daemon

import (
	"context"
	"crypto/sha256"
	"os"
	"sync"

	"github.com/awsxc/awsxc/engine"
)

// maxLoaded bounds the loaded profiles the daemon keeps; past it, it
// starts over.
const maxLoaded = 128

// loads keeps loaded profiles by the content of the AWS files they were
// loaded from. engine.Load reads nothing but the daemon's Env and those
// two files, so a profile loaded from the same bytes is the same
// profile; a request then costs reading and hashing the files, not
// parsing them (the parse is most of a request's cost).
type loads struct {
	mu sync.Mutex // protects m
	m  map[[sha256.Size]byte]*engine.Profile
}

// filesSum is the SHA-256 of the profile name and both AWS files;
// ok is false when a file cannot be read (engine.Load then says why).
func filesSum(env engine.Env, profile string) (sum [sha256.Size]byte, ok bool) {
	h := sha256.New()
	h.Write([]byte(profile))
	for _, path := range []string{env.ConfigFile, env.CredentialsFile} {
		h.Write([]byte{0})
		if path == "" {
			continue
		}
		data, err := os.ReadFile(path)
		switch {
		case os.IsNotExist(err):
			h.Write([]byte("missing"))
		case err != nil:
			return sum, false
		default:
			h.Write([]byte("file"))
			h.Write(data)
		}
	}
	h.Sum(sum[:0])
	return sum, true
}

// load is engine.Load for the daemon's Env, from the profiles already
// loaded when the files have not changed. A profile is kept only when
// the files were the same before and after it was loaded.
func (d *Daemon) load(ctx context.Context, profile string) (*engine.Profile, error) {
	env := d.opts.Env
	before, ok := filesSum(env, profile)
	if ok {
		d.loaded.mu.Lock()
		p := d.loaded.m[before]
		d.loaded.mu.Unlock()
		if p != nil {
			return p, nil
		}
	}
	p, err := engine.Load(ctx, engine.Options{Env: env, Profile: profile, Logger: d.log})
	if err != nil || !ok {
		return p, err
	}
	if after, ok := filesSum(env, profile); ok && after == before {
		d.loaded.mu.Lock()
		if d.loaded.m == nil || len(d.loaded.m) >= maxLoaded {
			d.loaded.m = map[[sha256.Size]byte]*engine.Profile{}
		}
		d.loaded.m[before] = p
		d.loaded.mu.Unlock()
	}
	return p, nil
}
