package gen

import (
	"github.com/dave/jennifer/jen"

	"github.com/sortgen/sortgen/gen/plan"
)

// renderSwap emits the swap functions the kernels use. Each is written
// exactly as plan.Alpha computes it (same operations, same order, in
// float64 for both element types), so the kernels reproduce the
// interpreter's weights bit for bit.
func renderSwap(m *model) ([]byte, error) {
	f := newFile(m, "")
	var fs []*softFunc
	if m.soft != nil {
		fs = append(fs, m.soft)
	}
	if m.grad != nil && (m.soft == nil || m.grad.f != m.soft.f) {
		fs = append(fs, m.grad)
	}
	sigmoid := false
	for _, sf := range fs {
		sigmoid = sigmoid || sf.f == plan.Logistic || sf.f == plan.LogisticPhi
	}
	if sigmoid {
		f.Comment("sigmoid is 1/(1+exp(-x)), written so that exp never overflows.")
		f.Func().Id("sigmoid").Params(jen.Id("x").Float64()).Float64().Block(
			jen.If(jen.Id("x").Op(">=").Lit(0)).Block(
				jen.Return(jen.Lit(1).Op("/").Parens(jen.Lit(1).Op("+").Qual("math", "Exp").Call(jen.Op("-").Id("x")))),
			),
			jen.Id("e").Op(":=").Qual("math", "Exp").Call(jen.Id("x")),
			jen.Return(jen.Id("e").Op("/").Parens(jen.Lit(1).Op("+").Id("e"))),
		)
		f.Line()
	}
	for _, sf := range fs {
		f.Comment(lines(swapDoc[sf.f]))
		params := []jen.Code{jen.Id("d"), jen.Id("beta")}
		if sf.lambda {
			params = append(params, jen.Id("lambda"))
		}
		f.Func().Id(sf.name).Params(jen.List(params...).Float64()).Params(jen.Id("alpha"), jen.Id("slope").Float64()).Block(swapBody(sf.f)...)
		f.Line()
	}
	return render(f)
}

var swapDoc = map[plan.Func]string{
	plan.Logistic: "logistic is the swap function: alpha = sigmoid(beta*d) is the weight of\n" +
		"\"no swap\" for d = b - a, and slope = dalpha/dd.",
	plan.LogisticPhi: "logisticPhi is the swap function with the ART exponent: alpha =\n" +
		"sigmoid(beta*d / (|d|+1e-10)^lambda) is the weight of \"no swap\" for\n" +
		"d = b - a, and slope = dalpha/dd.",
	plan.Gaussian: "gaussian is the swap function: alpha = Phi(beta*d), the normal CDF, is\n" +
		"the weight of \"no swap\" for d = b - a, and slope = dalpha/dd.",
	plan.Reciprocal: "reciprocal is the swap function: alpha = (v/(2+|v|) + 1)/2 with v = beta*d\n" +
		"is the weight of \"no swap\" for d = b - a, and slope = dalpha/dd.",
	plan.Cauchy: "cauchy is the swap function: alpha = atan(beta*d)/pi + 1/2 is the weight\n" +
		"of \"no swap\" for d = b - a, and slope = dalpha/dd.",
	plan.Optimal: "optimal is the swap function: linear in v = beta*d for |v| <= 1/4, with\n" +
		"1/(16|v|) tails; alpha is the weight of \"no swap\" for d = b - a, and\n" +
		"slope = dalpha/dd.",
}

