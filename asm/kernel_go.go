package asm

import (
	"bytes"
	"fmt"
	"go/format"
	"text/template"

	"github.com/sortgen/sortgen/gen"
	"github.com/sortgen/sortgen/gen/plan"
)

// glue emits FileGo: the dispatching xxxImpl functions.
func glue(p *plan.Plan, pkg string) ([]byte, error) {
	var b bytes.Buffer
	err := glueTemplate.Execute(&b, map[string]any{
		"Header":  gen.Header,
		"Pkg":     pkg,
		"T":       p.Elem.String(),
		"L":       Lanes(p.Elem),
		"N":       p.N(),
		"TapeLen": p.TapeLen,
		"DiffLen": p.DiffLen,
		"Swap":    p.Swap.String(),
		"Diff":    p.Swap.Differentiable(),
		"Params":  !p.Swap.HardForward(),
		"Steps":   len(p.Steps),
		"TopK":    p.TopK,
		"Hard":    p.Swap.HardForward(),
		"L2":      2 * Lanes(p.Elem),
		"Size":    map[plan.Elem]int{plan.Float32: 4, plan.Float64: 8}[p.Elem],
	})
	if err != nil {
		return nil, err
	}
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("asm: formatting %s: %w\n%s", FileGo, err, b.Bytes())
	}
	return src, nil
}

