package plan

import (
	"reflect"
	"testing"

	"github.com/sortgen/sortgen/networks"
)

// TestRuns checks that the runs encode the plan's steps exactly, in order
// and, reversed, in reverse, and that regular networks compress.
func TestRuns(t *testing.T) {
	for _, name := range networks.Names() {
		for _, n := range []int{2, 3, 5, 8, 13, 16, 32, 33, 64} {
			nw, err := networks.ByName(name, n)
			if err != nil {
				continue
			}
			p, err := New(name, nw, Swap{Func: Cauchy}, Float32)
			if err != nil {
				t.Fatal(err)
			}
			rs := p.Runs()
			fwd, bwd := ExpandRuns(rs), ExpandRuns(ReverseRuns(rs))
			if len(fwd) != len(p.Steps) || len(bwd) != len(p.Steps) {
				t.Fatalf("%s n=%d: runs expand to %d and %d steps, want %d", name, n, len(fwd), len(bwd), len(p.Steps))
			}
			for i, st := range p.Steps {
				for _, got := range []Step{fwd[i], bwd[len(bwd)-1-i]} {
					if got.P != st.P || got.Q != st.Q || got.RowCount != st.RowCount || !reflect.DeepEqual(got.Rows, st.Rows) {
						t.Fatalf("%s n=%d step %d: runs give %+v, plan %+v", name, n, i, got, st)
					}
				}
			}
			w := RunWords(rs)
			if len(w)%2 != 0 || w[len(w)-1] != 0 || w[len(w)-2] != 0 {
				t.Errorf("%s n=%d: words not terminated and padded: %v", name, n, w[len(w)-2:])
			}
			if (name == "bitonic" || name == "odd_even") && n == 64 && 3*len(rs) > len(p.Steps) {
				t.Errorf("%s n=64: %d runs for %d steps: the table does not compress", name, len(rs), len(p.Steps))
			}
		}
	}
}
