package main

import "github.com/sortgen/sortgen/runtime"

// newTopKLoss is difftopk's top-k cross-entropy over the ten classes,
// through the runtime's top-k sorter (registered kernels where the
// configuration has one, else the interpreter).
func newTopKLoss(o options) (loss, error) {
	return runtime.NewTopKCrossEntropy[float64](runtime.TopKLossConfig{
		Network: o.Network, Swap: o.Swap, Steepness: o.Steepness, ARTLambda: 0.25,
		Classes: classes, PK: o.PK, M: o.M, Top1Mode: o.Top1Mode,
	})
}
