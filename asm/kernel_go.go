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
	"sync"
	"sync/atomic"

	"golang.org/x/sys/cpu"
)

// AVX2 kernels (amd64, without the purego tag).
//
// On CPUs with AVX2 and FMA the batch is cut into blocks of avx2Lanes = {{.L}}
// consecutive rows, which run in assembly with one row per YMM lane: every
// comparator is the same instruction sequence for all lanes. The rows
// after the last whole block (batch % {{.L}}), and every row on other CPUs,
// run in the generic Go kernels (xxxGeneric), so results do not depend on
// the batch size beyond rounding (both compute the weights in float64; the
// assembly rounds the last bits of the transcendental functions, P's FMAs
// and the order of the dot products differently). The hard and error-free
// swaps give bit-identical values and P.
//
// This file, the assembly and its stubs build on amd64 without the purego
// tag; impl_noasm.go is the portable dispatch otherwise.
//
// A block is transposed to lane-major scratch (wire w of lane l at
// w*{{.L}} + l; P column-major, P[i][j] of lane l at (j*n + i)*{{.L}} + l),
// run through the network, and transposed back. The scratch comes from a
// sync.Pool: a steady loop allocates nothing.
//
// Aliasing: y may be x and gx may be gy (each block is read before it is
// written); no other arguments may overlap.
//
// Tape layout. Within a block of {{.L}} rows starting at row r (a multiple
// of {{.L}} from the start of the call), the block's tape occupies exactly
// tape[r*TapeLen : (r+{{.L}})*TapeLen], lane-major: member c (0: d*slope,
// 1: alpha, 2: slope) of step k for lane l is at offset (3k+c)*{{.L}} + l.
// Its difference tape occupies diff[r*DiffLen : (r+{{.L}})*DiffLen]: the
// difference of row i of step k is at offset (DiffOffset(k)+i)*{{.L}} + l.
// Tail rows keep the generic per-row layout. The backward pass must
// therefore see the same batch (the same rows, split the same way) as the
// forward pass that recorded the tape, on the same machine, with the same
// setting of SetAVX2; the runtime's Sorter guarantees the first two.
{{- if .Diff}} The
// package's tests read tapes through tapeToGeneric, which undoes the
// blocks' layout.
{{- end}}
{{- if .TopK}}
//
// Top-k. ForwardTopK and BackwardTopK run whole blocks in assembly too:
// the value pass records the tape exactly as Forward does (lane-major as
// above), and Z = X is swept in lane-major scratch (Z[i][j] of lane l at
// (i*TopK + j)*{{.L}} + l) and transposed into xk. Z mixes as the generic
// kernels do, products rounded separately{{if .Hard}}: the top values, X and the forward
// weights of the exact swap are bit-identical{{end}}.
{{- if .Diff}} A block's X tape occupies
// xtape[r*XTapeLen : (r+{{.L}})*XTapeLen], entry e of lane l at e*{{.L}} + l
// (xtapeToGeneric undoes it), so the same rule holds: BackwardTopK must see
// the batch split as ForwardTopK did, with the same setting of SetAVX2.
{{- end}}
{{- end}}

// avx2Supported reports whether the CPU runs the assembly kernels.
var avx2Supported = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// avx2Enabled selects the assembly kernels: avx2Supported unless SetAVX2
// turned them off. Every call reads it once.
var avx2Enabled atomic.Bool

func init() { avx2Enabled.Store(avx2Supported) }

// SetAVX2 turns the AVX2 kernels on or off and returns the previous
// setting. It is for benchmarks and tests: it switches every caller in the
// process, and a tape recorded with one setting must be read back with the
// same one. Enabling has no effect on CPUs without AVX2+FMA.
func SetAVX2(enabled bool) (previous bool) {
	return avx2Enabled.Swap(enabled && avx2Supported)
}

// AVX2 reports whether the entry points run whole blocks of rows in the
// AVX2 kernels (the CPU has AVX2 and FMA, and SetAVX2 did not turn them off).
func AVX2() bool { return avx2Enabled.Load() }

const (
	avx2Lanes   = {{.L}}
	avx2Wires   = {{.N}}
	avx2TapeLen = {{.TapeLen}}
	avx2DiffLen = {{.DiffLen}}
	avx2Block   = avx2Wires * avx2Lanes // values per block
	avx2PBlock  = avx2Wires * avx2Wires * avx2Lanes
)

// avx2Scratch is the lane-major work space of one call.
type avx2Scratch struct {
	x []{{.T}} // values or their gradient
	p []{{.T}} // P or its gradient; allocated on first use
{{- if .TopK}}
	// Z (dL/dX in BackwardTopK), the soft sweep's Z under errorfree and
	// the forward weights without an X tape; allocated on first use.
	z, z2, w []{{.T}}
{{- end}}
}

