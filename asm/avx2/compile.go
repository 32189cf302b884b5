package avx2

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mmcloughlin/avo/ir"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/reg"
)

// Compile runs avo's compilation passes (pass.Compile) on f with
// AllocateRegisters in place of avo's register allocator, so that the
// printed assembly uses only X0-X15/Y0-Y15 (no AVX-512 register) and
// fails, instead of silently reaching for Y16-Y31, when a function needs
// more than 16 vector registers.
func Compile(f *ir.File) error {
	return pass.Concat(
		pass.Verify,
		pass.FunctionPass(pass.PruneJumpToFollowingLabel),
		pass.FunctionPass(pass.PruneDanglingLabels),
		pass.FunctionPass(pass.LabelTarget),
		pass.FunctionPass(pass.CFG),
		pass.InstructionPass(pass.ZeroExtend32BitOutputs),
		pass.FunctionPass(pass.Liveness),
		pass.FunctionPass(AllocateRegisters),
		pass.FunctionPass(pass.BindRegisters),
		pass.FunctionPass(pass.VerifyAllocation),
		pass.FunctionPass(pass.EnsureBasePointerCalleeSaved),
		pass.Func(pass.IncludeTextFlagHeader),
		pass.FunctionPass(pass.PruneSelfMoves),
		pass.FunctionPass(PruneVectorSelfMoves),
		pass.FunctionPass(pass.RequiredISAExtensions),
	).Execute(f)
}

// PruneVectorSelfMoves removes vector register moves of a register to
// itself (after allocation, the copies the emitters make of values that
// die at the copy), which avo's pass.PruneSelfMoves leaves.
func PruneVectorSelfMoves(fn *ir.Function) error {
	nodes := fn.Nodes[:0]
	for _, n := range fn.Nodes {
		if i, ok := n.(*ir.Instruction); ok && isVectorSelfMove(i) {
			continue
		}
		nodes = append(nodes, n)
	}
	fn.Nodes = nodes
	return nil
}

func isVectorSelfMove(i *ir.Instruction) bool {
	switch i.Opcode {
	case "VMOVAPD", "VMOVAPS", "VMOVUPD", "VMOVUPS", "VMOVDQA", "VMOVDQU":
	default:
		return false
	}
	return len(i.Operands) == 2 && operand.IsRegister(i.Operands[0]) && i.Operands[0] == i.Operands[1]
}

// AllocateRegisters is a register allocation pass (run after
// pass.Liveness) for AVX2 code. Vector registers get X0-X15/Y0-Y15 only
// (all 32 and the opmask registers K1-K7 in a function whose name contains
// "avx512", the only ones allowed AVX-512),
// assigned greedily in the order the virtual registers first appear in the
// function, each the lowest register free of every interfering one; for
// straight-line code (an interval graph) this uses exactly as many
// registers as the peak number of live values, where avo's allocator (most
// constrained first) may need more. General-purpose registers use avo's
// allocator (base pointer last, never SP), opmask registers are refused.
func AllocateRegisters(fn *ir.Function) error {
	wide := IsAVX512Name(fn.Name)
	var order []reg.ID // vector virtual registers, first appearance
	seen := map[reg.ID]bool{}
	gp := map[reg.Kind]*pass.Allocator{}
	for _, i := range fn.Instructions() {
		for _, r := range i.Registers() {
			switch k := r.Kind(); k {
			case reg.KindVector:
				if !wide && r.Size() > LaneBytes {
					return fmt.Errorf("avx2: %s: ZMM register %s in AVX2 code", fn.Name, r.Asm())
				}
				if id := r.ID(); id.IsVirtual() && !seen[id] {
					seen[id] = true
					order = append(order, id)
				}
			case reg.KindOpmask:
				if !wide {
					return fmt.Errorf("avx2: %s: opmask register %s in AVX2 code", fn.Name, r.Asm())
				}
				fallthrough
			default:
				a, ok := gp[k]
				if !ok {
					f := reg.FamilyOfKind(k)
					if f == nil {
						return fmt.Errorf("avx2: %s: unknown register kind %v", fn.Name, k)
					}
					// Never R15: Go's assembler clobbers it for global
					// accesses when linking dynamically.
					var rs []reg.Physical
					for _, p := range f.Registers() {
						// Never K0 either: as a write mask it means none.
						if p.Info()&reg.Restricted == 0 && !(k == reg.KindGP && p.PhysicalIndex() == 15) &&
							!(k == reg.KindOpmask && p.PhysicalIndex() == 0) {
							rs = append(rs, p)
						}
					}
					var err error
					if a, err = pass.NewAllocator(rs); err != nil {
						return fmt.Errorf("avx2: %s: %w", fn.Name, err)
					}
					for _, p := range rs {
						if p.Info()&reg.BasePointer != 0 {
							a.SetPriority(p.ID(), -1)
						}
					}
					gp[k] = a
				}
				a.Add(r.ID())
			}
		}
	}
	// Interference: every output conflicts with what is live after it.
	adj := map[reg.ID]map[reg.ID]bool{}
	edge := func(x, y reg.ID) {
		if adj[x] == nil {
			adj[x] = map[reg.ID]bool{}
		}
		adj[x][y] = true
	}
	for _, i := range fn.Instructions() {
		for _, d := range i.OutputRegisters() {
			k := d.Kind()
			out := i.LiveOut.OfKind(k)
			out.DiscardRegister(d)
			if k != reg.KindVector {
				gp[k].AddInterferenceSet(d, out)
				continue
			}
			for id, mask := range out {
				if d.Mask()&mask != 0 {
					edge(d.ID(), id)
					edge(id, d.ID())
				}
			}
		}
	}
	fn.Allocation = reg.NewEmptyAllocation()
	limit := reg.Index(16)
	if wide {
		limit = 32
	}
	var phys []reg.ID
	for _, p := range reg.Vector.Registers() {
		if p.PhysicalIndex() < limit && p.Info()&reg.Restricted == 0 {
			phys = append(phys, p.ID())
		}
	}
	sort.Slice(phys, func(i, j int) bool { return phys[i].Index() < phys[j].Index() })
	phys = dedupIDs(phys)
	for _, v := range order {
		used := map[reg.ID]bool{}
		for n := range adj[v] {
			used[fn.Allocation.LookupDefault(n)] = true
		}
		got := false
		for _, p := range phys {
			if !used[p] {
				fn.Allocation[v] = p
				got = true
				break
			}
		}
		if !got {
			return fmt.Errorf("avx2: %s: more than %d vector registers live", fn.Name, limit)
		}
	}
	kinds := make([]int, 0, len(gp))
	for k := range gp {
		kinds = append(kinds, int(k))
	}
	sort.Ints(kinds)
	for _, k := range kinds {
		al, err := gp[reg.Kind(k)].Allocate()
		if err != nil {
			return fmt.Errorf("avx2: %s: %w", fn.Name, err)
		}
		if err := fn.Allocation.Merge(al); err != nil {
			return err
		}
	}
	return nil
}

// IsAVX512Name reports whether a function of this name may use AVX-512
// (registers X16-X31/Y16-Y31, Z and K, and EVEX instructions): its name
// contains "avx512". Every other function must run on AVX2-only CPUs.
func IsAVX512Name(name string) bool { return strings.Contains(name, "avx512") }

func dedupIDs(ids []reg.ID) []reg.ID {
	out := ids[:0]
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			out = append(out, id)
		}
	}
	return out
}
