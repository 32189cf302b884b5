package gen

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/sortgen/sortgen/gen/plan"
)

// kernelFile renders kernels_generic.go and remembers which helpers the
// kernels call, so that only those are emitted.
type kernelFile struct {
	m    *model
	f    *jen.File
	used map[string]bool
}

func renderKernels(m *model) ([]byte, error) {
	k := &kernelFile{m: m, f: newFile(m, ""), used: map[string]bool{}}
	for _, kd := range m.kernels {
		k.batchFunc(kd)
	}
	if m.looped {
		for _, name := range m.loopedHelpers() {
			k.used[name] = true
		}
	} else {
		for _, kd := range m.kernels {
			k.rowFunc(kd)
		}
	}
	for _, name := range m.topKHelpers() {
		k.used[name] = true
	}
	k.helpers()
	return render(k.f)
}

func (k *kernelFile) T() *jen.Statement { return jen.Id(k.m.elem) }

// call is a call of helper name, which is then emitted.
func (k *kernelFile) call(name string, args ...jen.Code) *jen.Statement {
	k.used[name] = true
	return jen.Id(name).Call(args...)
}

// swapParams are the run-time parameters the swap functions in use need.
func (k *kernelFile) swapParams() []jen.Code {
	switch {
	case k.m.grad == nil && k.m.soft == nil:
		return nil
	case k.m.lambda():
		return []jen.Code{jen.Id("beta"), jen.Id("lambda")}
	}
	return []jen.Code{jen.Id("beta")}
}

// forwardParams are the swap parameters kernel kd's row functions take:
// none for the backward pass (the tape has everything), none for a hard
// forward pass without a tape.
func (k *kernelFile) forwardParams(kd kind) []jen.Code {
	if kd.backward() || (k.m.hard && (kd == kSort || kd == kForwardP)) {
		return nil
	}
	return k.swapParams()
}

func paramDecl(names []jen.Code) jen.Code {
	if len(names) == 0 {
		return jen.Null()
	}
	return jen.List(names...).Float64()
}

func (k *kernelFile) arr(size string) *jen.Statement {
	return jen.Op("*").Index(jen.Id(size)).Add(k.T())
}

// rowParams are the parameters of a kernel's per-row functions.
func (k *kernelFile) rowParams(kd kind) (decl []jen.Code, names []jen.Code) {
	type p struct{ name, size string }
	var ps []p
	switch kd {
	case kSort:
		ps = []p{{"v", "N"}}
	case kForward:
		ps = []p{{"v", "N"}, {"tp", "TapeLen"}}
	case kForwardP:
		ps = []p{{"v", "N"}, {"m", "N * N"}}
	case kForwardPTape:
		ps = []p{{"v", "N"}, {"m", "N * N"}, {"tp", "TapeLen"}, {"df", "DiffLen"}}
	case kBackward:
		ps = []p{{"g", "N"}, {"tp", "TapeLen"}}
	case kBackwardP:
		ps = []p{{"g", "N"}, {"gm", "N * N"}, {"tp", "TapeLen"}, {"df", "DiffLen"}}
	}
	for _, x := range ps {
		decl = append(decl, jen.Id(x.name).Add(k.arr(x.size)))
		names = append(names, jen.Id(x.name))
	}
	sp := k.forwardParams(kd)
	if len(sp) > 0 {
		decl = append(decl, paramDecl(sp))
		names = append(names, sp...)
	}
	return decl, names
}

// row converts a row of a batch slice to the array pointer a row function
// takes: constant indices into it need no bounds checks.
func (k *kernelFile) row(slice, size string) *jen.Statement {
	var off *jen.Statement
	if size == "N * N" {
		off = jen.Id("r").Op("*").Id("N").Op("*").Id("N")
	} else {
		off = jen.Id("r").Op("*").Id(size)
	}
	return jen.Parens(k.arr(size)).Call(jen.Id(slice).Index(off, jen.Empty()))
}

