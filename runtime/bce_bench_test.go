package runtime

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkBCEPT(b *testing.B) {
	const n, batch = 32, 256
	rng := rand.New(rand.NewPCG(1, 1))
	pt := make([]float32, batch*n*n)
	for i := range pt {
		pt[i] = rng.Float32()
	}
	ranks := make([]int, batch*n)
	for r := 0; r < batch; r++ {
		copy(ranks[r*n:], rng.Perm(n))
	}
	g := make([]float32, len(pt))
	for b.Loop() {
		BCEPT(g, pt, ranks, n)
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "samples/s")
}
