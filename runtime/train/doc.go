// Package train is a small kit for training ranking models through a
// differentiable sorter of package runtime from ordering supervision
// alone: layers with hand-written backward passes (Linear, ReLU,
// LayerNorm, SelfAttention, EncoderLayer, ...) over gonum matrices,
// scorers built from them, Adam / AdamW, a Model that joins a scorer, a
// sorting layer and a loss, ranking metrics, and checkpoint files of
// parameters and optimiser state.
//
// A model, one training step on a batch and its accuracy:
//
//	model, err := train.NewModel(train.ModelConfig{
//		Scorer:  train.ScorerConfig{Kind: train.ScorerLinear, In: d},
//		Network: "odd_even", N: n, Swap: "cauchy", Steepness: 10,
//	}, rng)
//	opt, err := train.NewAdam(model.Params(), train.DefaultAdam())
//	opt.ZeroGrad()
//	loss, err := model.Train(x, ranks) // x: batch*n items x d features
//	err = opt.Update()
//	scores, err := model.Scores(x)
//	acc, err := train.RankAccuracy(scores, ranks, n)
//
// The package example trains such a model on a hidden linear order and
// saves a checkpoint. ranks[b*n+i] is the sorted (ascending) position of
// item i of sample b, as in package runtime. bench/ranking trains on
// multi-digit MNIST with this package.
//
// A checkpoint file (SaveCheckpoint, LoadCheckpoint) holds a JSON header
// (the caller's meta and state, the parameters' names and shapes) and the
// parameter values and Adam moments as little-endian float64, with a
// CRC-32; it is written to a temporary file and renamed into place, so a
// crash leaves the previous file whole. A file that is truncated, forged
// or damaged is ErrCorruptCheckpoint, one made for other parameters or
// meta ErrCheckpointMismatch.
package train