var batchDocs = map[kind]string{
	kSort:      "sortGeneric is Sort on checked arguments.",
	kForward:   "forwardGeneric is Forward on checked arguments.",
	kForwardP:  "forwardPGeneric is ForwardP on checked arguments.",
	kBackward:  "backwardGeneric is Backward on checked arguments.",
	kBackwardP: "backwardPGeneric is BackwardP on checked arguments.",
}

// batchFunc emits the batch loop of a kernel (forwardPTape has none: it is
// one of forwardPGeneric's cases).
func (k *kernelFile) batchFunc(kd kind) {
	f, T := k.f, k.T
	fwd := []jen.Code{jen.List(jen.Id("beta"), jen.Id("lambda")).Float64()}
	rowsOf := "y"
	if kd.backward() {
		rowsOf = "gx"
	}
	loop := func(body ...jen.Code) jen.Code {
		return jen.For(jen.Id("r").Op(":=").Lit(0), jen.Id("r").Op("<").Len(jen.Id(rowsOf)).Op("/").Id("N"), jen.Id("r").Op("++")).Block(body...)
	}
	rowCall := func(kd kind, args ...jen.Code) jen.Code {
		return jen.Id(kd.String() + "Row").Call(append(args, k.forwardParams(kd)...)...)
	}
	switch kd {
	case kForwardPTape:
		return
	case kSort:
		f.Comment(batchDocs[kd])
		f.Func().Id("sortGeneric").Params(append([]jen.Code{jen.List(jen.Id("y"), jen.Id("x")).Index().Add(T())}, fwd...)...).Block(
			jen.Copy(jen.Id("y"), jen.Id("x")),
			loop(rowCall(kSort, k.row("y", "N"))),
		)
	case kForward:
		f.Comment(batchDocs[kd])
		f.Func().Id("forwardGeneric").Params(append([]jen.Code{jen.List(jen.Id("y"), jen.Id("tape"), jen.Id("x")).Index().Add(T())}, fwd...)...).Block(
			jen.Copy(jen.Id("y"), jen.Id("x")),
			loop(rowCall(kForward, k.row("y", "N"), k.row("tape", "TapeLen"))),
		)
	case kForwardP:
		f.Comment(batchDocs[kd])
		body := []jen.Code{
			jen.Id("v").Op(":=").Add(k.row("y", "N")),
			jen.Id("m").Op(":=").Add(k.row("pt", "N * N")),
			k.call("identity", jen.Id("m")),
		}
		if k.m.grad == nil {
			body = append(body, rowCall(kForwardP, jen.Id("v"), jen.Id("m")))
		} else {
			body = append(body, jen.Switch().Block(
				jen.Case(jen.Id("tape").Op("==").Nil()).Block(rowCall(kForwardP, jen.Id("v"), jen.Id("m"))),
				jen.Case(jen.Id("diff").Op("==").Nil()).Block(
					jen.Comment("The P kernel and forwardRow compute the same values bit for bit,"),
					jen.Comment("so the tape can come from forwardRow on a copy of the row."),
					jen.Id("u").Op(":=").Op("*").Id("v"),
					rowCall(kForward, jen.Op("&").Id("u"), k.row("tape", "TapeLen")),
					rowCall(kForwardP, jen.Id("v"), jen.Id("m")),
				),
				jen.Default().Block(rowCall(kForwardPTape, jen.Id("v"), jen.Id("m"), k.row("tape", "TapeLen"), k.row("diff", "DiffLen"))),
			))
		}
		f.Func().Id("forwardPGeneric").Params(append([]jen.Code{jen.List(jen.Id("y"), jen.Id("pt"), jen.Id("tape"), jen.Id("diff"), jen.Id("x")).Index().Add(T())}, fwd...)...).Block(
			jen.Copy(jen.Id("y"), jen.Id("x")),
			loop(body...),
		)
	case kBackward:
		f.Comment(batchDocs[kd])
		f.Func().Id("backwardGeneric").Params(jen.List(jen.Id("gx"), jen.Id("gy"), jen.Id("tape")).Index().Add(T())).Block(
			jen.If(jen.Id("gy").Op("==").Nil()).Block(
				jen.Clear(jen.Id("gx")),
				jen.Return(),
			),
			jen.Copy(jen.Id("gx"), jen.Id("gy")),
			loop(rowCall(kBackward, k.row("gx", "N"), k.row("tape", "TapeLen"))),
		)
	case kBackwardP:
		f.Comment(batchDocs[kd])
		f.Func().Id("backwardPGeneric").Params(jen.List(jen.Id("gx"), jen.Id("gy"), jen.Id("gpt"), jen.Id("tape"), jen.Id("diff")).Index().Add(T())).Block(
			jen.If(jen.Id("gy").Op("==").Nil()).Block(
				jen.Clear(jen.Id("gx")),
			).Else().Block(
				jen.Copy(jen.Id("gx"), jen.Id("gy")),
			),
			loop(rowCall(kBackwardP, k.row("gx", "N"), k.row("gpt", "N * N"), k.row("tape", "TapeLen"), k.row("diff", "DiffLen"))),
		)
	}
	f.Line()
}

