//go:build unix && !linux

package engine

// descendants is empty where awsxc cannot list a process's children:
// with a terminal, only the credential_process itself is killed (without
// one, its whole process group is).
func descendants(int) []int { return nil }
