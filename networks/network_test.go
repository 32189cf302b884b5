package networks

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFromFlat(t *testing.T) {
	nw, err := FromFlat(5, []Comparator{{0, 1}, {3, 4}, {1, 2}, {0, 4}, {2, 3}, {0, 1}})
	require.NoError(t, err)
	require.Equal(t, [][]Comparator{{{0, 1}, {3, 4}}, {{1, 2}, {0, 4}}, {{2, 3}, {0, 1}}}, nw.Layers)
	require.NoError(t, nw.Validate())
	require.True(t, nw.canonical())

	nw, err = FromFlat(3, nil)
	require.NoError(t, err)
	require.Equal(t, 0, nw.Depth())

	_, err = FromFlat(1, nil)
	require.ErrorIs(t, err, ErrTooFewWires)
	_, err = FromFlat(3, []Comparator{{0, 3}})
	require.ErrorContains(t, err, "comparator 0 (0,3): wire out of range [0,3)")
	_, err = FromFlat(3, []Comparator{{0, 1}, {2, 2}})
	require.ErrorContains(t, err, "comparator 1 (2,2): p == q")

	nonCanonical := &Network{N: 4, Layers: [][]Comparator{{{0, 1}}, {{2, 3}}}}
	require.False(t, nonCanonical.canonical())
}

func TestValidate(t *testing.T) {
	tests := []struct {
		nw   Network
		want string
	}{
		{Network{N: 1}, "n must be at least 2"},
		{Network{N: 3, Layers: [][]Comparator{{}}}, "layer 0 is empty"},
		{Network{N: 3, Layers: [][]Comparator{{{0, 3}}}}, "wire out of range"},
		{Network{N: 3, Layers: [][]Comparator{{{-1, 0}}}}, "wire out of range"},
		{Network{N: 3, Layers: [][]Comparator{{{1, 1}}}}, "p == q"},
		{Network{N: 3, Layers: [][]Comparator{{{0, 1}}, {{1, 2}, {2, 0}}}}, "layer 1, comparator 1 (2,0): wire 2 used twice in one layer"},
	}
	for _, tt := range tests {
		require.ErrorContains(t, tt.nw.Validate(), tt.want)
	}
	nw, err := New(3, [][]Comparator{{{2, 0}}})
	require.NoError(t, err)
	require.Equal(t, "[(2,0)]\n", nw.String())
}

// Methods on an invalid network or with mismatched arguments return an
// error rather than panic.
func TestBadNetworkNoPanic(t *testing.T) {
	bad := &Network{N: 3, Layers: [][]Comparator{{{0, 5}}}}
	require.ErrorContains(t, bad.Apply(make([]float64, 3)), "out of range")
	_, err := bad.Support()
	require.ErrorContains(t, err, "out of range")

	good, err := ByName("odd_even", 4)
	require.NoError(t, err)
	require.ErrorContains(t, good.Apply(make([]float64, 3)), "3 values for 4 wires")
	x := []float64{3, 1, 2, 0}
	require.NoError(t, good.Apply(x))
	require.Equal(t, []float64{0, 1, 2, 3}, x)

	var none *Network
	require.ErrorContains(t, none.Validate(), "nil network")
	require.False(t, good.Equal(nil))
	require.True(t, none.Equal(nil))
}
