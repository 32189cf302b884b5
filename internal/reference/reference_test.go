package reference

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseTolerances(t *testing.T) {
	for _, tc := range []struct {
		desc string
		want Tolerances
		ok   bool
	}{
		{"Reference outputs (float64). Tolerances: y, P and grad_x agree with an exact float64 implementation to about 1e-12 relative, except grad_x of swap 'gaussian', where the peer rounds 1/steepness to float32 in its backward pass (agreement about 1e-6 relative).",
			Tolerances{1e-12, 1e-6}, true},
		{"tolerances: 2.5e-10 everywhere but gaussian gradients, 3E-5", Tolerances{2.5e-10, 3e-5}, true},
		{"Tolerances: about 1e-12 relative.", Tolerances{Default: 1e-12}, false},
		{"outputs agree to 1e-12, gaussian 1e-6", Tolerances{}, false},
		{"", Tolerances{}, false},
	} {
		got, ok := ParseTolerances(tc.desc)
		require.Equal(t, tc.ok, ok, tc.desc)
		require.Equal(t, tc.want, got, tc.desc)
	}
}

func TestFileTolerances(t *testing.T) {
	path, err := DefaultPath()
	require.NoError(t, err)
	f, err := Load(path)
	require.NoError(t, err)
	require.Equal(t, Tolerances{1e-12, 1e-6}, f.Tolerances())
	require.Equal(t, Tolerances{1e-12, 1e-6}, (&File{Description: "no numbers"}).Tolerances())
}

func TestRowToleranceIn(t *testing.T) {
	gaussian := "gaussian"
	tol := Tolerances{Default: 1e-12, GaussianGrad: 1e-6}
	tie := [][]float64{{1, 2, 1}}
	noTie := [][]float64{{1, 2, 3}}
	for _, tc := range []struct {
		c     Case
		field string
		want  float64
	}{
		{Case{Swap: "cauchy", X: noTie}, "grad_x", 1e-12},
		{Case{Swap: "cauchy", X: noTie}, "y", 1e-12},
		{Case{Swap: "gaussian", X: noTie}, "grad_x", 1e-6},
		{Case{Swap: "gaussian", X: noTie}, "P", 1e-12},
		{Case{Swap: "errorfree", Base: &gaussian, X: noTie}, "grad_x", 1e-6},
		{Case{Swap: "logistic_phi", X: tie}, "grad_x", 1e-7},
		{Case{Swap: "logistic_phi", X: noTie}, "grad_x", 1e-12},
		{Case{Swap: "logistic_phi", X: tie}, "y", 1e-12},
	} {
		require.Equal(t, tc.want, tc.c.RowToleranceIn(tol, tc.field, 0), "%s %s", tc.c.String(), tc.field)
		require.Equal(t, tc.c.RowTolerance(tc.field, 0), tc.c.RowToleranceIn(tol, tc.field, 0), "agrees with RowTolerance")
	}
}
