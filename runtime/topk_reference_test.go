package runtime

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/internal/reference"
)

func loadTopKReference(t testing.TB) *reference.TopKFile {
	t.Helper()
	path, err := reference.DefaultTopKPath()
	require.NoError(t, err)
	f, err := reference.LoadTopK(path)
	require.NoError(t, err)
	return f
}

// topKCaseConfig is a case's configuration: a named network, or a
// splitter case's layers through Config.Net.
func topKCaseConfig(t testing.TB, c *reference.TopKCase) Config {
	cfg := Config{Network: c.Network, N: c.N, TopK: c.K, Swap: c.Swap, Base: c.BaseName(),
		Steepness: c.Steepness, ARTLambda: c.ARTLambda, Backend: Interpreter}
	if len(c.Layers) > 0 {
		nw, err := c.LayersNetwork()
		require.NoError(t, err)
		cfg.Net = nw
	}
	return cfg
}

// runTopKCase runs a reference case and returns the top values, X and
// grad_x as float64.
func runTopKCase[T Float](t testing.TB, s *Sorter[T], c *reference.TopKCase) (top, xk, gx []float64) {
	t.Helper()
	r, err := s.ForwardTopK(convert([]T(nil), reference.Flat(c.X)), WantGrad)
	require.NoError(t, err)
	g, err := s.BackwardTopK(r, convert([]T(nil), reference.Flat(c.GTop)), convert([]T(nil), reference.FlatMatrices(c.GX)))
	require.NoError(t, err)
	return convert([]float64(nil), r.Top), convert([]float64(nil), r.X), convert([]float64(nil), g)
}

// Every case of the difftopk reference on the interpreter in float64, at
// the file's tolerances. A splitter case runs its own layers (difftopk's
// splitter network, not networks.SplitterSelection, which is smaller).
func TestTopKReferenceFloat64(t *testing.T) {
	f := loadTopKReference(t)
	tol := f.Tolerances()
	for i := range f.Cases {
		c := &f.Cases[i]
		t.Run(c.String(), func(t *testing.T) {
			s, err := New[float64](topKCaseConfig(t, c))
			require.NoError(t, err)
			top, xk, gx := runTopKCase(t, s, c)
			require.LessOrEqual(t, reference.RelErr(top, reference.Flat(c.TopValues)), c.RowToleranceIn(tol, "top_values", 0), "top_values")
			require.LessOrEqual(t, reference.RelErr(xk, reference.FlatMatrices(c.XK)), c.RowToleranceIn(tol, "X", 0), "X")
			for row := range c.X {
				got := gx[row*c.N : (row+1)*c.N]
				require.LessOrEqual(t, reference.RelErr(got, c.GradX[row]), c.RowToleranceIn(tol, "grad_x", row), "grad_x row %d", row)
			}
		})
	}
}

// The same in float32, at 1e-4 relative to max(|want|, 1).
func TestTopKReferenceFloat32(t *testing.T) {
	f := loadTopKReference(t)
	for i := range f.Cases {
		c := &f.Cases[i]
		t.Run(c.String(), func(t *testing.T) {
			s, err := New[float32](topKCaseConfig(t, c))
			require.NoError(t, err)
			top, xk, gx := runTopKCase(t, s, c)
			require.LessOrEqual(t, reference.RelErr(top, reference.Flat(c.TopValues)), 1e-5, "top_values")
			require.LessOrEqual(t, reference.RelErr(xk, reference.FlatMatrices(c.XK)), 1e-5, "X")
			for row := range c.X {
				if c.IllConditioned(row) {
					continue // float32 cannot resolve it (see IllConditioned)
				}
				got := gx[row*c.N : (row+1)*c.N]
				require.LessOrEqual(t, reference.RelErr(got, c.GradX[row]), 1e-4, "grad_x row %d", row)
			}
		})
	}
}
