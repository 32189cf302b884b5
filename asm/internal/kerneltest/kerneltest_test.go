package kerneltest

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the checked-in test packages")

// TestGolden regenerates the checked-in packages and compares bytes.
func TestGolden(t *testing.T) {
	for _, c := range Golden {
		name := c.Name()
		t.Run(name, func(t *testing.T) {
			files, err := Files(c, name, false)
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				if err := os.RemoveAll(name); err != nil {
					t.Fatal(err)
				}
				if err := writeFiles(name, files); err != nil {
					t.Fatal(err)
				}
				return
			}
			entries, err := os.ReadDir(name)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update)", err)
			}
			onDisk := map[string]bool{}
			for _, e := range entries {
				onDisk[e.Name()] = true
				if _, ok := files[e.Name()]; !ok {
					t.Errorf("%s/%s is not generated any more", name, e.Name())
				}
			}
			for fn, want := range files {
				got, err := os.ReadFile(filepath.Join(name, fn))
				if err != nil {
					t.Errorf("%v (run go test -run TestGolden -update)", err)
					continue
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s/%s is stale (run go test -run TestGolden -update)", name, fn)
				}
			}
		})
	}
}

func writeFiles(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// moduleRoot finds the enclosing module's directory.
func moduleRoot(t *testing.T) string {
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
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// TestMatrix generates the configurations of Subset (with
// SORTGEN_FULL_MATRIX=1, of Matrix) into a temporary module and runs all
// checks, and the Go emitter's tests of every package, in one test binary.
// SORTGEN_MATRIX=substring restricts it to the packages whose names contain
// substring.
func TestMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("the matrix compiles dozens of packages; skipped with -short")
	}
	if goruntime.GOARCH != "amd64" {
		t.Skip("the assembly kernels are amd64 only")
	}
	root := moduleRoot(t)
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	ver := ""
	for _, l := range strings.Split(string(gomod), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "golang.org/x/sys" {
			ver = f[1]
		}
	}
	if ver == "" {
		t.Fatal("go.mod does not require golang.org/x/sys")
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	var sysSum []string
	for _, l := range strings.Split(string(sum), "\n") {
		if strings.HasPrefix(l, "golang.org/x/sys "+ver+" ") || strings.HasPrefix(l, "golang.org/x/sys "+ver+"/go.mod ") {
			sysSum = append(sysSum, l)
		}
	}
	dir := t.TempDir()
	mod := fmt.Sprintf("module sgmatrix\n\ngo 1.26\n\nrequire golang.org/x/sys %s\n", ver)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), []byte(strings.Join(sysSum, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var names []string
	filter := os.Getenv("SORTGEN_MATRIX") // optional: only names containing it
	configs := Subset()
	if os.Getenv("SORTGEN_FULL_MATRIX") == "1" {
		configs = Matrix()
	}
	for _, c := range configs {
		name := c.Name()
		if filter != "" && !strings.Contains(name, filter) {
			continue
		}
		files, err := Files(c, name, true)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := writeFiles(filepath.Join(dir, name), files); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("package sgmatrix\n\nimport (\n\t\"testing\"\n\n")
	for _, n := range names {
		fmt.Fprintf(&b, "\t%q\n", "sgmatrix/"+n)
	}
	b.WriteString(")\n\nfunc TestMatrix(t *testing.T) {\n")
	for _, n := range names {
		fmt.Fprintf(&b, "\tt.Run(%q, %s.CheckAVX2)\n", n, n)
	}
	b.WriteString("}\n")
	if err := os.WriteFile(filepath.Join(dir, "matrix_test.go"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cmd := exec.Command("go", "test", "-count=1", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	t.Logf("%d packages, %v\n%s", len(names), time.Since(start), out)
	if err != nil {
		t.Fatal(err)
	}
}

// TestSubset checks that the default matrix keeps what it promises: every
// swap with both element types, every size, both networks.
func TestSubset(t *testing.T) {
	type swapElem struct {
		swap, base string
		elem       string
	}
	want := map[swapElem]bool{}
	sizes := map[int]bool{}
	full := map[string]bool{}
	for _, c := range Matrix() {
		want[swapElem{c.Swap, c.Base, c.Elem.String()}] = true
		sizes[c.N] = true
		full[c.Name()] = true
	}
	networks := map[string]bool{}
	seen := map[string]bool{}
	for _, c := range Subset() {
		if !full[c.Name()] || seen[c.Name()] {
			t.Errorf("%s is not in the full matrix, or twice in the subset", c.Name())
		}
		seen[c.Name()] = true
		delete(want, swapElem{c.Swap, c.Base, c.Elem.String()})
		delete(sizes, c.N)
		networks[c.Network] = true
	}
	if len(want) > 0 || len(sizes) > 0 || len(networks) != 2 {
		t.Errorf("the subset misses swaps and types %v, sizes %v, or a network (has %v)", want, sizes, networks)
	}
}
