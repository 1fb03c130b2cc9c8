package exectest

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// Many goroutines write and run programs at once: none may get "text file
// busy".
func TestWriteProgramConcurrent(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no shell scripts on Windows")
	}
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				p := filepath.Join(dir, "p"+string(rune('a'+i))+string(rune('a'+j)))
				WriteProgram(t, p, []byte("#!/bin/sh\nexit 0\n"))
				if err := exec.Command(p).Run(); err != nil {
					t.Errorf("%s: %v", p, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
