// Package quick answers the commonest awsxc-cli call, a credential_process
// line (`awsxc-cli --profile NAME --json`), from the user's daemon early in
// the process's start, and ends the process.
//
// A Go program initializes every package it links before main runs, and
// most of awsxc-cli's start is the AWS SDK's packages (its configuration,
// clients and endpoint tables), net/http and crypto/tls, which a call the
// daemon answers never uses. This package imports none of them (the
// credentials' formats, the process environment, the daemon's wire format
// and the local socket, all free of the SDK), so its init runs before
// them; a few of the SDK's own small packages (its schemas) still run
// first, because Go initializes ready packages in import-path order and
// github.com/aws sorts before github.com/awsxc. The init asks the daemon,
// prints the answer and ends the process when the call is one it can
// finish exactly as the command would: the same bytes on standard output,
// nothing on standard error, exit status 0. It is the one place besides
// main that ends the process, for that reason alone.
//
// Anything else it leaves to the command, untouched: another option or
// mode, --debug, no --profile, the environment variables the command
// reads to decide whether to ask the daemon ([NoDaemonVar],
// [ProfileChainVar]), no daemon, an answer that is an error, too big, or
// carries warnings, any answer but the daemon's plain HTTP form, and a
// test binary. When it did ask, [Take] hands the command what it sent and
// got, so that the command reads that answer instead of asking again: a
// daemon that does not answer costs its timeout once, and a daemon is
// asked once per run. Only on Unix: elsewhere main does it all.
package quick

import "github.com/awsxc/awsxc/engine/daemon/wire"

// The environment variables awsxc-cli reads before it asks the daemon.
const (
	// NoDaemonVar set (to anything but 0 or false) keeps awsxc-cli from
	// asking the daemon, as --no-daemon does.
	NoDaemonVar = "AWSXC_NO_DAEMON"
	// ProfileChainVar carries the profiles being resolved by awsxc-cli
	// processes up the stack (the credential_process recursion guard).
	ProfileChainVar = "AWSXC_PROFILE_CHAIN"
)

// ErrorPrefix starts every error line awsxc-cli writes.
const ErrorPrefix = "awsxc-cli: error: "

// exchanged is the exchange init made, until [Take] takes it.
var exchanged *wire.Exchange

// Take returns the exchange with the daemon that this process made
// before main, if any, and forgets it: its answer holds a secret key.
func Take() *wire.Exchange {
	x := exchanged
	exchanged = nil
	return x
}
