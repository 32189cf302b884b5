package reference

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/networks"
)

// The shared file loads: 56 cases of three networks, its stated
// tolerances, and every splitter case's layers a selection network of its
// top k.
func TestLoadTopK(t *testing.T) {
	path, err := DefaultTopKPath()
	require.NoError(t, err)
	f, err := LoadTopK(path)
	require.NoError(t, err)
	require.Len(t, f.Cases, 56)
	require.Equal(t, Tolerances{1e-12, 1e-6}, f.Tolerances())
	count := map[string]int{}
	for i := range f.Cases {
		c := &f.Cases[i]
		count[c.Network]++
		require.Equal(t, c.Network == "splitter_selection", len(c.Layers) > 0, "%v", c)
		if len(c.Layers) == 0 {
			_, err := c.LayersNetwork()
			require.EqualError(t, err, "reference: case "+c.String()+" has no layers")
			continue
		}
		nw, err := c.LayersNetwork()
		require.NoError(t, err)
		v, err := networks.VerifyTopK(nw, c.K)
		require.NoError(t, err, "%v", c)
		require.True(t, v.Sorts)
	}
	require.Equal(t, map[string]int{"odd_even": 16, "bitonic": 14, "splitter_selection": 26}, count)
}

func TestTopKCaseValidate(t *testing.T) {
	good := func() TopKCase {
		return TopKCase{Network: "splitter_selection", N: 3, K: 1, Swap: "logistic_phi",
			Layers:    [][][2]int{{{1, 0}}, {{0, 2}}},
			X:         [][]float64{{1, 2, 1}},
			TopValues: [][]float64{{2}},
			XK:        [][][]float64{{{0}, {0}, {1}}},
			GTop:      [][]float64{{1}},
			GX:        [][][]float64{{{0}, {0}, {1}}},
			GradX:     [][]float64{{0, 1, 0}},
		}
	}
	c := good()
	require.NoError(t, c.Validate())
	require.True(t, c.IllConditioned(0))
	require.Equal(t, 1e-7, c.RowToleranceIn(Tolerances{1e-12, 1e-6}, "grad_x", 0))
	require.Equal(t, 1e-12, c.RowToleranceIn(Tolerances{1e-12, 1e-6}, "X", 0))
	nw, err := c.LayersNetwork()
	require.NoError(t, err)
	require.Equal(t, [][]networks.Comparator{{{P: 1, Q: 0}}, {{P: 0, Q: 2}}}, nw.Layers, "p > q is kept")
	for _, tc := range []struct {
		name  string
		spoil func(c *TopKCase)
		want  string
	}{
		{"k = n", func(c *TopKCase) { c.K = 3 }, "n=3, k=3 with 1 rows"},
		{"k = 0", func(c *TopKCase) { c.K = 0 }, "n=3, k=0 with 1 rows"},
		{"no rows", func(c *TopKCase) { c.X = nil }, "n=3, k=1 with 0 rows"},
		{"rows", func(c *TopKCase) { c.GTop = nil }, "fields disagree on the number of rows"},
		{"top length", func(c *TopKCase) { c.TopValues[0] = []float64{1, 2} }, "row 0 has the wrong length"},
		{"X shape", func(c *TopKCase) { c.XK[0][1] = []float64{0, 1} }, "row 0: X or gX is not n x k"},
		{"layers", func(c *TopKCase) { c.Layers[1][0] = [2]int{0, 3} }, "wire out of range"},
	} {
		c := good()
		tc.spoil(&c)
		require.ErrorContains(t, c.Validate(), tc.want, tc.name)
	}
}

func TestLoadTopKErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	_, err := LoadTopK(filepath.Join(dir, "missing.json"))
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = LoadTopK(write("bad.json", "{"))
	require.ErrorContains(t, err, "bad.json: unexpected end of JSON input")
	_, err = LoadTopK(write("empty.json", `{"cases": []}`))
	require.ErrorContains(t, err, "empty.json: no cases")
	_, err = LoadTopK(write("shape.json", `{"cases": [{"network": "odd_even", "n": 4, "k": 1, "x": [[1, 2, 3, 4]]}]}`))
	require.ErrorContains(t, err, "fields disagree on the number of rows")
}

func TestIsTopK(t *testing.T) {
	topk, err := DefaultTopKPath()
	require.NoError(t, err)
	sorting, err := DefaultPath()
	require.NoError(t, err)
	got, err := IsTopK(topk)
	require.NoError(t, err)
	require.True(t, got)
	got, err = IsTopK(sorting)
	require.NoError(t, err)
	require.False(t, got)
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"cases": [`), 0o644))
	_, err = IsTopK(bad)
	require.Error(t, err)
}

// A case's plan runs its layers when it has them, else its named network.
func TestTopKCasePlan(t *testing.T) {
	path, err := DefaultTopKPath()
	require.NoError(t, err)
	f, err := LoadTopK(path)
	require.NoError(t, err)
	var layered, named int
	for i := range f.Cases {
		c := &f.Cases[i]
		p, err := c.Plan(plan.Float64)
		require.NoError(t, err, c.String())
		require.Equal(t, c.K, p.TopK, c.String())
		if len(c.Layers) > 0 {
			nw, err := c.LayersNetwork()
			require.NoError(t, err)
			pruned, err := networks.TopK(nw, c.K)
			require.NoError(t, err)
			require.Equal(t, plan.Fingerprint(pruned), p.Fingerprint(), c.String())
			layered++
		} else {
			want, err := plan.NamedTopK(c.Network, c.N, c.K, c.Swap, c.BaseName(), plan.Float64)
			require.NoError(t, err)
			require.Equal(t, want.Fingerprint(), p.Fingerprint(), c.String())
			named++
		}
	}
	require.Positive(t, layered)
	require.Positive(t, named)
}
