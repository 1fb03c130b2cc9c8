package fsutil

import (
	"errors"
	"math/rand/v2"
	"os"
	"time"

	"golang.org/x/sys/windows"
)

// openRead opens path for reading; [CheckRegular] has already refused a
// pipe, and opening a regular file never waits.
func openRead(path string) (*os.File, error) { return os.Open(path) }

// checkLinks does nothing: the check is for root on Unix.
func checkLinks(string) error { return nil }

// renameRetry bounds how long [rename] keeps trying (Go's own
// cmd/go/internal/robustio waits up to 2 s for the same errors).
var renameRetry = 2 * time.Second

// rename is os.Rename (MoveFileEx with MOVEFILE_REPLACE_EXISTING),
// retried for a while when Windows refuses it because another program has
// the file open without FILE_SHARE_DELETE: the AWS CLI (Python) reading
// the credentials file, an antivirus scan, an indexer, an editor. Those
// hold it for milliseconds, and a *Keep refreshed* write must not fail
// because one of them looked at the file at the wrong moment.
func rename(from, to string) error {
	deadline := time.Now().Add(renameRetry)
	delay := time.Millisecond
	for {
		err := os.Rename(from, to)
		if err == nil || !busy(err) || time.Now().After(deadline) {
			return err
		}
		// A random wait, so that two writers do not retry in step.
		time.Sleep(delay/2 + rand.N(delay))
		delay = min(2*delay, 100*time.Millisecond)
	}
}

// busy reports an error Windows gives while another program holds the
// file open.
func busy(err error) bool {
	return errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_SHARING_VIOLATION) ||
		errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}
