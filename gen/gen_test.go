package gen

import (
	"bytes"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/internal/testmod"
)

func newPlan(t testing.TB, network string, n int, swap, base string, elem plan.Elem) *plan.Plan {
	t.Helper()
	p, err := plan.Named(network, n, swap, base, elem)
	require.NoError(t, err)
	return p
}

func TestPackageName(t *testing.T) {
	for _, tc := range []struct {
		network    string
		n          int
		swap, base string
		elem       plan.Elem
		want       string
	}{
		{"odd_even", 32, "cauchy", "", plan.Float32, "oddeven_n32_cauchy_f32"},
		{"bitonic", 16, "errorfree", "", plan.Float64, "bitonic_n16_errorfree_cauchy_f64"},
		{"bitonic", 16, "errorfree", "logistic_phi", plan.Float32, "bitonic_n16_errorfree_logisticphi_f32"},
		{"oddeven_merge", 8, "hard", "", plan.Float64, "oddevenmerge_n8_hard_f64"},
		{"My-Net.v2", 5, "optimal", "", plan.Float32, "mynetv2_n5_optimal_f32"},
		{"16best", 16, "logistic", "", plan.Float32, "net16best_n16_logistic_f32"},
	} {
		s, err := plan.ParseSwap(tc.swap, tc.base)
		require.NoError(t, err)
		got := PackageName(tc.network, tc.n, s, tc.elem)
		require.Equal(t, tc.want, got)
		require.True(t, token.IsIdentifier(got))
	}
}

func TestCommand(t *testing.T) {
	p := newPlan(t, "bitonic", 8, "errorfree", "gaussian", plan.Float64)
	require.Equal(t, "go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 8 -swap errorfree -base gaussian -type float64",
		Command(p, "bitonic_n8_errorfree_gaussian_f64"))
	require.Equal(t, "go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 8 -swap errorfree -base gaussian -type float64 -pkg mysort",
		Command(p, "mysort"))
}

// imports lists the import paths of a Go source file.
func imports(t *testing.T, name string, src []byte) []string {
	f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
	require.NoError(t, err, name)
	var paths []string
	for _, im := range f.Imports {
		p, err := strconv.Unquote(im.Path.Value)
		require.NoError(t, err)
		paths = append(paths, p)
	}
	return paths
}

