// Command topk trains an MNIST classifier with difftopk's top-k
// cross-entropy (Petersen et al., ICML 2022) through a compiled selection
// network, next to plain softmax cross-entropy, and reports top-1 and top-5
// accuracy on the test split:
//
//	go run ./bench/topk -epochs 3
//
// The model is a one-hidden-layer MLP on the 784 pixels; every loss trains
// the same initial weights on the same batches, so the rows of the table
// differ only by the loss.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
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

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("topk", flag.ContinueOnError)
	var o options
	fs.StringVar(&o.DataDir, "data-dir", "", "folder of the MNIST files (default: the GoMNIST module's data folder)")
	fs.IntVar(&o.Epochs, "epochs", 3, "passes over the 55,000 training images")
	fs.IntVar(&o.Batch, "batch", 100, "images per step")
	fs.IntVar(&o.Hidden, "hidden", 128, "hidden width of the MLP")
	fs.Float64Var(&o.LR, "lr", 1e-3, "Adam learning rate")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the initial weights and the batch order")
	fs.IntVar(&o.Limit, "limit", 0, "use only this many training images (0: all; for quick runs)")
	losses := fs.String("losses", "ce,topk", "comma-separated losses to train: ce (softmax cross-entropy), topk (difftopk's top-k cross-entropy)")
	fs.StringVar(&o.Network, "network", "splitter_selection", "selection network of the top-k loss: splitter_selection, or a sorting network pruned to its top k (odd_even, bitonic)")
	fs.StringVar(&o.Swap, "swap", "cauchy", "swap function of the top-k loss")
	fs.Float64Var(&o.Steepness, "steepness", 10, "steepness of the top-k loss's swap function")
	pk := fs.String("pk", "0.5,0,0,0,0.5", "P_K of the top-k loss: the weight of top-1, top-2, ... (sums to 1; its length is k)")
	fs.IntVar(&o.M, "m", 0, "pre-select the label and the m-1 largest other logits for the top-k loss (0: all ten classes)")
	fs.StringVar(&o.Top1Mode, "top1", "sm", "top-1 term of the top-k loss: sm (softmax), smce (an added softmax cross-entropy) or sort (the selection network alone)")
	fs.BoolVar(&o.Quiet, "quiet", false, "print only the table")
	fs.SetOutput(stdout)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("topk: unexpected argument %q", fs.Arg(0))}
	}
	var err error
	if o.PK, err = parseFloats(*pk); err != nil {
		return &usageError{"topk: -pk: " + err.Error()}
	}
	for _, l := range strings.Split(*losses, ",") {
		switch l = strings.TrimSpace(l); l {
		case "ce", "topk":
			o.Losses = append(o.Losses, l)
		default:
			return &usageError{fmt.Sprintf("topk: unknown loss %q (known: ce, topk)", l)}
		}
	}
	if o.Epochs < 1 || o.Batch < 1 || o.Hidden < 1 || !(o.LR > 0) || o.Limit < 0 {
		return &usageError{"topk: -epochs, -batch and -hidden must be >= 1, -lr > 0, -limit >= 0"}
	}
	if !o.Quiet {
		o.Log = stdout
	}
	res, err := experiment(o)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, table(res))
	return nil
}

func parseFloats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
