package networks

import "fmt"

// OddEvenMerge returns Batcher's odd-even merge sort. All comparators are
// ascending; for n other than a power of two it is the network for the next
// power of two restricted to the first n wires, which is exact (see
// restrict). For n = 2^k it has (k^2-k+4)2^(k-2)-1 comparators in
// k(k+1)/2 layers.
func OddEvenMerge(n int) (*Network, error) {
	if n < 2 {
		return nil, fmt.Errorf("%w (got %d)", ErrTooFewWires, n)
	}
	size := nextPow2(n)
	var cs []Comparator
	// p is the size of the sorted runs being merged, k the distance of the
	// comparators of one merge step; the comparator (i+j, i+j+k) is kept only
	// if both ends lie in the same merged run of size 2p.
	for p := 1; p < size; p *= 2 {
		for k := p; k >= 1; k /= 2 {
			for j := k % p; j+k < size; j += 2 * k {
				for i := 0; i < k && i+j+k < size; i++ {
					if (i+j)/(2*p) == (i+j+k)/(2*p) {
						cs = append(cs, Comparator{i + j, i + j + k})
					}
				}
			}
		}
	}
	return FromFlat(n, restrict(cs, n))
}

// MergeExchange returns Batcher's merge exchange sort as Knuth gives it
// (The Art of Computer Programming, Vol. 3, 5.2.2, Algorithm M). It works
// for any n directly; for n = 2^k it has the size and depth of odd-even
// merge sort.
func MergeExchange(n int) (*Network, error) {
	if n < 2 {
		return nil, fmt.Errorf("%w (got %d)", ErrTooFewWires, n)
	}
	t := 0 // t = ceil(lg n)
	for 1<<t < n {
		t++
	}
	var cs []Comparator
	for p := 1 << (t - 1); p > 0; p /= 2 { // M1, M5
		q, r, d := 1<<(t-1), 0, p // M2
		for {
			for i := 0; i+d < n; i++ { // M3
				if i&p == r {
					cs = append(cs, Comparator{i, i + d})
				}
			}
			if q == p { // M4
				break
			}
			d, q, r = q-p, q/2, p
		}
	}
	return FromFlat(n, cs)
}
