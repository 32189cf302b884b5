package bench

import (
	goruntime "runtime"
	"testing"

	"github.com/sortgen/sortgen/runtime"
)

// TestStepAllocatesNothing: a steady training loop reuses every buffer, on
// one goroutine and split across workers (the pool's calls are reused),
// keeping the whole tape or running in segments (the scratch of the
// recomputation is reused).
func TestStepAllocatesNothing(t *testing.T) {
	for _, procs := range []int{1, 2} {
		prev := goruntime.GOMAXPROCS(procs)
		for _, tc := range []struct {
			swap    string
			maxTape int64
		}{{"cauchy", 0}, {"logistic", 0}, {"cauchy", -1}, {"logistic", -1}} {
			cfg := runtime.DefaultConfig("bitonic", 16, tc.swap)
			cfg.MaxTapeBytes = tc.maxTape
			tr, err := NewTrainer[float32](cfg, 64)
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
				t.Errorf("GOMAXPROCS=%d %s MaxTapeBytes=%d: %v allocations per step", procs, tc.swap, tc.maxTape, a)
			}
		}
		goruntime.GOMAXPROCS(prev)
	}
}
