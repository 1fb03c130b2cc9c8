package daemon

import (
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/fsutil"
)

// maxLoaded bounds the loaded profiles the daemon keeps; past it, it
// starts over.
const maxLoaded = 128

// loads keeps loaded profiles by the content of the AWS files they were
// loaded from. engine.Load reads nothing but the daemon's Env and those
// two files, so a profile loaded from the same bytes is the same
// profile; a request then costs a stat of each file (and a read and a
// hash when one changed), not a parse (the parse is most of a request's
// cost).
type loads struct {
	mu      sync.Mutex // protects m and digests
	m       map[[sha256.Size]byte]*engine.Profile
	digests map[string]fileDigest // by path
	now     func() time.Time      // nil is time.Now (tests move it)
}

// fileDigest is the SHA-256 of a file's content as it was read, with the
// file's stamp then. It stands for the content while the stamp is the
// same, once the read was settled (fsutil.Stamp.Settled): a file read
// just after a change is read again at the next request. And for
// maxDigestAge at most: a stat is not always the truth (an NFS client
// answers it from a cache that an open revalidates; Windows gives no
// file identity; a FUSE file may change under one stamp), so the file is
// read again that often while requests come.
type fileDigest struct {
	stamp   fsutil.Stamp
	sum     [sha256.Size]byte
	settled bool
	readAt  time.Time
}

// maxDigestAge bounds how long a digest stands for a file unread.
const maxDigestAge = 2 * time.Second

// filesSum is the SHA-256 of the profile name and both AWS files'
// contents; ok is false when a file cannot be read as an AWS file
// (engine.Load then says why).
func (l *loads) filesSum(env engine.Env, profile string) (sum [sha256.Size]byte, ok bool) {
	h := sha256.New()
	h.Write([]byte(profile))
	for _, path := range []string{env.ConfigFile, env.CredentialsFile} {
		h.Write([]byte{0})
		if path == "" {
			continue
		}
		fsum, exists, ok := l.fileSum(path)
		switch {
		case !ok:
			return sum, false
		case !exists:
			h.Write([]byte("missing"))
		default:
			h.Write([]byte("file"))
			h.Write(fsum[:])
		}
	}
	h.Sum(sum[:0])
	return sum, true
}

// fileSum is the digest of path's content, read only when its stamp
// changed since it was last read (or that read was not settled).
func (l *loads) fileSum(path string) (sum [sha256.Size]byte, exists, ok bool) {
	fi, err := fsutil.CheckRegular(path, engine.MaxAWSFileSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return sum, false, true
	case err != nil:
		return sum, false, false
	}
	stamp := fsutil.StampOf(fi)
	l.mu.Lock()
	d, seen := l.digests[path]
	l.mu.Unlock()
	now := time.Now
	if l.now != nil {
		now = l.now
	}
	if seen && d.settled && d.stamp == stamp && now().Sub(d.readAt) < maxDigestAge {
		return d.sum, true, true
	}
	readAt := now()
	data, err := fsutil.ReadRegular(path, engine.MaxAWSFileSize)
	if err != nil {
		return sum, false, false
	}
	sum = sha256.Sum256(data)
	// Kept only when the file did not change while it was read.
	if fi, err := os.Stat(path); err == nil && fsutil.StampOf(fi) == stamp {
		l.mu.Lock()
		if l.digests == nil {
			l.digests = map[string]fileDigest{}
		}
		l.digests[path] = fileDigest{stamp: stamp, sum: sum, settled: stamp.Settled(readAt), readAt: readAt}
		l.mu.Unlock()
	}
	return sum, true, true
}

// load is engine.Load for the daemon's Env, from the profiles already
// loaded when the files have not changed. A profile is kept only when
// the files were the same before and after it was loaded.
func (d *Daemon) load(ctx context.Context, profile string) (*engine.Profile, error) {
	env := d.opts.Env
	before, ok := d.loaded.filesSum(env, profile)
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
	if after, ok := d.loaded.filesSum(env, profile); ok && after == before {
		d.loaded.mu.Lock()
		if d.loaded.m == nil || len(d.loaded.m) >= maxLoaded {
			d.loaded.m = map[[sha256.Size]byte]*engine.Profile{}
		}
		d.loaded.m[before] = p
		d.loaded.mu.Unlock()
	}
	return p, nil
}
