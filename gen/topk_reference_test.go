package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/internal/reference"
	"github.com/sortgen/sortgen/internal/testmod"
	"github.com/sortgen/sortgen/networks"
)

// topKCase is a case of ../shared/reference/difftopk_float64.json.
type topKCase struct {
	Network   string        `json:"network"`
	N         int           `json:"n"`
	K         int           `json:"k"`
	Swap      string        `json:"swap"`
	Steepness float64       `json:"steepness"`
	ARTLambda float64       `json:"art_lambda"`
	Layers    [][][2]int    `json:"layers"`
	X         [][]float64   `json:"x"`
	Top       [][]float64   `json:"top_values"`
	XK        [][][]float64 `json:"X"`
	GTop      [][]float64   `json:"g_top"`
	GX        [][][]float64 `json:"gX"`
	GradX     [][]float64   `json:"grad_x"`
}

func (c *topKCase) plan(t *testing.T) *plan.Plan {
	t.Helper()
	s, err := plan.ParseSwap(c.Swap, "")
	require.NoError(t, err)
	var nw *networks.Network
	if c.Network == plan.SplitterSelection {
		// difftopk's own splitter selection network, not sortgen's.
		nw = &networks.Network{N: c.N}
		for _, layer := range c.Layers {
			var l []networks.Comparator
			for _, pq := range layer {
				l = append(l, networks.Comparator{P: pq[0], Q: pq[1]})
			}
			nw.Layers = append(nw.Layers, l)
		}
	} else {
		nw, err = networks.ByName(c.Network, c.N)
		require.NoError(t, err)
	}
	p, err := plan.NewTopK(c.Network, nw, c.K, s, plan.Float64)
	require.NoError(t, err)
	return p
}

// topKRunner is the program the test builds: it reads the cases' inputs
// on stdin, runs each through its package's ForwardTopK and BackwardTopK
// and writes top, X and dL/dx.
const topKRunner = `package main

import (
	"encoding/json"
	"fmt"
	"os"
%s)

type input struct {
	Beta, Lambda float64
	X, GTop, GX  []float64
}

type output struct{ Top, X, GradX []float64 }

func run(fwd func(top, xk, tape, xtape, x []float64, beta, lambda float64) error,
	bwd func(gx, gtop, gxk, tape, xtape []float64) error, n, k, tapeLen, xtapeLen int, in input) output {
	rows := len(in.X) / n
	o := output{Top: make([]float64, rows*k), X: make([]float64, rows*n*k), GradX: make([]float64, rows*n)}
	tape, xtape := make([]float64, rows*tapeLen), make([]float64, rows*xtapeLen)
	if err := fwd(o.Top, o.X, tape, xtape, in.X, in.Beta, in.Lambda); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := bwd(o.GradX, in.GTop, in.GX, tape, xtape); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return o
}

func main() {
	var ins []input
	if err := json.NewDecoder(os.Stdin).Decode(&ins); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	outs := make([]output, len(ins))
%s	if err := json.NewEncoder(os.Stdout).Encode(outs); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`

// TestTopKReference generates a pure-Go float64 package for every case of
// difftopk's reference and compares ForwardTopK's top values and X and
// BackwardTopK's dL/dx with the peer's. It runs with SORTGEN_SLOW=1: a
// plain go test covers the same kernels through the checked-in top-k
// packages, which runtime's tests compare with the interpreter, which its
// reference test compares with the peer.
func TestTopKReference(t *testing.T) {
	testmod.SkipUnlessSlow(t)
	path := filepath.Join(testmod.Root(t), "..", "shared", "reference", "difftopk_float64.json")
	data, err := os.ReadFile(path)
	require.NoError(t, err, "the top-k reference of ../shared/ (see the README's Tests)")
	var file struct {
		Description string     `json:"description"`
		Cases       []topKCase `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(data, &file))
	require.Len(t, file.Cases, 56)
	m := testmod.New(t, "example.com/topkref")
	var imports, calls strings.Builder
	type input struct {
		Beta, Lambda float64
		X, GTop, GX  []float64
	}
	var ins []input
	var cases []*topKCase
	for i := range file.Cases {
		c := &file.Cases[i]
		p := c.plan(t)
		pkg := fmt.Sprintf("c%d_%s", len(cases), PlanPackageName(p))
		files, err := Generate(p, Options{Package: pkg})
		require.NoError(t, err)
		// The package's own tests run elsewhere (TestTopKPackagesCompile,
		// the checked-in packages): here it is only the kernels.
		delete(files, pkg+"_test.go")
		delete(files, pkg+"_topk_test.go")
		m.WriteFiles(t, pkg, files)
		fmt.Fprintf(&imports, "\t%q\n", "example.com/topkref/"+pkg)
		fmt.Fprintf(&calls, "\touts[%d] = run(%s.ForwardTopK, %s.BackwardTopK, %s.N, %s.TopK, %s.TapeLen, %s.XTapeLen, ins[%d])\n",
			len(cases), pkg, pkg, pkg, pkg, pkg, pkg, len(cases))
		ins = append(ins, input{c.Steepness, c.ARTLambda, reference.Flat(c.X), reference.Flat(c.GTop), reference.FlatMatrices(c.GX)})
		cases = append(cases, c)
	}
	m.Write(t, "run/main.go", fmt.Appendf(nil, topKRunner, imports.String(), calls.String()))
	m.Go(t, nil, "vet", "./...")
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
	var outs []struct{ Top, X, GradX []float64 }
	require.NoError(t, json.Unmarshal(stdout, &outs))
	require.Len(t, outs, len(cases))
	var worstTop, worstX, worstGrad float64 // grad_x of the cases at 1e-12
	for i, c := range cases {
		what := fmt.Sprintf("%s n=%d k=%d %s", c.Network, c.N, c.K, c.Swap)
		o := outs[i]
		eTop, eX := reference.RelErr(o.Top, reference.Flat(c.Top)), reference.RelErr(o.X, reference.FlatMatrices(c.XK))
		worstTop, worstX = max(worstTop, eTop), max(worstX, eX)
		require.LessOrEqual(t, eTop, 1e-12, "%s: top values", what)
		require.LessOrEqual(t, eX, 1e-12, "%s: X", what)
		for r := range c.X {
			tol := 1e-12
			switch {
			case c.Swap == "gaussian":
				tol = 1e-6 // the peer rounds 1/steepness to float32 in its backward pass
			case c.Swap == "logistic_phi" && hasTie(c.X[r]):
				tol = 1e-7 // ill-conditioned at a tie (internal/reference's IllConditioned)
			}
			e := reference.RelErr(o.GradX[r*c.N:(r+1)*c.N], c.GradX[r])
			if tol == 1e-12 {
				worstGrad = max(worstGrad, e)
			}
			require.LessOrEqual(t, e, tol, "%s: grad_x of row %d", what, r)
		}
	}
	t.Logf("%d reference cases; worst relative errors: top values %.2g, X %.2g, grad_x %.2g", len(cases), worstTop, worstX, worstGrad)
}

func hasTie(x []float64) bool {
	seen := map[float64]bool{}
	for _, v := range x {
		if seen[v] {
			return true
		}
		seen[v] = true
	}
	return false
}
