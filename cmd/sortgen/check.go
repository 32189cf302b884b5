package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"text/template"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/internal/reference"
	"github.com/sortgen/sortgen/runtime"
)

// runCheck runs every backend on a reference file, in diffsort's format
// or in difftopk's top-k format (runCheckTopK), and compares:
//
//	sortgen check [-fly=false] FILE.json
//
// Backends: the interpreter and (with -fly, the default when go is on
// PATH) the kernel package sortgen generates for the case, built on the fly
// in a temporary module and run at each level of its kernels: AVX-512 and
// AVX2 (where the CPU has them) and portable Go. sortgen links no generated package, so
// this checks what the generator writes now. It prints one line per case
// and backend, and exits 1 if any result is outside the file's tolerances.
func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	_, goErr := exec.LookPath("go")
	fly := fs.Bool("fly", goErr == nil, "generate, build and run the kernel package of every case (needs the go command)")
	fs.SetOutput(io.Discard)
	// Flags may come before or after the file name.
	err := fs.Parse(args)
	var file []string
	for err == nil && fs.NArg() > 0 {
		file = append(file, fs.Arg(0))
		err = fs.Parse(fs.Args()[1:])
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fmt.Fprintln(stdout, "usage: sortgen check [-fly=false] FILE.json")
		fs.PrintDefaults()
		return 0
	case err != nil:
		return usageError(stderr, "check: %v", err)
	case len(file) != 1:
		return usageError(stderr, "check: need exactly one reference file (sortgen check [-fly=false] FILE.json)")
	}
	topK, err := reference.IsTopK(file[0])
	if err != nil {
		return usageError(stderr, "check: %s", strings.TrimPrefix(err.Error(), "reference: "))
	}
	if topK {
		return runCheckTopK(file[0], *fly, stdout, stderr)
	}
	f, err := reference.Load(file[0])
	if err != nil {
		return usageError(stderr, "check: %s", strings.TrimPrefix(err.Error(), "reference: "))
	}
	tol := f.Tolerances()
	failed, runs := 0, 0
	report := func(c *reference.Case, backend string, res *caseResult, err error) {
		runs++
		if err != nil {
			failed++
			fmt.Fprintf(stdout, "FAIL  %-15s %s: %v\n", backend, c, err)
			return
		}
		worst, ok := res.compare(c, tol)
		status := "ok  "
		if !ok {
			status = "FAIL"
			failed++
		}
		fmt.Fprintf(stdout, "%s  %-15s %s: y %.1e  P %.1e  grad_x %.1e\n", status, backend, c, worst[0], worst[1], worst[2])
	}
	var pending []*reference.Case
	for i := range f.Cases {
		c := &f.Cases[i]
		si, err := newSorter(c, runtime.Interpreter)
		if err != nil {
			report(c, "interpreter", nil, err)
			continue
		}
		res, err := runSorter(si, c, 1)
		report(c, "interpreter", res, err)
		if err == nil {
			pending = append(pending, c)
		}
	}
	switch {
	case len(pending) > 0 && *fly:
		results, err := runOnTheFly(pending)
		if err != nil {
			fmt.Fprintf(stderr, "sortgen: check: kernels generated on the fly: %v\n", err)
			return 1
		}
		for _, r := range results {
			report(r.c, r.backend, r.res, r.err)
		}
	case len(pending) > 0:
		fmt.Fprintf(stdout, "skip  %d cases' generated kernels (-fly=false)\n", len(pending))
	}
	fmt.Fprintf(stdout, "%d cases, %d runs, %d failed (tolerance %g, grad_x of gaussian %g)\n",
		len(f.Cases), runs, failed, tol.Default, tol.GaussianGrad)
	if failed > 0 {
		return 1
	}
	return 0
}

// caseResult is a backend's output for a case, in the file's layout.
type caseResult struct {
	Y, P, GradX []float64 // batch x n, batch x n x n (P[i][j]), batch x n
}

// compare returns the worst relative errors of y, P and grad_x and whether
// every row is within its tolerance.
func (r *caseResult) compare(c *reference.Case, tol reference.Tolerances) (worst [3]float64, ok bool) {
	ok = true
	n := c.N
	fields := []struct {
		name      string
		got, want []float64
		size      int
	}{
		{"y", r.Y, reference.Flat(c.Y), n},
		{"P", r.P, reference.FlatMatrices(c.P), n * n},
		{"grad_x", r.GradX, reference.Flat(c.GradX), n},
	}
	for fi, fd := range fields {
		if len(fd.got) != len(fd.want) {
			worst[fi], ok = math.Inf(1), false
			continue
		}
		for row := range c.X {
			e := reference.RelErr(fd.got[row*fd.size:(row+1)*fd.size], fd.want[row*fd.size:(row+1)*fd.size])
			worst[fi] = math.Max(worst[fi], e)
			if !(e <= c.RowToleranceIn(tol, fd.name, row)) {
				ok = false
			}
		}
	}
	return worst, ok
}