var rowDocs = map[kind]string{
	kSort:         "sortRow sorts one row in place.",
	kForward:      "forwardRow sorts one row in place and records its tape.",
	kForwardP:     "forwardPRow sorts one row in place and updates P from the identity.",
	kForwardPTape: "forwardPTapeRow sorts one row in place, updates P from the identity and\nrecords the tape and the column differences.",
	kBackward:     "backwardRow back-propagates the gradient of one row's values in place.",
	kBackwardP:    "backwardPRow back-propagates the gradients of one row's values and of its P\nin place.",
}

// rowFunc emits a kernel's per-row function and, for a long network, the
// parts it calls in turn.
func (k *kernelFile) rowFunc(kd kind) {
	f := k.f
	decl, names := k.rowParams(kd)
	parts := k.m.parts[kd]
	if kd.backward() {
		rev := make([]part, len(parts))
		for i, p := range parts {
			rev[len(parts)-1-i] = p
		}
		parts = rev
	}
	name := kd.String() + "Row"
	f.Comment(lines(rowDocs[kd]))
	if len(parts) <= 1 {
		var body []jen.Code
		if len(parts) == 1 {
			body = k.partBody(kd, parts[0])
		}
		f.Func().Id(name).Params(decl...).Block(body...)
		f.Line()
		return
	}
	var calls []jen.Code
	for i := range parts {
		calls = append(calls, jen.Id(fmt.Sprintf("%sPart%d", kd, i)).Call(names...))
	}
	f.Func().Id(name).Params(decl...).Block(calls...)
	f.Line()
	for i, p := range parts {
		first, last := k.m.p.Steps[p.lo].Layer, k.m.p.Steps[p.hi-1].Layer
		layers := fmt.Sprintf("layer %d", first)
		if last != first {
			layers = fmt.Sprintf("layers %d-%d", first, last)
		}
		order := ""
		if kd.backward() {
			order = " in reverse"
		}
		f.Commentf("%sPart%d runs comparators %d-%d (%s)%s.", kd, i, p.lo, p.hi-1, layers, order)
		f.Func().Id(fmt.Sprintf("%sPart%d", kd, i)).Params(decl...).Block(k.partBody(kd, p)...)
		f.Line()
	}
}

// partBody is the unrolled comparator sequence of steps [p.lo, p.hi).
func (k *kernelFile) partBody(kd kind, p part) []jen.Code {
	var body []jen.Code
	switch {
	case kd == kForwardP && !k.m.hard, kd == kForwardPTape && !k.m.hard:
		body = append(body, jen.Var().Id("w").Add(k.T()))
	case kd == kBackwardP:
		body = append(body, jen.Var().List(jen.Id("dot"), jen.Id("w")).Add(k.T()))
	}
	layer := -1
	emit := func(i int) {
		st := &k.m.p.Steps[i]
		if st.Layer != layer {
			layer = st.Layer
			body = append(body, jen.Commentf("layer %d", layer))
		}
		body = append(body, k.step(kd, i, st)...)
	}
	if kd.backward() {
		for i := p.hi - 1; i >= p.lo; i-- {
			emit(i)
		}
	} else {
		for i := p.lo; i < p.hi; i++ {
			emit(i)
		}
	}
	return body
}

