package daemon

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/awsxc/awsxc/engine/activity"
)

// notifyEvery bounds how often credentials requests fire OnChange: a
// client that fetches in a loop must not make a menu rebuild in one.
const notifyEvery = time.Second

// recorder takes the servers' activity records (from the requests'
// goroutines, so it never blocks): into the daemon's log, into the
// audit file when the settings name one, and as each server's and
// consumer's last fetch.
type recorder struct {
	d       *Daemon
	pending atomic.Bool // an OnChange for fetches is due

	mu        sync.Mutex // protects the fields below
	last      map[string]activity.Record
	audit     *activity.Log // nil without an audit file
	auditPath string        // as the settings give it
	auditErr  error         // why the audit file is not written
	closed    bool
}

func newRecorder(d *Daemon) *recorder {
	return &recorder{d: d, last: map[string]activity.Record{}}
}

// Add records rec.
func (r *recorder) Add(rec activity.Record) {
	rec = rec.Clean()
	r.d.act.Add(rec)
	key := rec.Server
	if rec.Consumer != "" {
		key = rec.Consumer
	}
	r.mu.Lock()
	r.last[key] = rec
	audit := r.audit
	r.mu.Unlock()
	if audit != nil {
		audit.Add(rec)
	}
	if r.pending.CompareAndSwap(false, true) {
		time.AfterFunc(notifyEvery, func() {
			r.pending.Store(false)
			if r.d.ctx.Err() == nil {
				r.d.changed()
			}
		})
	}
}

// lastFetch is the last record of the server or consumer named name.
func (r *recorder) lastFetch(name string) *activity.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rec, ok := r.last[name]; ok {
		return &rec
	}
	return nil
}

// forget drops the last fetch of a removed server or consumer.
func (r *recorder) forget(name string) {
	r.mu.Lock()
	delete(r.last, name)
	r.mu.Unlock()
}

// setAudit opens the audit file path (a leading ~/ is the home folder)
// when it is not the one open; "" closes it.
func (r *recorder) setAudit(path string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || path == r.auditPath {
		return
	}
	if r.audit != nil {
		r.audit.Close()
	}
	r.audit, r.auditPath, r.auditErr = nil, path, nil
	if path == "" {
		return
	}
	full, err := r.d.opts.Env.ExpandPath(path)
	if err == nil {
		r.audit, err = activity.New(activity.Options{Size: 1, AuditFile: full})
	}
	if err != nil {
		r.auditErr = err
		r.d.log.Warn("audit log not written", "path", path, "err", err)
	}
}

// err is why the audit file is not written, if it is not.
func (r *recorder) err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.auditErr != nil {
		return r.auditErr
	}
	if r.audit != nil {
		return r.audit.Err()
	}
	return nil
}

func (r *recorder) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.audit != nil {
		r.audit.Close()
		r.audit = nil
	}
}
