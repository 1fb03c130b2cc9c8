// Package wine runs the Windows builds of awsxc-cli and awsxc under Wine,
// so that `make test` exercises the Windows code paths (the registry, the
// Win32 message loop, LockFileEx, cmd.exe as the credential_process shell,
// the console control events) on a Linux machine with no Windows at hand.
//
// The test is behind the build tag "wine" (it takes a fresh Wine prefix
// and about a minute), so `go test ./...` leaves it out; run it with
//
//	make wine        # or: go test -tags wine -count=1 ./test/wine
//
// It needs wine (Debian's wine and wine64), x86_64-w64-mingw32-gcc
// (gcc-mingw-w64-x86-64), Xvfb and curl: without them it skips, and under
// CI=true it fails. See wine_test.go for what is tested and what Wine
// cannot show (there is no real Windows desktop: no notification area, no
// toasts, no clipboard).
package wine
