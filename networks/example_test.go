package networks_test

import (
	"fmt"
	"os"

	"github.com/sortgen/sortgen/networks"
)

func ExampleByName() {
	nw, err := networks.ByName("best", 8)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d comparators in %d layers\n", nw.Size(), nw.Depth())
	fmt.Print(nw)

	x := []float64{5, 1, 4, 2, 8, 7, 3, 6}
	if err := nw.Apply(x); err != nil {
		panic(err)
	}
	fmt.Println(x)
	// Output:
	// 19 comparators in 6 layers
	// [(0,2),(1,3),(4,6),(5,7)]
	// [(0,4),(1,5),(2,6),(3,7)]
	// [(0,1),(2,3),(4,5),(6,7)]
	// [(2,4),(3,5)]
	// [(1,4),(3,6)]
	// [(1,2),(3,4),(5,6)]
	// [1 2 3 4 5 6 7 8]
}

func ExampleParse() {
	// SorterHunter JSON, one layer per line, or a flat list: all the same
	// network. Flat lists are layered automatically.
	for _, text := range []string{
		`{"N":4,"L":5,"D":3,"nw":[[0,2],[1,3],[0,1],[2,3],[1,2]]}`,
		"[(0,2),(1,3)]\n[(0,1),(2,3)]\n[(1,2)]\n",
		"0 2\n1 3\n0 1\n2 3\n1 2\n",
	} {
		nw, err := networks.Parse([]byte(text))
		if err != nil {
			panic(err)
		}
		fmt.Printf("n=%d %v\n", nw.N, nw.Layers)
	}

	_, err := networks.Parse([]byte("[(0,2),(1,3)]\n[(0,1),(2,3)]\n[(1,2(]\n"))
	fmt.Println(err)
	// Output:
	// n=4 [[{0 2} {1 3}] [{0 1} {2 3}] [{1 2}]]
	// n=4 [[{0 2} {1 3}] [{0 1} {2 3}] [{1 2}]]
	// n=4 [[{0 2} {1 3}] [{0 1} {2 3}] [{1 2}]]
	// networks: line 3, column 6: expected ')', found '('
}

func ExampleWrite() {
	nw, _ := networks.ByName("best", 4)
	for _, f := range []networks.Format{networks.FormatLayers, networks.FormatFlat, networks.FormatJSON} {
		if err := networks.Write(os.Stdout, nw, f); err != nil {
			panic(err)
		}
	}
	// Output:
	// [(0,2),(1,3)]
	// [(0,1),(2,3)]
	// [(1,2)]
	// [(0,2),(1,3),(0,1),(2,3),(1,2)]
	// {
	//   "N": 4,
	//   "L": 5,
	//   "D": 3,
	//   "nw": [
	//     [0,2], [1,3],
	//     [0,1], [2,3],
	//     [1,2]
	//   ]
	// }
}

func ExampleVerify() {
	nw, _ := networks.ByName("best", 16)
	v, err := networks.Verify(nw)
	fmt.Println(v, err)

	nw, _ = networks.ByName("best", 48)
	v, _ = networks.Verify(nw)
	fmt.Println(v.Method, v.Sorts)

	// Drop the last comparator: the 0-1 principle finds an input it misses.
	nw, _ = networks.ByName("best", 6)
	cs := nw.Comparators()
	broken, _ := networks.FromFlat(6, cs[:len(cs)-1])
	v, err = networks.Verify(broken)
	fmt.Println(v.Sorts, v.Counterexample)
	fmt.Println(err)
	// Output:
	// sorts all 6561 inputs checked (exhaustive check, a proof) <nil>
	// random true
	// false [1 0 0 0 0 1]
	// networks: not a sorting network: input [1 0 0 0 0 1] comes out wrong (exhaustive check)
}

func ExampleVerifyPositions() {
	// A chain of comparators carries the maximum to the top wire: a
	// selection network for the top 1, not a sorting network.
	maxNet, _ := networks.FromFlat(4, []networks.Comparator{{P: 0, Q: 1}, {P: 1, Q: 2}, {P: 2, Q: 3}})
	_, err := networks.VerifyPositions(maxNet, []int{3})
	fmt.Println(err)
	fmt.Println(networks.Check(maxNet, true))
	fmt.Println(networks.Check(maxNet, false) != nil)
	// Output:
	// <nil>
	// <nil>
	// true
}

func ExampleFromFlat() {
	nw, _ := networks.FromFlat(4, []networks.Comparator{{P: 0, Q: 1}, {P: 2, Q: 3}, {P: 1, Q: 2}, {P: 0, Q: 3}, {P: 0, Q: 1}})
	fmt.Print(nw)
	// Output:
	// [(0,1),(2,3)]
	// [(1,2),(0,3)]
	// [(0,1)]
}

func ExampleNetwork_Support() {
	// P[i][j] is the weight of input i on wire j; column j starts as {j},
	// and a comparator gives both its columns the union of the two.
	nw, _ := networks.ByName("odd_even", 4)
	sup, err := nw.Support()
	if err != nil {
		panic(err)
	}
	for i, rs := range sup {
		fmt.Println(nw.Comparators()[i], rs)
	}
	// Output:
	// {0 1} [{0 2}]
	// {2 3} [{2 4}]
	// {1 2} [{0 4}]
	// {0 1} [{0 4}]
	// {2 3} [{0 4}]
	// {1 2} [{0 4}]
}
