package main

import (
	"encoding/json"
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
	"github.com/sortgen/sortgen/runtime"
)

func topKReferencePath(t *testing.T) string {
	t.Helper()
	path, err := reference.DefaultTopKPath()
	require.NoError(t, err)
	return path
}

func TestCheckTopKReference(t *testing.T) {
	path := topKReferencePath(t)
	f, err := reference.LoadTopK(path)
	require.NoError(t, err)
	code, stdout, stderr := invoke("check", "-fly=false", path)
	require.Equal(t, 0, code, stderr+stdout)
	lines := checkLines(stdout)
	require.Empty(t, lines["FAIL"])
	require.Len(t, lines["ok"], len(f.Cases))
	require.Contains(t, stdout, "ok    interpreter     splitter_selection n=100 k=5 cauchy")
	require.Contains(t, stdout, "56 top-k cases, 56 runs, 0 failed (tolerance 1e-12, grad_x of gaussian 1e-06)")
}

// writeTopKFile writes f as a top-k reference file.
func writeTopKFile(t *testing.T, f *reference.TopKFile) string {
	t.Helper()
	data, err := json.Marshal(f)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "topk.json")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

// A wrong number in a case fails that case, and only it.
func TestCheckTopKDetectsAWrongValue(t *testing.T) {
	f, err := reference.LoadTopK(topKReferencePath(t))
	require.NoError(t, err)
	f.Cases = f.Cases[:4]
	f.Cases[2].XK[0][1][0] += 1e-9
	code, stdout, _ := invoke("check", "-fly=false", writeTopKFile(t, f))
	require.Equal(t, 1, code, stdout)
	lines := checkLines(stdout)
	require.Len(t, lines["FAIL"], 1, stdout)
	require.Contains(t, lines["FAIL"][0], f.Cases[2].String())
	require.Len(t, lines["ok"], 3)
}

// newTopKFile is a top-k file of configurations the shared one lacks,
// computed with the runtime's interpreter: check then compares the kernels
// generated on the fly with it (and it with itself, which must pass).
func newTopKFile(t *testing.T) *reference.TopKFile {
	f := &reference.TopKFile{Description: "Tolerances: 1e-12 relative, except grad_x of swap 'gaussian' (1e-6)."}
	for _, c := range []struct {
		network string
		n, k    int
		swap    string
	}{{"bitonic", 24, 3, "logistic"}, {"odd_even", 12, 4, "reciprocal"}, {"splitter_selection", 40, 6, "optimal"}, {"bitonic", 17, 2, "errorfree"}} {
		tc := reference.TopKCase{Network: c.network, N: c.n, K: c.k, Swap: c.swap, Steepness: 7, ARTLambda: 0.25}
		s, err := runtime.New[float64](runtime.Config{Network: c.network, N: c.n, TopK: c.k, Swap: c.swap, Steepness: 7, ARTLambda: 0.25})
		require.NoError(t, err)
		const rows = 3
		x := make([]float64, rows*c.n)
		gtop := make([]float64, rows*c.k)
		gX := make([]float64, rows*c.n*c.k)
		for i := range x {
			x[i] = float64((i*37)%23) / 5
		}
		for i := range gtop {
			gtop[i] = float64(i%5) - 2
		}
		for i := range gX {
			gX[i] = float64((i*13)%7)/3 - 1
		}
		r, err := s.ForwardTopK(x, runtime.WantGrad)
		require.NoError(t, err)
		gx, err := s.BackwardTopK(r, gtop, gX)
		require.NoError(t, err)
		for b := 0; b < rows; b++ {
			tc.X = append(tc.X, x[b*c.n:(b+1)*c.n])
			tc.TopValues = append(tc.TopValues, r.Top[b*c.k:(b+1)*c.k])
			tc.GTop = append(tc.GTop, gtop[b*c.k:(b+1)*c.k])
			tc.GradX = append(tc.GradX, gx[b*c.n:(b+1)*c.n])
			var xk, gk [][]float64
			for i := 0; i < c.n; i++ {
				o := b*c.n*c.k + i*c.k
				xk = append(xk, r.X[o:o+c.k])
				gk = append(gk, gX[o:o+c.k])
			}
			tc.XK, tc.GX = append(tc.XK, xk), append(tc.GX, gk)
		}
		f.Cases = append(f.Cases, tc)
	}
	return f
}

func TestCheckTopKOtherFile(t *testing.T) {
	f := newTopKFile(t)
	path := writeTopKFile(t, f)
	args := []string{"check", "-fly=false", path}
	fly := false
	if _, err := exec.LookPath("go"); err == nil && testmod.Slow() {
		args, fly = []string{"check", path}, true
	}
	code, stdout, stderr := invoke(args...)
	require.Equal(t, 0, code, stderr+stdout)
	lines := checkLines(stdout)
	require.Empty(t, lines["FAIL"])
	runs := map[string]int{}
	for _, l := range lines["ok"] {
		runs[strings.Fields(l)[1]]++
	}
	want := map[string]int{"interpreter": len(f.Cases)}
	if fly {
		want["on-the-fly/go"] = len(f.Cases)
		if goruntime.GOARCH == "amd64" && cpu.X86.HasAVX2 && cpu.X86.HasFMA {
			want["on-the-fly/avx2"] = len(f.Cases)
			if cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ {
				want["on-the-fly/avx512"] = len(f.Cases)
			}
		}
	}
	require.Equal(t, want, runs)
}

func TestCheckTopKOnTheFly(t *testing.T) {
	testmod.SkipUnlessSlow(t) // builds a kernel package for each reference case
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	path := topKReferencePath(t)
	f, err := reference.LoadTopK(path)
	require.NoError(t, err)
	code, stdout, stderr := invoke("check", path)
	require.Equal(t, 0, code, stderr+stdout)
	lines := checkLines(stdout)
	require.Empty(t, lines["FAIL"])
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
}

func TestCheckTopKMalformed(t *testing.T) {
	f, err := reference.LoadTopK(topKReferencePath(t))
	require.NoError(t, err)
	f.Cases = f.Cases[:1]
	f.Cases[0].GTop = f.Cases[0].GTop[:1]
	code, _, stderr := invoke("check", writeTopKFile(t, f))
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "disagree on the number of rows")
}
