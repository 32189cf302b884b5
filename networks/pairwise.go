package networks

import "fmt"

// Pairwise returns Parberry's pairwise sorting network (I. Parberry, "The
// pairwise sorting network", Parallel Processing Letters 2(2-3), 1992), for
// any n. It first sorts pairs, pairs of pairs and so on by their smaller
// element, then merges back down; for n = 2^k it has the size and depth of
// odd-even merge sort.
func Pairwise(n int) (*Network, error) {
	if n < 2 {
		return nil, fmt.Errorf("%w (got %d)", ErrTooFewWires, n)
	}
	var cs []Comparator
	// compareRuns compares wire b-dist with b for b running through runs of
	// length a that start at first and repeat every 2a.
	compareRuns := func(first, a, dist int) {
		for b, c := first, 0; b < n; {
			cs = append(cs, Comparator{b - dist, b})
			b++
			c++
			if c >= a {
				c = 0
				b += a
			}
		}
	}
	a := 1
	for ; a < n; a *= 2 {
		compareRuns(a, a, a)
	}
	e := 1
	for a /= 4; a > 0; a /= 2 {
		for d := e; d > 0; d /= 2 {
			compareRuns((d+1)*a, a, d*a)
		}
		e = 2*e + 1
	}
	return FromFlat(n, cs)
}
