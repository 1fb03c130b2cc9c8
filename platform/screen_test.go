package platform

import (
	"testing"
	"time"
)

func TestClockGap(t *testing.T) {
	t.Parallel()
	const tick = 30 * time.Second
	for _, tc := range []struct {
		name       string
		wall, mono time.Duration
		want       bool
	}{
		{"on_time", tick, tick, false},
		{"a_busy_machine", tick + 10*time.Second, tick + 10*time.Second, false},
		{"linux_macos_slept_overnight", 9 * time.Hour, tick, true}, // the monotonic clock stopped
		{"windows_slept", 9 * time.Hour, 9 * time.Hour, true},      // both ran; the tick came late
		{"late_tick_only", tick, 2 * tick, true},
		{"clock_set_back", -time.Hour, tick, true},
		{"clock_set_forward", tick + time.Hour, tick, true},
		{"ntp_slew", tick - 200*time.Millisecond, tick, false},
	} {
		if got := clockGap(tc.wall, tc.mono, tick); got != tc.want {
			t.Errorf("%s: clockGap(%v, %v) = %v, want %v", tc.name, tc.wall, tc.mono, got, tc.want)
		}
	}
}

// TestScreenHub: lock sources are joined (locked while any says so),
// only changes are reported, and waking up always is.
func TestScreenHub(t *testing.T) {
	t.Parallel()
	var got []ScreenEvent
	h := &screenHub{on: func(e ScreenEvent) { got = append(got, e) }, locks: map[string]bool{}}
	h.locked("a", true)
	h.locked("b", true)
	h.locked("a", false)
	h.locked("b", false)
	h.sleep("logind", true)
	h.sleep("logind", false)
	h.woke("clock")
	want := []ScreenEvent{
		{ScreenState{Locked: true}, false, "a"},
		{ScreenState{}, false, "b"},
		{ScreenState{Asleep: true}, false, "logind"},
		{ScreenState{}, true, "logind"},
		{ScreenState{}, true, "clock"},
	}
	if len(got) != len(want) {
		t.Fatalf("events %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