func at(arr string, i int) *jen.Statement { return jen.Id(arr).Index(jen.Lit(i)) }

// colIndex is the index of P[i][c] in a column-major matrix: c*N + i.
func colIndex(c, i int) *jen.Statement {
	var s *jen.Statement
	switch c {
	case 0:
		return jen.Lit(i)
	case 1:
		s = jen.Id("N")
	default:
		s = jen.Lit(c).Op("*").Id("N")
	}
	if i > 0 {
		s = s.Op("+").Lit(i)
	}
	return s
}

func colAt(arr string, c, i int) *jen.Statement { return jen.Id(arr).Index(colIndex(c, i)) }

// cols is rows [lo, hi) of column c.
func cols(arr string, c, lo, hi int) *jen.Statement {
	return jen.Id(arr).Index(colIndex(c, lo), colIndex(c, hi))
}

func span(arr string, lo, hi int) *jen.Statement {
	return jen.Id(arr).Index(jen.Lit(lo), jen.Lit(hi))
}

// step emits comparator i of the plan in kernel kd.
func (k *kernelFile) step(kd kind, i int, st *plan.Step) []jen.Code {
	p, q := st.P, st.Q
	vp, vq := at("v", p), at("v", q)
	pair := func() *jen.Statement { return jen.List(at("v", p), at("v", q)) }
	tape := func() *jen.Statement { return jen.List(at("tp", 3*i), at("tp", 3*i+1), at("tp", 3*i+2)) }
	sp := k.swapParams()
	args := func(a ...jen.Code) []jen.Code { return append(a, sp...) }
	// hardSwap swaps the values and, with P, the columns when b < a (ties
	// keep their order, as a <= b does).
	hardSwap := func(colSwap []jen.Code) jen.Code {
		return jen.If(at("v", q).Op("<").Add(at("v", p))).Block(
			append([]jen.Code{pair().Op("=").List(at("v", q), at("v", p))}, colSwap...)...)
	}
	switch kd {
	case kSort:
		if k.m.hard {
			return []jen.Code{pair().Op("=").Add(k.call("order", vp, vq))}
		}
		return []jen.Code{pair().Op("=").Add(k.call("compare", args(vp, vq)...))}
	case kForward:
		rec := tape().Op("=").Add(k.call("record", args(vp, vq)...))
		if k.m.hard {
			return []jen.Code{rec, pair().Op("=").Add(k.call("order", at("v", p), at("v", q)))}
		}
		return []jen.Code{rec, pair().Op("=").Add(k.call("mix", at("tp", 3*i+1), at("v", p), at("v", q)))}
	case kForwardP:
		if k.m.hard {
			return []jen.Code{hardSwap(k.colSwap(st))}
		}
		return append([]jen.Code{
			jen.Id("w").Op("=").Add(k.call("weight", args(vp, vq)...)),
			pair().Op("=").Add(k.call("mix", jen.Id("w"), at("v", p), at("v", q))),
		}, k.colMix(st, "m", false)...)
	case kForwardPTape:
		rec := tape().Op("=").Add(k.call("record", args(vp, vq)...))
		if k.m.hard {
			return append(append([]jen.Code{rec}, k.colDiff(st)...), hardSwap(k.colSwap(st)))
		}
		return append([]jen.Code{rec,
			jen.Id("w").Op("=").Add(at("tp", 3*i+1)),
			pair().Op("=").Add(k.call("mix", jen.Id("w"), at("v", p), at("v", q))),
		}, k.colMix(st, "m", true)...)
	case kBackward:
		return []jen.Code{jen.List(at("g", p), at("g", q)).Op("=").Add(
			k.call("backprop", at("g", p), at("g", q), at("tp", 3*i), at("tp", 3*i+1), at("tp", 3*i+2)))}
	default: // kBackwardP
		out := k.colDot(st)
		out = append(out,
			jen.List(at("g", p), at("g", q)).Op("=").Add(
				k.call("backpropDot", at("g", p), at("g", q), at("tp", 3*i), at("tp", 3*i+1), at("tp", 3*i+2), jen.Id("dot"))),
			jen.Id("w").Op("=").Add(at("tp", 3*i+1)),
		)
		return append(out, k.colMix(st, "gm", false)...)
	}
}

