package engine

import (
	"os"
	"testing"

	"github.com/awsxc/awsxc/internal/fakeaws"
)

// TestMain keeps the machine's own AWS setup away from every test: the
// engine takes its files from an Env, but the SDK still reads some
// settings from the process (see the package documentation).
func TestMain(m *testing.M) { os.Exit(fakeaws.RunIsolated(m, nil)) }