var avx2Pool = sync.Pool{New: func() any { return &avx2Scratch{x: make([]{{.T}}, avx2Block)} }}

func avx2Get(withP bool) *avx2Scratch {
	s := avx2Pool.Get().(*avx2Scratch)
	if withP && s.p == nil {
		s.p = make([]{{.T}}, avx2PBlock)
	}
	return s
}
{{- if .TopK}}

const (
	avx2ZBlock    = avx2Wires * TopK * avx2Lanes // Z per block
	avx2LaneBytes = 32                           // bytes per lane-major row
)

// avx2GetTopK is avx2Get for the top-k kernels.
func avx2GetTopK() *avx2Scratch {
	s := avx2Pool.Get().(*avx2Scratch)
	if s.z == nil {
		s.z, s.z2, s.w = make([]{{.T}}, avx2ZBlock), make([]{{.T}}, avx2ZBlock), make([]{{.T}}, numSteps*avx2Lanes)
	}
	return s
}

// avx2TopKIdentity sets the lane-major scratch z to the last TopK columns
// of the identity: Z[N-TopK+j][j] = 1.
func avx2TopKIdentity(z []{{.T}}) {
	clear(z)
	for j := range TopK {
		o := ((avx2Wires-TopK+j)*TopK + j) * avx2Lanes
		for l := range avx2Lanes {
			z[o+l] = 1
		}
	}
}

func forwardTopKImpl(top, xk, tape, xtape, x []{{.T}}, beta, lambda float64) {
	nb := avx2Blocks(len(x))
	if nb > 0 {
		s := avx2GetTopK()
		for b := range nb {
			r := b * avx2Lanes
			avx2TransposeIn(&s.x[0], &x[b*avx2Block], avx2Wires, avx2Wires)
			w := s.w
{{- if .Diff}}
			var xt []{{.T}}
			if tape != nil {
				xt = xtape[r*XTapeLen : (r+avx2Lanes)*XTapeLen]
				w = xt[xtWeight*avx2Lanes:]
				avx2TopKValuesTape(&s.x[0], &w[0], &tape[r*avx2TapeLen], beta, lambda)
			} else {
				avx2TopKValues(&s.x[0], &w[0]{{if .Params}}, beta, lambda{{end}})
			}
{{- else}}
			avx2TopKValues(&s.x[0], &w[0]{{if .Params}}, beta, lambda{{end}})
{{- end}}
			avx2TransposeOut(&top[r*TopK], &s.x[(avx2Wires-TopK)*avx2Lanes], TopK, TopK)
			avx2TopKIdentity(s.z)
{{- if and .Diff (not .Hard)}}
			avx2TopKSweep(&s.z[0], &w[0], avx2LaneBytes, avx2At(xt, 0))
{{- else}}
			avx2TopKSweep(&s.z[0], &w[0], avx2LaneBytes, nil)
{{- end}}
{{- if and .Diff .Hard}}
			if tape != nil {
				// errorfree: the differences are those of the sweep that
				// mixes with the soft alpha of the tape.
				avx2TopKIdentity(s.z2)
				avx2TopKSweep(&s.z2[0], &tape[r*avx2TapeLen+avx2Lanes], 3*avx2LaneBytes, &xt[0])
			}
{{- end}}
			avx2TransposeOut(&xk[r*avx2Wires*TopK], &s.z[0], avx2Wires*TopK, avx2Wires*TopK)
		}
		avx2Pool.Put(s)
	}
	if t := nb * avx2Block; t < len(x) {
		r := nb * avx2Lanes
		forwardTopKGeneric(top[r*TopK:], xk[r*avx2Wires*TopK:], avx2Tail(tape, r*avx2TapeLen), avx2Tail(xtape, r*XTapeLen), x[t:], beta, lambda)
	}
}
{{- if .Diff}}

