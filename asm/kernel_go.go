package asm

import (
	"bytes"
	"fmt"
	"go/format"
	"text/template"

	"github.com/sortgen/sortgen/gen"
	"github.com/sortgen/sortgen/gen/plan"
)

// A glueLevel is what the dispatch file's template needs of one level.
type glueLevel struct {
	Prefix      string // of the level's assembly functions and block loops
	Lanes       int
	TIn, TOut   string // its block transposes
	Name, Const string // Level's name and the package's constant for it
}

// glue emits FileGo: the dispatching xxxImpl functions.
func glue(p *plan.Plan, pkg string) ([]byte, error) {
	var b bytes.Buffer
	l := Lanes(p.Elem)
	err := glueTemplate.Execute(&b, map[string]any{
		"Header":  gen.Header,
		"Pkg":     pkg,
		"T":       p.Elem.String(),
		"L":       l,
		"L2":      2 * l,
		"N":       p.N(),
		"TapeLen": p.TapeLen,
		"DiffLen": p.DiffLen,
		"Diff":    p.Swap.Differentiable(),
		"Params":  !p.Swap.HardForward(),
		"TopK":    p.TopK,
		"Hard":    p.Swap.HardForward(),
		"Size":    map[plan.Elem]int{plan.Float32: 4, plan.Float64: 8}[p.Elem],
		"Levels": []glueLevel{
			{"avx2", l, "avx2" + fnTransposeIn, "avx2" + fnTransposeOut, "avx2", "LevelAVX2"},
			{"avx512", 2 * l, "avx512" + fnTransposeIn, "avx512" + fnTransposeOut, "avx512", "LevelAVX512"},
		},
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

var glueTemplate = template.Must(template.New("glue").Funcs(template.FuncMap{
	// levelVar is the variable of a level: LevelAVX2 -> levelAVX2.
	"levelVar": func(c string) string { return "l" + c[1:] },
}).Parse(`{{.Header}}

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

// An asmLevel is one instruction set's kernels: the xxxImpl functions
// switch on it once per call and run that level's block loops
// (avx2XxxBlocks, avx512XxxBlocks), which call its assembly directly.
type asmLevel struct {
	name  string
	lanes int // rows per block
}

var (
	levelAVX2   = &asmLevel{name: LevelAVX2, lanes: avx2Lanes}
	levelAVX512 = &asmLevel{name: LevelAVX512, lanes: avx512Lanes}
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

// lanesNow is the number of rows per block at the level in use, 0 at the
// Go level.
func lanesNow() int {
	if lv := asmCurrent.Load(); lv != nil {
		return lv.lanes
	}
	return 0
}

const (
	asmWires    = {{.N}}
	asmTapeLen  = {{.TapeLen}}
	asmDiffLen  = {{.DiffLen}}
	avx2Lanes   = {{.L}}
	avx512Lanes = {{.L2}}
	asmMaxLanes = avx512Lanes
)

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

// asmIdentity sets the lane-major scratch p of blocks of lanes rows to the
// identity matrix.
func asmIdentity(p []{{.T}}, lanes int) {
	clear(p[:asmWires*asmWires*lanes])
	for j := 0; j < asmWires; j++ {
		o := (j*asmWires + j) * lanes
		for l := range lanes {
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
// path of checkFinite: the level's kernel (asm.AllFinite, AllFiniteWide),
// else allFiniteGeneric.
func allFinite(s []{{.T}}) bool {
	switch asmCurrent.Load() {
	case levelAVX512:
		return avx512AllFinite(s)
	case levelAVX2:
		return avx2AllFinite(s)
	}
	return allFiniteGeneric(s)
}

func sortImpl(y, x []{{.T}}, beta, lambda float64) {
	r := 0
	switch asmCurrent.Load() {
{{- range .Levels}}
	case {{.Const | levelVar}}:
		r = {{.Prefix}}SortBlocks(y, x, beta, lambda)
{{- end}}
	}
	if t := r * asmWires; t < len(x) {
		sortGeneric(y[t:], x[t:], beta, lambda)
	}
}

func forwardPImpl(y, pt, tape, diff, x []{{.T}}, beta, lambda float64) {
	r := 0
	switch asmCurrent.Load() {
{{- range .Levels}}
	case {{.Const | levelVar}}:
		r = {{.Prefix}}ForwardPBlocks(y, pt, tape, diff, x, beta, lambda)
{{- end}}
	}
	if t := r * asmWires; t < len(x) {
		forwardPGeneric(y[t:], pt[r*asmWires*asmWires:], asmTail(tape, r*asmTapeLen), asmTail(diff, r*asmDiffLen), x[t:], beta, lambda)
	}
}
{{- if .Diff}}

func forwardImpl(y, tape, x []{{.T}}, beta, lambda float64) {
	r := 0
	switch asmCurrent.Load() {
{{- range .Levels}}
	case {{.Const | levelVar}}:
		r = {{.Prefix}}ForwardBlocks(y, tape, x, beta, lambda)
{{- end}}
	}
	if t := r * asmWires; t < len(x) {
		forwardGeneric(y[t:], tape[r*asmTapeLen:], x[t:], beta, lambda)
	}
}

func backwardImpl(gx, gy, tape []{{.T}}) {
	r := 0
	switch asmCurrent.Load() {
{{- range .Levels}}
	case {{.Const | levelVar}}:
		r = {{.Prefix}}BackwardBlocks(gx, gy, tape)
{{- end}}
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
	r := 0
	switch asmCurrent.Load() {
{{- range .Levels}}
	case {{.Const | levelVar}}:
		r = {{.Prefix}}BackwardPBlocks(gx, gy, gpt, tape, diff)
{{- end}}
	}
	if t := r * asmWires; t < len(gx) {
		backwardPGeneric(gx[t:], asmTail(gy, t), gpt[r*asmWires*asmWires:], tape[r*asmTapeLen:], diff[r*asmDiffLen:])
	}
}

// tapeToGeneric returns copies of the tape and the column differences
// (either may be nil) of batch rows in the generic per-row layout, for a
// tape recorded at the current level: whole blocks of rows are transposed
// from the lane-major layout, the tail is copied.
func tapeToGeneric(tape, diff []{{.T}}, batch int) (genericTape, genericDiff []{{.T}}) {
	lanes := lanesNow()
	return asmRelayout(tape, asmTapeLen, batch, lanes), asmRelayout(diff, asmDiffLen, batch, lanes)
}

// asmRelayout copies s (per values per row of batch rows) with its whole
// blocks of lanes rows transposed from lane-major to per-row.
func asmRelayout(s []{{.T}}, per, batch, lanes int) []{{.T}} {
	if s == nil {
		return nil
	}
	out := make([]{{.T}}, len(s))
	copy(out, s)
	if lanes == 0 {
		return out
	}
	for b := range batch / lanes {
		blk := s[b*lanes*per : (b+1)*lanes*per]
		for l := range lanes {
			dst := out[(b*lanes+l)*per : (b*lanes+l+1)*per]
			for e := range dst {
				dst[e] = blk[e*lanes+l]
			}
		}
	}
	return out
}
{{- end}}
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

// asmTopKIdentity sets the lane-major scratch z of blocks of lanes rows to
// the last TopK columns of the identity: Z[N-TopK+j][j] = 1.
func asmTopKIdentity(z []{{.T}}, lanes int) {
	clear(z[:asmWires*TopK*lanes])
	for j := range TopK {
		o := ((asmWires-TopK+j)*TopK + j) * lanes
		for l := range lanes {
			z[o+l] = 1
		}
	}
}

func forwardTopKImpl(top, xk, tape, xtape, x []{{.T}}, beta, lambda float64) {
	r := 0
	switch asmCurrent.Load() {
{{- range .Levels}}
	case {{.Const | levelVar}}:
		r = {{.Prefix}}ForwardTopKBlocks(top, xk, tape, xtape, x, beta, lambda)
{{- end}}
	}
	if t := r * asmWires; t < len(x) {
		forwardTopKGeneric(top[r*TopK:], xk[r*asmWires*TopK:], asmTail(tape, r*asmTapeLen), asmTail(xtape, r*XTapeLen), x[t:], beta, lambda)
	}
}
{{- if .Diff}}

func backwardTopKImpl(gx, gtop, gxk, tape, xtape []{{.T}}) {
	r := 0
	switch asmCurrent.Load() {
{{- range .Levels}}
	case {{.Const | levelVar}}:
		r = {{.Prefix}}BackwardTopKBlocks(gx, gtop, gxk, tape, xtape)
{{- end}}
	}
	if t := r * asmWires; t < len(gx) {
		backwardTopKGeneric(gx[t:], asmTail(gtop, r*TopK), asmTail(gxk, r*asmWires*TopK), tape[r*asmTapeLen:], xtape[r*XTapeLen:])
	}
}

// xtapeToGeneric returns a copy of the X tape of batch rows in the generic
// per-row layout, for an X tape recorded at the current level (see
// tapeToGeneric).
func xtapeToGeneric(xtape []{{.T}}, batch int) []{{.T}} {
	return asmRelayout(xtape, XTapeLen, batch, lanesNow())
}
{{- end}}
{{- end}}
{{- $root := .}}
{{- range .Levels}}
{{- $p := .Prefix}}
{{- $L := printf "%sLanes" .Prefix}}

// The {{.Name}} level's block loops: they run the whole blocks of {{$L}} rows
// and return how many rows they ran.

func {{$p}}SortBlocks(y, x []{{$root.T}}, beta, lambda float64) int {
	const block = asmWires * {{$L}}
	nb := len(x) / block
	if nb == 0 {
		return 0
	}
	s := asmGet(false)
	for b := range nb {
		o := b * block
		{{.TIn}}(&s.x[0], &x[o], asmWires, asmWires)
		{{$p}}Sort(&s.x[0]{{if $root.Params}}, beta, lambda{{end}})
		{{.TOut}}(&y[o], &s.x[0], asmWires, asmWires)
	}
	asmPool.Put(s)
	return nb * {{$L}}
}

func {{$p}}ForwardPBlocks(y, pt, tape, diff, x []{{$root.T}}, beta, lambda float64) int {
	const block, pblock = asmWires * {{$L}}, asmWires * asmWires * {{$L}}
	nb := len(x) / block
	if nb == 0 {
		return 0
	}
	s := asmGet(true)
	for b := range nb {
		o := b * block
		{{.TIn}}(&s.x[0], &x[o], asmWires, asmWires)
		asmIdentity(s.p, {{$L}})
		dp := asmAt(diff, b*{{$L}}*asmDiffLen)
{{- if $root.Diff}}
		if tape != nil {
			{{$p}}ForwardPTape(&s.x[0], &s.p[0], &tape[b*{{$L}}*asmTapeLen], dp, beta, lambda)
		} else {
			{{$p}}ForwardP(&s.x[0], &s.p[0], dp{{if $root.Params}}, beta, lambda{{end}})
		}
{{- else}}
		{{$p}}ForwardP(&s.x[0], &s.p[0], dp{{if $root.Params}}, beta, lambda{{end}})
{{- end}}
		{{.TOut}}(&y[o], &s.x[0], asmWires, asmWires)
		{{.TOut}}(&pt[b*pblock], &s.p[0], asmWires*asmWires, asmWires*asmWires)
	}
	asmPool.Put(s)
	return nb * {{$L}}
}
{{- if $root.Diff}}

func {{$p}}ForwardBlocks(y, tape, x []{{$root.T}}, beta, lambda float64) int {
	const block = asmWires * {{$L}}
	nb := len(x) / block
	if nb == 0 {
		return 0
	}
	s := asmGet(false)
	for b := range nb {
		o := b * block
		{{.TIn}}(&s.x[0], &x[o], asmWires, asmWires)
		{{$p}}Forward(&s.x[0], &tape[b*{{$L}}*asmTapeLen], beta, lambda)
		{{.TOut}}(&y[o], &s.x[0], asmWires, asmWires)
	}
	asmPool.Put(s)
	return nb * {{$L}}
}

// {{$p}}LoadGrad transposes block b of gy into s.x, or clears s.x for a nil gy.
func {{$p}}LoadGrad(s *asmScratch, gy []{{$root.T}}, b int) {
	const block = asmWires * {{$L}}
	if gy == nil {
		clear(s.x[:block])
		return
	}
	{{.TIn}}(&s.x[0], &gy[b*block], asmWires, asmWires)
}

func {{$p}}BackwardBlocks(gx, gy, tape []{{$root.T}}) int {
	const block = asmWires * {{$L}}
	nb := len(gx) / block
	if nb == 0 {
		return 0
	}
	s := asmGet(false)
	for b := range nb {
		{{$p}}LoadGrad(s, gy, b)
		{{$p}}Backward(&s.x[0], &tape[b*{{$L}}*asmTapeLen])
		{{.TOut}}(&gx[b*block], &s.x[0], asmWires, asmWires)
	}
	asmPool.Put(s)
	return nb * {{$L}}
}

func {{$p}}BackwardPBlocks(gx, gy, gpt, tape, diff []{{$root.T}}) int {
	const block, pblock = asmWires * {{$L}}, asmWires * asmWires * {{$L}}
	nb := len(gx) / block
	if nb == 0 {
		return 0
	}
	s := asmGet(true)
	for b := range nb {
		{{$p}}LoadGrad(s, gy, b)
		{{.TIn}}(&s.p[0], &gpt[b*pblock], asmWires*asmWires, asmWires*asmWires)
		{{$p}}BackwardP(&s.x[0], &s.p[0], &tape[b*{{$L}}*asmTapeLen], &diff[b*{{$L}}*asmDiffLen])
		{{.TOut}}(&gx[b*block], &s.x[0], asmWires, asmWires)
	}
	asmPool.Put(s)
	return nb * {{$L}}
}
{{- end}}
{{- if $root.TopK}}

func {{$p}}ForwardTopKBlocks(top, xk, tape, xtape, x []{{$root.T}}, beta, lambda float64) int {
	const (
		block    = asmWires * {{$L}}
		rowBytes = {{$L}} * {{$root.Size}} // a lane-major row
	)
	nb := len(x) / block
	if nb == 0 {
		return 0
	}
	s := asmGetTopK()
	for b := range nb {
		r := b * {{$L}}
		{{.TIn}}(&s.x[0], &x[b*block], asmWires, asmWires)
		w := s.w
{{- if $root.Diff}}
		var xt []{{$root.T}}
		if tape != nil {
			xt = xtape[r*XTapeLen : (r+{{$L}})*XTapeLen]
			w = xt[xtWeight*{{$L}}:]
			{{$p}}TopKValuesTape(&s.x[0], &w[0], &tape[r*asmTapeLen], beta, lambda)
		} else {
			{{$p}}TopKValues(&s.x[0], &w[0]{{if $root.Params}}, beta, lambda{{end}})
		}
{{- else}}
		{{$p}}TopKValues(&s.x[0], &w[0]{{if $root.Params}}, beta, lambda{{end}})
{{- end}}
		{{.TOut}}(&top[r*TopK], &s.x[(asmWires-TopK)*{{$L}}], TopK, TopK)
		asmTopKIdentity(s.z, {{$L}})
{{- if and $root.Diff (not $root.Hard)}}
		{{$p}}TopKSweep(&s.z[0], &w[0], rowBytes, asmAt(xt, 0))
{{- else}}
		{{$p}}TopKSweep(&s.z[0], &w[0], rowBytes, nil)
{{- end}}
{{- if and $root.Diff $root.Hard}}
		if tape != nil {
			// errorfree: the differences are those of the sweep that
			// mixes with the soft alpha of the tape.
			asmTopKIdentity(s.z2, {{$L}})
			{{$p}}TopKSweep(&s.z2[0], &tape[r*asmTapeLen+{{$L}}], 3*rowBytes, &xt[0])
		}
{{- end}}
		{{.TOut}}(&xk[r*asmWires*TopK], &s.z[0], asmWires*TopK, asmWires*TopK)
	}
	asmPool.Put(s)
	return nb * {{$L}}
}
{{- if $root.Diff}}

func {{$p}}BackwardTopKBlocks(gx, gtop, gxk, tape, xtape []{{$root.T}}) int {
	const block = asmWires * {{$L}}
	nb := len(gx) / block
	if nb == 0 {
		return 0
	}
	s := asmGetTopK()
	for b := range nb {
		r := b * {{$L}}
		clear(s.x[:block])
		if gtop != nil {
			{{.TIn}}(&s.x[(asmWires-TopK)*{{$L}}], &gtop[r*TopK], TopK, TopK)
		}
		tp := &tape[r*asmTapeLen]
		xt := xtape[r*XTapeLen : (r+{{$L}})*XTapeLen]
		if gxk == nil {
			clear(xt[xtWork*{{$L}}:])
			{{$p}}Backward(&s.x[0], tp)
		} else {
			{{.TIn}}(&s.z[0], &gxk[r*asmWires*TopK], asmWires*TopK, asmWires*TopK)
			{{$p}}TopKWork(&s.z[0], &xt[0])
			{{$p}}BackwardWork(&s.x[0], tp, &xt[xtWork*{{$L}}])
		}
		{{.TOut}}(&gx[b*block], &s.x[0], asmWires, asmWires)
	}
	asmPool.Put(s)
	return nb * {{$L}}
}
{{- end}}
{{- end}}
{{- end}}
`))