var glueTemplate = template.Must(template.New("glue").Parse(`{{.Header}}

//go:build !purego

package {{.Pkg}}

import (
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/cpu"
)

// Assembly kernels (amd64, without the purego tag), at two levels: AVX2+FMA
// and AVX-512 (F and DQ).
//
// The batch is cut into blocks of consecutive rows, {{.L}} at the AVX2 level
// (one row per YMM lane) and {{.L2}} at the AVX-512 level (one per ZMM lane),
// which run in assembly: every comparator is the same instruction sequence
// for all lanes. The rows after the last whole block, and every row at
// the Go level, run in the generic Go kernels (xxxGeneric), so results
// do not depend on the batch size or the level beyond rounding (all
// compute the weights in float64; the assembly rounds the last bits of
// the transcendental functions, P's FMAs and the order of the dot products
// differently). The hard and error-free swaps give bit-identical values
// and P at every level.
//
// This file, the assembly and its stubs build on amd64 without the purego
// tag; impl_noasm.go is the portable dispatch otherwise.
//
// A block of L rows is transposed to lane-major scratch (wire w of lane l
// at w*L + l; P column-major, P[i][j] of lane l at (j*n + i)*L + l),
// run through the network, and transposed back. The scratch comes from a
// sync.Pool: a steady loop allocates nothing.
//
// Aliasing: y may be x and gx may be gy (each block is read before it is
// written); no other arguments may overlap.
//
// Tape layout. Within a block of L rows starting at row r (a multiple
// of L from the start of the call), the block's tape occupies exactly
// tape[r*TapeLen : (r+L)*TapeLen], lane-major: member c (0: d*slope,
// 1: alpha, 2: slope) of step k for lane l is at offset (3k+c)*L + l.
// Its difference tape occupies diff[r*DiffLen : (r+L)*DiffLen]: the
// difference of row i of step k is at offset (DiffOffset(k)+i)*L + l.
// Tail rows keep the generic per-row layout. The backward pass must
// therefore see the same batch (the same rows, split the same way) as the
// forward pass that recorded the tape, on the same machine, at the same
// level (SetLevel); the runtime's Sorter guarantees all three.
{{- if .Diff}} The
// package's tests read tapes through tapeToGeneric, which undoes the
// blocks' layout.
{{- end}}
{{- if .TopK}}
//
// Top-k. ForwardTopK and BackwardTopK run whole blocks in assembly too:
// the value pass records the tape exactly as Forward does (lane-major as
// above), and Z = X is swept in lane-major scratch (Z[i][j] of lane l at
// (i*TopK + j)*L + l) and transposed into xk. Z mixes as the generic
// kernels do, products rounded separately{{if .Hard}}: the top values, X and the forward
// weights of the exact swap are bit-identical{{end}}.
{{- if .Diff}} A block's X tape occupies
// xtape[r*XTapeLen : (r+L)*XTapeLen], entry e of lane l at e*L + l
// (xtapeToGeneric undoes it), so the same rule holds: BackwardTopK must see
// the batch split as ForwardTopK did, at the same level.
{{- end}}
{{- end}}

// An asmLevel is one instruction set's kernels.
type asmLevel struct {
	name  string
	lanes int  // rows per block
	wide  bool // the avx512 kernels, else the avx2 ones
}

var (
	levelAVX2   = &asmLevel{name: LevelAVX2, lanes: {{.L}}}
	levelAVX512 = &asmLevel{name: LevelAVX512, lanes: {{.L2}}, wide: true}
)

// supportedLevels are the levels the CPU runs, slowest first.
var supportedLevels = func() []*asmLevel {
	var lv []*asmLevel
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		lv = append(lv, levelAVX2)
		if cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ {
			lv = append(lv, levelAVX512)
		}
	}
	return lv
}()

// asmCurrent is the level the entry points run, nil for the Go kernels:
// the fastest the CPU runs unless SetLevel chose another. Every call reads
// it once.
var asmCurrent atomic.Pointer[asmLevel]

func init() {
	if n := len(supportedLevels); n > 0 {
		asmCurrent.Store(supportedLevels[n-1])
	}
}

// SetLevel selects the kernels every caller of the package in the process
// runs, and returns the previous level: LevelGo, LevelAVX2, LevelAVX512, or
// "" for the fastest the CPU runs. It is for benchmarks and tests; a tape
// must be read back at the level that recorded it. A level the CPU lacks
// is an error, and nothing changes.
func SetLevel(level string) (previous string, err error) {
	var lv *asmLevel
	switch level {
	case "":
		if n := len(supportedLevels); n > 0 {
			lv = supportedLevels[n-1]
		}
	case LevelGo:
	default:
		for _, s := range supportedLevels {
			if s.name == level {
				lv = s
			}
		}
		if lv == nil {
			return Level(), fmt.Errorf("{{.Pkg}}: level %q is not one of this CPU's %v", level, Levels())
		}
	}
	return asmCurrent.Swap(lv).String(), nil
}

// Level names the kernels the entry points run: LevelGo, LevelAVX2 or
// LevelAVX512.
func Level() string { return asmCurrent.Load().String() }

// Levels lists the levels this CPU and build run, slowest first: LevelGo,
// then LevelAVX2 on CPUs with AVX2 and FMA, then LevelAVX512 on those with
// AVX-512 F and DQ too.
func Levels() []string {
	names := []string{LevelGo}
	for _, lv := range supportedLevels {
		names = append(names, lv.name)
	}
	return names
}

// String is the level's name; the nil level is LevelGo.
func (lv *asmLevel) String() string {
	if lv == nil {
		return LevelGo
	}
	return lv.name
}

const (
	asmWires     = {{.N}}
	asmMaxLanes  = {{.L2}}
	asmTapeLen   = {{.TapeLen}}
	asmDiffLen   = {{.DiffLen}}
	asmElemBytes = {{.Size}}
)

// block is the number of values in a block of rows; pblock of P's entries.
func (lv *asmLevel) block() int  { return asmWires * lv.lanes }
func (lv *asmLevel) pblock() int { return asmWires * asmWires * lv.lanes }

// blocks is the number of whole blocks of rows in values elements at the
// level in use, and that level (0 and nil at the Go level).
func asmBlocks(values int) (int, *asmLevel) {
	lv := asmCurrent.Load()
	if lv == nil {
		return 0, nil
	}
	return values / lv.block(), lv
}

// The level's kernels: the avx2 or the avx512 one of each (stubs_amd64.go).

func (lv *asmLevel) transposeIn(dst, src *{{.T}}, stride, m int) {
	if lv.wide {
		avx2TransposeInWide(dst, src, stride, m)
	} else {
		avx2TransposeIn(dst, src, stride, m)
	}
}

func (lv *asmLevel) transposeOut(dst, src *{{.T}}, stride, m int) {
	if lv.wide {
		avx2TransposeOutWide(dst, src, stride, m)
	} else {
		avx2TransposeOut(dst, src, stride, m)
	}
}

func (lv *asmLevel) sort(xs *{{.T}}, beta, lambda float64) {
	if lv.wide {
		avx512Sort(xs{{if .Params}}, beta, lambda{{end}})
	} else {
		avx2Sort(xs{{if .Params}}, beta, lambda{{end}})
	}
}

func (lv *asmLevel) forwardP(xs, ps, diff *{{.T}}, beta, lambda float64) {
	if lv.wide {
		avx512ForwardP(xs, ps, diff{{if .Params}}, beta, lambda{{end}})
	} else {
		avx2ForwardP(xs, ps, diff{{if .Params}}, beta, lambda{{end}})
	}
}
{{- if .Diff}}

func (lv *asmLevel) forward(xs, tape *{{.T}}, beta, lambda float64) {
	if lv.wide {
		avx512Forward(xs, tape, beta, lambda)
	} else {
		avx2Forward(xs, tape, beta, lambda)
	}
}

func (lv *asmLevel) forwardPTape(xs, ps, tape, diff *{{.T}}, beta, lambda float64) {
	if lv.wide {
		avx512ForwardPTape(xs, ps, tape, diff, beta, lambda)
	} else {
		avx2ForwardPTape(xs, ps, tape, diff, beta, lambda)
	}
}

func (lv *asmLevel) backward(gs, tape *{{.T}}) {
	if lv.wide {
		avx512Backward(gs, tape)
	} else {
		avx2Backward(gs, tape)
	}
}

func (lv *asmLevel) backwardP(gs, gps, tape, diff *{{.T}}) {
	if lv.wide {
		avx512BackwardP(gs, gps, tape, diff)
	} else {
		avx2BackwardP(gs, gps, tape, diff)
	}
}
{{- end}}
{{- if .TopK}}

func (lv *asmLevel) topKValues(xs, w *{{.T}}, beta, lambda float64) {
	if lv.wide {
		avx512TopKValues(xs, w{{if .Params}}, beta, lambda{{end}})
	} else {
		avx2TopKValues(xs, w{{if .Params}}, beta, lambda{{end}})
	}
}

func (lv *asmLevel) topKSweep(zs, w *{{.T}}, wstride int, zd *{{.T}}) {
	if lv.wide {
		avx512TopKSweep(zs, w, wstride, zd)
	} else {
		avx2TopKSweep(zs, w, wstride, zd)
	}
}
{{- if .Diff}}

func (lv *asmLevel) topKValuesTape(xs, w, tape *{{.T}}, beta, lambda float64) {
	if lv.wide {
		avx512TopKValuesTape(xs, w, tape, beta, lambda)
	} else {
		avx2TopKValuesTape(xs, w, tape, beta, lambda)
	}
}

func (lv *asmLevel) topKWork(hs, xt *{{.T}}) {
	if lv.wide {
		avx512TopKWork(hs, xt)
	} else {
		avx2TopKWork(hs, xt)
	}
}

func (lv *asmLevel) backwardWork(gs, tape, work *{{.T}}) {
	if lv.wide {
		avx512BackwardWork(gs, tape, work)
	} else {
		avx2BackwardWork(gs, tape, work)
	}
}
{{- end}}
{{- end}}

// asmScratch is the lane-major work space of one call, sized for the
// widest level.
type asmScratch struct {
	x []{{.T}} // values or their gradient
	p []{{.T}} // P or its gradient; allocated on first use
{{- if .TopK}}
	// Z (dL/dX in BackwardTopK), the soft sweep's Z under errorfree and
	// the forward weights without an X tape; allocated on first use.
	z, z2, w []{{.T}}
{{- end}}
}

var asmPool = sync.Pool{New: func() any { return &asmScratch{x: make([]{{.T}}, asmWires*asmMaxLanes)} }}

func asmGet(withP bool) *asmScratch {
	s := asmPool.Get().(*asmScratch)
	if withP && s.p == nil {
		s.p = make([]{{.T}}, asmWires*asmWires*asmMaxLanes)
	}
	return s
}
{{- if .TopK}}

// asmGetTopK is asmGet for the top-k kernels.
func asmGetTopK() *asmScratch {
	s := asmPool.Get().(*asmScratch)
	if s.z == nil {
		zb := asmWires * TopK * asmMaxLanes
		s.z, s.z2, s.w = make([]{{.T}}, zb), make([]{{.T}}, zb), make([]{{.T}}, numSteps*asmMaxLanes)
	}
	return s
}

// topKIdentity sets the lane-major scratch z to the last TopK columns of
// the identity: Z[N-TopK+j][j] = 1.
func (lv *asmLevel) topKIdentity(z []{{.T}}) {
	clear(z[:asmWires*TopK*lv.lanes])
	for j := range TopK {
		o := ((asmWires-TopK+j)*TopK + j) * lv.lanes
		for l := range lv.lanes {
			z[o+l] = 1
		}
	}
}

func forwardTopKImpl(top, xk, tape, xtape, x []{{.T}}, beta, lambda float64) {
	nb, lv := asmBlocks(len(x))
	r := 0
	if nb > 0 {
		L := lv.lanes
		rowBytes := L * asmElemBytes
		s := asmGetTopK()
		for b := range nb {
			r = b * L
			lv.transposeIn(&s.x[0], &x[b*lv.block()], asmWires, asmWires)
			w := s.w
{{- if .Diff}}
			var xt []{{.T}}
			if tape != nil {
				xt = xtape[r*XTapeLen : (r+L)*XTapeLen]
				w = xt[xtWeight*L:]
				lv.topKValuesTape(&s.x[0], &w[0], &tape[r*asmTapeLen], beta, lambda)
			} else {
				lv.topKValues(&s.x[0], &w[0], beta, lambda)
			}
{{- else}}
			lv.topKValues(&s.x[0], &w[0], beta, lambda)
{{- end}}
			lv.transposeOut(&top[r*TopK], &s.x[(asmWires-TopK)*L], TopK, TopK)
			lv.topKIdentity(s.z)
{{- if and .Diff (not .Hard)}}
			lv.topKSweep(&s.z[0], &w[0], rowBytes, asmAt(xt, 0))
{{- else}}
			lv.topKSweep(&s.z[0], &w[0], rowBytes, nil)
{{- end}}
{{- if and .Diff .Hard}}
			if tape != nil {
				// errorfree: the differences are those of the sweep that
				// mixes with the soft alpha of the tape.
				lv.topKIdentity(s.z2)
				lv.topKSweep(&s.z2[0], &tape[r*asmTapeLen+L], 3*rowBytes, &xt[0])
			}
{{- end}}
			lv.transposeOut(&xk[r*asmWires*TopK], &s.z[0], asmWires*TopK, asmWires*TopK)
		}
		asmPool.Put(s)
		r = nb * L
	}
	if t := r * asmWires; t < len(x) {
		forwardTopKGeneric(top[r*TopK:], xk[r*asmWires*TopK:], asmTail(tape, r*asmTapeLen), asmTail(xtape, r*XTapeLen), x[t:], beta, lambda)
	}
}
{{- if .Diff}}

func backwardTopKImpl(gx, gtop, gxk, tape, xtape []{{.T}}) {
	nb, lv := asmBlocks(len(gx))
	r := 0
	if nb > 0 {
		L := lv.lanes
		s := asmGetTopK()
		for b := range nb {
			r = b * L
			clear(s.x[:lv.block()])
			if gtop != nil {
				lv.transposeIn(&s.x[(asmWires-TopK)*L], &gtop[r*TopK], TopK, TopK)
			}
			tp := &tape[r*asmTapeLen]
			xt := xtape[r*XTapeLen : (r+L)*XTapeLen]
			if gxk == nil {
				clear(xt[xtWork*L:])
				lv.backward(&s.x[0], tp)
			} else {
				lv.transposeIn(&s.z[0], &gxk[r*asmWires*TopK], asmWires*TopK, asmWires*TopK)
				lv.topKWork(&s.z[0], &xt[0])
				lv.backwardWork(&s.x[0], tp, &xt[xtWork*L])
			}
			lv.transposeOut(&gx[b*lv.block()], &s.x[0], asmWires, asmWires)
		}
		asmPool.Put(s)
		r = nb * L
	}
	if t := r * asmWires; t < len(gx) {
		backwardTopKGeneric(gx[t:], asmTail(gtop, r*TopK), asmTail(gxk, r*asmWires*TopK), tape[r*asmTapeLen:], xtape[r*XTapeLen:])
	}
}

// xtapeToGeneric returns a copy of the X tape of batch rows in the generic
// per-row layout, for an X tape recorded at the current level (see
// tapeToGeneric).
func xtapeToGeneric(xtape []{{.T}}, batch int) []{{.T}} {
	nb, lv := asmBlocks(batch * asmWires)
	return asmRelayout(xtape, XTapeLen, nb, lv)
}
{{- end}}
{{- end}}

// identity sets the lane-major scratch p to the identity matrix.
func (lv *asmLevel) identity(p []{{.T}}) {
	clear(p[:lv.pblock()])
	for j := 0; j < asmWires; j++ {
		o := (j*asmWires + j) * lv.lanes
		for l := range lv.lanes {
			p[o+l] = 1
		}
	}
}

// asmTail is s[from:], or nil for a nil s.
func asmTail(s []{{.T}}, from int) []{{.T}} {
	if s == nil {
		return nil
	}
	return s[from:]
}

// asmAt is &s[i], or nil for a nil s.
func asmAt(s []{{.T}}, i int) *{{.T}} {
	if s == nil {
		return nil
	}
	return &s[i]
}

// allFinite reports whether no element of s is NaN or infinite, the fast
// path of checkFinite: the AVX2 kernel avx2AllFinite (asm.AllFinite; it
// runs at the speed of the loads, so AVX-512 would not pay) at either
// assembly level, else allFiniteGeneric.
func allFinite(s []{{.T}}) bool {
	if asmCurrent.Load() != nil {
		return avx2AllFinite(s)
	}
	return allFiniteGeneric(s)
}

func sortImpl(y, x []{{.T}}, beta, lambda float64) {
	nb, lv := asmBlocks(len(x))
	t := 0
	if nb > 0 {
		s := asmGet(false)
		for b := range nb {
			o := b * lv.block()
			lv.transposeIn(&s.x[0], &x[o], asmWires, asmWires)
			lv.sort(&s.x[0], beta, lambda)
			lv.transposeOut(&y[o], &s.x[0], asmWires, asmWires)
		}
		asmPool.Put(s)
		t = nb * lv.block()
	}
	if t < len(x) {
		sortGeneric(y[t:], x[t:], beta, lambda)
	}
}

func forwardPImpl(y, pt, tape, diff, x []{{.T}}, beta, lambda float64) {
	nb, lv := asmBlocks(len(x))
	r := 0
	if nb > 0 {
		L := lv.lanes
		s := asmGet(true)
		for b := range nb {
			o := b * lv.block()
			lv.transposeIn(&s.x[0], &x[o], asmWires, asmWires)
			lv.identity(s.p)
			dp := asmAt(diff, b*L*asmDiffLen)
{{- if .Diff}}
			if tape != nil {
				lv.forwardPTape(&s.x[0], &s.p[0], &tape[b*L*asmTapeLen], dp, beta, lambda)
			} else {
				lv.forwardP(&s.x[0], &s.p[0], dp, beta, lambda)
			}
{{- else}}
			lv.forwardP(&s.x[0], &s.p[0], dp, beta, lambda)
{{- end}}
			lv.transposeOut(&y[o], &s.x[0], asmWires, asmWires)
			lv.transposeOut(&pt[b*lv.pblock()], &s.p[0], asmWires*asmWires, asmWires*asmWires)
		}
		asmPool.Put(s)
		r = nb * L
	}
	if t := r * asmWires; t < len(x) {
		forwardPGeneric(y[t:], pt[r*asmWires*asmWires:], asmTail(tape, r*asmTapeLen), asmTail(diff, r*asmDiffLen), x[t:], beta, lambda)
	}
}
{{- if .Diff}}

func forwardImpl(y, tape, x []{{.T}}, beta, lambda float64) {
	nb, lv := asmBlocks(len(x))
	r := 0
	if nb > 0 {
		L := lv.lanes
		s := asmGet(false)
		for b := range nb {
			o := b * lv.block()
			lv.transposeIn(&s.x[0], &x[o], asmWires, asmWires)
			lv.forward(&s.x[0], &tape[b*L*asmTapeLen], beta, lambda)
			lv.transposeOut(&y[o], &s.x[0], asmWires, asmWires)
		}
		asmPool.Put(s)
		r = nb * L
	}
	if t := r * asmWires; t < len(x) {
		forwardGeneric(y[t:], tape[r*asmTapeLen:], x[t:], beta, lambda)
	}
}

// tapeToGeneric returns copies of the tape and the column differences
// (either may be nil) of batch rows in the generic per-row layout, for a
// tape recorded at the current level: whole blocks of rows are transposed
// from the lane-major layout, the tail is copied.
func tapeToGeneric(tape, diff []{{.T}}, batch int) (genericTape, genericDiff []{{.T}}) {
	nb, lv := asmBlocks(batch * asmWires)
	return asmRelayout(tape, asmTapeLen, nb, lv), asmRelayout(diff, asmDiffLen, nb, lv)
}

// asmLoadGrad transposes block b of gy into s.x, or clears s.x for a nil gy.
func (lv *asmLevel) loadGrad(s *asmScratch, gy []{{.T}}, b int) {
	if gy == nil {
		clear(s.x[:lv.block()])
		return
	}
	lv.transposeIn(&s.x[0], &gy[b*lv.block()], asmWires, asmWires)
}

func backwardImpl(gx, gy, tape []{{.T}}) {
	nb, lv := asmBlocks(len(gx))
	r := 0
	if nb > 0 {
		L := lv.lanes
		s := asmGet(false)
		for b := range nb {
			lv.loadGrad(s, gy, b)
			lv.backward(&s.x[0], &tape[b*L*asmTapeLen])
			lv.transposeOut(&gx[b*lv.block()], &s.x[0], asmWires, asmWires)
		}
		asmPool.Put(s)
		r = nb * L
	}
	if t := r * asmWires; t < len(gx) {
		backwardGeneric(gx[t:], asmTail(gy, t), tape[r*asmTapeLen:])
	}
}

func backwardPImpl(gx, gy, gpt, tape, diff []{{.T}}) {
	if gpt == nil {
		backwardImpl(gx, gy, tape)
		return
	}
	nb, lv := asmBlocks(len(gx))
	r := 0
	if nb > 0 {
		L := lv.lanes
		s := asmGet(true)
		for b := range nb {
			lv.loadGrad(s, gy, b)
			lv.transposeIn(&s.p[0], &gpt[b*lv.pblock()], asmWires*asmWires, asmWires*asmWires)
			lv.backwardP(&s.x[0], &s.p[0], &tape[b*L*asmTapeLen], &diff[b*L*asmDiffLen])
			lv.transposeOut(&gx[b*lv.block()], &s.x[0], asmWires, asmWires)
		}
		asmPool.Put(s)
		r = nb * L
	}
	if t := r * asmWires; t < len(gx) {
		backwardPGeneric(gx[t:], asmTail(gy, t), gpt[r*asmWires*asmWires:], tape[r*asmTapeLen:], diff[r*asmDiffLen:])
	}
}
{{- end}}
{{- if .Diff}}

// asmRelayout copies s (per values per row) with its first nb blocks of
// level lv transposed from lane-major to per-row.
func asmRelayout(s []{{.T}}, per, nb int, lv *asmLevel) []{{.T}} {
	if s == nil {
		return nil
	}
	out := make([]{{.T}}, len(s))
	copy(out, s)
	for b := range nb {
		L := lv.lanes
		blk := s[b*L*per : (b+1)*L*per]
		for l := range L {
			dst := out[(b*L+l)*per : (b*L+l+1)*per]
			for e := range dst {
				dst[e] = blk[e*L+l]
			}
		}
	}
	return out
}
{{- end}}
`))
