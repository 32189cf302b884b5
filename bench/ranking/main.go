// Command ranking trains a scorer through a differentiable sorting network
// from ordering supervision alone, on the multi-digit MNIST task of
// diffsort (Petersen et al., ICML 2021) and the error-free swap paper (Kim,
// Yoon & Cho, ICLR 2024): each sample is n four-digit numbers shown as
// images, the label is only their order. It reports acc_em, acc_ew and
// acc_em5 of the best validation checkpoint on the test split and writes a
// CSV log, a learning-curve PNG, checkpoints and result.json into -out.
//
//	go run ./bench/ranking -n 5 -network odd_even -swap errorfree -scorer transformer -steps 3000
package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/pprof"

	"github.com/sortgen/sortgen/bench/internal/mnist"
	_ "github.com/sortgen/sortgen/generated" // the checked-in kernels, registered with the runtime
	"github.com/sortgen/sortgen/runtime/train"
)

// defaultLR is ten times the papers' 10^-3.5: with a tenth of their steps
// budget, the faster start matters more than the last fraction of a percent.
var defaultLR = math.Pow(10, -2.5)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		var usage *usageError
		if errors.As(err, &usage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// A usageError is a mistake in the command line: status 2, not 1.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// errResumeForce is the error for -resume with -force, which would
// otherwise resume and ignore -force.
var errResumeForce = &usageError{"ranking: -resume continues the run in -out and -force starts it over: give one, not both"}

func run(args []string) error {
	fs := flag.NewFlagSet("ranking", flag.ContinueOnError)
	o := options{Progress: true, Log: os.Stdout}
	fs.StringVar(&o.Data, "data", "mnist", "task: mnist (4-digit multi-MNIST) or synthetic (random linear scores)")
	fs.IntVar(&o.N, "n", 5, "items per sample")
	digits := fs.Int("digits", 4, "digits per number (mnist)")
	fs.StringVar(&o.Network, "network", "odd_even", "sorting network")
	fs.StringVar(&o.Swap, "swap", "errorfree", "swap function (cauchy, errorfree, logistic, optimal, ...)")
	fs.StringVar(&o.Base, "base", "", "soft base of errorfree (default cauchy)")
	fs.Float64Var(&o.Steepness, "steepness", 10, "steepness beta of the swap function")
	fs.StringVar(&o.Scorer, "scorer", train.ScorerTransformer, "scorer: digits, transformer, mlp or linear")
	fs.IntVar(&o.Hidden, "hidden", 128, "hidden width (mlp; per-digit MLP of digits and transformer)")
	fs.Float64Var(&o.Scale, "scale", 1, "digits scorer: initial place value of the first digit (the score starts in [0, 10*scale))")
	fs.IntVar(&o.D, "d", 32, "transformer width")
	fs.IntVar(&o.Heads, "heads", 4, "transformer heads")
	fs.IntVar(&o.Layers, "layers", 2, "transformer encoder layers")
	fs.Float64Var(&o.FeatureWeight, "feature-weight", 1, "weight of the error-free loss's feature term (swap errorfree)")
	fs.IntVar(&o.FeatureGroup, "feature-group", 4, "the feature term compares the order within groups of this many items, as the error-free paper's code (0: whole samples)")
	fs.IntVar(&o.Steps, "steps", 9000, "training steps")
	fs.IntVar(&o.Batch, "batch", 100, "samples per batch")
	fs.Float64Var(&o.LR, "lr", defaultLR, "Adam learning rate (the papers' 10^-3.5 is for 100k steps; 10^-2.5 with halving suits a 10-minute run)")
	fs.Float64Var(&o.WeightDecay, "weight-decay", 0, "AdamW decoupled weight decay (0: Adam)")
	fs.IntVar(&o.DecayEvery, "lr-halve-every", 3000, "halve the learning rate every that many steps (0: never; the error-free paper halves every 50000)")
	fs.Uint64Var(&o.Seed, "seed", 0, "seed of weights and data")
	fs.BoolVar(&o.Float32, "float32", false, "run the sorter in float32")
	fs.IntVar(&o.EvalEvery, "eval-every", 500, "validate every that many steps")
	fs.IntVar(&o.ValidSize, "valid-size", 0, "validation samples (0: one per validation image, 5000, as the papers)")
	fs.IntVar(&o.TestSize, "test-size", 0, "test samples (0: one per test image, 10000, as the papers)")
	fs.StringVar(&o.Out, "out", "", "output directory (default ranking-runs/<data>-n<n>-<network>-<swap>-<scorer>-s<seed>)")
	fs.BoolVar(&o.Resume, "resume", false, "continue the run in -out from its checkpoint (not with -force)")
	fs.BoolVar(&o.Force, "force", false, "start over even if -out holds a run (not with -resume)")
	dataDir := fs.String("data-dir", "", "directory of the MNIST .gz files (default: the GoMNIST module's data)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	switch err := fs.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		return nil // the flag package printed the usage
	case err != nil:
		return &usageError{"ranking: " + err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("ranking: unexpected arguments %q", fs.Args())}
	}
	if o.Resume && o.Force {
		return errResumeForce
	}
	o.Progress = !*quiet
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if o.Out == "" {
		o.Out = filepath.Join("ranking-runs", fmt.Sprintf("%s-n%d-%s-%s-%s-s%d", o.Data, o.N, o.Network, o.Swap, o.Scorer, o.Seed))
	}
	var data dataSource
	switch o.Data {
	case "mnist":
		m, err := mnist.Load(*dataDir)
		if err != nil {
			return err
		}
		d, err := newMNISTData(m, o.N, *digits, o.Seed, o.ValidSize, o.TestSize)
		if err != nil {
			return err
		}
		data = d
	case "synthetic":
		if o.N < 2 {
			return fmt.Errorf("ranking: need n >= 2, got %d", o.N)
		}
		data = newSynthetic(o.N, 16, o.Seed, o.ValidSize, o.TestSize)
	default:
		return fmt.Errorf("ranking: unknown -data %q (want mnist or synthetic)", o.Data)
	}
	fmt.Printf("ranking: %s n=%d network %s swap %s steepness %g scorer %s, %d steps of %d samples, out %s\n",
		o.Data, o.N, o.Network, o.Swap, o.Steepness, o.Scorer, o.Steps, o.Batch, o.Out)
	res, err := runTraining(o, data)
	if err != nil {
		return err
	}
	fmt.Printf("best validation step %d: acc_em %.4f acc_ew %.4f acc_em5 %.4f\n", res.BestStep, res.Valid.EM, res.Valid.EW, res.Valid.EM5)
	fmt.Printf("test (%d samples): acc_em %.4f acc_ew %.4f acc_em5 %.4f  (%d params, %d steps, %.0fs training)\n",
		res.Test.Samples, res.Test.EM, res.Test.EW, res.Test.EM5, res.Params, res.Steps, res.Elapsed)
	return nil
}
