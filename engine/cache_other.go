//go:build !unix

package engine

// checkCachePath checks nothing on Windows (and other systems without
// Unix owners and modes): Go sees no file owner there, and the ACLs that
// decide who may write a file are not read. The default cache folder,
// under %LocalAppData%, is private to the user by its default ACL; a
// cache file elsewhere is trusted as it is. readCache still refuses
// anything but a regular file.
func checkCachePath(string, bool) error { return nil }

// narrowCacheMode does nothing: see checkCachePath.
func narrowCacheMode(string) bool { return false }
