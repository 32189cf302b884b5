package networks

// bitonicAny is Batcher's bitonic sorter for any n, in the form whose
// comparators are all ascending: every merge starts by comparing each wire of
// a block with its mirror image in the block instead of reversing the lower
// half. It is built on the next power of two and restricted to the first n
// wires.
func bitonicAny(n int) (*Network, error) {
	size := nextPow2(n)
	var cs []Comparator
	for block := 2; block <= size; block *= 2 {
		for s := 0; s < size; s += block {
			for i := 0; i < block/2; i++ {
				cs = append(cs, Comparator{s + i, s + block - 1 - i})
			}
		}
		for m := block / 4; m >= 1; m /= 2 {
			for s := 0; s < size; s += 2 * m {
				for i := 0; i < m; i++ {
					cs = append(cs, Comparator{s + i, s + i + m})
				}
			}
		}
	}
	return FromFlat(n, restrict(cs, n))
}

// restrict keeps the comparators of an ascending network on a power of two
// wires that lie within the first n wires. Think of wires n and up as
// holding +inf: an ascending comparator never moves +inf to a lower wire, so
// the comparators touching them never do anything and the first n outputs
// are the sorted first n inputs.
func restrict(cs []Comparator, n int) []Comparator {
	kept := cs[:0]
	for _, c := range cs {
		if c.P >= c.Q {
			panic("networks: restrict needs ascending comparators")
		}
		if c.Q < n {
			kept = append(kept, c)
		}
	}
	return kept
}

// nextPow2 is the smallest power of two >= n, for n >= 1.
func nextPow2(n int) int {
	p := 1
	for p < n {
		p *= 2
	}
	return p
}
