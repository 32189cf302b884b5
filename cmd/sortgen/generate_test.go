package main

import (
	"bufio"
	"bytes"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/gen"
	"github.com/sortgen/sortgen/internal/testmod"
)

// invoke runs the command in-process.
func invoke(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// notSorting is a network on 3 wires that leaves (1, 2, 0) as (1, 0, 2).
const notSorting = "[(0,1)]\n[(1,2)]\n"

func TestGenerateUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	require.NoError(t, os.WriteFile(bad, []byte(notSorting), 0o644))
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		name string
		args []string
		want string // in the error line
	}{
		{"no n", []string{"-swap", "cauchy"}, "-n"},
		{"n too small", []string{"-n", "1"}, "-n"},
		{"n not a number", []string{"-n", "x"}, "invalid value"},
		{"unknown flag", []string{"-n", "8", "-bogus"}, "bogus"},
		{"unknown network", []string{"-n", "8", "-network", "nope"}, "nope"},
		{"unknown swap", []string{"-n", "8", "-swap", "nope"}, "nope"},
		{"unknown type", []string{"-n", "8", "-type", "float16"}, "float16"},
		{"base without errorfree", []string{"-n", "8", "-base", "logistic"}, "errorfree"},
		{"hard base", []string{"-n", "8", "-swap", "errorfree", "-base", "hard"}, "soft base"},
		{"package name not an identifier", []string{"-n", "8", "-pkg", "1abc"}, "1abc"},
		{"package name a keyword", []string{"-n", "8", "-pkg", "func"}, "func"},
		{"network and file", []string{"-n", "3", "-network", "odd_even", "-in", bad}, "not both"},
		{"missing file", []string{"-in", filepath.Join(dir, "missing.txt")}, "missing.txt"},
		{"extra argument", []string{"-n", "8", "extra"}, "extra"},
		{"does not sort", []string{"-in", bad}, "-partial"},
		{"topk negative", []string{"-n", "8", "-topk", "-2"}, "-topk must be positive"},
		{"topk n", []string{"-n", "8", "-topk", "8"}, "-topk must be below n = 8"},
		{"topk above n of a file", []string{"-in", bad, "-topk", "5"}, "-topk must be below n = 3"},
		{"splitter without topk", []string{"-n", "8", "-network", "splitter_selection"}, "needs -topk K"},
		{"does not select", []string{"-in", bad, "-topk", "2"}, "does not select the 2 largest"},
		{"no comparators left", []string{"-in", bad, "-n", "4", "-topk", "1", "-partial"}, "no comparators"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := invoke(append(tc.args, "-o", out)...)
			require.Equal(t, 2, code, stderr)
			require.Empty(t, stdout)
			require.True(t, strings.HasPrefix(stderr, "sortgen: "), stderr)
			require.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			require.Contains(t, stderr, tc.want)
			require.NoDirExists(t, out)
		})
	}
}

