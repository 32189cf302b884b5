package bench

import (
	goruntime "runtime"
	"testing"

	"github.com/sortgen/sortgen/runtime"
)

// TestStepAllocatesNothing: a steady training loop reuses every buffer, on
// one goroutine and split across workers (the pool's calls are reused).
func TestStepAllocatesNothing(t *testing.T) {
	for _, procs := range []int{1, 2} {
		prev := goruntime.GOMAXPROCS(procs)
		for _, swap := range []string{"cauchy", "errorfree"} {
			tr, err := NewTrainer[float32](runtime.DefaultConfig("bitonic", 16, swap), 64)
			if err != nil {
				t.Fatal(err)
			}
			y := make([]float32, len(tr.X))
			step := func() {
				if _, err := tr.Step(); err != nil {
					t.Fatal(err)
				}
				if err := tr.S.Sort(y, tr.X); err != nil {
					t.Fatal(err)
				}
			}
			step()
			if a := testing.AllocsPerRun(50, step); a != 0 {
				t.Errorf("GOMAXPROCS=%d %s: %v allocations per step", procs, swap, a)
			}
		}
		goruntime.GOMAXPROCS(prev)
	}
}
