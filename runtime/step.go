package runtime

import (
	"errors"
	"fmt"
	"unsafe"
)

// StepBCE runs one training step on diffsort's loss: the forward pass with
// P, BCE between P and the permutation matrix of ranks (the loss and the
// gradient of BCEPT), and the backward pass to the scores, written to gx
// (batch x n). It returns the loss.
//
// The numbers are those of ForwardInto(r, x, WantP|WantGrad), BCEPT and
// BackwardPT in a row, but the three run as one pass over the batch: a
// block of a few rows goes through all of them before the next block
// starts, so the block's tape, column differences and dL/dP stay in a
// scratch buffer of each goroutine, in cache, instead of in memory for the
// whole batch, and the goroutines meet once a step instead of three
// times. The loss is summed block by block in row order, so it does not
// depend on how many goroutines ran the step.
//
// r receives Y and P (its PT, P and Ranks methods work, for metrics); it keeps no tape,
// so it cannot be passed to Backward. When one block's differences per
// goroutine would pass Config.MaxTapeBytes (odd_even at n = 1024), the
// step runs the three passes one after the other, in segments.
//
// ranks[b*n+i] is the sorted (ascending) position of item i of row b of x,
// the position the step trains it towards. Each row of ranks must be a
// permutation of 0..n-1; otherwise the error is CheckRanks's, and gx and r
// are unspecified.
//
// A sorter whose swap is hard forward (hard, errorfree) refuses the step
// with ErrHardP: its P is exactly a permutation, and BCE on it does not
// train. For errorfree, train.Model's loss "errorfree" takes the BCE on a
// soft sorter instead.
func (s *Sorter[T]) StepBCE(gx []T, r *Result[T], x []T, ranks []int) (float64, error) {
	if err := softP(s.plan.Swap, "StepBCE", bceSorterInstead); err != nil {
		return 0, err
	}
	if err := s.notTopK("StepBCE"); err != nil {
		return 0, err
	}
	if r == nil {
		return 0, errNilResult
	}
	batch, err := s.checkRows("x", x)
	if err != nil {
		return 0, err
	}
	p, n := s.plan, s.N()
	switch {
	case !p.Swap.Differentiable():
		return 0, fmt.Errorf("runtime: swap %v is not differentiable", p.Swap)
	case len(gx) != batch*n:
		return 0, fmt.Errorf("runtime: gx has length %d, want %d", len(gx), batch*n)
	case len(ranks) != batch*n:
		return 0, fmt.Errorf("runtime: ranks has length %d, want %d (x is %d rows of n=%d)", len(ranks), batch*n, batch, n)
	}
	block := s.stepBlock()
	if s.stepSeparate(batch, block) {
		if err := s.ForwardInto(r, x, WantP|WantGrad); err != nil {
			return 0, err
		}
		r.gpWork = grow(r.gpWork, batch*n*n)
		loss, err := s.BCEPT(r.gpWork, r.pt, ranks)
		if err != nil {
			return 0, err
		}
		return loss, s.BackwardPT(gx, r, nil, r.gpWork)
	}

	r.n, r.batch, r.want, r.plan = n, batch, WantP, p
	r.Y = grow(r.Y, batch*n)
	r.ptBuf = grow(r.ptBuf, batch*n*n)
	r.pt, r.tape, r.diff, r.snap = r.ptBuf, nil, nil, nil
	r.pValid, r.ranksValid, r.stepped = false, false, true
	r.backend = s.Backend()

	c := s.pool.get()
	c.k, c.op, c.n, c.tapeLen, c.diffLen = s.k, opStepBCE, n, p.TapeLen, p.DiffLen
	c.y, c.x, c.pt, c.gx, c.ranks = r.Y, x, r.pt, gx, ranks
	c.inv, c.block, c.scratch = 1/float64(batch*n*n), block, &s.scratch
	c.minRows, c.align = s.stepMinRows(block), s.stepAlign(block)
	blocks := (batch + block - 1) / block
	if cap(c.partials) < blocks {
		c.partials = make([]float64, blocks)
	}
	c.partials = c.partials[:blocks]
	s.pool.run(s, s.workers, batch, c)
	var sum float64
	for _, v := range c.partials {
		sum += v
	}
	loss, bad := sum*c.inv, c.badRanks
	s.pool.release(c)
	if bad {
		return 0, CheckRanks(ranks, n)
	}
	if err := finite("dL/dx", gx); err != nil {
		return 0, fmt.Errorf("%w (the gradient overflowed)", err)
	}
	return loss, nil
}