func TestGenerateWritesPackage(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		pkg      string
		files    []string
		inDoc    []string
		notInAPI []string
	}{
		{[]string{"-n", "5", "-swap", "errorfree", "-type", "float64"}, "oddeven_n5_errorfree_cauchy_f64",
			[]string{"api.go", "doc.go", "impl_noasm.go", "kernels_amd64.go", "kernels_amd64.s", "kernels_generic.go", "oddeven_n5_errorfree_cauchy_f64_test.go", "stubs_amd64.go", "swap.go"},
			[]string{"errorfree", "base     cauchy", "sortgen -n 5 -swap errorfree -type float64 -o k\n", "golang.org/x/sys/cpu", "8 rows in AVX-512", "else 4 rows in AVX2+FMA"}, nil},
		{[]string{"-n", "8", "-network", "bitonic", "-swap", "hard", "-pkg", "hard8"}, "hard8",
			[]string{"api.go", "doc.go", "hard8_test.go", "impl_noasm.go", "kernels_amd64.go", "kernels_amd64.s", "kernels_generic.go", "stubs_amd64.go"},
			[]string{"sortgen -network bitonic -n 8 -swap hard -pkg hard8 -o k\n", "no backward pass", "16 rows in AVX-512", "else 8 rows in AVX2+FMA"},
			[]string{"func Backward", "func Forward("}},
		{[]string{"-n", "6", "-swap", "logistic_phi", "-asm=false"}, "oddeven_n6_logisticphi_f32",
			[]string{"api.go", "doc.go", "impl_noasm.go", "kernels_generic.go", "oddeven_n6_logisticphi_f32_test.go", "swap.go"},
			[]string{"logistic_phi function", "exponent lambda", "sortgen -n 6 -swap logistic_phi -asm=false -o k\n", "imports only the standard library"}, nil},
		{[]string{"-n", "100", "-network", "splitter_selection", "-topk", "5"}, "splitterselection_n100_top5_cauchy_f32",
			[]string{"api.go", "doc.go", "impl_noasm.go", "kernels_amd64.go", "kernels_amd64.s", "kernels_generic.go", "kernels_topk.go", "splitterselection_n100_top5_cauchy_f32_test.go", "splitterselection_n100_top5_cauchy_f32_topk_test.go", "stubs_amd64.go", "swap.go"},
			[]string{"sortgen -network splitter_selection -n 100 -topk 5 -o k\n", "314 comparators", "ForwardTopK", "BackwardTopK"}, nil},
		{[]string{"-n", "9", "-topk", "3", "-swap", "hard", "-asm=false"}, "oddeven_n9_top3_hard_f32",
			[]string{"api.go", "doc.go", "impl_noasm.go", "kernels_generic.go", "kernels_topk.go", "oddeven_n9_top3_hard_f32_test.go", "oddeven_n9_top3_hard_f32_topk_test.go"},
			[]string{"sortgen -n 9 -topk 3 -swap hard -asm=false -o k\n", "ForwardTopK"}, []string{"func BackwardTopK", "func Backward("}},
	} {
		t.Run(tc.pkg, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "k")
			code, stdout, stderr := invoke(append(tc.args, "-o", dir)...)
			require.Equal(t, 0, code, stderr)
			require.Equal(t, dir+"\n", stdout)
			files, err := gen.ReadDir(dir)
			require.NoError(t, err)
			var names []string
			for name, src := range files {
				names = append(names, name)
				require.True(t, bytes.HasPrefix(src, []byte(gen.Header+"\n")), name)
				if strings.HasSuffix(name, ".s") {
					continue
				}
				formatted, err := format.Source(src)
				require.NoError(t, err, name)
				require.Equal(t, string(formatted), string(src), "%s is not gofmt-ed", name)
				require.Contains(t, string(src), "package "+tc.pkg+"\n", name)
			}
			sort.Strings(names)
			require.Equal(t, tc.files, names)
			for _, s := range tc.inDoc {
				require.Contains(t, string(files["doc.go"]), s)
			}
			for _, s := range tc.notInAPI {
				require.NotContains(t, string(files["api.go"]), s)
			}
		})
	}
}

func TestGenerateDefaultDirectory(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	code, stdout, stderr := invoke("-n", "4")
	require.Equal(t, 0, code, stderr)
	want := filepath.Join(dir, "oddeven_n4_cauchy_f32")
	require.Equal(t, want+"\n", stdout)
	require.FileExists(t, filepath.Join(want, "doc.go"))
	// The generate subcommand is the same command.
	code, stdout, _ = invoke("generate", "-n", "4", "-type", "float64")
	require.Equal(t, 0, code)
	require.Equal(t, filepath.Join(dir, "oddeven_n4_cauchy_f64")+"\n", stdout)
}

// TestGenerateAsmSwitch: regenerating with -asm=false removes the amd64
// files of an earlier run, and the default brings them back.
func TestGenerateAsmSwitch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "k")
	amd64 := []string{"kernels_amd64.go", "kernels_amd64.s", "stubs_amd64.go"}
	for _, asm := range []bool{true, false, true} {
		code, _, stderr := invoke("-n", "4", "-asm="+strconv.FormatBool(asm), "-o", dir)
		require.Equal(t, 0, code, stderr)
		for _, name := range amd64 {
			if asm {
				require.FileExists(t, filepath.Join(dir, name))
			} else {
				require.NoFileExists(t, filepath.Join(dir, name))
			}
		}
	}
}

