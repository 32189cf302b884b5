package bench

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sortgen/sortgen/runtime"
)

var (
	benchNetworks = []string{"odd_even", "bitonic"}
	benchSizes    = []int{8, 32, 128, 1024}
	benchSwaps    = []string{"cauchy", "logistic", "errorfree"}
)

// batchFor is 256 rows, fewer where P (n*n per row) would not fit memory
// comfortably.
func batchFor(n int) int {
	switch {
	case n >= 1024:
		return 16
	case n >= 128:
		return 64
	}
	return 256
}

// trainData is a batch of random scores and, as the target, their true ranks.
func trainData[T runtime.Float](n, batch int) ([]T, []int) {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(batch)))
	x := make([]T, n*batch)
	ranks := make([]int, n*batch)
	for b := 0; b < batch; b++ {
		row := x[b*n : (b+1)*n]
		for i := range row {
			row[i] = T(rng.NormFloat64())
		}
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, c int) int {
			switch {
			case row[a] < row[c]:
				return -1
			case row[a] > row[c]:
				return 1
			}
			return 0
		})
		for r, i := range order {
			ranks[b*n+i] = r
		}
	}
	return x, ranks
}

// trainStep is one step of ranking supervision as the peer measures it:
// forward with P, BCE against the true permutation, backward to the scores.
func trainStep[T runtime.Float](b *testing.B, network string, n int, swap string) {
	cfg := runtime.DefaultConfig(network, n, swap)
	s, err := runtime.New[T](cfg)
	if err != nil {
		b.Fatal(err)
	}
	batch := batchFor(n)
	x, ranks := trainData[T](n, batch)
	var r runtime.Result[T]
	gpt := make([]T, batch*n*n)
	gx := make([]T, batch*n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := s.ForwardInto(&r, x, runtime.WantP|runtime.WantGrad); err != nil {
			b.Fatal(err)
		}
		if _, err := runtime.BCEPT(gpt, r.PT(), ranks, n); err != nil {
			b.Fatal(err)
		}
		if err := s.BackwardPT(gx, &r, nil, gpt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "samples/s")
}

func BenchmarkTrainStep(b *testing.B) {
	for _, network := range benchNetworks {
		for _, n := range benchSizes {
			for _, swap := range benchSwaps {
				b.Run(fmt.Sprintf("%s/n=%d/%s/float32", network, n, swap), func(b *testing.B) {
					trainStep[float32](b, network, n, swap)
				})
				b.Run(fmt.Sprintf("%s/n=%d/%s/float64", network, n, swap), func(b *testing.B) {
					trainStep[float64](b, network, n, swap)
				})
			}
		}
	}
}

// forward is inference: relaxed sorted values only, no P, no tape.
func forward[T runtime.Float](b *testing.B, network string, n int, swap string) {
	s, err := runtime.New[T](runtime.DefaultConfig(network, n, swap))
	if err != nil {
		b.Fatal(err)
	}
	batch := batchFor(n)
	x, _ := trainData[T](n, batch)
	y := make([]T, len(x))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := s.Sort(y, x); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "samples/s")
}

func BenchmarkForward(b *testing.B) {
	for _, network := range benchNetworks {
		for _, n := range benchSizes {
			for _, swap := range benchSwaps {
				b.Run(fmt.Sprintf("%s/n=%d/%s/float32", network, n, swap), func(b *testing.B) {
					forward[float32](b, network, n, swap)
				})
				b.Run(fmt.Sprintf("%s/n=%d/%s/float64", network, n, swap), func(b *testing.B) {
					forward[float64](b, network, n, swap)
				})
			}
		}
	}
}

// BenchmarkHardSort compares the hard swap as a plain batch sorter with
// slices.Sort on the same float32 rows (copied first in both cases).
func BenchmarkHardSort(b *testing.B) {
	for _, n := range []int{8, 32, 128} {
		const batch = 256
		x, _ := trainData[float32](n, batch)
		y := make([]float32, len(x))
		b.Run(fmt.Sprintf("n=%d/sortgen", n), func(b *testing.B) {
			s, err := runtime.New[float32](runtime.DefaultConfig("bitonic", n, "hard"))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Sort(y, x); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "rows/s")
		})
		b.Run(fmt.Sprintf("n=%d/slices.Sort", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				copy(y, x)
				for r := 0; r < batch; r++ {
					slices.Sort(y[r*n : (r+1)*n])
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
