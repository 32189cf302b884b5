package main

import "golang.org/x/sys/unix"

// exchangeDirs swaps two paths in one step (renameat2 RENAME_EXCHANGE), so
// that no moment exists without a package at either; it fails where the
// kernel or the file system cannot.
func exchangeDirs(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}