// colMix mixes the support rows of columns p and q of arr with weight w,
// recording their differences first when diff is set.
func (k *kernelFile) colMix(st *plan.Step, arr string, diff bool) []jen.Code {
	var out []jen.Code
	o := st.DiffOffset
	for _, r := range st.Rows {
		l := r.Hi - r.Lo
		if l <= unrollRows {
			for i := r.Lo; i < r.Hi; i++ {
				if diff {
					out = append(out, at("df", o).Op("=").Add(colAt(arr, st.P, i)).Op("-").Add(colAt(arr, st.Q, i)))
					o++
				}
				out = append(out, jen.List(colAt(arr, st.P, i), colAt(arr, st.Q, i)).Op("=").Add(
					k.call("mix", jen.Id("w"), colAt(arr, st.P, i), colAt(arr, st.Q, i))))
			}
			continue
		}
		if diff {
			out = append(out, k.call("mixColsDiff", cols(arr, st.P, r.Lo, r.Hi), cols(arr, st.Q, r.Lo, r.Hi), span("df", o, o+l), jen.Id("w")))
			o += l
		} else {
			out = append(out, k.call("mixCols", cols(arr, st.P, r.Lo, r.Hi), cols(arr, st.Q, r.Lo, r.Hi), jen.Id("w")))
		}
	}
	return out
}

// colSwap swaps the support rows of columns p and q of P.
func (k *kernelFile) colSwap(st *plan.Step) []jen.Code {
	var out []jen.Code
	for _, r := range st.Rows {
		if r.Hi-r.Lo <= unrollRows {
			for i := r.Lo; i < r.Hi; i++ {
				out = append(out, jen.List(colAt("m", st.P, i), colAt("m", st.Q, i)).Op("=").List(colAt("m", st.Q, i), colAt("m", st.P, i)))
			}
			continue
		}
		out = append(out, k.call("swapCols", cols("m", st.P, r.Lo, r.Hi), cols("m", st.Q, r.Lo, r.Hi)))
	}
	return out
}

// colDiff records the differences of the support rows of columns p and q.
func (k *kernelFile) colDiff(st *plan.Step) []jen.Code {
	var out []jen.Code
	o := st.DiffOffset
	for _, r := range st.Rows {
		l := r.Hi - r.Lo
		if l <= unrollRows {
			for i := r.Lo; i < r.Hi; i++ {
				out = append(out, at("df", o).Op("=").Add(colAt("m", st.P, i)).Op("-").Add(colAt("m", st.Q, i)))
				o++
			}
			continue
		}
		out = append(out, k.call("diffCols", span("df", o, o+l), cols("m", st.P, r.Lo, r.Hi), cols("m", st.Q, r.Lo, r.Hi)))
		o += l
	}
	return out
}

// colDot accumulates dot = sum over the support rows of (G[:,p] - G[:,q]) *
// diff, in row order from zero as the interpreter does.
func (k *kernelFile) colDot(st *plan.Step) []jen.Code {
	out := []jen.Code{jen.Id("dot").Op("=").Lit(0)}
	o := st.DiffOffset
	for _, r := range st.Rows {
		l := r.Hi - r.Lo
		if l <= unrollRows {
			for i := r.Lo; i < r.Hi; i++ {
				out = append(out, jen.Id("dot").Op("+=").Parens(colAt("gm", st.P, i).Op("-").Add(colAt("gm", st.Q, i))).Op("*").Add(at("df", o)))
				o++
			}
			continue
		}
		out = append(out, jen.Id("dot").Op("=").Add(k.call("dotCols", jen.Id("dot"), cols("gm", st.P, r.Lo, r.Hi), cols("gm", st.Q, r.Lo, r.Hi), span("df", o, o+l))))
		o += l
	}
	return out
}