func backwardTopKImpl(gx, gtop, gxk, tape, xtape []{{.T}}) {
	nb := avx2Blocks(len(gx))
	if nb > 0 {
		s := avx2GetTopK()
		for b := range nb {
			r := b * avx2Lanes
			clear(s.x)
			if gtop != nil {
				avx2TransposeIn(&s.x[(avx2Wires-TopK)*avx2Lanes], &gtop[r*TopK], TopK, TopK)
			}
			tp := &tape[r*avx2TapeLen]
			xt := xtape[r*XTapeLen : (r+avx2Lanes)*XTapeLen]
			if gxk == nil {
				clear(xt[xtWork*avx2Lanes:])
				avx2Backward(&s.x[0], tp)
			} else {
				avx2TransposeIn(&s.z[0], &gxk[r*avx2Wires*TopK], avx2Wires*TopK, avx2Wires*TopK)
				avx2TopKWork(&s.z[0], &xt[0])
				avx2BackwardWork(&s.x[0], tp, &xt[xtWork*avx2Lanes])
			}
			avx2TransposeOut(&gx[b*avx2Block], &s.x[0], avx2Wires, avx2Wires)
		}
		avx2Pool.Put(s)
	}
	if t := nb * avx2Block; t < len(gx) {
		r := nb * avx2Lanes
		backwardTopKGeneric(gx[t:], avx2Tail(gtop, r*TopK), avx2Tail(gxk, r*avx2Wires*TopK), tape[r*avx2TapeLen:], xtape[r*XTapeLen:])
	}
}

// xtapeToGeneric returns a copy of the X tape of batch rows in the generic
// per-row layout, for an X tape recorded with the current setting of
// SetAVX2 (see tapeToGeneric).
func xtapeToGeneric(xtape []{{.T}}, batch int) []{{.T}} {
	return avx2Relayout(xtape, XTapeLen, avx2Blocks(batch*avx2Wires))
}
{{- end}}
{{- end}}

// avx2Blocks is the number of whole blocks of rows in values elements, or
// 0 when the assembly kernels are disabled.
func avx2Blocks(values int) int {
	if !avx2Enabled.Load() {
		return 0
	}
	return values / avx2Block
}

// avx2Identity sets the lane-major scratch p to the identity matrix.
func avx2Identity(p []{{.T}}) {
	clear(p)
	for j := 0; j < avx2Wires; j++ {
		o := (j*avx2Wires + j) * avx2Lanes
		for l := range avx2Lanes {
			p[o+l] = 1
		}
	}
}

// avx2Tail is s[from:], or nil for a nil s.
func avx2Tail(s []{{.T}}, from int) []{{.T}} {
	if s == nil {
		return nil
	}
	return s[from:]
}

// avx2At is &s[i], or nil for a nil s.
func avx2At(s []{{.T}}, i int) *{{.T}} {
	if s == nil {
		return nil
	}
	return &s[i]
}

// allFinite reports whether no element of s is NaN or infinite, the fast
// path of checkFinite: the AVX2 kernel avx2AllFinite (asm.AllFinite) when
// the assembly kernels are enabled, else allFiniteGeneric.
func allFinite(s []{{.T}}) bool {
	if avx2Enabled.Load() {
		return avx2AllFinite(s)
	}
	return allFiniteGeneric(s)
}

func sortImpl(y, x []{{.T}}, beta, lambda float64) {
	nb := avx2Blocks(len(x))
	if nb > 0 {
		s := avx2Get(false)
		for b := range nb {
			o := b * avx2Block
			avx2TransposeIn(&s.x[0], &x[o], avx2Wires, avx2Wires)
			avx2Sort(&s.x[0]{{if .Params}}, beta, lambda{{end}})
			avx2TransposeOut(&y[o], &s.x[0], avx2Wires, avx2Wires)
		}
		avx2Pool.Put(s)
	}
	if t := nb * avx2Block; t < len(x) {
		sortGeneric(y[t:], x[t:], beta, lambda)
	}
}

func forwardPImpl(y, pt, tape, diff, x []{{.T}}, beta, lambda float64) {
	nb := avx2Blocks(len(x))
	if nb > 0 {
		s := avx2Get(true)
		for b := range nb {
			o := b * avx2Block
			avx2TransposeIn(&s.x[0], &x[o], avx2Wires, avx2Wires)
			avx2Identity(s.p)
			dp := avx2At(diff, b*avx2Lanes*avx2DiffLen)
{{- if .Diff}}
			if tape != nil {
				avx2ForwardPTape(&s.x[0], &s.p[0], &tape[b*avx2Lanes*avx2TapeLen], dp, beta, lambda)
			} else {
				avx2ForwardP(&s.x[0], &s.p[0], dp{{if .Params}}, beta, lambda{{end}})
			}
{{- else}}
			avx2ForwardP(&s.x[0], &s.p[0], dp{{if .Params}}, beta, lambda{{end}})
{{- end}}
			avx2TransposeOut(&y[o], &s.x[0], avx2Wires, avx2Wires)
			avx2TransposeOut(&pt[b*avx2PBlock], &s.p[0], avx2Wires*avx2Wires, avx2Wires*avx2Wires)
		}
		avx2Pool.Put(s)
	}
	if t := nb * avx2Block; t < len(x) {
		r := nb * avx2Lanes
		forwardPGeneric(y[t:], pt[r*avx2Wires*avx2Wires:], avx2Tail(tape, r*avx2TapeLen), avx2Tail(diff, r*avx2DiffLen), x[t:], beta, lambda)
	}
}
{{- if .Diff}}

