//go:build amd64 && !purego

package vecmathtest

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"

	"github.com/sortgen/sortgen/gen/plan"
)

func needAVX2(t testing.TB) {
	t.Helper()
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		t.Skip("no AVX2+FMA")
	}
}

// run64 applies a float64 kernel to xs (padded to a multiple of 4).
func run64(k func(dst, src []float64), xs []float64) []float64 {
	n := (len(xs) + 3) &^ 3
	src := make([]float64, n)
	copy(src, xs)
	dst := make([]float64, n)
	k(dst, src)
	return dst[:len(xs)]
}

// run32 applies a float32 kernel to xs (padded to a multiple of 8).
func run32(k func(dst, src []float32), xs []float32) []float32 {
	n := (len(xs) + 7) &^ 7
	src := make([]float32, n)
	copy(src, xs)
	dst := make([]float32, n)
	k(dst, src)
	return dst[:len(xs)]
}

// ulp64 is the spacing of float64 values at |x| (the binade's ulp; the
// smallest subnormal below the normal range).
func ulp64(x float64) float64 {
	x = math.Abs(x)
	if x < 0x1p-1022 {
		return 0x1p-1074
	}
	_, e := math.Frexp(x)
	return math.Ldexp(1, e-53)
}

func ulp32(x float64) float64 {
	x = math.Abs(x)
	if x < 0x1p-126 {
		return 0x1p-149
	}
	_, e := math.Frexp(x)
	return math.Ldexp(1, e-24)
}

// ulpErr is |got - want| in ulps of want (0 when equal, +Inf when one is
// not finite and they differ).
func ulpErr(got, want float64, ulp func(float64) float64) float64 {
	if got == want || math.IsNaN(got) && math.IsNaN(want) {
		return 0
	}
	if math.IsNaN(got) || math.IsNaN(want) || math.IsInf(got, 0) || math.IsInf(want, 0) {
		return math.Inf(1)
	}
	return math.Abs(got-want) / ulp(want)
}

// maxErr tracks the largest error and where it occurred.
type maxErr struct {
	err  float64
	x    float64
	got  float64
	want float64
}

func (m *maxErr) add(err, x, got, want float64) {
	if err > m.err || math.IsNaN(err) {
		*m = maxErr{err, x, got, want}
	}
}

func (m maxErr) String() string {
	return fmt.Sprintf("%.4g (x=%v got %v want %v)", m.err, m.x, m.got, m.want)
}

// points returns test inputs: a dense grid over [lo, hi], uniform random
// values there, log-uniform random magnitudes of both signs over the whole
// float64 range (when wide), and the given special points with their
// neighbours a few ulps away.
func points(lo, hi float64, grid, random int, wide bool, special ...float64) []float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	var xs []float64
	for i := 0; i <= grid; i++ {
		xs = append(xs, lo+(hi-lo)*float64(i)/float64(grid))
	}
	for i := 0; i < random; i++ {
		xs = append(xs, lo+(hi-lo)*rng.Float64())
	}
	if wide {
		for i := 0; i < random; i++ {
			x := math.Exp2(rng.Float64()*2046 - 1022)
			if rng.IntN(2) == 0 {
				x = -x
			}
			xs = append(xs, x)
		}
	}
	for _, s := range special {
		xs = append(xs, s)
		u, d := s, s
		for i := 0; i < 4; i++ {
			u, d = math.Nextafter(u, math.Inf(1)), math.Nextafter(d, math.Inf(-1))
			xs = append(xs, u, d)
		}
	}
	return xs
}

// commonSpecial are the special points of every routine.
var commonSpecial = []float64{
	0, math.Copysign(0, -1), 1, -1, 0.5, -0.5, 2, -2,
	5e-324, -5e-324, 1e-310, -1e-310, 0x1p-1022, -0x1p-1022, 1e-300, -1e-300, 1e-20, -1e-20,
	1e-8, -1e-8, 1e30, -1e30, 1e300, -1e300, math.MaxFloat32, -math.MaxFloat32,
	math.MaxFloat64, -math.MaxFloat64, math.Inf(1), math.Inf(-1),
}

func f32s(xs []float64) []float32 {
	out := make([]float32, len(xs))
	for i, x := range xs {
		out[i] = float32(x)
	}
	return out
}

