// Package runtime runs differentiable sorting networks on batches of rows:
// a Sorter computes the relaxed sorted values, the relaxed permutation
// matrix P and the gradients of both, on a generated kernel when one is
// registered for the configuration and on the interpreter otherwise. The
// runtime imports no kernel: a blank import of a package generated with
// sortgen -register registers it (package runtime/registry), and one of
// github.com/sortgen/sortgen/generated registers every checked-in one. The
// package also has the sorting layer of a float64 model (SortLayer), the
// losses on P (BCE, BCEPT, FeatureMSE, FeatureGroupMSE) and a fused training
// step on diffsort's loss (Sorter.StepBCE); for top-k, a top-k sorter
// (Config.TopK), its layer (TopKLayer) and difftopk's top-k cross-entropy
// (TopKCrossEntropy). Layers, scorers, Adam, Model and checkpoint files are in
// package runtime/train.
//
// A sorter for a network, size and swap, a forward pass of a batch of rows
// with P and what the backward pass needs, and the gradient with respect to
// the scores:
//
//	s, err := runtime.New[float32](runtime.DefaultConfig("odd_even", 32, "cauchy"))
//	r, err := s.Forward(x, runtime.WantP|runtime.WantGrad) // x: batch rows of 32 scores
//	// r.Y: sorted values, batch x 32; r.P(): P[i][j] of row b at b*32*32 + i*32 + j
//	gx, err := s.Backward(r, gy, gP) // dL/dx from dL/dy and dL/dP (either may be nil)
//
// The package example runs this on a small batch; the examples of
// Sorter.Forward and Sorter.StepBCE show P and a training loop. Sort is the
// inference path, ForwardInto and BackwardInto reuse buffers so that a
// training loop allocates nothing.
//
// # Ranks
//
// The losses (and train's metrics) take the true order of each row as ranks,
// one int per item: ranks[b*n+i] is the sorted (ascending) position of item
// i of row b, 0 for the row's smallest item and n-1 for its largest. Each
// row of ranks is thus a permutation of 0..n-1 (CheckRanks), the inverse of
// an argsort: for the row (0.3, 2, -1, 0.5) the ranks are (1, 3, 0, 2), its
// argsort (2, 0, 3, 1). The target permutation matrix is Q[i][j] = 1 iff
// ranks[b*n+i] == j, in the orientation of P, and Result.Ranks is the
// sorter's relaxed estimate of the same positions.
//
// # Training steps
//
// Sorter.StepBCE is a whole training step on diffsort's loss (forward with
// P, BCE against the true ranks, backward to the scores) in one pass: each
// block of rows (up to 64, fewer where a row's tape is large, one row at
// bitonic n = 1024) runs forward, loss and backward before the next block
// starts, with the block's tape, column differences and dL/dP in a buffer
// per goroutine. A step then holds Y and P for the batch plus one block's
// tape per goroutine (Sorter.StepBytes) instead of the batch's tape, reads
// it back from cache, and synchronises its goroutines once instead of
// three times. Only where one block per goroutine would pass
// Config.MaxTapeBytes (odd_even n = 1024) does it run the three passes
// separately, in segments as below. ForwardInto, BCEPT and BackwardPT
// remain for other losses and for gradients with respect to Y. BCE needs a
// soft swap: the P of hard and errorfree is exactly a permutation, so
// StepBCE and Sorter.BCEPT refuse them (ErrHardP), and train.Model trains
// errorfree on the error-free paper's loss instead.
//
// # Top-k
//
// A sorter with Config.TopK = k runs a selection network: the sorting
// network pruned to the comparators its k largest outputs depend on
// (networks.TopK), or, for Network "splitter_selection", a splitter
// selection network (networks.SplitterSelection); a given Config.Net must
// select (networks.VerifyTopK). ForwardTopK computes the k top values,
// ascending, and X = P[:, n-k:], each input's weight at the k largest
// positions, right to left through the network at k entries per
// comparator instead of P's n; BackwardTopK maps dL/dtop and dL/dX to the
// scores. Both equal Forward and Backward of the same sorter read at the
// last k wires and columns (to rounding), at a fraction of the cost:
//
//	cfg := runtime.DefaultConfig("splitter_selection", 100, "cauchy")
//	cfg.TopK = 5
//	s, err := runtime.New[float32](cfg)
//	r, err := s.ForwardTopK(x, runtime.WantGrad) // r.Top: batch x 5; r.X: batch x 100 x 5
//	gx, err := s.BackwardTopK(r, gtop, gX)      // either may be nil
//
// TopKCrossEntropy is difftopk's classification loss on that X: the label's
// mass among the k' largest logits, weighted by a distribution over k',
// with the top-1 term from a softmax ("sm"), an extra cross-entropy
// ("smce") or the sorter alone ("sort"), and optionally on a pre-selection
// of the M largest logits only:
//
//	l, err := runtime.NewTopKCrossEntropy[float32](runtime.TopKLossConfig{
//		Network: "splitter_selection", Swap: "cauchy", Steepness: 10,
//		Classes: 1000, PK: []float64{0.5, 0, 0, 0, 0.5}, M: 16})
//	loss, err := l.Loss(gLogits, logits, labels) // gLogits: dL/dlogits, batch x 1000
//
// # Memory and recomputation segments
//
// A forward pass keeps, per row, Y and P (n + n^2 elements) and the tape,
// (d*slope, alpha, slope) per comparator (3 per comparator). A gradient with
// respect to P also needs, for every comparator, the difference of the two
// columns of P it mixes, taken before it, over the rows that can be
// non-zero: the column-difference tape, plan.DiffLen elements per row
// (4,128 for bitonic n = 32, 9.4 M for bitonic n = 1024, 358 M for odd_even
// n = 1024).
//
// A forward pass with WantP|WantGrad keeps that tape whole when
// batch*DiffLen elements fit Config.MaxTapeBytes (DefaultMaxTapeBytes,
// 512 MiB, by default). Otherwise it runs in segments: it splits the comparators
// into K segments of about equal difference size (a boundary may fall inside
// a layer) and keeps, per row, a snapshot of the state at the start of each
// segment, the n values and, except at the first, P. A backward pass with
// dL/dP then takes the segments last to first: it restores the segment's
// snapshot into scratch, runs the segment's forward steps again, recording
// their differences, and runs the segment's backward steps. The results are
// bitwise those of a whole-tape pass on the interpreter; the price is one
// more forward pass with P (the README's memory table has the times).
// Result.Segments reports which mode a pass used, Sorter.ForwardBytes what
// it takes.
//
// Memory per row, in elements, besides Y, P and the tape:
//
//   - whole tape: DiffLen;
//   - in K segments: K*n + (K-1)*n^2 for the snapshots; and every goroutine
//     running the backward pass borrows n + n^2 + S, where S, the largest
//     segment's differences, is about DiffLen/K, from a pool the sorter
//     keeps (so that a training loop allocates nothing).
//
// The classic choice, K = sqrt(DiffLen/n^2), balances the snapshots of a
// row against its recomputed differences. Here the differences are held
// per goroutine, which works one row at a time, rather than per row, so
// for batch rows on g goroutines the total is least at about
// K = sqrt(g*DiffLen / (batch*(n^2+n))) (at least 1), about
// 2*n*sqrt(g*batch*DiffLen) elements. Float32, batch 16 (one goroutine):
// bitonic n = 1024 takes K = 1 and 42 MB of scratch instead of a 604 MB
// tape; odd_even n = 1024 takes K = 5, 269 MB of snapshots and 290 MB of
// scratch instead of 22.9 GB.
//
// Only the interpreter can run a range of steps, so a segmented pass
// runs forward and backward on the interpreter even when the sorter has a
// generated kernel. The interpreter is the oracle the generated kernels
// are tested against (to 1e-5 relative for float32, 1e-12 for float64),
// but slower (about 4x at n = 128, float32). With the default bound the
// checked-in kernels run in segments only for large calls: bitonic n = 128
// beyond 681 rows (float64) or 1,363 (float32), odd_even n = 32 beyond
// 6,150 or 12,300, the others beyond 16,000. A larger MaxTapeBytes keeps
// such calls on the kernel.
package runtime
