package runtime

import (
	"math"
	"sync"
	"unsafe"

	"github.com/sortgen/sortgen/gen/plan"
)

// DefaultMaxTapeBytes is the largest column-difference tape a forward pass
// keeps whole when Config.MaxTapeBytes is 0: 512 MiB.
const DefaultMaxTapeBytes = 512 << 20

// Segmented passes: see the package documentation (doc.go) for what
// they keep and what they cost. The snapshots of a row are its values at
// the start of each segment, then its P at the start of each segment but
// the first (the identity); the recomputation runs forwardSteps, the code
// of every forward pass, so its differences are bitwise the ones a
// whole-tape pass of the interpreter records.

// segmented reports whether a forward pass with WantP|WantGrad on batch
// rows runs in segments rather than keeping the whole difference tape.
func (s *Sorter[T]) segmented(batch int) bool {
	p := s.plan
	if len(p.Steps) == 0 {
		return false
	}
	limit := s.cfg.MaxTapeBytes
	if limit == 0 {
		limit = DefaultMaxTapeBytes
	}
	if limit < 0 {
		return true
	}
	var zero T
	// float64 arithmetic: DiffLen*batch*8 can pass 2^63 only for absurd
	// sizes, but the comparison must not wrap.
	return float64(batch)*float64(p.DiffLen)*float64(unsafe.Sizeof(zero)) > float64(limit)
}

// segmentCount is the number of segments K of a segmented pass over
// batch rows on g goroutines: the least total of snapshots,
// batch*(K*n + (K-1)*n^2), and recomputed differences, g*DiffLen/K.
func segmentCount(p *plan.Plan, batch, g int) int {
	n := float64(p.N())
	a := float64(batch) * (n*n + n) // per segment, snapshots
	c := float64(g) * float64(p.DiffLen)
	k := max(1, int(math.Sqrt(c/a)))
	// The optimum of a*K + c/K over integers is floor or ceil of sqrt(c/a).
	if a*float64(k+1)+c/float64(k+1) < a*float64(k)+c/float64(k) {
		k++
	}
	return min(k, len(p.Steps))
}

// appendSegments writes to dst[:0] the first step of each segment and then
// len(p.Steps): with steps > 0, segments of that many comparators;
// otherwise up to k segments of about DiffLen/k differences each. It
// returns the boundaries and the largest segment's difference count.
func appendSegments(dst []int, p *plan.Plan, k, steps int) ([]int, int) {
	dst = append(dst[:0], 0)
	if steps > 0 {
		for si := steps; si < len(p.Steps); si += steps {
			dst = append(dst, si)
		}
	} else {
		next := int64(1)
		for si := 1; si < len(p.Steps) && next < int64(k); si++ {
			// Cut before the first step whose differences start at or past
			// next/k of the tape.
			if off := int64(p.Steps[si].DiffOffset) * int64(k); off >= next*int64(p.DiffLen) {
				dst = append(dst, si)
				for next < int64(k) && off >= next*int64(p.DiffLen) {
					next++
				}
			}
		}
	}
	dst = append(dst, len(p.Steps))
	most := 0
	for i := 0; i+1 < len(dst); i++ {
		most = max(most, diffOffset(p, dst[i+1])-diffOffset(p, dst[i]))
	}
	return dst, most
}

// diffOffset is where step si's differences start; DiffLen for the end.
func diffOffset(p *plan.Plan, si int) int {
	if si == len(p.Steps) {
		return p.DiffLen
	}
	return p.Steps[si].DiffOffset
}

// snapshotLen is the per-row length of the snapshots of k segments: the
// values at each segment's start, then P at each but the first.
func snapshotLen(n, k int) int { return k*n + (k-1)*n*n }

// scratchLen is what a goroutine borrows for a segmented backward pass:
// one row's values and P, and the largest segment's differences.
func scratchLen(n, segDiff int) int { return n + n*n + segDiff }

