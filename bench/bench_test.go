package bench

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"testing"

	_ "github.com/sortgen/sortgen/generated" // the checked-in kernels, registered with the runtime
	"github.com/sortgen/sortgen/runtime"
)

var (
	benchNetworks = []string{"odd_even", "bitonic"}
	benchSizes    = []int{8, 32, 128, 1024}
	benchSwaps    = []string{"cauchy", "logistic", "errorfree"}
)

// maxTape is runtime.Config.MaxTapeBytes of the training steps: 0 for the
// default (512 MiB), a large value to keep the whole tape, -1 to run in
// segments always.
var maxTape = flag.Int64("maxtape", 0, "runtime.Config.MaxTapeBytes of TrainStep (0: default, -1: always in segments)")

// maxStepBytes is the most memory a benchmarked training step may hold.
const maxStepBytes = 24 << 30

// eachLevel runs bench as a sub-benchmark per level of the kernel package
// s runs (registry.Kernel.Levels: go, avx2, avx512), with the runtime's own
// vector kernels (BCE, input check) at the same level, restoring both
// afterwards; or once as "interpreter" without a package.
func eachLevel[T runtime.Float](b *testing.B, s *runtime.Sorter[T], bench func(b *testing.B)) {
	k, ok := KernelFor(s)
	if !ok {
		b.Run("interpreter", bench)
		return
	}
	prev, err := k.SetLevel("")
	if err != nil {
		b.Fatal(err)
	}
	defer k.SetLevel(prev)
	prevRuntime, err := runtime.SetLevel("")
	if err != nil {
		b.Fatal(err)
	}
	defer runtime.SetLevel(prevRuntime)
	for _, level := range k.Levels() {
		if _, err := k.SetLevel(level); err != nil {
			b.Fatal(err)
		}
		if _, err := runtime.SetLevel(level); err != nil {
			b.Fatal(err)
		}
		b.Run(level, bench)
	}
}

// trainStep benchmarks Trainer.Step, reporting samples/s, at each level.
func trainStep[T runtime.Float](b *testing.B, network string, n int, swap string) {
	batch := BatchFor(n)
	cfg := runtime.DefaultConfig(network, n, swap)
	cfg.MaxTapeBytes = *maxTape
	tr, err := NewTrainer[T](cfg, batch)
	if err != nil {
		b.Fatal(err)
	}
	eachLevel(b, tr.S, func(b *testing.B) { trainSteps(b, tr, batch) })
}

func trainSteps[T runtime.Float](b *testing.B, tr *Trainer[T], batch int) {
	if _, err := tr.Step(); errors.Is(err, runtime.ErrHardP) {
		// errorfree trains on the loss of train.Model, not on BCE alone.
		b.Skip(err)
	}
	// With recomputation segments every configuration fits a 24 GiB machine (the
	// largest, odd_even n=1024, holds about 0.9 GB): the guard is for
	// configurations added later.
	if bytes := StepBytes(tr.S, batch); bytes > maxStepBytes {
		b.Skipf("a step would hold %.1f GiB, more than %d GiB", float64(bytes)/(1<<30), maxStepBytes>>30)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := tr.Step(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "samples/s")
}

func BenchmarkTrainStep(b *testing.B) { sweep(b, trainStep[float32], trainStep[float64]) }

// forward is inference: relaxed sorted values only, no P, no tape.
func forward[T runtime.Float](b *testing.B, network string, n int, swap string) {
	s, err := runtime.New[T](runtime.DefaultConfig(network, n, swap))
	if err != nil {
		b.Fatal(err)
	}
	batch := BatchFor(n)
	x, _ := Data[T](n, batch)
	y := make([]T, len(x))
	eachLevel(b, s, func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := s.Sort(y, x); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "samples/s")
	})
}

func BenchmarkForward(b *testing.B) { sweep(b, forward[float32], forward[float64]) }

// sweep runs a benchmark for every network, size and swap, float32 and
// float64, named <network>/n=<n>/<swap>/<type>/<level> (the level of the
// kernel package, or "interpreter").
func sweep(b *testing.B, f32, f64 func(b *testing.B, network string, n int, swap string)) {
	for _, network := range benchNetworks {
		for _, n := range benchSizes {
			for _, swap := range benchSwaps {
				b.Run(fmt.Sprintf("%s/n=%d/%s/float32", network, n, swap), func(b *testing.B) { f32(b, network, n, swap) })
				b.Run(fmt.Sprintf("%s/n=%d/%s/float64", network, n, swap), func(b *testing.B) { f64(b, network, n, swap) })
			}
		}
	}
}

// BenchmarkHardSort compares the hard swap as a plain batch sorter with
// slices.Sort on the same float32 rows (copied first in both cases):
// "sortgen" is the bitonic network, "best" SorterHunter's best at n = 32.
func BenchmarkHardSort(b *testing.B) {
	for _, n := range []int{8, 32, 128} {
		const batch = 256
		x, _ := Data[float32](n, batch)
		y := make([]float32, len(x))
		networks := map[string]string{"sortgen": "bitonic"}
		if n == 32 {
			networks["best"] = "best"
		}
		for _, name := range []string{"sortgen", "best"} {
			network, ok := networks[name]
			if !ok {
				continue
			}
			b.Run(fmt.Sprintf("n=%d/%s", n, name), func(b *testing.B) {
				s, err := runtime.New[float32](runtime.DefaultConfig(network, n, "hard"))
				if err != nil {
					b.Fatal(err)
				}
				eachLevel(b, s, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if err := s.Sort(y, x); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "rows/s")
				})
			})
		}
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