func TestGeneratePartial(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "chain.txt")
	require.NoError(t, os.WriteFile(in, []byte(notSorting), 0o644))
	out := filepath.Join(dir, "k")
	code, _, stderr := invoke("-in", in, "-partial", "-swap", "hard", "-o", out)
	require.Equal(t, 0, code, stderr)
	doc, err := os.ReadFile(filepath.Join(out, "doc.go"))
	require.NoError(t, err)
	require.Contains(t, string(doc), "network  chain, N = 3 wires, 2 comparators in 2 layers")
	require.Contains(t, string(doc), "sortgen -in chain.txt -swap hard -partial -o k\n")
}

// goCmd runs the go command in dir, outside any workspace. The module
// proxy is the local module cache (file://GOMODCACHE/cache/download),
// offline: go mod tidy finds golang.org/x/sys there, because building this
// repository's tests put it there (go.mod requires it). The checksum
// database is off for the same reason: the cache verified the module when
// it was downloaded.
func goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	require.NoError(t, err)
	proxy := "file://" + filepath.ToSlash(filepath.Join(strings.TrimSpace(string(cache)), "cache", "download"))
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY="+proxy, "GOSUMDB=off", "GOTOOLCHAIN=local")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go %s in %s:\n%s", strings.Join(args, " "), dir, out)
	return string(out)
}

// TestGeneratedPackageInFreshModule is the README's promise: the output
// directory of the main command becomes a module of its own with go mod
// init and go mod tidy (which adds golang.org/x/sys for the assembly's CPU
// detection), and its tests pass, with and without the assembly (-tags
// purego). With -asm=false the package needs only the standard library.
func TestGeneratedPackageInFreshModule(t *testing.T) {
	testmod.SkipUnlessSlow(t)
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	dir := filepath.Join(t.TempDir(), "sort32")
	code, _, stderr := invoke("-n", "32", "-swap", "errorfree", "-o", dir)
	require.Equal(t, 0, code, stderr)
	goCmd(t, dir, "mod", "init", "example.com/x")
	goCmd(t, dir, "mod", "tidy")
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	require.NoError(t, err)
	require.Contains(t, string(gomod), "golang.org/x/sys")
	goCmd(t, dir, "vet", "./...") // also checks the assembly against its stubs (asmdecl)
	goCmd(t, dir, "test", "./...")
	goCmd(t, dir, "test", "-tags", "purego", "./...")
	goCmd(t, dir, "vet", "-tags", "purego", "./...")
	env := []string{"GOOS=linux", "GOARCH=arm64"}
	cmd := exec.Command("go", "build", "./...")
	cmd.Dir, cmd.Env = dir, append(os.Environ(), append(env, "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off")...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "GOARCH=arm64 go build:\n%s", out)

	// A pure-Go package: no dependency at all.
	pure := filepath.Join(t.TempDir(), "pure")
	code, _, stderr = invoke("-n", "9", "-swap", "logistic", "-type", "float64", "-asm=false", "-o", pure)
	require.Equal(t, 0, code, stderr)
	goCmd(t, pure, "mod", "init", "example.com/pure")
	goCmd(t, pure, "mod", "tidy")
	gomod, err = os.ReadFile(filepath.Join(pure, "go.mod"))
	require.NoError(t, err)
	require.NotContains(t, string(gomod), "require")
	goCmd(t, pure, "vet", "./...")
	goCmd(t, pure, "test", "./...")

	// The swap functions the checked-in kernels do not use, one package
	// each in a second module.
	mod := t.TempDir()
	t.Chdir(mod)
	for _, args := range [][]string{
		{"-n", "7", "-swap", "logistic_phi", "-type", "float64"},
		{"-n", "8", "-network", "bitonic", "-swap", "gaussian", "-type", "float64"},
		{"-n", "6", "-swap", "reciprocal"},
		{"-n", "9", "-swap", "optimal", "-type", "float64"},
		{"-n", "5", "-swap", "hard", "-type", "float64"},
		{"-n", "6", "-swap", "errorfree", "-base", "logistic_phi", "-type", "float64"},
	} {
		code, _, stderr := invoke(args...)
		require.Equal(t, 0, code, stderr)
	}
	goCmd(t, mod, "mod", "init", "example.com/y")
	goCmd(t, mod, "mod", "tidy")
	goCmd(t, mod, "vet", "./...")
	goCmd(t, mod, "test", "./...")
}

