package gen

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/sortgen/sortgen/gen/plan"
)

// newFile starts an emitted file: the generated-code header and, for
// buildTag != "", a build constraint.
func newFile(m *model, buildTag string) *jen.File {
	f := jen.NewFile(m.pkg)
	if buildTag == "" {
		f.HeaderComment(Header)
	} else {
		// One raw comment (it starts with //): a blank line must separate
		// the header from the constraint, and jennifer puts none between
		// header comments.
		f.HeaderComment(Header + "\n\n//go:build " + buildTag)
	}
	return f
}

// render renders f; jennifer runs go/format on it, and gofmt makes sure a
// failure says where.
func render(f *jen.File) ([]byte, error) {
	var b bytes.Buffer
	if err := f.Render(&b); err != nil {
		// jennifer appends the whole unformatted source; the first line
		// says what is wrong.
		msg, _, _ := strings.Cut(err.Error(), "\n")
		return nil, errors.New(msg)
	}
	return gofmt(b.Bytes())
}

// lines formats text as // comment lines (jennifer would use /* */ for
// multi-line text).
func lines(text string) string {
	ls := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range ls {
		if l == "" {
			ls[i] = "//"
		} else {
			ls[i] = "// " + l
		}
	}
	return strings.Join(ls, "\n")
}

func renderDoc(m *model) ([]byte, error) {
	f := newFile(m, "")
	f.PackageComment(lines(m.docText()))
	return render(f)
}

