package main

import (
	"math"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/internal/reference"
	"github.com/sortgen/sortgen/internal/testmod"
	"github.com/sortgen/sortgen/runtime"
)

// TestCheckExtremeValues runs check on cases whose inputs are the largest
// finite float64 values (alternating signs, so that b - a overflows; ties
// at the largest value beside a zero), expected values from the
// interpreter: the on-the-fly kernels of every level must give finite
// numbers that agree with it, one case per swap.
func TestCheckExtremeValues(t *testing.T) {
	testmod.SkipUnlessSlow(t) // builds a kernel package per case
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	big := math.MaxFloat64
	kept := 0
	path := corrupt(t, func(f *reference.File) {
		seen := map[string]bool{}
		var cases []reference.Case
		for _, c := range f.Cases {
			if c.N < 3 || c.N > 5 || seen[c.Swap+c.BaseName()] {
				continue
			}
			seen[c.Swap+c.BaseName()] = true
			for r := range c.X {
				for i := range c.X[r] {
					switch r % 3 {
					case 0:
						c.X[r][i] = big * float64(1-2*(i%2))
					case 1:
						c.X[r][i] = big * float64(1-2*(r/3%2))
						if i == 0 {
							c.X[r][i] = 0
						}
					default:
						c.X[r][i] = big / 2 * float64((i*7)%5-2)
					}
				}
			}
			cfg := runtime.Config{Network: c.Network, N: c.N, Swap: c.Swap, Base: c.BaseName(),
				Steepness: c.Steepness, ARTLambda: c.ARTLambda, Backend: runtime.Interpreter}
			s, err := runtime.New[float64](cfg)
			require.NoError(t, err, c.String())
			r, err := s.Forward(reference.Flat(c.X), runtime.WantP|runtime.WantGrad)
			require.NoError(t, err, c.String())
			gx, err := s.Backward(r, reference.Flat(c.GY), reference.FlatMatrices(c.GP))
			require.NoError(t, err, c.String())
			n := c.N
			p := r.P()
			for row := range c.X {
				copy(c.Y[row], r.Y[row*n:(row+1)*n])
				for i := range n {
					copy(c.P[row][i], p[(row*n+i)*n:(row*n+i+1)*n])
				}
				copy(c.GradX[row], gx[row*n:(row+1)*n])
			}
			for _, v := range append(append(append([]float64(nil), r.Y...), p...), gx...) {
				require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "%v: the interpreter gives %v", c.String(), v)
			}
			cases = append(cases, c)
		}
		f.Cases = cases
		kept = len(cases)
	})
	require.GreaterOrEqual(t, kept, 8, "a case per swap")
	code, stdout, stderr := invoke("check", path)
	require.Equal(t, 0, code, stderr+stdout)
	lines := checkLines(stdout)
	require.Empty(t, lines["FAIL"])
	require.GreaterOrEqual(t, len(lines["ok"]), 3*kept, "the interpreter and at least two levels per case:\n%s", stdout)
}