// errStepped is Backward's answer to a StepBCE result.
var errStepped = errors.New("runtime: the result comes from StepBCE, which keeps no tape (its gradient is already computed): use ForwardInto for a separate backward pass")

// stepBlockBytes bounds the working set of one block of a fused step (its
// tape, differences, P and dL/dP): a fraction of the per-core L2 cache of
// current x86 processors (512 KiB to 2 MiB), so that the backward pass
// finds what the forward pass left.
const stepBlockBytes = 256 << 10

// maxStepBlock is the most rows per block of a fused step: a block costs
// three kernel calls with their argument checks, which small blocks of
// small rows do not amortise (bench/README.md).
const maxStepBlock = 64

// stepBlock is the number of rows per block of a fused step: as many as
// fit stepBlockBytes, at most maxStepBlock, a power of two so that chunks
// of whole blocks are also whole vector blocks; at least 16 for a generated
// kernel, whose AVX-512 code fills 16 lanes with 16 float32 rows and would
// run a smaller block mostly empty.
func (s *Sorter[T]) stepBlock() int {
	var zero T
	p, n := s.plan, s.N()
	row := int(unsafe.Sizeof(zero)) * (p.TapeLen + p.DiffLen + 2*n*n + n)
	b := maxStepBlock
	for b > 1 && b*row > stepBlockBytes {
		b /= 2
	}
	if _, ok := s.k.(*generatedKernel[T]); ok {
		b = max(b, 16)
	}
	return b
}

// stepMinRows is the fewest rows of a fused step worth a goroutine: the
// usual minimum, or a single block where a block is a single row (then a
// row is a large piece of work: bitonic n = 1024 takes tens of
// milliseconds).
func (s *Sorter[T]) stepMinRows(block int) int {
	if block == 1 {
		return 1
	}
	return minRowsPerWorker
}

// stepAlign is what a chunk of a fused step is a multiple of: whole blocks
// (the partial sums are per block), and whole vector blocks for a
// generated kernel.
func (s *Sorter[T]) stepAlign(block int) int {
	if _, ok := s.k.(*generatedKernel[T]); ok {
		return max(block, 8)
	}
	return block
}

// stepSeparate reports whether a fused step on batch rows would hold more
// differences, one block per goroutine, than Config.MaxTapeBytes allows
// (then the step runs in three passes, in segments).
func (s *Sorter[T]) stepSeparate(batch, block int) bool {
	g := goroutinesFor(s.workers, batch, s.stepMinRows(block))
	return s.segmented(g * min(block, batch))
}

// StepBytes is the memory in bytes a StepBCE on batch rows takes besides
// what the caller provides (x, ranks, dL/dx): Y and P for the batch, and
// for every goroutine running it a block's tape, differences and dL/dP; or,
// when the step runs separately (in segments), ForwardBytes and dL/dP for
// the batch.
func (s *Sorter[T]) StepBytes(batch int) int64 {
	var zero T
	size := int64(unsafe.Sizeof(zero))
	p, n, b := s.plan, int64(s.N()), int64(batch)
	block := s.stepBlock()
	if s.stepSeparate(batch, block) {
		return s.ForwardBytes(batch, WantP|WantGrad) + size*b*n*n
	}
	g := int64(goroutinesFor(s.workers, batch, s.stepMinRows(block)))
	per := int64(min(block, batch)) * (int64(p.TapeLen) + int64(p.DiffLen) + n*n)
	return size * (b*(n+n*n) + g*per)
}

// stepBCE runs rows [lo, hi) of a fused step, a block at a time; lo is a
// multiple of the block.
func (c *batchCall[T]) stepBCE(lo, hi int) {
	n, b := c.n, c.block
	work := c.scratch.get(b * (c.tapeLen + c.diffLen + n*n))
	tapes, diffs, gpts := work[:b*c.tapeLen], work[b*c.tapeLen:b*(c.tapeLen+c.diffLen)], work[b*(c.tapeLen+c.diffLen):]
	for at := lo; at < hi; at += b {
		end := min(at+b, hi)
		m := end - at
		tape, diff, gpt := tapes[:m*c.tapeLen], diffs[:m*c.diffLen], gpts[:m*n*n]
		pt := rows(c.pt, at, end, n*n)
		c.k.forward(rows(c.y, at, end, n), pt, tape, diff, rows(c.x, at, end, n))
		part, ok := bceRows(gpt, pt, c.ranks[at*n:end*n], n, c.inv)
		if !ok {
			c.mu.Lock()
			c.badRanks = true
			c.mu.Unlock()
			break
		}
		c.partials[at/b] = part
		c.k.backward(rows(c.gx, at, end, n), nil, gpt, tape, diff)
	}
	c.scratch.put(work)
}
