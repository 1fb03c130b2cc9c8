//go:build !linux

package server

// isBridge reports false: the container bridges awsxc serves are Docker
// Engine's on Linux (elsewhere the engines run in a virtual machine and
// reach this one through host.docker.internal and the like).
func isBridge(string) bool { return false }

// defaultRoute is not needed where no interface is a bridge.
func defaultRoute(string) bool { return false }
