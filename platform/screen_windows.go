package platform

import (
	"context"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// WTSQuerySessionInformationW is not in x/sys/windows.
var procWTSQuerySessionInformation = windows.NewLazySystemDLL("wtsapi32.dll").NewProc("WTSQuerySessionInformationW")

const (
	wtsCurrentServer  = 0          // WTS_CURRENT_SERVER_HANDLE
	wtsCurrentSession = 0xFFFFFFFF // WTS_CURRENT_SESSION
	wtsSessionInfoEx  = 25         // WTS_INFO_CLASS WTSSessionInfoEx
	// WTSINFOEX_LEVEL1_W.SessionFlags. (Reversed on Windows 7 and Server
	// 2008 R2, which Go no longer runs on.)
	wtsSessionStateLock   = 0
	wtsSessionStateUnlock = 1
)

// wtsInfoEx is the head of WTSINFOEXW: Level, then the
// WTSINFOEX_LEVEL_W union, 8-aligned since its WTSINFOEX_LEVEL1_W holds
// LARGE_INTEGERs, starting with SessionId, SessionState, SessionFlags.
type wtsInfoEx struct {
	Level        uint32
	_            uint32
	SessionID    uint32
	SessionState int32
	SessionFlags int32
}

// wtsPoll is how often the session's lock state is read.
const wtsPoll = 5 * time.Second

// watchScreen polls the session's lock state: a window-less way, since
// WTSRegisterSessionNotification and WM_POWERBROADCAST need a window of
// our own (systray's is private), and sleep is noticed by the clock
// watcher (Windows' monotonic clock runs on during sleep; the tick comes
// late).
func watchScreen(ctx context.Context, h *screenHub) []string {
	if _, ok := sessionLocked(); !ok {
		return nil // Wine, or a Windows without the call
	}
	go func() {
		t := time.NewTicker(wtsPoll)
		defer t.Stop()
		for {
			if locked, ok := sessionLocked(); ok {
				h.locked("wts", locked)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return []string{"wts"}
}

// sessionLocked reads whether this session is locked; ok is false when
// Windows does not say.
func sessionLocked() (locked, ok bool) {
	if procWTSQuerySessionInformation.Find() != nil {
		return false, false
	}
	var buf *wtsInfoEx
	var n uint32
	r, _, _ := procWTSQuerySessionInformation.Call(wtsCurrentServer, wtsCurrentSession, wtsSessionInfoEx,
		uintptr(unsafe.Pointer(&buf)), uintptr(unsafe.Pointer(&n)))
	if r == 0 || buf == nil {
		return false, false
	}
	defer windows.WTSFreeMemory(uintptr(unsafe.Pointer(buf)))
	if buf.Level != 1 || uintptr(n) < unsafe.Sizeof(*buf) {
		return false, false
	}
	switch buf.SessionFlags {
	case wtsSessionStateLock:
		return true, true
	case wtsSessionStateUnlock:
		return false, true
	}
	return false, false
}
