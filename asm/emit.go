package asm

import (
	"fmt"

	"github.com/mmcloughlin/avo/operand"

	"github.com/sortgen/sortgen/gen/plan"
)

// Names of the files Generate returns.
const (
	FileAsm   = "kernels_amd64.s"
	FileGo    = "kernels_amd64.go"
	FileStubs = "stubs_amd64.go"
)

// Names of the assembly functions of an emitted package: each level's
// prefix ("avx2", "avx512") and one of these stems.
const (
	fnTransposeIn  = "TransposeIn"
	fnTransposeOut = "TransposeOut"
	fnSort         = "Sort"
	fnForward      = "Forward"
	fnForwardP     = "ForwardP"
	fnForwardPTape = "ForwardPTape"
	fnBackward     = "Backward"
	fnBackwardP    = "BackwardP"
	fnAllFinite    = "AllFinite"
)

// Generate emits the amd64 side of the kernel package pkg for plan p:
// FileAsm (the AVX2+FMA and AVX-512 assembly), FileStubs (its Go
// declarations) and FileGo (the xxxImpl functions, which run whole blocks
// of rows in assembly, Lanes(p.Elem) at the AVX2 level and twice as many
// at the AVX-512 level, and everything else with the package's generic Go
// kernels, allFinite, the fast path of the input check, which runs the
// AllFinite kernel or allFiniteGeneric in the same way), the exported
// SetLevel, Level and Levels and, for a differentiable swap,
// tapeToGeneric (see gen's impl_noasm.go, which defines the same functions
// for the other builds). All three files are built only on amd64 without
// the purego tag; the package must supply sortGeneric, forwardPGeneric,
// allFiniteGeneric and, for a differentiable swap, forwardGeneric,
// backwardGeneric and backwardPGeneric with the signatures of the
// corresponding xxxImpl (allFiniteGeneric: func(s []T) bool), and import
// golang.org/x/sys/cpu through its module. For a top-k plan FileGo also
// defines forwardTopKImpl and, for a differentiable swap, backwardTopKImpl
// and xtapeToGeneric, and the package must supply forwardTopKGeneric,
// backwardTopKGeneric, TopK, XTapeLen, numSteps and the X tape offsets
// xtWeight and xtWork (gen's kernels_topk.go).
func Generate(p *plan.Plan, pkg string) (map[string][]byte, error) {
	if err := checkPlan(p); err != nil {
		return nil, err
	}
	k := newBuilder(p.Elem)
	AllFinite(k.Context, k.consts, "avx2"+fnAllFinite, p.Elem)
	AllFiniteWide(k.Context, k.consts, "avx512"+fnAllFinite, p.Elem)
	rs := p.Runs()
	fwd := k.table("sgk_fwd", rs)
	var bwd operand.Mem
	if p.Swap.Differentiable() || p.TopK > 0 {
		bwd = k.table("sgk_bwd", plan.ReverseRuns(rs))
	}
	for _, wide := range []bool{false, true} {
		k.setWide(wide)
		if err := k.levelKernels(p, fwd, bwd); err != nil {
			return nil, err
		}
	}
	asmSrc, stubs, err := k.print(pkg)
	if err != nil {
		return nil, fmt.Errorf("asm: %s %v %v n=%d: %w", p.Name, p.Swap, p.Elem, p.N(), err)
	}
	goSrc, err := glue(p, pkg)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{FileAsm: asmSrc, FileStubs: stubs, FileGo: goSrc}, nil
}

// levelKernels emits the kernels of the current level (k.setWide) on the
// step tables fwd and bwd (the reversed one, when p has a backward pass).
func (k *kbuilder) levelKernels(p *plan.Plan, fwd, bwd operand.Mem) error {
	if k.wide {
		k.transposeWideKernel(fnTransposeIn, true)
		k.transposeWideKernel(fnTransposeOut, false)
	} else {
		k.transposeKernel(fnTransposeIn, true)
		k.transposeKernel(fnTransposeOut, false)
	}
	kernels := []netKernel{{name: fnSort}, {name: fnForwardP, withP: true}}
	if unrollSort(p) {
		if err := k.hardSortKernel(p); err != nil {
			return err
		}
		kernels = kernels[1:]
	}
	if p.Swap.Differentiable() {
		kernels = append(kernels,
			netKernel{name: fnForward, withTape: true},
			netKernel{name: fnForwardPTape, withP: true, withTape: true},
		)
	}
	for _, kn := range kernels {
		if err := k.forwardKernel(p, kn, fwd); err != nil {
			return err
		}
	}
	if p.Swap.Differentiable() {
		for _, kn := range []netKernel{
			{name: fnBackward, backward: true},
			{name: fnBackwardP, backward: true, withP: true},
		} {
			if err := k.backwardKernel(p, kn, bwd); err != nil {
				return err
			}
		}
	}
	if p.TopK > 0 {
		return k.topKKernels(p, fwd, bwd)
	}
	return nil
}
