package networks

import (
	"fmt"
	"sync"
)

//go:generate go run ./internal/gentable -src ../../shared/networks/sorterhunter -o best_table.go

// MaxBest is the largest n for which Best and BestDepth know a network.
const MaxBest = 64

// Best returns the smallest known sorting network on n wires (fewest
// comparators, then fewest layers), for 2 <= n <= MaxBest, from the networks
// of record published with SorterHunter by Bert Dobbelaere. Its layers are
// the published flat list laid out by FromFlat.
func Best(n int) (*Network, error) { return best(n, true) }

// BestDepth returns the shallowest known sorting network on n wires (fewest
// layers, then fewest comparators), for 2 <= n <= MaxBest; see Best.
func BestDepth(n int) (*Network, error) { return best(n, false) }

type bestEntry struct {
	n, size, depth       int
	smallest, shallowest bool
	source               string // the published file it came from
	wires                string
}

var (
	bestOnce    sync.Once
	bestByN     map[[2]int]*bestEntry // key: n, 1 for smallest or 0 for shallowest
	errBestSize = fmt.Errorf("networks: best known networks exist for n = 2..%d only", MaxBest)
)

func best(n int, smallest bool) (*Network, error) {
	if n < 2 {
		return nil, fmt.Errorf("%w (got %d)", ErrTooFewWires, n)
	}
	if n > MaxBest {
		return nil, fmt.Errorf("%w (got %d)", errBestSize, n)
	}
	bestOnce.Do(func() {
		bestByN = map[[2]int]*bestEntry{}
		for i := range bestTable {
			e := &bestTable[i]
			if e.smallest {
				bestByN[[2]int{e.n, 1}] = e
			}
			if e.shallowest {
				bestByN[[2]int{e.n, 0}] = e
			}
		}
	})
	key := [2]int{n, 0}
	if smallest {
		key[1] = 1
	}
	e, ok := bestByN[key]
	if !ok {
		return nil, fmt.Errorf("networks: no best known network for n=%d in the table", n)
	}
	return e.network()
}

// network decodes the entry; the table is generated and checked, so an
// error here means the table was edited by hand.
func (e *bestEntry) network() (*Network, error) {
	if len(e.wires) != 4*e.size {
		return nil, fmt.Errorf("networks: corrupt table entry %s", e.source)
	}
	cs := make([]Comparator, e.size)
	num := func(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }
	for i := range cs {
		w := e.wires[4*i : 4*i+4]
		cs[i] = Comparator{num(w[:2]), num(w[2:])}
	}
	nw, err := FromFlat(e.n, cs)
	if err != nil {
		return nil, fmt.Errorf("networks: corrupt table entry %s: %w", e.source, err)
	}
	if nw.Depth() != e.depth {
		return nil, fmt.Errorf("networks: corrupt table entry %s: depth %d", e.source, nw.Depth())
	}
	return nw, nil
}
