package kerneltest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/gen"
	"github.com/sortgen/sortgen/gen/emit"
	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/internal/reference"
	"github.com/sortgen/sortgen/internal/testmod"
)

// topKRunner reads the cases' inputs on stdin, runs each through its
// package's ForwardTopK and BackwardTopK with the AVX2 kernels on and
// writes top, X, dL/dx and whether the AVX2 kernels ran.
const topKRunner = `package main

import (
	"encoding/json"
	"fmt"
	"os"
%s)

type input struct {
	Beta, Lambda   float64
	X, GTop, GX    []float64
}

type output struct {
	Level         string
	Top, X, GradX []float64
}

type kernels struct {
	fwd            func(top, xk, tape, xtape, x []float64, beta, lambda float64) error
	bwd            func(gx, gtop, gxk, tape, xtape []float64) error
	set            func(string) (string, error)
	levels         func() []string
	n, k, tape, xt int
}

// run runs in at every assembly level of ks.
func run(ks kernels, in input) []output {
	var outs []output
	for _, level := range ks.levels()[1:] {
		if _, err := ks.set(level); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		rows := len(in.X) / ks.n
		o := output{Level: level, Top: make([]float64, rows*ks.k), X: make([]float64, rows*ks.n*ks.k), GradX: make([]float64, rows*ks.n)}
		tape, xtape := make([]float64, rows*ks.tape), make([]float64, rows*ks.xt)
		if err := ks.fwd(o.Top, o.X, tape, xtape, in.X, in.Beta, in.Lambda); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := ks.bwd(o.GradX, in.GTop, in.GX, tape, xtape); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		outs = append(outs, o)
	}
	return outs
}

func main() {
	var ins []input
	if err := json.NewDecoder(os.Stdin).Decode(&ins); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	outs := make([][]output, len(ins))
%s	if err := json.NewEncoder(os.Stdout).Encode(outs); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`

// refCopies is how often TestTopKReference repeats a case's rows (3 in the
// reference file): 24 rows are 6 whole float64 blocks of the AVX2 level and
// 3 of the AVX-512 level, all in assembly.
const refCopies = 8

// TestTopKReference runs the assembly kernels (each level the CPU has) of
// ForwardTopK and BackwardTopK of float64 packages on cases of difftopk's
// reference (one per network and size; all 56 with SORTGEN_FULL_MATRIX=1,
// as sortgen check's on-the-fly run does with SORTGEN_SLOW=1), each case's
// rows repeated to fill whole blocks, and compares the top values, X and
// dL/dx with the peer's at the file's tolerances.
func TestTopKReference(t *testing.T) {
	if goruntime.GOARCH != "amd64" {
		t.Skip("the assembly kernels are amd64 only")
	}
	path, err := reference.DefaultTopKPath()
	require.NoError(t, err)
	file, err := reference.LoadTopK(path)
	require.NoError(t, err)
	tols := file.Tolerances()
	all := os.Getenv("SORTGEN_FULL_MATRIX") == "1"
	m := testmod.New(t, "sgtopkref")
	type input struct {
		Beta, Lambda float64
		X, GTop, GX  []float64
	}
	var imports, calls strings.Builder
	var ins []input
	var cases []*reference.TopKCase
	seen := map[string]bool{}
	for i := range file.Cases {
		c := &file.Cases[i]
		size := fmt.Sprintf("%s/%d", c.Network, c.N)
		if !all && seen[size] {
			continue
		}
		seen[size] = true
		p, err := c.Plan(plan.Float64) // a splitter case runs difftopk's network, not sortgen's
		require.NoError(t, err, c.String())
		pkg := fmt.Sprintf("c%d_%s", len(cases), gen.PlanPackageName(p))
		files, err := emit.Package(p, gen.Options{Package: pkg, Asm: true})
		require.NoError(t, err, c.String())
		for name := range files {
			if strings.HasSuffix(name, "_test.go") {
				delete(files, name)
			}
		}
		m.WriteFiles(t, pkg, files)
		fmt.Fprintf(&imports, "\t%q\n", "sgtopkref/"+pkg)
		fmt.Fprintf(&calls, "\touts[%d] = run(kernels{%[2]s.ForwardTopK, %[2]s.BackwardTopK, %[2]s.SetLevel, %[2]s.Levels, %[2]s.N, %[2]s.TopK, %[2]s.TapeLen, %[2]s.XTapeLen}, ins[%[1]d])\n",
			len(cases), pkg)
		in := input{Beta: c.Steepness, Lambda: c.ARTLambda}
		for range refCopies {
			in.X = append(in.X, reference.Flat(c.X)...)
			in.GTop = append(in.GTop, reference.Flat(c.GTop)...)
			in.GX = append(in.GX, reference.FlatMatrices(c.GX)...)
		}
		ins = append(ins, in)
		cases = append(cases, c)
	}
	m.Write(t, "run/main.go", fmt.Appendf(nil, topKRunner, imports.String(), calls.String()))
	bin := filepath.Join(t.TempDir(), "run")
	m.Go(t, nil, "build", "-o", bin, "./run")
	stdin, err := json.Marshal(ins)
	require.NoError(t, err)
	cmd := exec.Command(bin)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var outs [][]struct {
		Level         string
		Top, X, GradX []float64
	}
	require.NoError(t, json.Unmarshal(stdout, &outs))
	require.Len(t, outs, len(cases))
	if len(outs[0]) == 0 {
		t.Skip("the CPU has no AVX2 and FMA")
	}
	levels := 0
	var worst [3]float64
	for i, c := range cases {
		require.Len(t, outs[i], len(outs[0]), c.String())
		for _, o := range outs[i] {
			levels = max(levels, len(outs[i]))
			n, k, rows := c.N, c.K, len(c.X)
			for r := range rows * refCopies {
				ref := r % rows
				what := fmt.Sprintf("%v: %s: row %d", c, o.Level, r)
				for f, cmp := range []struct {
					field     string
					got, want []float64
				}{
					{"top_values", o.Top[r*k : (r+1)*k], c.TopValues[ref]},
					{"X", o.X[r*n*k : (r+1)*n*k], reference.FlatMatrices(c.XK[ref : ref+1])},
					{"grad_x", o.GradX[r*n : (r+1)*n], c.GradX[ref]},
				} {
					e := reference.RelErr(cmp.got, cmp.want)
					tol := c.RowToleranceIn(tols, cmp.field, ref)
					require.LessOrEqual(t, e, tol, "%s: %s", what, cmp.field)
					if tol == tols.Default {
						worst[f] = max(worst[f], e)
					}
				}
			}
		}
	}
	t.Logf("%d reference cases x %d rows at %d assembly levels; worst relative errors: top values %.2g, X %.2g, grad_x %.2g",
		len(cases), refCopies*3, levels, worst[0], worst[1], worst[2])
}