// forwardSegmented is forward with P and the tape, keeping, instead of the
// column differences, every row's snapshots at the starts of the segments
// segs (the first step of each, then the number of steps) in snap
// (snapshotLen per row).
func (k *interpreter[T]) forwardSegmented(y, pt, tape, snap, x []T, segs []int) {
	p := k.p
	n := p.N()
	nseg := len(segs) - 1
	sl := snapshotLen(n, nseg)
	copy(y, x)
	for b := 0; b < len(x)/n; b++ {
		v, m := y[b*n:(b+1)*n], pt[b*n*n:(b+1)*n*n]
		tp, sn := tape[b*p.TapeLen:(b+1)*p.TapeLen], snap[b*sl:(b+1)*sl]
		identity(m, n)
		for s := 0; s < nseg; s++ {
			copy(sn[s*n:(s+1)*n], v)
			if s > 0 {
				copy(sn[nseg*n+(s-1)*n*n:], m)
			}
			k.forwardSteps(v, m, tp, nil, segs[s], segs[s+1], 0)
		}
	}
}

// backwardSegmented is backward with dL/dP (gpt, overwritten) for a pass that
// forwardSegmented recorded. work (scratchLen) holds one row's recomputed state
// and one segment's column differences at a time.
func (k *interpreter[T]) backwardSegmented(gx, gy, gpt, tape, snap []T, segs []int, work []T) {
	p := k.p
	n := p.N()
	nseg := len(segs) - 1
	sl := snapshotLen(n, nseg)
	if gy == nil {
		clear(gx)
	} else {
		copy(gx, gy)
	}
	v, m, df := work[:n], work[n:n+n*n], work[n+n*n:]
	for b := 0; b < len(gx)/n; b++ {
		g, gm := gx[b*n:(b+1)*n], gpt[b*n*n:(b+1)*n*n]
		tp, sn := tape[b*p.TapeLen:(b+1)*p.TapeLen], snap[b*sl:(b+1)*sl]
		for s := nseg - 1; s >= 0; s-- {
			from, to := segs[s], segs[s+1]
			copy(v, sn[s*n:(s+1)*n])
			if s == 0 {
				identity(m, n)
			} else {
				copy(m, sn[nseg*n+(s-1)*n*n:nseg*n+s*n*n])
			}
			base := diffOffset(p, from)
			// No tape: the forward weights do not depend on it, and the
			// result's tape is read, not written, by a backward pass.
			k.forwardSteps(v, m, nil, df, from, to, base)
			k.backwardSteps(g, gm, tp, df, from, to, base)
		}
	}
}

// scratchPool lends segmented backward passes their work space, one
// buffer per chunk of rows in progress, and keeps the buffers for the next
// pass, so a steady loop allocates nothing (a sync.Pool would drop buffers
// of hundreds of megabytes at every garbage collection). It holds on to as
// many buffers as chunks ever ran at the same time, each as large as the
// largest pass needed.
type scratchPool[T Float] struct {
	mu   sync.Mutex
	free [][]T
}

func (sp *scratchPool[T]) get(size int) []T {
	sp.mu.Lock()
	var buf []T
	if k := len(sp.free); k > 0 {
		buf = sp.free[k-1]
		sp.free[k-1] = nil
		sp.free = sp.free[:k-1]
	}
	sp.mu.Unlock()
	if cap(buf) < size {
		buf = make([]T, size)
	}
	return buf[:size]
}

func (sp *scratchPool[T]) put(buf []T) {
	sp.mu.Lock()
	sp.free = append(sp.free, buf)
	sp.mu.Unlock()
}

// ForwardBytes is the memory in bytes of a forward pass on batch rows with
// want: what the Result keeps (Y, P, the tape, and the column differences
// or, in segments, the snapshots), plus, when the pass runs in segments, the
// scratch its backward pass with dL/dP borrows (for each goroutine the
// call would use at the moment). It leaves out what the caller provides
// (x, dL/dP, dL/dx) and Result.P's row-major copy.
func (s *Sorter[T]) ForwardBytes(batch int, want Want) int64 {
	p, n := s.plan, int64(s.N())
	b := int64(batch)
	elems := b * n
	if want&WantP != 0 {
		elems += b * n * n
	}
	if want&WantGrad != 0 {
		elems += b * int64(p.TapeLen)
		if want&WantP != 0 {
			if s.segmented(batch) {
				g := goroutines(s.workers, batch)
				segs, most := appendSegments(nil, p, segmentCount(p, batch, g), s.cfg.SegmentSteps)
				elems += b*int64(snapshotLen(int(n), len(segs)-1)) + int64(g)*int64(scratchLen(int(n), most))
			} else {
				elems += b * int64(p.DiffLen)
			}
		}
	}
	var zero T
	return elems * int64(unsafe.Sizeof(zero))
}
