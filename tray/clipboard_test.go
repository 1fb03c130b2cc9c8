//go:build !darwin || cgo

package tray

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeClipboard is a system clipboard whose copies take a random while,
// so concurrent copies would finish in any order.
type fakeClipboard struct {
	mu      sync.Mutex // protects the fields below
	text    string
	copies  int // copies running at once, to catch overlaps
	overlap bool
	history []string // every text copied, in order
	pastes  int      // reads of the clipboard
}

func (f *fakeClipboard) copy(s string) error {
	f.mu.Lock()
	f.copies++
	f.overlap = f.overlap || f.copies > 1
	f.mu.Unlock()
	time.Sleep(time.Duration(rand.IntN(3)) * time.Millisecond)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.copies--
	f.text = s
	f.history = append(f.history, s)
	return nil
}

func (f *fakeClipboard) paste() (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pastes++
	return f.text, nil
}

func (f *fakeClipboard) get() string { s, _ := f.paste(); return s }

func startClipboard(t *testing.T) (*clipboard, *fakeClipboard, context.Context) {
	t.Helper()
	fake := &fakeClipboard{}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := &clipboard{copy: fake.copy, paste: fake.paste, reqs: make(chan clipRequest),
		fail: func(err error) { t.Errorf("copy failed: %v", err) }}
	go c.run(ctx)
	return c, fake, ctx
}

func waitClipboard(t *testing.T, f *fakeClipboard, want string) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for f.get() != want {
		if time.Now().After(deadline) {
			t.Fatalf("clipboard holds %q; want %q", f.get(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

// Quick copies from many goroutines never overlap, and the auto-clear
// removes whatever was copied last.
func TestClipboardQuickCopiesAreCleared(t *testing.T) {
	t.Parallel()
	c, fake, ctx := startClipboard(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() { c.put(ctx, "text", fmt.Sprint("secret ", i), 30*time.Millisecond) })
	}
	wg.Wait()
	waitClipboard(t, fake, "")
	if fake.overlap {
		t.Error("two copies ran at once")
	}
}

// The user copies right after the copy, before its clear is due: the
// clear leaves the user's text. The user's copy is made as the copy is
// reported (done), so it always comes before the clear, however slowly
// the test runs; the clear has looked once the clipboard was read.
func TestClipboardKeepsWhatTheUserCopied(t *testing.T) {
	t.Parallel()
	fake := &fakeClipboard{}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := &clipboard{copy: fake.copy, paste: fake.paste, reqs: make(chan clipRequest),
		fail: func(err error) { t.Errorf("copy failed: %v", err) },
		done: func(what, _ string, _ time.Duration) {
			if what == "text" {
				fake.copy("the user's own text")
			}
		}}
	go c.run(ctx)
	c.put(ctx, "text", "secret", 20*time.Millisecond)
	deadline := time.Now().Add(patience)
	for {
		fake.mu.Lock()
		looked := fake.pastes > 0
		fake.mu.Unlock()
		if looked {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the clear never looked at the clipboard")
		}
		time.Sleep(time.Millisecond)
	}
	// Taken once the clear is done with.
	c.put(ctx, "marker", "later", 0)
	waitClipboard(t, fake, "later")
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if want := []string{"secret", "the user's own text", "later"}; !slices.Equal(fake.history, want) {
		t.Errorf("clipboard held %q; want %q, the user's text never cleared", fake.history, want)
	}
}

func TestClipboardNeverClears(t *testing.T) {
	t.Parallel()
	c, fake, ctx := startClipboard(t)
	c.put(ctx, "text", "first", 10*time.Millisecond)
	c.put(ctx, "text", "kept", 0) // the setting changed to 0 in between
	waitClipboard(t, fake, "kept")
	time.Sleep(40 * time.Millisecond)
	if got := fake.get(); got != "kept" {
		t.Errorf("clipboard holds %q; want it kept", got)
	}
}

// Quitting with a clear pending clears the clipboard, if it still holds
// what was copied; what the user copied since is left (review 1, M6).
func TestClipboardClearedOnQuit(t *testing.T) {
	t.Parallel()
	for _, userCopied := range []bool{false, true} {
		t.Run(fmt.Sprint("user_copied=", userCopied), func(t *testing.T) {
			t.Parallel()
			fake := &fakeClipboard{}
			ctx, cancel := context.WithCancel(context.Background())
			c := &clipboard{copy: fake.copy, paste: fake.paste, reqs: make(chan clipRequest),
				fail: func(err error) { t.Errorf("copy failed: %v", err) }}
			go c.run(ctx)
			c.put(ctx, "text", "secret", time.Hour)
			waitClipboard(t, fake, "secret")
			want := ""
			if userCopied {
				want = "the user's own text"
				fake.copy(want)
			}
			cancel()
			<-c.stopped()
			if got := fake.get(); got != want {
				t.Errorf("after quit the clipboard holds %q; want %q", got, want)
			}
		})
	}
}