// noinline keeps a column helper a call: inlined at every step, its loop
// would triple the compile time of a large network, and a call costs little
// next to a loop over more than unrollRows rows.
const noinline = "//go:noinline"

// helpers emits the helpers the kernels called, in a fixed order. Some
// helpers call others, so the order runs from callers to callees and marks
// as it goes.
func (k *kernelFile) helpers() {
	f, T := k.f, k.T
	sp := k.swapParams()
	spDecl := paramDecl(sp)
	id := jen.Id
	// The forward weight function, and the one whose derivative the tape
	// records (the same for soft swaps; errorfree's base otherwise).
	soft, grad := k.m.soft, k.m.grad
	fnArgs := func(sf *softFunc, d jen.Code) []jen.Code {
		a := []jen.Code{d, id("beta")}
		if sf.lambda {
			a = append(a, id("lambda"))
		}
		return a
	}
	if k.used["compare"] {
		k.used["weight"], k.used["mix"] = true, true
		f.Comment("compare is a soft comparator on (a, b): lo goes to the min wire.")
		f.Func().Id("compare").Params(jen.List(id("a"), id("b")).Add(T()), spDecl).Params(jen.List(id("lo"), id("hi")).Add(T())).Block(
			jen.Return(id("mix").Call(id("weight").Call(append([]jen.Code{id("a"), id("b")}, sp...)...), id("a"), id("b"))),
		)
		f.Line()
	}
	if k.used["weight"] {
		k.used["diff"] = true
		f.Comment(lines("weight is the forward weight of a soft comparator on (a, b): the\n" +
			"probability of \"no swap\" at d = b - a, computed in float64."))
		f.Func().Id("weight").Params(jen.List(id("a"), id("b")).Add(T()), spDecl).Add(T()).Block(
			jen.List(id("alpha"), id("_")).Op(":=").Id(soft.name).Call(fnArgs(soft, id("diff").Call(id("a"), id("b")))...),
			jen.Return(T().Call(id("alpha"))),
		)
		f.Line()
	}
	if k.used["record"] {
		k.used["diff"] = true
		f.Comment(lines("record is the tape entry of a comparator on (a, b): d*slope, the weight\n" +
			"of \"no swap\" and its slope at d = b - a, computed in float64 (d*slope\n" +
			"stays small where d alone can overflow)."))
		f.Func().Id("record").Params(jen.List(id("a"), id("b")).Add(T()), spDecl).Params(jen.List(id("ds"), id("alpha"), id("slope")).Add(T())).Block(
			id("d").Op(":=").Id("diff").Call(id("a"), id("b")),
			jen.List(id("al"), id("sl")).Op(":=").Id(grad.name).Call(fnArgs(grad, id("d"))...),
			jen.Return(T().Call(id("d").Op("*").Id("sl")), T().Call(id("al")), T().Call(id("sl"))),
		)
		f.Line()
	}
	if k.used["diff"] {
		if k.m.elem == "float32" {
			f.Comment("diff is b - a in float64, where it cannot overflow.")
			f.Func().Id("diff").Params(jen.List(id("a"), id("b")).Add(T())).Float64().Block(
				jen.Return(jen.Float64().Call(id("b")).Op("-").Float64().Call(id("a"))),
			)
		} else {
			f.Comment(lines("diff is b - a clamped to the largest finite value: where it acts the\n" +
				"weight is saturated and the slope 0 either way, and d*slope stays 0."))
			f.Func().Id("diff").Params(jen.List(id("a"), id("b")).Add(T())).Float64().Block(
				jen.Return(jen.Max(jen.Op("-").Qual("math", "MaxFloat64"), jen.Min(id("b").Op("-").Id("a"), jen.Qual("math", "MaxFloat64")))),
			)
		}
		f.Line()
	}
	if k.used["order"] {
		f.Comment("order is an exact comparator on (a, b); a tie keeps its order.")
		f.Func().Id("order").Params(jen.List(id("a"), id("b")).Add(T())).Params(jen.List(id("lo"), id("hi")).Add(T())).Block(
			jen.If(id("a").Op("<=").Id("b")).Block(jen.Return(id("a"), id("b"))),
			jen.Return(id("b"), id("a")),
		)
		f.Line()
	}
	if k.used["backpropDot"] {
		k.used["mix"] = true
		f.Comment(lines("backpropDot back-propagates through a comparator: (gp, gq) are the\n" +
			"gradients of its outputs, (ds, alpha, slope) its tape entry, dot the\n" +
			"gradient of alpha through P. It returns the gradients of its inputs:\n" +
			"dd = dalpha*slope = dot*slope - (gp-gq)*ds."))
		f.Func().Id("backpropDot").Params(jen.List(id("gp"), id("gq"), id("ds"), id("alpha"), id("slope"), id("dot")).Add(T())).Params(T(), T()).Block(
			id("dd").Op(":=").Add(T().Call(id("dot").Op("*").Id("slope"))).Op("-").Add(T().Call(jen.Parens(id("gp").Op("-").Id("gq")).Op("*").Id("ds"))),
			jen.List(id("np"), id("nq")).Op(":=").Id("mix").Call(id("alpha"), id("gp"), id("gq")),
			jen.Return(id("np").Op("-").Id("dd"), id("nq").Op("+").Id("dd")),
		)
		f.Line()
	}
	if k.used["backprop"] {
		k.used["mix"] = true
		f.Comment("backprop is backpropDot without a gradient through P.")
		f.Func().Id("backprop").Params(jen.List(id("gp"), id("gq"), id("ds"), id("alpha"), id("_")).Add(T())).Params(T(), T()).Block(
			id("e").Op(":=").Add(T().Call(jen.Parens(id("gp").Op("-").Id("gq")).Op("*").Id("ds"))),
			jen.List(id("np"), id("nq")).Op(":=").Id("mix").Call(id("alpha"), id("gp"), id("gq")),
			jen.Return(id("np").Op("+").Id("e"), id("nq").Op("-").Id("e")),
		)
		f.Line()
	}
	colsDecl := func(names ...string) jen.Code {
		ids := make([]jen.Code, len(names))
		for i, n := range names {
			ids[i] = id(n)
		}
		return jen.List(ids...).Index().Add(T())
	}
	if k.used["mixColsDiff"] {
		k.used["mix"] = true
		f.Comment("mixColsDiff records cp - cq in df, then mixes cp and cq with weight w.")
		f.Comment(noinline)
		f.Func().Id("mixColsDiff").Params(colsDecl("cp", "cq", "df"), id("w").Add(T())).Block(
			jen.List(id("cq"), id("df")).Op("=").List(id("cq").Index(jen.Empty(), jen.Len(id("cp"))), id("df").Index(jen.Empty(), jen.Len(id("cp")))),
			jen.For(jen.List(id("i"), id("a")).Op(":=").Range().Id("cp")).Block(
				id("b").Op(":=").Id("cq").Index(id("i")),
				id("df").Index(id("i")).Op("=").Id("a").Op("-").Id("b"),
				jen.List(id("cp").Index(id("i")), id("cq").Index(id("i"))).Op("=").Id("mix").Call(id("w"), id("a"), id("b")),
			),
		)
		f.Line()
	}
	if k.used["mixCols"] {
		k.used["mix"] = true
		f.Comment("mixCols mixes the column slices cp and cq with weight w.")
		f.Comment(noinline)
		f.Func().Id("mixCols").Params(colsDecl("cp", "cq"), id("w").Add(T())).Block(
			id("cq").Op("=").Id("cq").Index(jen.Empty(), jen.Len(id("cp"))),
			jen.For(jen.List(id("i"), id("a")).Op(":=").Range().Id("cp")).Block(
				jen.List(id("cp").Index(id("i")), id("cq").Index(id("i"))).Op("=").Id("mix").Call(id("w"), id("a"), id("cq").Index(id("i"))),
			),
		)
		f.Line()
	}
	if k.used["diffCols"] {
		f.Comment("diffCols records cp - cq in df.")
		f.Comment(noinline)
		f.Func().Id("diffCols").Params(colsDecl("df", "cp", "cq")).Block(
			jen.List(id("cp"), id("cq")).Op("=").List(id("cp").Index(jen.Empty(), jen.Len(id("df"))), id("cq").Index(jen.Empty(), jen.Len(id("df")))),
			jen.For(jen.Id("i").Op(":=").Range().Id("df")).Block(
				id("df").Index(id("i")).Op("=").Id("cp").Index(id("i")).Op("-").Id("cq").Index(id("i")),
			),
		)
		f.Line()
	}
	if k.used["swapCols"] {
		f.Comment("swapCols exchanges the column slices cp and cq.")
		f.Comment(noinline)
		f.Func().Id("swapCols").Params(colsDecl("cp", "cq")).Block(
			id("cq").Op("=").Id("cq").Index(jen.Empty(), jen.Len(id("cp"))),
			jen.For(jen.List(id("i"), id("a")).Op(":=").Range().Id("cp")).Block(
				jen.List(id("cp").Index(id("i")), id("cq").Index(id("i"))).Op("=").List(id("cq").Index(id("i")), id("a")),
			),
		)
		f.Line()
	}
	if k.used["dotCols"] {
		f.Comment("dotCols returns dot plus the dot product of gp - gq with df, summed in order.")
		f.Comment(noinline)
		f.Func().Id("dotCols").Params(id("dot").Add(T()), colsDecl("gp", "gq", "df")).Add(T()).Block(
			jen.List(id("gq"), id("df")).Op("=").List(id("gq").Index(jen.Empty(), jen.Len(id("gp"))), id("df").Index(jen.Empty(), jen.Len(id("gp")))),
			jen.For(jen.List(id("i"), id("a")).Op(":=").Range().Id("gp")).Block(
				id("dot").Op("+=").Parens(id("a").Op("-").Id("gq").Index(id("i"))).Op("*").Id("df").Index(id("i")),
			),
			jen.Return(id("dot")),
		)
		f.Line()
	}
	if k.used["identity"] {
		f.Comment("identity sets m to the identity matrix.")
		f.Func().Id("identity").Params(id("m").Add(k.arr("N * N"))).Block(
			jen.Clear(id("m").Index(jen.Empty(), jen.Empty())),
			jen.For(id("j").Op(":=").Lit(0), id("j").Op("<").Id("N"), id("j").Op("++")).Block(
				id("m").Index(id("j").Op("*").Id("N").Op("+").Id("j")).Op("=").Lit(1),
			),
		)
		f.Line()
	}
	if k.used["mix"] {
		f.Comment(lines("mix is a comparator's convex combination of its wires, written as\n" +
			"diffsort writes it. The conversions keep the compiler from fusing the\n" +
			"products and sums into FMAs, so every architecture rounds alike."))
		f.Func().Id("mix").Params(jen.List(id("w"), id("a"), id("b")).Add(T())).Params(jen.List(id("lo"), id("hi")).Add(T())).Block(
			id("omw").Op(":=").Lit(1).Op("-").Id("w"),
			jen.Return(
				T().Call(id("w").Op("*").Id("a")).Op("+").Add(T().Call(id("omw").Op("*").Id("b"))),
				T().Call(id("omw").Op("*").Id("a")).Op("+").Add(T().Call(id("w").Op("*").Id("b"))),
			),
		)
		f.Line()
	}
}