func newSorter(c *reference.Case, backend runtime.Backend) (*runtime.Sorter[float64], error) {
	return runtime.New[float64](runtime.Config{Network: c.Network, N: c.N, Swap: c.Swap, Base: c.BaseName(),
		Steepness: c.Steepness, ARTLambda: c.ARTLambda, Backend: backend})
}

// runSorter runs a case's forward and backward pass on its rows repeated
// copies times, checks that every copy gives the numbers of the first
// (blocks of vector lanes and tails run different code), and returns the
// first.
func runSorter(s *runtime.Sorter[float64], c *reference.Case, copies int) (*caseResult, error) {
	want := runtime.WantP
	if s.Plan().Swap.Differentiable() {
		want |= runtime.WantGrad
	}
	r, err := s.Forward(repeat(reference.Flat(c.X), copies), want)
	if err != nil {
		return nil, err
	}
	rows, n := len(c.X), c.N
	res := &caseResult{Y: r.Y, P: r.P()}
	if want&runtime.WantGrad != 0 {
		if res.GradX, err = s.Backward(r, repeat(reference.Flat(c.GY), copies), repeat(reference.FlatMatrices(c.GP), copies)); err != nil {
			return nil, err
		}
	}
	if err := copiesAgree(copies, res.Y, res.P, res.GradX); err != nil {
		return nil, err
	}
	res.Y, res.P = res.Y[:rows*n], res.P[:rows*n*n]
	if res.GradX != nil {
		res.GradX = res.GradX[:rows*n]
	}
	return res, nil
}

// copiesAgree checks that each field (nil: skipped), a case's output for
// its rows repeated copies times, gives every copy the first copy's
// numbers to 1e-12: blocks of vector lanes and tails run different code.
func copiesAgree(copies int, fields ...[]float64) error {
	for _, f := range fields {
		w := len(f) / copies
		for k := 1; k < copies && f != nil; k++ {
			if e := reference.RelErr(f[k*w:(k+1)*w], f[:w]); e > 1e-12 {
				return fmt.Errorf("copy %d of the rows differs from copy 0 by %.1e", k, e)
			}
		}
	}
	return nil
}

// flyRequest is one run of a case by the on-the-fly program; P and its
// gradient travel column-major, as the kernels take them. Level is the
// package's level of kernels to run ("avx512", "avx2" or "go").
type flyRequest struct {
	Kernel       string
	Level        string
	Beta, Lambda float64
	X, GY, GPT   []float64
}

// flyResponse is a run's result. Skipped: the package cannot run the
// level asked for (CPU, or a build without the assembly).
type flyResponse struct {
	Y, PT, GX []float64
	Skipped   bool
	Err       string
}

// A flyResult is a case's result on one backend of its kernel package.
type flyResult struct {
	c       *reference.Case
	backend string // on-the-fly/ and the level
	res     *caseResult
	err     error
}

// runOnTheFly generates a float64 kernel package per distinct
// configuration into a temporary module with a main program that runs the
// cases it reads on stdin, and runs each case at every level of kernels
// (flyKernelSets).
func runOnTheFly(cases []*reference.Case) ([]flyResult, error) {
	m, err := newFlyModule()
	if err != nil {
		return nil, err
	}
	defer m.remove()
	var reqs []flyRequest
	var results []flyResult
	for _, c := range cases {
		p, err := plan.Named(c.Network, c.N, c.Swap, c.BaseName(), plan.Float64)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", c, err)
		}
		fp, err := m.kernel(p)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", c, err)
		}
		// The rows are sent flyRepeat times so that whole blocks of vector
		// lanes exist and the assembly, not only its tail path, is checked.
		req := flyRequest{Kernel: fp.Name, Beta: c.Steepness, Lambda: c.ARTLambda,
			X:   repeat(reference.Flat(c.X), flyRepeat),
			GY:  repeat(reference.Flat(c.GY), flyRepeat),
			GPT: repeat(transposeRows(reference.FlatMatrices(c.GP), c.N), flyRepeat)}
		for _, ks := range flyKernelSets {
			req.Level = ks.level
			reqs = append(reqs, req)
			results = append(results, flyResult{c: c, backend: ks.backend})
		}
	}
	resps, err := runFly[flyRequest, flyResponse](m, flyMain, reqs)
	if err != nil {
		return nil, err
	}
	kept := results[:0]
	for i, r := range resps {
		res := results[i]
		if r.Skipped {
			continue
		}
		res.res, res.err = flyCaseResult(res.c, r)
		kept = append(kept, res)
	}
	return kept, nil
}

