package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/sortgen/sortgen/gen"
)

// stageFile writes one generated file into the staging directory; tests
// replace it to fail part way, as a full disk would.
var stageFile = os.WriteFile

// writePackage replaces the package in dir by files as one step: it writes
// a complete copy into a hidden sibling directory (same parent, so the
// final rename stays on one file system) and swaps it in. Until the swap,
// dir is untouched, so a failure, a kill or a full disk leaves the old
// package whole; the swap itself is atomic where the system can exchange
// two directories (Linux), else two renames with the old package moved
// back if the second fails.
//
// Files of dir that sortgen wrote (.go and .s files starting with
// gen.Header) are replaced or, if files has no such name any more,
// dropped, so no stale file can conflict with the new ones. Everything
// else in dir (the user's files, go.mod, subdirectories) is carried over.
func writePackage(dir string, files map[string][]byte) (err error) {
	if len(files) == 0 {
		return errors.New("no files to write")
	}
	for name := range files {
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
			return fmt.Errorf("file name %q is not a plain name", name)
		}
	}
	// Swap the directory a symbolic link points at, not the link.
	target := dir
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		target = real
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	parent, base := filepath.Dir(target), filepath.Base(target)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	info, statErr := os.Stat(target)
	exists := statErr == nil
	switch {
	case statErr != nil && !errors.Is(statErr, fs.ErrNotExist):
		return statErr
	case exists && !info.IsDir():
		return fmt.Errorf("%s exists and is not a directory", dir)
	}

	// The go command ignores directories whose names start with a dot, so
	// ./... never sees a half-written package.
	stage, err := mkdirUnique(filepath.Join(parent, "."+base+".sortgen-"))
	if err != nil {
		return fmt.Errorf("cannot stage the package next to %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(stage)
		}
	}()
	if exists {
		if err := os.Chmod(stage, info.Mode()&(fs.ModePerm|fs.ModeSetgid|fs.ModeSticky)); err != nil {
			return err
		}
		if err := carryOver(target, stage, files); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := stageFile(filepath.Join(stage, name), files[name], 0o644); err != nil {
			return err
		}
	}
	if !exists {
		return os.Rename(stage, target)
	}
	old, err := swapDirs(stage, target, exchangeDirs)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("wrote %s, but could not remove the old package moved to %s: %w", dir, old, err)
	}
	return nil
}

// mkdirUnique makes a new directory prefix+random, 0755 less the umask as
// for any new package directory (os.MkdirTemp would make it 0700).
func mkdirUnique(prefix string) (string, error) {
	for {
		dir := prefix + strconv.FormatUint(uint64(rand.Uint32()), 36)
		err := os.Mkdir(dir, 0o755)
		if !errors.Is(err, fs.ErrExist) {
			return dir, err
		}
	}
}

// carryOver links (or copies) into stage every entry of dir that is not a
// file sortgen wrote; a user's file with the name of a generated one is an
// error rather than lost.
func carryOver(dir, stage string, files map[string][]byte) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		src := filepath.Join(dir, name)
		if e.Type().IsRegular() && writtenBySortgen(src) {
			continue // replaced, or stale
		}
		if _, clash := files[name]; clash {
			return fmt.Errorf("%s was not written by sortgen (it does not start with %q): move it away to regenerate the package", src, gen.Header)
		}
		if err := copyTree(src, filepath.Join(stage, name)); err != nil {
			return fmt.Errorf("cannot carry %s over to the new package: %w", src, err)
		}
	}
	return nil
}

// writtenBySortgen reports whether path is a file an earlier run wrote:
// a .go or .s file that starts with the generated-code header.
func writtenBySortgen(path string) bool {
	if !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".s") {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, len(gen.Header))
	n, _ := io.ReadFull(f, buf)
	return bytes.Equal(buf[:n], []byte(gen.Header))
}

// copyTree recreates src at dst without touching src: directories are
// made anew, files hard-linked (copied where links fail), symbolic links
// recreated.
func copyTree(src, dst string) error {
	info, err := os.Lstat(src)
	if err != nil {
		return err
	}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		link, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(link, dst)
	case info.IsDir():
		if err := os.Mkdir(dst, 0o700); err != nil {
			return err
		}
		entries, err := os.ReadDir(src)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := copyTree(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
				return err
			}
		}
		return os.Chmod(dst, info.Mode().Perm())
	case info.Mode().IsRegular():
		if os.Link(src, dst) == nil {
			return nil
		}
		return copyFile(src, dst, info.Mode().Perm())
	}
	return fmt.Errorf("%s is neither a file, a directory nor a symbolic link", src)
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// swapDirs puts the directory stage at target and returns where the old
// target now is. An atomic exchange is tried first; without one, target is
// renamed aside and restored if stage cannot take its place.
func swapDirs(stage, target string, exchange func(a, b string) error) (old string, err error) {
	if exchange(stage, target) == nil {
		return stage, nil
	}
	aside := stage + ".old"
	if err := os.Rename(target, aside); err != nil {
		return "", err
	}
	if err := os.Rename(stage, target); err != nil {
		if rerr := os.Rename(aside, target); rerr != nil {
			return "", fmt.Errorf("%w; the old package is at %s", err, aside)
		}
		return "", err
	}
	return aside, nil
}