func forwardImpl(y, tape, x []{{.T}}, beta, lambda float64) {
	nb := avx2Blocks(len(x))
	if nb > 0 {
		s := avx2Get(false)
		for b := range nb {
			o := b * avx2Block
			avx2TransposeIn(&s.x[0], &x[o], avx2Wires, avx2Wires)
			avx2Forward(&s.x[0], &tape[b*avx2Lanes*avx2TapeLen], beta, lambda)
			avx2TransposeOut(&y[o], &s.x[0], avx2Wires, avx2Wires)
		}
		avx2Pool.Put(s)
	}
	if t := nb * avx2Block; t < len(x) {
		forwardGeneric(y[t:], tape[nb*avx2Lanes*avx2TapeLen:], x[t:], beta, lambda)
	}
}

// tapeToGeneric returns copies of the tape and the column differences
// (either may be nil) of batch rows in the generic per-row layout, for a
// tape recorded with the current setting of SetAVX2: whole blocks of rows
// are transposed from the lane-major layout, the tail is copied.
func tapeToGeneric(tape, diff []{{.T}}, batch int) (genericTape, genericDiff []{{.T}}) {
	nb := avx2Blocks(batch * avx2Wires)
	return avx2Relayout(tape, avx2TapeLen, nb), avx2Relayout(diff, avx2DiffLen, nb)
}

// avx2Relayout copies s (per values per row) with its first nb blocks
// transposed from lane-major to per-row.
func avx2Relayout(s []{{.T}}, per, nb int) []{{.T}} {
	if s == nil {
		return nil
	}
	out := make([]{{.T}}, len(s))
	copy(out, s)
	for b := range nb {
		blk := s[b*avx2Lanes*per : (b+1)*avx2Lanes*per]
		for l := range avx2Lanes {
			dst := out[(b*avx2Lanes+l)*per : (b*avx2Lanes+l+1)*per]
			for e := range dst {
				dst[e] = blk[e*avx2Lanes+l]
			}
		}
	}
	return out
}

// avx2LoadGrad transposes block b of gy into s.x, or clears s.x for a nil gy.
func avx2LoadGrad(s *avx2Scratch, gy []{{.T}}, b int) {
	if gy == nil {
		clear(s.x)
		return
	}
	avx2TransposeIn(&s.x[0], &gy[b*avx2Block], avx2Wires, avx2Wires)
}

func backwardImpl(gx, gy, tape []{{.T}}) {
	nb := avx2Blocks(len(gx))
	if nb > 0 {
		s := avx2Get(false)
		for b := range nb {
			avx2LoadGrad(s, gy, b)
			avx2Backward(&s.x[0], &tape[b*avx2Lanes*avx2TapeLen])
			avx2TransposeOut(&gx[b*avx2Block], &s.x[0], avx2Wires, avx2Wires)
		}
		avx2Pool.Put(s)
	}
	if t := nb * avx2Block; t < len(gx) {
		backwardGeneric(gx[t:], avx2Tail(gy, t), tape[nb*avx2Lanes*avx2TapeLen:])
	}
}

func backwardPImpl(gx, gy, gpt, tape, diff []{{.T}}) {
	if gpt == nil {
		backwardImpl(gx, gy, tape)
		return
	}
	nb := avx2Blocks(len(gx))
	if nb > 0 {
		s := avx2Get(true)
		for b := range nb {
			avx2LoadGrad(s, gy, b)
			avx2TransposeIn(&s.p[0], &gpt[b*avx2PBlock], avx2Wires*avx2Wires, avx2Wires*avx2Wires)
			avx2BackwardP(&s.x[0], &s.p[0], &tape[b*avx2Lanes*avx2TapeLen], &diff[b*avx2Lanes*avx2DiffLen])
			avx2TransposeOut(&gx[b*avx2Block], &s.x[0], avx2Wires, avx2Wires)
		}
		avx2Pool.Put(s)
	}
	if t := nb * avx2Block; t < len(gx) {
		r := nb * avx2Lanes
		backwardPGeneric(gx[t:], avx2Tail(gy, t), gpt[r*avx2Wires*avx2Wires:], tape[r*avx2TapeLen:], diff[r*avx2DiffLen:])
	}
}
{{- end}}
`))
