package networks

import (
	"fmt"
	"slices"
)

// TopK prunes nw to the comparators on which its last k outputs depend: for
// a sorting network, a selection network that puts the k largest values, in
// ascending order, on wires n-k, ..., n-1 (difftopk's top-k; VerifyTopK
// proves it). A comparator whose two outputs feed nothing the top k wires
// read is dropped; the rest keep their order and are layered again as early
// as their wires allow (FromFlat), so the depth can shrink too. k = n keeps
// the whole network.
func TopK(nw *Network, k int) (*Network, error) {
	if err := nw.Validate(); err != nil {
		return nil, err
	}
	if k < 1 || k > nw.N {
		return nil, fmt.Errorf("networks: top-k needs 1 <= k <= n = %d, got k = %d", nw.N, k)
	}
	cs := nw.Comparators()
	needed := make([]bool, nw.N)
	for j := nw.N - k; j < nw.N; j++ {
		needed[j] = true
	}
	var kept []Comparator
	for i := len(cs) - 1; i >= 0; i-- {
		if c := cs[i]; needed[c.P] || needed[c.Q] {
			kept = append(kept, c)
			needed[c.P], needed[c.Q] = true, true
		}
	}
	slices.Reverse(kept)
	return FromFlat(nw.N, kept)
}

// VerifyTopK reports whether nw is a selection network for the k largest:
// whether, for every input, wires n-k, ..., n-1 end up holding the k
// largest values in ascending order (VerifyPositions of those wires: the
// 0-1 principle for selection, exhaustive up to 32 wires and seeded random
// above, as Verdict.Method says).
func VerifyTopK(nw *Network, k int) (Verdict, error) {
	if k < 1 || k > nw.N {
		return Verdict{}, fmt.Errorf("networks: top-k needs 1 <= k <= n = %d, got k = %d", nw.N, k)
	}
	wires := make([]int, k)
	for j := range wires {
		wires[j] = nw.N - k + j
	}
	return VerifyPositions(nw, wires)
}
