// Package testmod builds temporary Go modules for tests that compile
// generated code: a module in t.TempDir() that requires this repository,
// replaced by its working tree, with the repository's go.sum, so that the
// go command runs in it offline.
package testmod

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// RepoPath is the module path of the repository.
const RepoPath = "github.com/sortgen/sortgen"

// A Module is a temporary module that requires the repository.
type Module struct {
	Dir  string // root directory, the go.mod's
	Path string // module path

	goCmd string
}

// Root returns the repository's root directory: the first directory with
// a go.mod at or above the working directory, which go test makes the
// test's package directory.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testmod: no go.mod at or above the working directory")
		}
		dir = parent
	}
}

// New creates a module with path modulePath in a temporary directory. Its
// go.mod has the repository's go line and requirements, requires the
// repository itself and replaces it by Root; its go.sum is the
// repository's. New skips the test when there is no go command.
func New(t testing.TB, modulePath string) *Module {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("testmod: no go command")
	}
	root := Root(t)
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := moduleFile(gomod, modulePath, root)
	if err != nil {
		t.Fatalf("testmod: %s: %v", filepath.Join(root, "go.mod"), err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	m := &Module{Dir: t.TempDir(), Path: modulePath, goCmd: goCmd}
	m.Write(t, "go.mod", mod)
	m.Write(t, "go.sum", sum)
	return m
}

// moduleFile returns the go.mod of a module named path that requires the
// repository, whose go.mod is repoMod, replaced by the directory root.
func moduleFile(repoMod []byte, path, root string) ([]byte, error) {
	var goLine string
	var reqs []string
	inRequire, inOther := false, false
	sc := bufio.NewScanner(bytes.NewReader(repoMod))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case inRequire || inOther:
			if f[0] == ")" {
				inRequire, inOther = false, false
			} else if inRequire && len(f) == 2 {
				reqs = append(reqs, f[0]+" "+f[1])
			}
		case f[0] == "module":
			if len(f) != 2 || strings.Trim(f[1], `"`) != RepoPath {
				return nil, fmt.Errorf("not the module %s", RepoPath)
			}
		case f[0] == "go" && len(f) == 2:
			goLine = f[1]
		case f[0] == "require" && len(f) == 2 && f[1] == "(":
			inRequire = true
		case f[0] == "require" && len(f) == 3:
			reqs = append(reqs, f[1]+" "+f[2])
		case f[0] == "replace":
			return nil, fmt.Errorf("replace directives are not supported")
		case f[len(f)-1] == "(":
			inOther = true // tool, exclude, retract, ignore, godebug
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if goLine == "" {
		return nil, fmt.Errorf("no go line")
	}
	slices.Sort(reqs)
	var b strings.Builder
	fmt.Fprintf(&b, "module %s\n\ngo %s\n\nrequire (\n\t%s v0.0.0\n", path, goLine, RepoPath)
	for _, r := range reqs {
		fmt.Fprintf(&b, "\t%s\n", r)
	}
	fmt.Fprintf(&b, ")\n\nreplace %s => %q\n", RepoPath, root)
	return []byte(b.String()), nil
}

// Write writes content to the file rel (slash-separated, relative to
// m.Dir), creating its directory.
func (m *Module) Write(t testing.TB, rel string, content []byte) {
	t.Helper()
	path := filepath.Join(m.Dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
}

// WriteFiles writes files, file name to content, into the directory dir
// of m (slash-separated, relative to m.Dir; "." is the root).
func (m *Module) WriteFiles(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	for name, content := range files {
		m.Write(t, dir+"/"+name, content)
	}
}

// Go runs the go command with args in m.Dir and returns its combined
// output; it fails the test, with the output, if the command fails. The
// command runs offline (GOPROXY=off), outside any workspace (GOWORK=off)
// and with the local toolchain; env, such as GOARCH=arm64, is added to the
// environment last and so overrides these.
func (m *Module) Go(t testing.TB, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(m.goCmd, args...)
	cmd.Dir = m.Dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s (in %s): %v\n%s", strings.Join(args, " "), m.Dir, err, out)
	}
	return string(out)
}

// SlowEnv is the environment switch of the slowest end-to-end tests (each
// compiles dozens of packages): .ci/run sets it, a plain go test ./...
// skips them so that it stays quick on a fresh clone.
const SlowEnv = "SORTGEN_SLOW"

// Slow reports whether SlowEnv is 1 and -short is off: the slow checks
// run.
func Slow() bool { return !testing.Short() && os.Getenv(SlowEnv) == "1" }

// SkipUnlessSlow skips the test unless Slow.
func SkipUnlessSlow(t testing.TB) {
	t.Helper()
	if !Slow() {
		t.Skipf("compiles dozens of packages: runs with %s=1 and without -short", SlowEnv)
	}
}