func swapBody(fn plan.Func) []jen.Code {
	id := jen.Id
	math := func(name string, args ...jen.Code) *jen.Statement { return jen.Qual("math", name).Call(args...) }
	switch fn {
	case plan.Logistic:
		// s := sigmoid(beta * d); return s, beta * s * (1 - s)
		return []jen.Code{
			id("s").Op(":=").Id("sigmoid").Call(id("beta").Op("*").Id("d")),
			jen.Return(id("s"), id("beta").Op("*").Id("s").Op("*").Parens(jen.Lit(1).Op("-").Id("s"))),
		}
	case plan.LogisticPhi:
		// ad := math.Abs(d) + 1e-10
		// s := sigmoid(beta * d / math.Pow(ad, lambda))
		// return s, s * (1 - s) * beta * math.Pow(ad, -lambda-1) * (ad - lambda*math.Abs(d))
		return []jen.Code{
			id("ad").Op(":=").Add(math("Abs", id("d"))).Op("+").Lit(1e-10),
			id("s").Op(":=").Id("sigmoid").Call(id("beta").Op("*").Id("d").Op("/").Add(math("Pow", id("ad"), id("lambda")))),
			jen.Return(id("s"),
				id("s").Op("*").Parens(jen.Lit(1).Op("-").Id("s")).Op("*").Id("beta").Op("*").
					Add(math("Pow", id("ad"), jen.Op("-").Id("lambda").Op("-").Lit(1))).Op("*").
					Parens(id("ad").Op("-").Id("lambda").Op("*").Add(math("Abs", id("d"))))),
		}
	case plan.Gaussian:
		// v := beta * d
		// return 0.5 + 0.5*math.Erf(v/math.Sqrt2), beta * math.Exp(-v*v/2) / math.Sqrt(2*math.Pi)
		return []jen.Code{
			id("v").Op(":=").Id("beta").Op("*").Id("d"),
			jen.Return(
				jen.Lit(0.5).Op("+").Lit(0.5).Op("*").Add(math("Erf", id("v").Op("/").Qual("math", "Sqrt2"))),
				id("beta").Op("*").Add(math("Exp", jen.Op("-").Id("v").Op("*").Id("v").Op("/").Lit(2))).Op("/").
					Add(math("Sqrt", jen.Lit(2).Op("*").Qual("math", "Pi")))),
		}
	case plan.Reciprocal:
		// v := beta * d; den := 2 + math.Abs(v)
		// return 0.5 * (v/den + 1), beta / (den * den)
		return []jen.Code{
			jen.Comment("v is clamped so that a saturated weight is v/den = 1, not Inf/Inf."),
			id("v").Op(":=").Max(jen.Op("-").Qual("math", "MaxFloat64"), jen.Min(id("beta").Op("*").Id("d"), jen.Qual("math", "MaxFloat64"))),
			id("den").Op(":=").Lit(2).Op("+").Add(math("Abs", id("v"))),
			jen.Return(
				jen.Lit(0.5).Op("*").Parens(id("v").Op("/").Id("den").Op("+").Lit(1)),
				id("beta").Op("/").Parens(id("den").Op("*").Id("den"))),
		}
	case plan.Cauchy:
		// v := beta * d
		// return math.Atan(v)/math.Pi + 0.5, beta / (math.Pi * (1 + v*v))
		return []jen.Code{
			id("v").Op(":=").Id("beta").Op("*").Id("d"),
			jen.Return(
				math("Atan", id("v")).Op("/").Qual("math", "Pi").Op("+").Lit(0.5),
				id("beta").Op("/").Parens(jen.Qual("math", "Pi").Op("*").Parens(jen.Lit(1).Op("+").Id("v").Op("*").Id("v")))),
		}
	case plan.Optimal:
		// v := beta * d; av := math.Abs(v)
		// if av <= 0.25 { return v + 0.5, beta }
		// e := av + 1e-10
		// if v > 0 { return 1 - 1/(16*e), beta / (16 * e * e) }
		// return 1 / (16 * e), beta / (16 * e * e)
		return []jen.Code{
			id("v").Op(":=").Id("beta").Op("*").Id("d"),
			id("av").Op(":=").Add(math("Abs", id("v"))),
			jen.If(id("av").Op("<=").Lit(0.25)).Block(jen.Return(id("v").Op("+").Lit(0.5), id("beta"))),
			id("e").Op(":=").Id("av").Op("+").Lit(1e-10),
			jen.If(id("v").Op(">").Lit(0)).Block(jen.Return(
				jen.Lit(1).Op("-").Lit(1).Op("/").Parens(jen.Lit(16).Op("*").Id("e")),
				id("beta").Op("/").Parens(jen.Lit(16).Op("*").Id("e").Op("*").Id("e")))),
			jen.Return(
				jen.Lit(1).Op("/").Parens(jen.Lit(16).Op("*").Id("e")),
				id("beta").Op("/").Parens(jen.Lit(16).Op("*").Id("e").Op("*").Id("e"))),
		}
	}
	panic("gen: no template for swap function " + fn.String())
}