func (m *model) docText() string {
	p := m.p
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	if p.TopK > 0 {
		w("Package %s runs a top-%d selection network on rows of N values", m.pkg, p.TopK)
	} else {
		w("Package %s runs a sorting network on rows of N values", m.pkg)
	}
	if m.grad == nil {
		w(".")
	} else {
		w(",\nrelaxed to be differentiable.")
	}
	w(" sortgen generated it for one configuration:\n\n")
	w("\tnetwork  %s, N = %d wires, %d comparators in %d layers\n", p.Name, m.n, p.Network.Size(), p.Network.Depth())
	if p.TopK > 0 {
		w("\ttop-k    TopK = %d (pruned to the comparators wires N-TopK..N-1 depend on)\n", p.TopK)
	}
	w("\tswap     %s\n", p.Swap.Func)
	if m.grad != nil && p.Swap.HardForward() {
		w("\tbase     %s (the soft function the backward pass differentiates)\n", p.Swap.Base)
	}
	w("\ttype     %s\n", m.elem)
	if p.TopK > 0 {
		w("\nSort, Forward and ForwardP run the selection network like a sorting one:\n")
		w("the TopK largest values of a row end ascending on its last TopK positions.\n")
		w("Batches are row-major: row b of x is x[b*N : (b+1)*N].\n")
	} else {
		w("\nEvery row of N values is sorted ascending: the smallest value ends at\n")
		w("position 0. Batches are row-major: row b of x is x[b*N : (b+1)*N].\n")
	}
	switch {
	case !m.hard:
		w("Each comparator mixes its two wires with the weight alpha = f(d) of \"no\n")
		w("swap\", d = b - a the difference of the pair, f the %s function\n", p.Swap.Func)
		w("at steepness beta")
		if m.soft.lambda {
			w(" and exponent lambda")
		}
		w(".\n")
	case m.grad == nil:
		w("Comparators swap exactly and a comparator leaves a tie in place (whether\n")
		w("equal values end in input order depends on the network).\n")
		w("There is no backward pass.\n")
	default:
		w("Comparators swap exactly (a comparator leaves a tie in place), so y is exactly the\n")
		w("sorted input and P exactly a permutation; the backward pass uses the\n")
		w("derivative of the soft %s function along that hard trajectory\n", p.Swap.Base)
		w("(the error-free swap).\n")
	}
	w("\nForwardP also computes the relaxed permutation matrix P with y = x @ P:\n")
	w("P[i][j] is the weight of input i at sorted position j. P is stored\n")
	w("column-major per row (\"PT\"): pt[b*N*N + j*N + i] = P[i][j].\n")
	if p.TopK > 0 {
		w("\nThe network is a selection network: only wires N-TopK..N-1 (the top\n")
		w("values, ascending) are sorted, the other wires hold the rest in no\n")
		w("particular order. ForwardTopK writes the top values and X = P[:, N-TopK:],\n")
		w("row-major per row (xk[b*N*TopK + i*TopK + j] = P[i][N-TopK+j]), computed\n")
		w("right to left through the network at TopK entries per comparator instead\n")
		w("of P's N.")
		if m.grad != nil {
			w(" With a tape and an X tape (XTapeLen values per row) BackwardTopK\n")
			w("maps dL/dtop and dL/dX to dL/dx. The tape is Forward's; the X tape holds\n")
			w("per row the differences of Z's rows, the forward weights and the work\n")
			w("entries of BackwardTopK (kernels_topk.go), and is opaque like the tape\n")
			w("(below): BackwardTopK must see the rows ForwardTopK recorded, split the\n")
			w("same way.\n")
		} else {
			w("\n")
		}
	}
	if m.grad != nil {
		w("\nForward and ForwardP record a tape for Backward and BackwardP, TapeLen\n")
		w("values per row: for comparator k, d*slope with d = b - a before it (in\n")
		w("float64), alpha the weight of %s at d and slope its derivative.\n", m.grad.f)
		w("ForwardP can also keep the\n")
		w("column differences P[:,p] - P[:,q] before every comparator (p the wire\n")
		w("that receives the minimum) over the rows that can be non-zero there,\n")
		w("DiffLen values per row, which only BackwardP needs. The portable kernels\n")
		w("store row b's triple of comparator k at tape[b*TapeLen + 3*k:], but treat\n")
		w("both as opaque: ")
		if m.opt.Asm {
			w("the assembly kernels lay out each block of rows their own\n")
			w("way, so the backward pass must see the batch the forward pass recorded,\n")
			w("split the same way (the same rows in one call), at the same level\n")
			w("(SetLevel).\n")
		} else {
			w("an assembly backend lays out blocks of rows its own way,\n")
			w("so the backward pass must see the rows the forward pass recorded.\n")
		}
	}
	if m.opt.Asm {
		lanes := 4
		if m.elem == "float32" {
			lanes = 8
		}
		w("\nKernels. On amd64 the entry points run whole blocks of rows in assembly\n")
		w("(kernels_amd64.s, one row per vector lane): %d rows in AVX-512 on CPUs with\n", 2*lanes)
		w("AVX-512 F and DQ, else %d rows in AVX2+FMA on CPUs with both, as\n", lanes)
		w("golang.org/x/sys/cpu reports at start-up; the remaining rows, and\n")
		w("everything on other CPUs and architectures, run in the portable Go kernels\n")
		w("(kernels_generic.go). All compute the weights in float64; they differ by\n")
		w("rounding only")
		if m.hard {
			w(" (values and P of the exact swaps are bit-identical)")
		}
		w(". Build with -tags purego to leave the assembly out;\n")
		w("SetLevel switches every caller to another level (LevelGo, LevelAVX2,\n")
		w("LevelAVX512) at run time, for benchmarks and tests; Level reports which\n")
		w("kernels run and Levels which this CPU has.\n")
	}
	w("\nAliasing: y may be x")
	if m.grad != nil {
		w(" and gx may be gy")
	}
	w("; no other arguments may overlap.\n")
	w("Every entry point checks its arguments (lengths, finite inputs, beta in\n")
	w("(0, %g], lambda in [0, %g]) and returns an error instead of panicking.\n", float64(plan.MaxSteepness), float64(plan.MaxARTLambda))
	if m.opt.Register {
		w("\nImporting it registers its kernels with sortgen's runtime (register.go),\n")
		w("which then runs them for exactly this configuration; a blank import does:\n\n\timport _ %q\n", m.opt.ImportPath)
	} else if m.opt.ImportPath != "" {
		w("\nImport it as\n\n\timport %q\n", m.opt.ImportPath)
	}
	// sortgen's own command names -o relative to the module root; one
	// without -o (Command's) writes ./PKG, so runs beside the package.
	if m.opt.ImportPath != "" && strings.Contains(" "+m.command+" ", " -o ") {
		w("\nRegenerate it, from the root of its module, with\n\n\t%s\n", m.command)
	} else {
		w("\nRegenerate it, from the directory that holds it, with\n\n\t%s\n", m.command)
	}
	switch {
	case m.opt.Register:
		w("\nIt imports the standard library, %s and,\n", RegistryPath)
		if m.opt.Asm {
			w("in its amd64 files without the purego tag, golang.org/x/sys/cpu;\n")
		}
		w("it needs the Go version sortgen's module declares.\n")
	case m.opt.Asm:
		w("\nIt imports the standard library and, in its amd64 files without the\n")
		w("purego tag, golang.org/x/sys/cpu (go mod tidy adds it to your module);\n")
		w("it needs Go 1.22 or later.\n")
	default:
		w("\nIt imports only the standard library (sortgen -asm=false: no assembly)\n")
		w("and needs Go 1.22 or later.\n")
	}
	return b.String()
}
