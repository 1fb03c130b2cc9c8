// Package bench holds the helper programs scripts/bench.sh runs (make
// bench); it has no code of its own. Each subdirectory is a command:
//
//   - floor: prints a constant credential_process JSON and exits, the
//     floor any Go CLI start-up is measured against
//   - bareserver: a bare net/http server answering every request with a
//     fixed body, the ceiling for the credential servers
//   - procstat: samples a process's resident memory and CPU time
//   - genprofiles: writes an AWS config and credentials file with N
//     profiles of every kind, for the listing benchmark
//
// The fake STS it also runs is internal/fakeaws/fakests, shared with the
// e2e tests. They are benchmark tools, not product code: none is packaged.
package bench
