package console

import "errors"

// Sentinel errors. [NewURL] returns *engine.Error values (one line, no
// secret) whose Kind is one of the engine's sentinels (the profile could
// not be loaded or gave no credentials: engine.ErrProfileNotFound,
// engine.ErrMFARequired, engine.ErrSSOLoginRequired, ...) or one of
// these, so a front end tells them apart with errors.Is.
var (
	// ErrSessionCredentials: the credentials are an IAM user's
	// GetSessionToken session, which the console refuses ("Only
	// federation tokens or assume role tokens may be used for federated
	// login"). A role on top of the user's keys, or the user's long-term
	// keys themselves, sign in.
	ErrSessionCredentials = errors.New("GetSessionToken credentials cannot sign in to the console")
	// ErrFederationDenied: STS refused GetFederationToken for an IAM
	// user's long-term keys: the user's policies do not allow it, or deny
	// it explicitly (as policies that require MFA do: a federation token
	// cannot carry MFA).
	ErrFederationDenied = errors.New("STS GetFederationToken refused")
	// ErrSigninRefused: the federation endpoint refused the credentials
	// (getSigninToken answered other than 200), or could not be reached.
	ErrSigninRefused = errors.New("the console federation endpoint refused the credentials")
	// ErrDestination: the destination is not a console URL of the
	// credentials' partition, or the service or region name cannot be
	// part of one.
	ErrDestination = errors.New("not a console URL")
	// ErrOptions: the options cannot go together or are out of range (a
	// service and a destination, a duration the console does not take, a
	// federation endpoint that is not an https URL).
	ErrOptions = errors.New("invalid console options")
	// ErrNoConsole: awsxc knows no console for the credentials' partition
	// (the ISO partitions), and no federation endpoint was given.
	ErrNoConsole = errors.New("no console known for the partition")
)
