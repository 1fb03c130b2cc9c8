//go:build !linux

package netnstest

import "testing"

// New skips the test: network namespaces are Linux's.
func New(t testing.TB) *Namespace {
	t.Helper()
	t.Skip("network namespaces are Linux-only")
	return nil
}

// NewBridged skips the test: network namespaces are Linux's.
func NewBridged(t testing.TB) *Namespace {
	t.Helper()
	t.Skip("network namespaces are Linux-only")
	return nil
}
