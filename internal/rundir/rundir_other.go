//go:build !unix

package rundir

// ownedDir is never asked outside Unix: [SocketDir] looks for
// /run/user/<uid> only on Linux and the BSDs.
func ownedDir(string, int) bool { return false }
