// Command chart measures the training step (forward with P, BCE, backward;
// bitonic, float32, cauchy, batch as in the benchmarks, one core) per
// backend and size, prints a Markdown table and draws throughput against n
// as a PNG:
//
//	go run ./bench/chart -o bench/throughput.png
//
// Backends: the interpreter, the generated Go kernels and the generated
// AVX2 kernels, the last two wherever generated/ has the configuration.
package main

import (
	"flag"
	"fmt"
	"log"
	goruntime "runtime"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/sortgen/sortgen/bench"
	"github.com/sortgen/sortgen/gen/plan"
	_ "github.com/sortgen/sortgen/generated" // the checked-in kernels, registered
	"github.com/sortgen/sortgen/runtime"
	"github.com/sortgen/sortgen/runtime/registry"
)

func main() {
	out := flag.String("o", "bench/throughput.png", "PNG to write")
	network := flag.String("network", "bitonic", "network")
	swap := flag.String("swap", "cauchy", "swap function")
	flag.Parse()
	goruntime.GOMAXPROCS(1)
	sizes := []int{8, 16, 32, 128, 256, 1024}
	backends := []string{"interpreter", "go", "avx2", "avx512"}
	rates := map[string]plotter.XYs{}
	fmt.Printf("| n | %s |\n|---|---|---|---|\n", "interpreter | generated Go | generated AVX2")
	for _, n := range sizes {
		row := fmt.Sprintf("| %d |", n)
		for _, be := range backends {
			r, ok, err := measure(*network, *swap, n, be)
			if err != nil {
				log.Fatal(err)
			}
			if !ok {
				row += " – |"
				continue
			}
			row += fmt.Sprintf(" %.0f |", r)
			rates[be] = append(rates[be], plotter.XY{X: float64(n), Y: r})
		}
		fmt.Println(row)
	}
	if err := draw(*out, *network, *swap, backends, rates); err != nil {
		log.Fatal(err)
	}
	fmt.Println("wrote", *out)
}

// measure returns training samples/s of one backend, or ok false when the
// backend has no kernel for the configuration.
func measure(network, swap string, n int, backend string) (rate float64, ok bool, err error) {
	cfg := runtime.DefaultConfig(network, n, swap)
	if backend != "interpreter" {
		k, found := kernelFor(cfg)
		if !found {
			return 0, false, nil
		}
		prev, err := k.SetLevel(backend)
		if err != nil {
			return 0, false, nil // not a level of this CPU
		}
		defer k.SetLevel(prev)
		cfg.Backend = runtime.Generated
	} else {
		cfg.Backend = runtime.Interpreter
	}
	batch := bench.BatchFor(n)
	tr, err := bench.NewTrainer[float32](cfg, batch)
	if err != nil {
		return 0, false, err
	}
	res := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			if _, err := tr.Step(); err != nil {
				b.Fatal(err)
			}
		}
	})
	if res.N == 0 {
		return 0, false, fmt.Errorf("benchmark of %s n=%d failed", backend, n)
	}
	return float64(res.N*batch) / res.T.Seconds(), true, nil
}

func kernelFor(cfg runtime.Config) (*registry.Kernel, bool) {
	s, err := runtime.New[float32](cfg)
	if err != nil {
		return nil, false
	}
	p := s.Plan()
	base := ""
	if p.Swap.Func == plan.ErrorFree {
		base = p.Swap.Base.String()
	}
	return registry.Lookup(p.Fingerprint(), p.TopK, p.Swap.Func.String(), base, "float32")
}

func draw(path, network, swap string, backends []string, rates map[string]plotter.XYs) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("training step, %s, %s, float32, 1 core", network, swap)
	p.X.Label.Text = "n"
	p.Y.Label.Text = "samples/s"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	var args []any
	for _, be := range backends {
		if len(rates[be]) > 0 {
			args = append(args, be, rates[be])
		}
	}
	if err := plotutil.AddLinePoints(p, args...); err != nil {
		return err
	}
	p.Legend.Top = true
	return p.Save(7*vg.Inch, 4.5*vg.Inch, path)
}