// A unaryCase is one routine with its reference and inputs.
type unaryCase struct {
	name   string
	k64    func(dst, src []float64)
	k32    func(dst, src []float32)
	ref    func(float64) dd
	xs     []float64 // float64 inputs (rounded for float32)
	max64  float64   // allowed ulps
	max32  float64
	domain func(float64) bool // inputs to check (nil: all)
}

func unaryCases() []unaryCase {
	var expSpecial []float64
	for k := -1080; k <= 1030; k++ { // around the branch points k*ln2 ± ln2/2
		expSpecial = append(expSpecial, (float64(k)+0.5)*math.Ln2)
	}
	expSpecial = append(expSpecial, 709.782712893384, 709.7827128933841, -708.3964185322641, -745.1332191019411,
		-745.1332191019412, -746, 710, 88.72283935546875, 88.72284, -87.33654475, -103.97208, -104, 89,
		0.34657359027997264, -0.34657359027997264)
	var logSpecial []float64
	for e := -1022; e <= 1023; e++ {
		logSpecial = append(logSpecial, math.Ldexp(1, e), math.Ldexp(math.Sqrt2, e), math.Ldexp(math.Sqrt2/2, e))
	}
	logSpecial = append(logSpecial, 1e-10, 1+1e-10, math.MaxFloat64, math.MaxFloat32, 0x1p-126)
	logPoints := append(points(0.5, 2, 100000, 100000, true, logSpecial...), points(1e-12, 100, 10000, 100000, false)...)
	atanSpecial := []float64{math.Sqrt2 - 1, 1 - math.Sqrt2, math.Sqrt2 + 1, -math.Sqrt2 - 1, 0.41421356, 2.4142137}
	erfSpecial := []float64{0.84375, -0.84375, 6, -6, 4, -4, 5.9, 3.9, 26.5, 27.5, 40}
	return []unaryCase{
		{"exp", expF64, expF32, expDD, points(-750, 712, 100000, 100000, true, append(expSpecial, commonSpecial...)...), 1, 1, nil},
		{"log", logF64, logF32, logDD, logPoints, 1, 1, func(x float64) bool { return x >= 0x1p-126 && !math.IsInf(x, 0) }},
		{"atan", atanF64, atanF32, exact(math.Atan), points(-12, 12, 100000, 100000, true, append(atanSpecial, commonSpecial...)...), 2, 2, nil},
		{"erf", erfF64, erfF32, exact(math.Erf), points(-7, 7, 100000, 100000, true, append(erfSpecial, commonSpecial...)...), 1, 1, nil},
		{"sigmoid", sigmoidF64, sigmoidF32, sigmoidDD, points(-760, 760, 100000, 100000, true, append(expSpecial, commonSpecial...)...), 1.5, 1, nil},
	}
}

// Double-double arithmetic for references accurate to about 2^-100.
type dd struct{ hi, lo float64 }

func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return s, e
}

func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func ddAdd(x, y dd) dd {
	s1, s2 := twoSum(x.hi, y.hi)
	t1, t2 := twoSum(x.lo, y.lo)
	s2 += t1
	r := quickTwoSum(s1, s2)
	r.lo += t2
	return quickTwoSum(r.hi, r.lo)
}

func ddNeg(x dd) dd { return dd{-x.hi, -x.lo} }

func ddMul(x, y dd) dd {
	p := x.hi * y.hi
	e := math.FMA(x.hi, y.hi, -p)
	e += x.hi*y.lo + x.lo*y.hi + x.lo*y.lo
	return quickTwoSum(p, e)
}

func ddDiv(x, y dd) dd {
	q1 := x.hi / y.hi
	r := ddAdd(x, ddNeg(ddMul(y, dd{q1, 0})))
	q2 := r.hi / y.hi
	r = ddAdd(r, ddNeg(ddMul(y, dd{q2, 0})))
	q3 := r.hi / y.hi
	out := quickTwoSum(q1, q2)
	return ddAdd(out, dd{q3, 0})
}

func (x dd) f64() float64 { return x.hi + x.lo }