// TestTopKPackagesInFreshModule generates top-k packages, with the
// assembly and registered, in a module of their own and runs go vet and
// their tests, with and without the assembly.
func TestTopKPackagesInFreshModule(t *testing.T) {
	testmod.SkipUnlessSlow(t)
	m := testmod.New(t, "example.com/topk")
	t.Chdir(m.Dir)
	for _, args := range [][]string{
		{"-network", "splitter_selection", "-n", "100", "-topk", "5"},
		{"-network", "splitter_selection", "-n", "100", "-topk", "5", "-type", "float64"},
		{"-network", "bitonic", "-n", "32", "-topk", "1"},
		{"-network", "odd_even", "-n", "9", "-topk", "3", "-swap", "errorfree"},
	} {
		code, _, stderr := invoke(append(args, "-register")...)
		require.Equal(t, 0, code, stderr)
	}
	m.Go(t, nil, "vet", "./...")
	m.Go(t, nil, "test", "./...")
	m.Go(t, nil, "test", "-tags", "purego", "./...")
}

// generateLines are the sortgen command lines of generated/gen.go.
func generateLines(t *testing.T, genGo string) [][]string {
	f, err := os.Open(genGo)
	require.NoError(t, err)
	defer f.Close()
	const prefix = "//go:generate go run github.com/sortgen/sortgen/cmd/sortgen "
	var lines [][]string
	sawIndex := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			require.False(t, sawIndex, "a sortgen line after the index line")
			lines = append(lines, strings.Fields(rest))
		} else if line == "//go:generate go run ./internal/mkindex" {
			sawIndex = true
		}
	}
	require.NoError(t, sc.Err())
	require.True(t, sawIndex, "gen.go must end by rewriting the index")
	return lines
}

// TestGeneratedUpToDate regenerates every checked-in kernel package and
// the index into a scratch copy of the module layout and compares them
// byte for byte: go generate ./generated/ would change nothing.
func TestGeneratedUpToDate(t *testing.T) {
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	checkedIn := filepath.Join(repo, "generated")
	lines := generateLines(t, filepath.Join(checkedIn, "gen.go"))
	require.NotEmpty(t, lines)

	tmp := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "go.mod"), []byte("module github.com/sortgen/sortgen\n"), 0o644))
	scratch := filepath.Join(tmp, "generated")
	require.NoError(t, os.Mkdir(scratch, 0o755))
	t.Chdir(scratch)
	for _, args := range lines {
		code, _, stderr := invoke(args...)
		require.Equal(t, 0, code, "%v: %s", args, stderr)
	}
	index, err := gen.Index(scratch, "generated", "github.com/sortgen/sortgen/generated")
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join(checkedIn, "index.go"))
	require.NoError(t, err)
	require.Equal(t, string(want), string(index), "index.go is stale: run go generate ./generated/")

	regenerated, err := os.ReadDir(scratch)
	require.NoError(t, err)
	var dirs []string
	for _, e := range regenerated {
		dirs = append(dirs, e.Name())
		got, err := gen.ReadDir(filepath.Join(scratch, e.Name()))
		require.NoError(t, err)
		have, err := gen.ReadDir(filepath.Join(checkedIn, e.Name()))
		require.NoError(t, err, "%s is not checked in: run go generate ./generated/", e.Name())
		require.Equal(t, len(got), len(have), "%s: files differ: run go generate ./generated/", e.Name())
		for name, src := range got {
			require.Equal(t, string(src), string(have[name]), "%s/%s is stale: run go generate ./generated/", e.Name(), name)
		}
	}
	// No kernel package is checked in that gen.go does not produce.
	entries, err := os.ReadDir(checkedIn)
	require.NoError(t, err)
	var extra []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "internal" && !slices.Contains(dirs, e.Name()) {
			extra = append(extra, e.Name())
		}
	}
	require.Empty(t, extra, "kernel packages no line of gen.go produces")
}
