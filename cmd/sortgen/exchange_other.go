//go:build !linux

package main

import "errors"

// exchangeDirs would swap two paths in one step; only Linux offers that,
// so writePackage falls back to two renames.
func exchangeDirs(a, b string) error {
	return errors.New("no atomic exchange of directories on this system")
}