// expm1DD is exp(r) - 1 for |r| <= 0.36 as a double-double (Taylor
// series to r^26/26!, below 2^-120).
func expm1DD(r dd) dd {
	const n = len(invFact) - 1
	inv := &invFact
	// t = 1/1! + r/2! + ... + r^(n-1)/n! by Horner's rule.
	t := inv[n]
	for i := n - 1; i >= 1; i-- {
		t = ddAdd(ddMul(t, r), inv[i])
	}
	return ddMul(t, r)
}

// invFact[i] = 1/i!.
var invFact = func() (inv [27]dd) {
	inv[0] = dd{1, 0}
	for i := 1; i < len(inv); i++ {
		inv[i] = ddDiv(inv[i-1], dd{float64(i), 0})
	}
	return inv
}()

// expDD is exp(x) as a double-double: x = k ln2 + r (ln2 in three
// parts), 2^k * (1 + expm1DD(r)).
func expDD(x float64) dd {
	if x < -746 {
		return dd{}
	}
	if x > 710 {
		return dd{math.Inf(1), 0}
	}
	const l1, l2, l3 = 0.6931471805599453, 2.3190468138462996e-17, 5.707708438416212e-34
	k := math.Round(x / math.Ln2)
	r := dd{x, 0}
	for _, l := range []float64{l1, l2, l3} {
		p := k * l
		r = ddAdd(r, ddNeg(dd{p, math.FMA(k, l, -p)}))
	}
	t := ddAdd(dd{1, 0}, expm1DD(r))
	ki := int(k)
	// Scale in two steps so that neither part overflows early.
	h := math.Ldexp(math.Ldexp(t.hi, ki/2), ki-ki/2)
	l := math.Ldexp(math.Ldexp(t.lo, ki/2), ki-ki/2)
	return dd{h, l}
}

// logDD is log(x) for x > 0 as a double-double: math.Log refined by one
// Newton step, log(x) = y + (x - e^y)/e^y, with x - e^y = (x-1) - expm1(y)
// near 1.
func logDD(x float64) dd {
	y := math.Log(x)
	var d, e dd
	if math.Abs(y) < 0.3 {
		em1 := expm1DD(dd{y, 0})
		d = ddAdd(dd{x - 1, 0}, ddNeg(em1))
		e = ddAdd(dd{1, 0}, em1)
	} else {
		e = expDD(y)
		d = ddAdd(dd{x, 0}, ddNeg(e))
	}
	return ddAdd(dd{y, 0}, ddDiv(d, e))
}

// sigmoidDD is 1/(1+exp(-x)) as a double-double (e/(1+e) for x < 0).
func sigmoidDD(x float64) dd {
	e := expDD(-math.Abs(x))
	n := dd{1, 0}
	if x < 0 {
		n = e
	}
	return ddDiv(n, ddAdd(dd{1, 0}, e))
}

func exact(f func(float64) float64) func(float64) dd {
	return func(x float64) dd { return dd{f(x), 0} }
}

// ulpErrDD is |got - want| in ulps of want.
func ulpErrDD(got float64, want dd, ulp func(float64) float64) float64 {
	w := want.f64()
	if got == w {
		return 0
	}
	if math.IsNaN(got) || math.IsInf(got, 0) || math.IsInf(w, 0) {
		return math.Inf(1)
	}
	return math.Abs((got-want.hi)-want.lo) / ulp(w)
}

// bigExp is exp(x) to 300 bits: exp(x/2^20)^(2^20) by the Taylor series.
func bigExp(x float64) *big.Float {
	const prec = 300
	s := new(big.Float).SetPrec(prec).SetFloat64(x)
	s.SetMantExp(s, -20)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for i := 1; i < 40; i++ {
		term.Mul(term, s)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64(i)))
		sum.Add(sum, term)
	}
	for i := 0; i < 20; i++ {
		sum.Mul(sum, sum)
	}
	return sum
}

