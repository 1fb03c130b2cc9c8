// Package fsutil holds the file primitives that engine, tray and platform
// share: one atomic writer, one lock, one guarded reader. None of it is
// AWS logic; each function does what the name says on Linux, macOS and
// Windows, and the per-OS differences live in the _unix, _windows and
// _other files.
//
// # Writing
//
// [WriteFileAtomic] replaces a file so that readers see the old content
// or the new, never a mix, even after a crash (a temporary file in the
// same folder, fsync, rename, fsync of the folder). It writes through
// symlinks (dotfile managers link ~/.aws/credentials and settings.json
// into a repository), keeps an existing file's owner and group (so root
// under sudo does not take over a user's file), never widens its mode
// beyond the one asked for (a file given a secret is narrowed to 0600,
// whatever it was), and refuses to replace a file the user could not
// write. Run as root, it does not follow a symlink of one user to another
// user's file or folder ([ErrForeignLink]), so sudo -E does not edit
// /etc through a link in a user's home. (That check is made before the
// write: a user who swaps a link of their own while root writes can still
// race it, as with any path-based write.) [RealPath] names the file that
// a write through path would replace.
//
// # Locking
//
// [Lock] waits for an exclusive lock on a lock file; [TryLock] fails at
// once with [ErrLocked] when another holder has it. Holders in one process
// exclude each other as holders in different processes do, and the
// operating system drops a lock when its process dies, however it dies.
// The lock file is created 0600 in a 0700 folder, is never followed when
// it is a symlink, and is never deleted: deleting it would let two holders
// lock two different files.
//
// # Reading
//
// [ReadRegular] and [CheckRegular] refuse anything that is not a regular
// file (a FIFO would hang a reader, /dev/zero would grow it without end)
// and files beyond a size limit, with one-line errors naming the path and
// the reason, wrapping [ErrNotRegular] or [ErrTooLarge].
package fsutil
