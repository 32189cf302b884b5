package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/cpu"

	"github.com/sortgen/sortgen/internal/reference"
	"github.com/sortgen/sortgen/internal/testmod"
)

func referencePath(t *testing.T) string {
	t.Helper()
	path, err := reference.DefaultPath()
	require.NoError(t, err)
	return path
}

// checkLines splits check's output into result lines by status word.
func checkLines(out string) map[string][]string {
	byStatus := map[string][]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		status, _, _ := strings.Cut(l, " ")
		byStatus[status] = append(byStatus[status], l)
	}
	return byStatus
}

func TestCheckReference(t *testing.T) {
	path := referencePath(t)
	f, err := reference.Load(path)
	require.NoError(t, err)
	code, stdout, stderr := invoke("check", "-fly=false", path)
	require.Equal(t, 0, code, stderr+stdout)
	lines := checkLines(stdout)
	require.Empty(t, lines["FAIL"])
	// -fly=false: the interpreter alone, and a note of what it left out.
	require.Len(t, lines["ok"], len(f.Cases))
	for _, l := range lines["ok"] {
		require.Equal(t, "interpreter", strings.Fields(l)[1], l)
	}
	require.Equal(t, []string{fmt.Sprintf("skip  %d cases' generated kernels (-fly=false)", len(f.Cases))}, lines["skip"])
	require.Contains(t, stdout, "tolerance 1e-12, grad_x of gaussian 1e-06")
}

func TestCheckOnTheFly(t *testing.T) {
	testmod.SkipUnlessSlow(t) // builds a kernel package for each of the 99 reference cases
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	path := referencePath(t)
	f, err := reference.Load(path)
	require.NoError(t, err)
	code, stdout, stderr := invoke("check", path, "-fly")
	require.Equal(t, 0, code, stderr+stdout)
	lines := checkLines(stdout)
	require.Empty(t, lines["FAIL"])
	// Every case runs on the interpreter and on the package sortgen
	// generates for it, with its portable kernels and, where the CPU has
	// AVX2 and FMA, its assembly.
	runs := map[string]int{}
	for _, l := range lines["ok"] {
		runs[strings.Fields(l)[1]]++
	}
	want := map[string]int{"interpreter": len(f.Cases), "on-the-fly/go": len(f.Cases)}
	if goruntime.GOARCH == "amd64" && cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		want["on-the-fly/avx2"] = len(f.Cases)
		if cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ {
			want["on-the-fly/avx512"] = len(f.Cases)
		}
	}
	require.Equal(t, want, runs)
	require.Contains(t, stdout, "on-the-fly/go   bitonic n=8 gaussian")
}

// corrupt writes a copy of the reference file with edit applied.
func corrupt(t *testing.T, edit func(f *reference.File)) string {
	t.Helper()
	f, err := reference.Load(referencePath(t))
	require.NoError(t, err)
	edit(f)
	data, err := json.Marshal(f)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "corrupt.json")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

func findCase(t *testing.T, f *reference.File, network string, n int, swap string) *reference.Case {
	for i := range f.Cases {
		if c := &f.Cases[i]; c.Network == network && c.N == n && c.Swap == swap {
			return c
		}
	}
	t.Fatalf("no case %s n=%d %s", network, n, swap)
	return nil
}

func TestCheckCorrupted(t *testing.T) {
	for _, tc := range []struct {
		name     string
		edit     func(t *testing.T, f *reference.File)
		wantFail string // the case whose every backend fails; "": exit 0
	}{
		{"y off by 1e-9", func(t *testing.T, f *reference.File) {
			findCase(t, f, "odd_even", 16, "cauchy").Y[1][3] += 1e-9
		}, "odd_even n=16 cauchy"},
		{"P off by 1e-9", func(t *testing.T, f *reference.File) {
			findCase(t, f, "bitonic", 32, "logistic").P[0][4][7] -= 1e-9
		}, "bitonic n=32 logistic"},
		{"grad_x of gaussian within its 1e-6", func(t *testing.T, f *reference.File) {
			c := findCase(t, f, "odd_even", 8, "gaussian")
			c.GradX[2][5] *= 1 + 1e-8
		}, ""},
		{"grad_x of gaussian beyond its 1e-6", func(t *testing.T, f *reference.File) {
			c := findCase(t, f, "odd_even", 8, "gaussian")
			c.GradX[2][5] += 1e-4 * max(1, c.GradX[2][5])
		}, "odd_even n=8 gaussian"},
		{"looser tolerance stated", func(t *testing.T, f *reference.File) {
			f.Description = strings.Replace(f.Description, "1e-12", "1e-7", 1)
			findCase(t, f, "odd_even", 16, "cauchy").Y[1][3] += 1e-9
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := corrupt(t, func(f *reference.File) { tc.edit(t, f) })
			code, stdout, stderr := invoke("check", "-fly=false", path)
			fails := checkLines(stdout)["FAIL"]
			if tc.wantFail == "" {
				require.Equal(t, 0, code, stderr+stdout)
				require.Empty(t, fails)
				return
			}
			require.Equal(t, 1, code, stderr+stdout)
			// Every backend that ran the case fails it, and nothing else.
			runs := 0
			for _, l := range strings.Split(stdout, "\n") {
				if strings.Contains(l, " "+tc.wantFail+" ") {
					runs++
				}
			}
			require.Len(t, fails, runs, stdout)
			require.Contains(t, fails[0], "interpreter")
			for _, l := range fails {
				require.Contains(t, l, " "+tc.wantFail+" ")
			}
		})
	}
}

func TestCheckUsage(t *testing.T) {
	path := referencePath(t)
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"cases": [{"n": 3}]}`), 0o644))
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"no file", nil},
		{"two files", []string{path, path}},
		{"unknown flag", []string{"-bogus", path}},
		{"missing file", []string{filepath.Join(t.TempDir(), "missing.json")}},
		{"malformed file", []string{bad}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := invoke(append([]string{"check"}, tc.args...)...)
			require.Equal(t, 2, code)
			require.Empty(t, stdout)
			require.True(t, strings.HasPrefix(stderr, "sortgen: check: "), stderr)
			require.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
		})
	}
	code, stdout, _ := invoke("check", "-h")
	require.Equal(t, 0, code)
	require.Contains(t, stdout, "-fly")
}