// TestReferences checks the double-double references against 300-bit
// ones (and math.Exp and math.Log, whose amd64 versions can be 1.2 ulp
// off).
func TestReferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	xs := []float64{-189.54918358570995, 1e-300, -1e-20, 4e-16, 1, -1, 0.5, 700, -700, -708.5, -745}
	for i := 0; i < 200; i++ {
		xs = append(xs, rng.Float64()*1400-700, rng.NormFloat64())
	}
	for _, x := range xs {
		want := bigExp(x)
		got := expDD(x)
		diff := new(big.Float).SetPrec(300).Sub(want, new(big.Float).SetPrec(300).SetFloat64(got.hi))
		diff.Sub(diff, new(big.Float).SetPrec(300).SetFloat64(got.lo))
		d, _ := diff.Float64()
		w, _ := want.Float64()
		if e := math.Abs(d) / ulp64(w); e > 1e-6 && w > 0x1p-1022 {
			t.Errorf("expDD(%v) = %v, 300-bit %v: %.3g ulp", x, got, want, e)
		}
	}
	for i := 0; i < 100000; i++ {
		x := rng.Float64()*1400 - 700
		if e := ulpErrDD(math.Exp(x), expDD(x), ulp64); e > 2 {
			t.Fatalf("expDD(%v) = %v, math.Exp %v (%v ulp)", x, expDD(x), math.Exp(x), e)
		}
		y := math.Exp2(rng.Float64()*2000 - 1000)
		if rng.IntN(2) == 0 {
			y = 1 + rng.NormFloat64()*1e-10
		}
		if e := ulpErrDD(math.Log(y), logDD(y), ulp64); e > 1 {
			t.Fatalf("logDD(%v) = %v, math.Log %v (%v ulp)", y, logDD(y), math.Log(y), e)
		}
	}
}

func TestUnary(t *testing.T) {
	needAVX2(t)
	for _, c := range unaryCases() {
		t.Run(c.name, func(t *testing.T) {
			got64 := run64(c.k64, c.xs)
			var m64, m64n, abs64 maxErr // all, normal results, absolute error
			for i, x := range c.xs {
				if c.domain != nil && !c.domain(x) {
					continue
				}
				w := c.ref(x)
				e := ulpErrDD(got64[i], w, ulp64)
				m64.add(e, x, got64[i], w.f64())
				if math.Abs(w.f64()) >= 0x1p-1022 {
					m64n.add(e, x, got64[i], w.f64())
				}
				if !math.IsInf(w.f64(), 0) {
					abs64.add(math.Abs(got64[i]-w.f64()), x, got64[i], w.f64())
				}
			}
			xs32 := f32s(c.xs)
			got32 := run32(c.k32, xs32)
			var m32 maxErr
			for i, x := range xs32 {
				if c.domain != nil && !c.domain(float64(x)) {
					continue
				}
				w := float64(float32(c.ref(float64(x)).f64()))
				m32.add(ulpErr(float64(got32[i]), w, ulp32), float64(x), float64(got32[i]), w)
			}
			t.Logf("%s: %d points: float64 max %v ulp (normal results %v, absolute %v); float32 max %v ulp",
				c.name, len(c.xs), m64, m64n, abs64, m32)
			if !(m64.err <= c.max64) {
				t.Errorf("%s float64: max error %v, allowed %v ulp", c.name, m64, c.max64)
			}
			if !(m32.err <= c.max32) {
				t.Errorf("%s float32: max error %v, allowed %v ulp", c.name, m32, c.max32)
			}
		})
	}
}

func BenchmarkAlpha(b *testing.B) {
	needAVX2(b)
	const n = 4096
	d64, a64, s64 := make([]float64, n), make([]float64, n), make([]float64, n)
	d32, a32, s32 := make([]float32, n), make([]float32, n), make([]float32, n)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range d64 {
		d64[i] = rng.NormFloat64()
		d32[i] = float32(d64[i])
	}
	for _, f := range plan.SoftFuncs {
		b.Run(f.String()+"/float64", func(b *testing.B) {
			k := alpha64[f]
			for b.Loop() {
				k.full(a64, s64, d64, 10, 0.25)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
		})
		b.Run(f.String()+"/float32", func(b *testing.B) {
			k := alpha32[f]
			for b.Loop() {
				k.full(a32, s32, d32, 10, 0.25)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
		})
	}
	for _, c := range unaryCases() {
		b.Run(c.name+"/float64", func(b *testing.B) {
			for b.Loop() {
				c.k64(a64, d64)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
		})
		b.Run(c.name+"/float32", func(b *testing.B) {
			for b.Loop() {
				c.k32(a32, d32)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
		})
	}
}
