package gen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/internal/testmod"
)

// TestLoopedMatchesUnrolled builds the unrolled and the looped kernels of
// several configurations side by side and checks that every entry point
// gives bitwise the same results: the looped row functions must do the
// unrolled arithmetic in the same order.
func TestLoopedMatchesUnrolled(t *testing.T) {
	cfgs := []struct {
		network    string
		n          int
		swap, base string
		elem       plan.Elem
	}{
		{"odd_even", 9, "cauchy", "", plan.Float32},
		{"bitonic", 16, "logistic_phi", "", plan.Float64},
		{"odd_even", 12, "errorfree", "optimal", plan.Float64},
		{"bitonic", 8, "hard", "", plan.Float32},
		{"best", 10, "reciprocal", "", plan.Float32},
	}
	if !testing.Short() {
		cfgs = append(cfgs, struct {
			network    string
			n          int
			swap, base string
			elem       plan.Elem
		}{"odd_even", 40, "gaussian", "", plan.Float64})
	}
	m := testmod.New(t, "example.com/looped")
	var imports, cases strings.Builder
	for i, c := range cfgs {
		p := newPlan(t, c.network, c.n, c.swap, c.base, c.elem)
		for _, v := range []struct {
			name   string
			unroll Unroll
		}{{"unrolled", UnrollAlways}, {"looped", UnrollNever}} {
			pkg := fmt.Sprintf("%s%d", v.name, i)
			files, err := Generate(p, Options{Package: pkg, Unroll: v.unroll})
			require.NoError(t, err)
			_, hasTable := files["kernels_table.go"]
			require.Equal(t, v.unroll == UnrollNever, hasTable, "%s: kernels_table.go", pkg)
			m.WriteFiles(t, pkg, files)
			fmt.Fprintf(&imports, "\t\"example.com/looped/%s\"\n", pkg)
		}
		bu, bl := "nil", "nil"
		if p.Swap.Differentiable() {
			bu, bl = fmt.Sprintf("unrolled%d.BackwardP", i), fmt.Sprintf("looped%d.BackwardP", i)
		}
		fmt.Fprintf(&cases, loopedTestCase, i, c.elem, p.Swap.Differentiable(), bu, bl)
	}
	test := loopedTestHeader + imports.String() + ")\n" + loopedTestShared + cases.String()
	m.Write(t, "cmp/cmp_test.go", []byte(test))
	m.Go(t, nil, "test", "./cmp/")
}

const loopedTestHeader = `package cmp

import (
	"math"
	"math/rand/v2"
	"testing"

`

const loopedTestShared = `

type entry[T float32 | float64] struct {
	n, tape, diff int
	sort          func(y, x []T, beta, lambda float64) error
	forwardP      func(y, pt, tape, diff, x []T, beta, lambda float64) error
	backwardP     func(gx, gy, gpt, tape, diff []T) error
	diffable      bool
}

func rows[T float32 | float64](n, batch int, r *rand.Rand) []T {
	x := make([]T, n*batch)
	for i := range x {
		x[i] = T(r.NormFloat64())
		if i%5 == 3 {
			x[i] = x[i-1] // ties
		}
	}
	return x
}

func same[T float32 | float64](t *testing.T, what string, a, b []T) {
	t.Helper()
	for i := range a {
		if math.Float64bits(float64(a[i])) != math.Float64bits(float64(b[i])) {
			t.Fatalf("%s[%d]: unrolled %v, looped %v", what, i, a[i], b[i])
		}
	}
}

func compare[T float32 | float64](t *testing.T, u, l entry[T]) {
	r := rand.New(rand.NewPCG(1, 2))
	const batch, beta, lambda = 3, 3.5, 0.25
	x := rows[T](u.n, batch, r)
	yu, yl := make([]T, len(x)), make([]T, len(x))
	if err := u.sort(yu, x, beta, lambda); err != nil {
		t.Fatal(err)
	}
	if err := l.sort(yl, x, beta, lambda); err != nil {
		t.Fatal(err)
	}
	same(t, "Sort y", yu, yl)
	pu, pl := make([]T, batch*u.n*u.n), make([]T, batch*u.n*u.n)
	var tu, tl, du, dl []T
	if u.diffable {
		tu, tl = make([]T, batch*u.tape), make([]T, batch*u.tape)
		du, dl = make([]T, batch*u.diff), make([]T, batch*u.diff)
	}
	if err := u.forwardP(yu, pu, tu, du, x, beta, lambda); err != nil {
		t.Fatal(err)
	}
	if err := l.forwardP(yl, pl, tl, dl, x, beta, lambda); err != nil {
		t.Fatal(err)
	}
	same(t, "ForwardP y", yu, yl)
	same(t, "ForwardP P", pu, pl)
	same(t, "tape", tu, tl)
	same(t, "diff", du, dl)
	if !u.diffable {
		return
	}
	gy, gp := rows[T](u.n, batch, r), rows[T](u.n*u.n, batch, r)
	gpu, gpl := append([]T(nil), gp...), append([]T(nil), gp...)
	gu, gl := make([]T, len(x)), make([]T, len(x))
	if err := u.backwardP(gu, gy, gpu, tu, du); err != nil {
		t.Fatal(err)
	}
	if err := l.backwardP(gl, gy, gpl, tl, dl); err != nil {
		t.Fatal(err)
	}
	same(t, "BackwardP gx", gu, gl)
}
`

// loopedTestCase compares pair %[1]d, of element type %[2]v; %[3]v says
// whether it has a backward pass, %[4]s and %[5]s are the BackwardP of
// each (or nil).
const loopedTestCase = `
func TestPair%[1]d(t *testing.T) {
	entry := func(n, tape, diff int, sort func(y, x []%[2]v, beta, lambda float64) error,
		forwardP func(y, pt, tape, diff, x []%[2]v, beta, lambda float64) error,
		backwardP func(gx, gy, gpt, tape, diff []%[2]v) error) entry[%[2]v] {
		return entry[%[2]v]{n: n, tape: tape, diff: diff, sort: sort, forwardP: forwardP, backwardP: backwardP, diffable: %[3]v}
	}
	compare(t,
		entry(unrolled%[1]d.N, unrolled%[1]d.TapeLen, unrolled%[1]d.DiffLen, unrolled%[1]d.Sort, unrolled%[1]d.ForwardP, %[4]s),
		entry(looped%[1]d.N, looped%[1]d.TapeLen, looped%[1]d.DiffLen, looped%[1]d.Sort, looped%[1]d.ForwardP, %[5]s))
}
`
