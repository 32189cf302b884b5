package kerneltest

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sortgen/sortgen/internal/testmod"
)

var update = flag.Bool("update", false, "rewrite the checked-in test packages")

// TestGolden regenerates the checked-in packages and compares bytes.
func TestGolden(t *testing.T) {
	golden := map[string]bool{}
	for _, c := range Golden {
		golden[c.Name()] = true
	}
	dirs, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if d.IsDir() && !golden[d.Name()] {
			t.Errorf("%s is not a configuration of Golden: remove it", d.Name())
		}
	}
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

// checkInModule emits configs with their checks into a temporary module
// and runs every check, and the Go emitter's tests of every package, in
// one test binary.
func checkInModule(t *testing.T, configs []Config) {
	if goruntime.GOARCH != "amd64" {
		t.Skip("the assembly kernels are amd64 only")
	}
	m := testmod.New(t, "sgcheck")
	var names []string
	isTopK := map[string]bool{}
	for _, c := range configs {
		name := c.Name()
		isTopK[name] = c.TopK > 0
		files, err := Files(c, name, true)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		m.WriteFiles(t, name, files)
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("package sgcheck\n\nimport (\n\t\"testing\"\n\n")
	for _, n := range names {
		fmt.Fprintf(&b, "\t%q\n", m.Path+"/"+n)
	}
	b.WriteString(")\n\nfunc TestCheck(t *testing.T) {\n")
	for _, n := range names {
		fmt.Fprintf(&b, "\tt.Run(%q, %s.CheckAsm)\n", n, n)
	}
	b.WriteString("}\n")
	m.Write(t, "check_test.go", []byte(b.String()))
	start := time.Now()
	out := m.Go(t, nil, "test", "-count=1", "-v", ".")
	t.Logf("%d packages, %v", len(names), time.Since(start))
	for _, n := range names {
		checks := []string{"AsmMatchesGeneric"}
		if isTopK[n] {
			checks = append(checks, "TestTopKAsm")
		}
		for _, c := range checks {
			// A CPU without AVX2 or FMA skips the comparison.
			ran := "--- PASS: TestCheck/" + n + "/" + c + " "
			skipped := "--- SKIP: TestCheck/" + n + "/" + c + " "
			if !strings.Contains(out, ran) && !strings.Contains(out, skipped) {
				t.Errorf("%s: %s did not run:\n%s", n, c, out)
			}
		}
	}
}

// TestTopK runs the checks, and the top-k tests comparing the AVX2 and the
// Go kernels of ForwardTopK and BackwardTopK, on the top-k configurations.
func TestTopK(t *testing.T) {
	checkInModule(t, TopK)
}

// TestEmitted runs the checks on the benchmark configurations.
func TestEmitted(t *testing.T) {
	checkInModule(t, Emitted)
}

// TestMatrix runs the checks on the configurations of Subset (with
// SORTGEN_FULL_MATRIX=1, of Matrix), with SORTGEN_SLOW=1 (testmod.SlowEnv). SORTGEN_MATRIX=substring restricts it
// to the packages whose names contain substring.
func TestMatrix(t *testing.T) {
	testmod.SkipUnlessSlow(t)
	configs := Subset()
	if os.Getenv("SORTGEN_FULL_MATRIX") == "1" {
		configs = Matrix()
	}
	if filter := os.Getenv("SORTGEN_MATRIX"); filter != "" {
		configs = slices.DeleteFunc(configs, func(c Config) bool { return !strings.Contains(c.Name(), filter) })
	}
	checkInModule(t, configs)
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