func TestGenerateFiles(t *testing.T) {
	for _, tc := range []struct {
		network    string
		n          int
		swap, base string
		elem       plan.Elem
		asm        bool
		files      []string // besides doc.go, api.go, kernels_generic.go, impl_noasm.go and the test
		funcs      []string // exported functions
	}{
		{"odd_even", 5, "cauchy", "", plan.Float32, false, []string{"swap.go"}, []string{"Backward", "BackwardP", "Forward", "ForwardP", "Sort"}},
		{"bitonic", 8, "errorfree", "logistic_phi", plan.Float64, true, []string{"swap.go"}, []string{"Backward", "BackwardP", "Forward", "ForwardP", "Sort"}},
		{"odd_even", 4, "hard", "", plan.Float64, false, nil, []string{"ForwardP", "Sort"}},
	} {
		p := newPlan(t, tc.network, tc.n, tc.swap, tc.base, tc.elem)
		pkg := PackageName(tc.network, tc.n, p.Swap, tc.elem)
		files, err := Generate(p, Options{Asm: tc.asm})
		require.NoError(t, err)
		want := append([]string{"api.go", "doc.go", "impl_noasm.go", "kernels_generic.go", pkg + "_test.go"}, tc.files...)
		var got []string
		for name, src := range files {
			got = append(got, name)
			require.True(t, bytes.HasPrefix(src, []byte(Header+"\n\n")), "%s: first line", name)
			formatted, err := format.Source(src)
			require.NoError(t, err, name)
			require.Equal(t, string(formatted), string(src), "%s is not gofmt-ed", name)
			for _, path := range imports(t, name, src) {
				require.NotContains(t, strings.SplitN(path, "/", 2)[0], ".", "%s imports %s: only the standard library", name, path)
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		require.Equal(t, want, got, pkg)

		impl := string(files["impl_noasm.go"])
		doc := string(files["doc.go"])
		if tc.asm {
			require.True(t, strings.HasPrefix(impl, Header+"\n\n//go:build !amd64 || purego\n\npackage "), impl)
			require.Contains(t, doc, "golang.org/x/sys/cpu")
			require.Contains(t, doc, "-tags purego")
			require.NotContains(t, doc, "-asm=false")
		} else {
			require.NotContains(t, impl, "go:build")
			require.Contains(t, doc, "imports only the standard library")
			require.NotContains(t, doc, "golang.org/x/sys")
			require.Contains(t, doc, " -asm=false\n")
		}
		// Both builds have SetLevel, Level and Levels; the portable ones
		// have only the Go level.
		require.Contains(t, impl, "func SetLevel(level string) (previous string, err error) {")
		require.Contains(t, impl, "func Level() string { return LevelGo }")
		require.Contains(t, impl, "func Levels() []string { return []string{LevelGo} }")
		if p.Swap.Differentiable() {
			require.Contains(t, impl, "func tapeToGeneric(")
		} else {
			require.NotContains(t, impl, "tapeToGeneric")
		}
		f, err := parser.ParseFile(token.NewFileSet(), "api.go", files["api.go"], 0)
		require.NoError(t, err)
		var exported []string
		for name, obj := range f.Scope.Objects {
			if obj.Kind.String() == "func" && token.IsExported(name) {
				exported = append(exported, name)
			}
		}
		sort.Strings(exported)
		require.Equal(t, tc.funcs, exported, pkg)
		require.Contains(t, string(files["api.go"]), "\tN = "+strconv.Itoa(tc.n)+"\n")
		require.Contains(t, string(files["api.go"]), "\tTapeLen = "+strconv.Itoa(p.TapeLen)+"\n")
		require.Contains(t, string(files["api.go"]), "\tDiffLen = "+strconv.Itoa(p.DiffLen)+"\n")
	}
}

func TestGenerateErrors(t *testing.T) {
	p := newPlan(t, "odd_even", 4, "cauchy", "", plan.Float32)
	_, err := Generate(nil, Options{})
	require.Error(t, err)
	for _, pkg := range []string{"1x", "func", "a-b", "_"} {
		_, err := Generate(p, Options{Package: pkg})
		require.ErrorContains(t, err, "package name", pkg)
	}
	unnamed := *p
	unnamed.Name = ""
	_, err = Generate(&unnamed, Options{})
	require.Error(t, err)
}

// TestSplit checks that the parts of every kernel cover the steps in
// order, cut at layer boundaries unless a layer alone is over budget.
func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		network string
		n       int
		multi   bool // some kernel has several parts
	}{
		{"odd_even", 3, false},
		{"odd_even", 32, true},
		{"bitonic", 128, true},
		{"bitonic", 1024, true},
	} {
		p := newPlan(t, tc.network, tc.n, "cauchy", "", plan.Float32)
		m, err := newModel(p, Options{Unroll: UnrollAlways})
		require.NoError(t, err)
		multi := false
		for _, k := range m.kernels {
			parts := m.parts[k]
			require.NotEmpty(t, parts)
			multi = multi || len(parts) > 1
			next := 0
			for _, pt := range parts {
				require.Equal(t, next, pt.lo, "%v %s: parts must be contiguous", k, tc.network)
				require.Greater(t, pt.hi, pt.lo)
				cost := 0
				for i := pt.lo; i < pt.hi; i++ {
					cost += m.cost(k, &p.Steps[i])
				}
				splitLayer := pt.lo > 0 && p.Steps[pt.lo-1].Layer == p.Steps[pt.lo].Layer
				if cost > partBudget {
					require.Equal(t, 1, pt.hi-pt.lo, "%v: only a single step may exceed the budget", k)
				}
				if splitLayer {
					layerCost := 0
					for i := range p.Steps {
						if p.Steps[i].Layer == p.Steps[pt.lo].Layer {
							layerCost += m.cost(k, &p.Steps[i])
						}
					}
					require.Greater(t, layerCost, partBudget, "%v: a layer that fits the budget was split", k)
				}
				next = pt.hi
			}
			require.Equal(t, len(p.Steps), next)
		}
		require.Equal(t, tc.multi, multi, "%s n=%d", tc.network, tc.n)
	}
}

func TestWriteDir(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "old_test.go")
	require.NoError(t, os.WriteFile(stale, []byte(Header+"\n\npackage old\n"), 0o644))
	mine := filepath.Join(dir, "mine.go")
	require.NoError(t, os.WriteFile(mine, []byte("package x\n"), 0o644))
	notes := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(notes, []byte(Header), 0o644))

	require.NoError(t, WriteDir(dir, map[string][]byte{"a.go": []byte("A"), "b.go": []byte("B")}))
	got, err := ReadDir(dir)
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"a.go": []byte("A"), "b.go": []byte("B"), "mine.go": []byte("package x\n"), "notes.txt": []byte(Header)}, got)
	require.NoFileExists(t, stale)

	require.Error(t, WriteDir(dir, map[string][]byte{"../escape.go": []byte("x")}))
	require.Error(t, WriteDir(dir, nil))
}

