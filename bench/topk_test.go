package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sortgen/sortgen/runtime"
)

// topKMethods are the ways BenchmarkTopK runs one forward and backward pass
// for the k largest of n:
//   - topk: the selection network, X = P[:, n-k:] right to left (k entries
//     per comparator), Sorter.ForwardTopK and BackwardTopK;
//   - topk-P: the same selection network through the whole P (n entries
//     per comparator), dL/dX placed in P's last k columns;
//   - sort: the whole sorting network (odd_even or bitonic) and its P.
var topKMethods = []string{"topk", "topk-P", "sort"}

// BenchmarkTopK compares top-k through a selection network with the full
// sort, float32 cauchy, named <network>/n=<n>/k=<k>/<method>; it reports
// samples/s and the network's comparators.
func BenchmarkTopK(b *testing.B) {
	for _, n := range []int{100, 1000} {
		for _, k := range []int{1, 5, 10} {
			for _, network := range []string{"splitter_selection", "bitonic", "odd_even"} {
				for _, m := range topKMethods {
					if m == "sort" && network == "splitter_selection" {
						continue // it selects, it does not sort
					}
					if m != "topk" && network == "odd_even" && n == 1000 {
						continue // n*n entries for each of ~500,000 comparators: tens of seconds a pass
					}
					b.Run(fmt.Sprintf("%s/n=%d/k=%d/%s", network, n, k, m), func(b *testing.B) { topKPass(b, network, n, k, m) })
				}
			}
		}
	}
}

func topKPass(b *testing.B, network string, n, k int, method string) {
	cfg := runtime.DefaultConfig(network, n, "cauchy")
	if method != "sort" {
		cfg.TopK = k
	}
	s, err := runtime.New[float32](cfg)
	if err != nil {
		b.Fatal(err)
	}
	batch := BatchFor(n)
	if n >= 1000 && method != "topk" {
		batch = 16 // P and dL/dP are n*n per row
	}
	x, _ := Data[float32](n, batch)
	rng := rand.New(rand.NewPCG(uint64(n), uint64(k)))
	gtop, gX := make([]float32, batch*k), make([]float32, batch*n*k)
	for i := range gtop {
		gtop[i] = float32(rng.NormFloat64())
	}
	for i := range gX {
		gX[i] = float32(rng.NormFloat64())
	}
	gx := make([]float32, batch*n)
	var step func() error
	if method == "topk" {
		var r runtime.TopKResult[float32]
		step = func() error {
			if err := s.ForwardTopKInto(&r, x, runtime.WantGrad); err != nil {
				return err
			}
			return s.BackwardTopKInto(gx, &r, gtop, gX)
		}
	} else {
		// dL/dtop on the last k wires, dL/dX in the last k columns of P.
		gy, gP := make([]float32, batch*n), make([]float32, batch*n*n)
		for r := 0; r < batch; r++ {
			for j := 0; j < k; j++ {
				gy[r*n+n-k+j] = gtop[r*k+j]
				for i := 0; i < n; i++ {
					gP[r*n*n+i*n+n-k+j] = gX[r*n*k+i*k+j]
				}
			}
		}
		var r runtime.Result[float32]
		step = func() error {
			if err := s.ForwardInto(&r, x, runtime.WantP|runtime.WantGrad); err != nil {
				return err
			}
			return s.BackwardInto(gx, &r, gy, gP)
		}
	}
	if err := step(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := step(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(float64(s.Plan().Network.Size()), "comparators")
}
