package asm

import (
	"fmt"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/operand"

	"github.com/sortgen/sortgen/gen/plan"
)

// The kernels do not unroll the network: they walk a compact step table in
// read-only data, the runs of plan.Runs in plan.RunWords' layout, so that
// code size does not depend on the network (an odd-even transposition
// network on 1024 wires has 523,776 comparators). These are the byte
// offsets of a run's header words.
const (
	runCount   = 4 * plan.RunCount
	runP       = 4 * plan.RunP
	runQ       = 4 * plan.RunQ
	runDP      = 4 * plan.RunDP
	runDQ      = 4 * plan.RunDQ
	runDLo     = 4 * plan.RunDLo
	runDHi     = 4 * plan.RunDHi
	runRows    = 4 * plan.RunRows
	runNRanges = 4 * plan.RunNRanges
	runHeader  = 4 * plan.RunHeaderWords // ranges follow
)

// table emits a step table as a static read-only global and returns its
// address.
func (k *kbuilder) table(name string, rs []plan.Run) operand.Mem {
	w := plan.RunWords(rs)
	m := k.StaticGlobal(name)
	k.DataAttributes(attr.RODATA | attr.NOPTR)
	for i := 0; i < len(w); i += 2 {
		k.AppendDatum(operand.U64(uint64(uint32(w[i])) | uint64(uint32(w[i+1]))<<32))
	}
	return m
}

// checkPlan rejects plans the kernels cannot run.
func checkPlan(p *plan.Plan) error {
	n := p.N()
	if n < 2 {
		return fmt.Errorf("asm: need at least 2 wires, got %d", n)
	}
	// Byte offsets of the P scratch (n*n rows of a register's width) are computed
	// in 32-bit signed arithmetic in the table and 64-bit in the kernel;
	// keep them comfortably in range.
	if n > 8192 {
		return fmt.Errorf("asm: at most 8192 wires, got %d", n)
	}
	if len(p.Steps) == 0 {
		return fmt.Errorf("asm: empty network")
	}
	return nil
}