func TestIndex(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/m // comment\n"), 0o644))
	dir := filepath.Join(root, "kernels")
	for _, cfg := range []struct {
		swap string
		elem plan.Elem
	}{{"cauchy", plan.Float64}, {"hard", plan.Float32}} {
		p := newPlan(t, "odd_even", 3, cfg.swap, "", cfg.elem)
		pkg := PackageName("odd_even", 3, p.Swap, cfg.elem)
		files, err := Generate(p, Options{Register: true, ImportPath: "example.com/m/kernels/" + pkg})
		require.NoError(t, err)
		require.Contains(t, string(files["register.go"]), `Package:     "example.com/m/kernels/`+pkg+`",`)
		require.NoError(t, WriteDir(filepath.Join(dir, pkg), files))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "internal", "tool"), 0o755)) // not a kernel: skipped
	// A staging directory a killed sortgen left, with a broken api.go: skipped.
	require.NoError(t, os.MkdirAll(filepath.Join(dir, ".oddeven_n3_x.sortgen-1"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".oddeven_n3_x.sortgen-1", "api.go"), []byte("package broken\n"), 0o644))
	require.Equal(t, "example.com/m/kernels", ImportPath(dir))
	require.Equal(t, "example.com/m", ImportPath(root))
	require.Equal(t, "", ImportPath(t.TempDir()))

	src, err := Index(dir, "kernels", ImportPath(dir))
	require.NoError(t, err)
	require.Equal(t, Header+`

package kernels

import (
	_ "example.com/m/kernels/oddeven_n3_cauchy_f64"
	_ "example.com/m/kernels/oddeven_n3_hard_f32"
)
`, string(src))

	k, err := ReadKernelPackage(filepath.Join(dir, "oddeven_n3_hard_f32"))
	require.NoError(t, err)
	require.Equal(t, &KernelPackage{Dir: "oddeven_n3_hard_f32", Package: "oddeven_n3_hard_f32", Registers: true}, k)
	require.NoError(t, os.Remove(filepath.Join(dir, "oddeven_n3_hard_f32", "register.go")))
	_, err = Index(dir, "kernels", ImportPath(dir))
	require.ErrorContains(t, err, "without -register")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "oddeven_n3_hard_f32", "api.go"), []byte("package x\n"), 0o644))
	_, err = Index(dir, "kernels", ImportPath(dir))
	require.ErrorContains(t, err, "not generated by sortgen")
}

// TestCompileTime builds large generated packages and reports how long
// the compiler takes: the part splitting and the column helpers exist to
// keep this to seconds. SORTGEN_LARGE=1 adds n = 1024 (about a minute and
// 5 GB).
func TestCompileTime(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles large generated packages")
	}
	m := testmod.New(t, "example.com/big")
	cfgs := []struct {
		network string
		n       int
	}{{"odd_even", 32}, {"bitonic", 32}, {"bitonic", 128}}
	if os.Getenv("SORTGEN_LARGE") != "" {
		cfgs = append(cfgs, struct {
			network string
			n       int
		}{"bitonic", 1024})
	}
	for _, cfg := range cfgs {
		p := newPlan(t, cfg.network, cfg.n, "cauchy", "", plan.Float32)
		files, err := Generate(p, Options{})
		require.NoError(t, err)
		pkg := PackageName(cfg.network, cfg.n, p.Swap, plan.Float32)
		m.WriteFiles(t, pkg, files)
		start := time.Now()
		m.Go(t, nil, "build", "./"+pkg)
		t.Logf("%s n=%d: %d comparators, kernels_generic.go %d lines, go build %v",
			cfg.network, cfg.n, p.Network.Size(), bytes.Count(files["kernels_generic.go"], []byte("\n")), time.Since(start).Round(100*time.Millisecond))
	}
}

// TestUnrollAuto checks the automatic choice against the budget, and that
// a forced mode wins and shows in the regeneration command.
func TestUnrollAuto(t *testing.T) {
	for _, tc := range []struct {
		network string
		n       int
		looped  bool
	}{
		{"odd_even", 3, false},
		{"bitonic", 64, false},
		{"bitonic", 128, true},
		{"odd_even", 64, true},
	} {
		p := newPlan(t, tc.network, tc.n, "cauchy", "", plan.Float32)
		require.Equal(t, !tc.looped, Unrolls(p), "%s n=%d", tc.network, tc.n)
		for _, u := range []Unroll{UnrollAuto, UnrollAlways, UnrollNever} {
			files, err := Generate(p, Options{Unroll: u})
			require.NoError(t, err)
			_, looped := files["kernels_table.go"]
			want := u == UnrollNever || (u == UnrollAuto && tc.looped)
			require.Equal(t, want, looped, "%s n=%d -unroll %v", tc.network, tc.n, u)
			hasFlag := bytes.Contains(files["doc.go"], []byte("-unroll "+u.String()))
			require.Equal(t, u != UnrollAuto, hasFlag, "%s n=%d -unroll %v: regeneration command", tc.network, tc.n, u)
		}
	}
	_, err := ParseUnroll("sometimes")
	require.ErrorContains(t, err, `unknown unroll mode "sometimes"`)
	_, err = Generate(newPlan(t, "odd_even", 4, "cauchy", "", plan.Float32), Options{Unroll: Unroll(7)})
	require.Error(t, err)
}

func TestRegisterNeedsImportPath(t *testing.T) {
	p := newPlan(t, "odd_even", 3, "cauchy", "", plan.Float32)
	_, err := Generate(p, Options{Register: true})
	require.ErrorContains(t, err, "import path")
	files, err := Generate(p, Options{})
	require.NoError(t, err)
	require.NotContains(t, files, "register.go", "without Register a package stays standalone")
}
