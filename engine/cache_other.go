//go:build !unix

package engine

import "os"

// checkCachePath checks nothing on Windows (and other systems without
// Unix owners and modes): Go sees no file owner there, and the ACLs that
// decide who may write a file are not read. The default cache folder,
// under %LocalAppData%, is private to the user by its default ACL; a
// cache file elsewhere is trusted as it is. readCache still refuses
// anything but a regular file.
func checkCachePath(string, bool) error { return nil }

// PrivateDir makes dir, a folder for the user's secrets, with mode 0700
// when it is missing. On Unix it also checks who can write it and the
// path to it; here it trusts the folder's ACL (see checkCachePath).
func PrivateDir(dir string) error { return os.MkdirAll(dir, 0o700) }

// narrowCacheMode does nothing: see checkCachePath.
func narrowCacheMode(string) bool { return false }
