package wire

import (
	"bytes"
	"context"
	"time"

	"github.com/awsxc/awsxc/internal/localsock"
)

// Ask sends msg, a whole HTTP request, to the daemon on the endpoint at
// path and returns its whole answer, unparsed. Everything read is
// bounded: a daemon cannot make its client hold more than the header
// limit plus [MaxResponseBytes]. The error is localsock.Exchange's: a
// missing daemon costs a failed stat, and a daemon that does not answer
// costs timeout.
func Ask(ctx context.Context, path string, msg []byte, timeout time.Duration) ([]byte, error) {
	return localsock.Exchange(ctx, localsock.Options{Path: path},
		localsock.Request{Data: msg, Limit: MaxHeaderBytes + MaxResponseBytes, Timeout: timeout, Complete: WholeAnswer})
}

// An Exchange is one request that was sent to the daemon and what came
// back: an answer, or the error of [Ask]. A process that asked early
// (cmd/awsxc-cli's quick path) hands it to its full client, which then
// reads this answer instead of asking again.
type Exchange struct {
	Path   string // the endpoint
	Msg    []byte // the request, whole
	Answer []byte // the answer, whole and unparsed, when Err is nil
	Err    error
}

// Answers reports whether x is the exchange of msg with the daemon at
// path.
func (x *Exchange) Answers(path string, msg []byte) bool {
	return x != nil && x.Path == path && bytes.Equal(x.Msg, msg)
}