// flyCaseResult checks a response's sizes and that every copy of the rows
// gives the first copy's numbers (blocks and tails run different code),
// and returns the first copy in the reference file's layout.
func flyCaseResult(c *reference.Case, r flyResponse) (*caseResult, error) {
	if r.Err != "" {
		return nil, errors.New(r.Err)
	}
	rows, n := len(c.X), c.N
	if len(r.Y) != flyRepeat*rows*n || len(r.PT) != flyRepeat*rows*n*n || len(r.GX) != flyRepeat*rows*n {
		return nil, errors.New("the generated program returned the wrong number of rows")
	}
	if err := copiesAgree(flyRepeat, r.Y, r.GX); err != nil {
		return nil, err
	}
	return &caseResult{Y: r.Y[:rows*n], P: transposeRows(r.PT[:rows*n*n], n), GradX: r.GX[:rows*n]}, nil
}

// transposeRows transposes each n x n matrix of a batch.
func transposeRows(m []float64, n int) []float64 {
	out := make([]float64, len(m))
	for o := 0; o+n*n <= len(m); o += n * n {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				out[o+j*n+i] = m[o+i*n+j]
			}
		}
	}
	return out
}

var flyMain = template.Must(template.New("main").Parse(`// Command sortgencheck runs the cases it reads on stdin through kernels
// generated by sortgen check.
package main

import (
	"encoding/json"
	"os"
{{range .}}
	"{{.Path}}"
{{- end}}
)

type kernel struct {
	n, tapeLen, diffLen int
	forwardP            func(y, pt, tape, diff, x []float64, beta, lambda float64) error
	backwardP           func(gx, gy, gpt, tape, diff []float64) error
	setLevel            func(string) (string, error)
}

var kernels = map[string]kernel{
{{- range .}}
	"{{.Name}}": { {{- .Name}}.N, {{.Name}}.TapeLen, {{.Name}}.DiffLen, {{.Name}}.ForwardP, {{if .Differentiable}}{{.Name}}.BackwardP{{else}}nil{{end}}, {{.Name}}.SetLevel},
{{- end}}
}

type request struct {
	Kernel       string
	Level        string
	Beta, Lambda float64
	X, GY, GPT   []float64
}

type response struct {
	Y, PT, GX []float64
	Skipped   bool
	Err       string
}

func run(r request) (out response) {
	k := kernels[r.Kernel]
	if _, err := k.setLevel(r.Level); err != nil {
		out.Skipped = true
		return out
	}
	rows := len(r.X) / k.n
	out.Y, out.PT = make([]float64, len(r.X)), make([]float64, rows*k.n*k.n)
	var tape, diff []float64
	if k.backwardP != nil {
		tape, diff = make([]float64, rows*k.tapeLen), make([]float64, rows*k.diffLen)
	}
	if err := k.forwardP(out.Y, out.PT, tape, diff, r.X, r.Beta, r.Lambda); err != nil {
		out.Err = err.Error()
		return out
	}
	if k.backwardP != nil {
		out.GX = make([]float64, len(r.X))
		if err := k.backwardP(out.GX, r.GY, r.GPT, tape, diff); err != nil {
			out.Err = err.Error()
		}
	}
	return out
}

` + flyMainFunc))

// moduleVersion is the version of a module this binary was built with, or
// "" when the build info does not say.
func moduleVersion(path string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range info.Deps {
		if d.Path == path {
			if d.Replace != nil {
				return ""
			}
			return d.Version
		}
	}
	return ""
}

// localProxy serves modules from the local module cache only, so that the
// on-the-fly build never reaches the network.
func localProxy() string {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		return "off"
	}
	return "file://" + filepath.ToSlash(filepath.Join(strings.TrimSpace(string(out)), "cache", "download"))
}

// flyRepeat is how many times the on-the-fly check sends a case's rows:
// with the reference file's 3 rows, 24 rows are whole float64 blocks at
// both levels (4 rows at the AVX2 level, 8 at the AVX-512 level), so every
// copy runs in the assembly being checked (the go run checks the portable
// kernels, which the tails use).
const flyRepeat = 8

func repeat(v []float64, k int) []float64 {
	out := make([]float64, 0, len(v)*k)
	for range k {
		out = append(out, v...)
	}
	return out
}
