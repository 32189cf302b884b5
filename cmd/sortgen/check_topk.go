package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"text/template"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/internal/reference"
	"github.com/sortgen/sortgen/runtime"
)

// runCheckTopK is runCheck for a file in difftopk's top-k format: every case
// runs on the runtime's top-k interpreter and (fly) on the top-k kernel
// package sortgen generates for it, at each level of its kernels. A case that lists its network's layers runs exactly that
// network (pruned to the comparators its top k depend on, which changes
// none of the numbers).
func runCheckTopK(path string, fly bool, stdout, stderr io.Writer) int {
	f, err := reference.LoadTopK(path)
	if err != nil {
		return usageError(stderr, "check: %s", strings.TrimPrefix(err.Error(), "reference: "))
	}
	tol := f.Tolerances()
	failed, runs := 0, 0
	report := func(c *reference.TopKCase, backend string, res *topKResult, err error) {
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
		fmt.Fprintf(stdout, "%s  %-15s %s: top %.1e  X %.1e  grad_x %.1e\n", status, backend, c, worst[0], worst[1], worst[2])
	}
	var pending []*reference.TopKCase
	for i := range f.Cases {
		c := &f.Cases[i]
		res, err := runTopKInterpreter(c)
		report(c, "interpreter", res, err)
		if err == nil {
			pending = append(pending, c)
		}
	}
	switch {
	case len(pending) > 0 && fly:
		results, err := runTopKOnTheFly(pending)
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
	fmt.Fprintf(stdout, "%d top-k cases, %d runs, %d failed (tolerance %g, grad_x of gaussian %g)\n",
		len(f.Cases), runs, failed, tol.Default, tol.GaussianGrad)
	if failed > 0 {
		return 1
	}
	return 0
}

// topKResult is a backend's output for a case, in the file's layout.
type topKResult struct {
	Top, X, GradX []float64 // batch x k, batch x n x k, batch x n
}

func (r *topKResult) compare(c *reference.TopKCase, tol reference.Tolerances) (worst [3]float64, ok bool) {
	ok = true
	n, k := c.N, c.K
	fields := []struct {
		name      string
		got, want []float64
		size      int
	}{
		{"top_values", r.Top, reference.Flat(c.TopValues), k},
		{"X", r.X, reference.FlatMatrices(c.XK), n * k},
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

func runTopKInterpreter(c *reference.TopKCase) (*topKResult, error) {
	cfg := runtime.Config{Network: c.Network, N: c.N, TopK: c.K, Swap: c.Swap, Base: c.BaseName(),
		Steepness: c.Steepness, ARTLambda: c.ARTLambda, Backend: runtime.Interpreter}
	if len(c.Layers) > 0 {
		nw, err := c.LayersNetwork()
		if err != nil {
			return nil, err
		}
		cfg.Net = nw
	}
	s, err := runtime.New[float64](cfg)
	if err != nil {
		return nil, err
	}
	r, err := s.ForwardTopK(reference.Flat(c.X), runtime.WantGrad)
	if err != nil {
		return nil, err
	}
	gx, err := s.BackwardTopK(r, reference.Flat(c.GTop), reference.FlatMatrices(c.GX))
	if err != nil {
		return nil, err
	}
	return &topKResult{Top: r.Top, X: r.X, GradX: gx}, nil
}

// topKFlyRequest is one run of a case by the on-the-fly program.
type topKFlyRequest struct {
	Kernel       string
	Level        string
	Beta, Lambda float64
	X, GTop, GXK []float64
}

type topKFlyResponse struct {
	Top, XK, GX []float64
	Skipped     bool
	Err         string
}

type topKFlyResult struct {
	c       *reference.TopKCase
	backend string
	res     *topKResult
	err     error
}

// runTopKOnTheFly is runOnTheFly for top-k cases: a float64 top-k package
// per distinct plan, one program that runs every request.
func runTopKOnTheFly(cases []*reference.TopKCase) ([]topKFlyResult, error) {
	m, err := newFlyModule()
	if err != nil {
		return nil, err
	}
	defer m.remove()
	var reqs []topKFlyRequest
	var results []topKFlyResult
	for _, c := range cases {
		p, err := c.Plan(plan.Float64)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", c, err)
		}
		fp, err := m.kernel(p)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", c, err)
		}
		req := topKFlyRequest{Kernel: fp.Name, Beta: c.Steepness, Lambda: c.ARTLambda,
			X:    repeat(reference.Flat(c.X), flyRepeat),
			GTop: repeat(reference.Flat(c.GTop), flyRepeat),
			GXK:  repeat(reference.FlatMatrices(c.GX), flyRepeat)}
		for _, ks := range flyKernelSets {
			req.Level = ks.level
			reqs = append(reqs, req)
			results = append(results, topKFlyResult{c: c, backend: ks.backend})
		}
	}
	resps, err := runFly[topKFlyRequest, topKFlyResponse](m, topKFlyMain, reqs)
	if err != nil {
		return nil, err
	}
	kept := results[:0]
	for i, r := range resps {
		res := results[i]
		if r.Skipped {
			continue
		}
		res.res, res.err = topKFlyCaseResult(res.c, r)
		kept = append(kept, res)
	}
	return kept, nil
}

func topKFlyCaseResult(c *reference.TopKCase, r topKFlyResponse) (*topKResult, error) {
	if r.Err != "" {
		return nil, errors.New(r.Err)
	}
	rows, n, k := len(c.X), c.N, c.K
	if len(r.Top) != flyRepeat*rows*k || len(r.XK) != flyRepeat*rows*n*k || len(r.GX) != flyRepeat*rows*n {
		return nil, errors.New("the generated program returned the wrong number of rows")
	}
	if err := copiesAgree(flyRepeat, r.Top, r.XK, r.GX); err != nil {
		return nil, err
	}
	return &topKResult{Top: r.Top[:rows*k], X: r.XK[:rows*n*k], GradX: r.GX[:rows*n]}, nil
}

var topKFlyMain = template.Must(template.New("main").Parse(`// Command sortgencheck runs the top-k cases it reads on stdin through
// kernels generated by sortgen check.
package main

import (
	"encoding/json"
	"os"
{{range .}}
	"{{.Path}}"
{{- end}}
)

type kernel struct {
	n, k, tapeLen, xtapeLen int
	forwardTopK             func(top, xk, tape, xtape, x []float64, beta, lambda float64) error
	backwardTopK            func(gx, gtop, gxk, tape, xtape []float64) error
	setLevel                func(string) (string, error)
}

var kernels = map[string]kernel{
{{- range .}}
	"{{.Name}}": { {{- .Name}}.N, {{.Name}}.TopK, {{.Name}}.TapeLen, {{.Name}}.XTapeLen, {{.Name}}.ForwardTopK, {{if .Differentiable}}{{.Name}}.BackwardTopK{{else}}nil{{end}}, {{.Name}}.SetLevel},
{{- end}}
}

type request struct {
	Kernel       string
	Level        string
	Beta, Lambda float64
	X, GTop, GXK []float64
}

type response struct {
	Top, XK, GX []float64
	Skipped     bool
	Err         string
}

func run(r request) (out response) {
	k := kernels[r.Kernel]
	if _, err := k.setLevel(r.Level); err != nil {
		out.Skipped = true
		return out
	}
	rows := len(r.X) / k.n
	out.Top, out.XK = make([]float64, rows*k.k), make([]float64, rows*k.n*k.k)
	var tape, xtape []float64
	if k.backwardTopK != nil {
		tape, xtape = make([]float64, rows*k.tapeLen), make([]float64, rows*k.xtapeLen)
	}
	if err := k.forwardTopK(out.Top, out.XK, tape, xtape, r.X, r.Beta, r.Lambda); err != nil {
		out.Err = err.Error()
		return out
	}
	if k.backwardTopK != nil {
		out.GX = make([]float64, len(r.X))
		if err := k.backwardTopK(out.GX, r.GTop, r.GXK, tape, xtape); err != nil {
			out.Err = err.Error()
		}
	}
	return out
}

` + flyMainFunc))
