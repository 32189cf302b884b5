package vbce

import "math"

// Float is the element type of the kernels.
type Float interface{ ~float32 | ~float64 }

// Log1m writes grad[i] = q/max(q(1-q), 1e-12)*inv for q = min(max(p[i],0),1)
// and returns the sum of max(log(1-q), -100). len(grad) must equal len(p).
func Log1m[T Float](grad, p []T, inv T) float64 { return run(grad, p, inv, false) }

// One is Log1m's correction for entries whose target is 1: it writes
// grad[i] = (q-1)/max(q(1-q), 1e-12)*inv and returns the sum of
// max(log(1-q), -100) - max(log(q), -100), so that adding it to Log1m's sum
// for those entries leaves their BCE term -max(log(q), -100) negated.
func One[T Float](grad, p []T, inv T) float64 { return run(grad, p, inv, true) }

// run gives the whole vector blocks to the assembly and the rest to generic.
func run[T Float](grad, p []T, inv T, one bool) float64 {
	k := blockLen[T](len(p))
	sum := 0.0
	if k > 0 {
		sum = blocks(grad[:k], p[:k], inv, one)
	}
	return sum + generic(grad[k:len(p)], p[k:], inv, one)
}

// generic is Log1m (or, with one, One) in plain Go.
func generic[T Float](grad, p []T, inv T, one bool) float64 {
	grad = grad[:len(p)]
	target := 0.0
	if one {
		target = 1
	}
	sum := 0.0
	for i, v := range p {
		q := min(max(float64(v), 0), 1)
		if math.IsNaN(float64(v)) {
			q = 0
		}
		sum += max(math.Log(1-q), -100)
		if one {
			sum -= max(math.Log(q), -100)
		}
		grad[i] = T((q - target) / max(q*(1-q), 1e-12) * float64(inv))
	}
	return sum
}
