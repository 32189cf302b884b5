package runtime_test

import (
	"fmt"

	"github.com/sortgen/sortgen/runtime"
)

// A sorter on a batch of two rows: the relaxed sorted values, P and the
// gradient of a loss on the smallest value of each row with respect to the
// scores.
func Example() {
	const n = 3
	s, err := runtime.New[float64](runtime.DefaultConfig("odd_even", n, "cauchy"))
	if err != nil {
		panic(err)
	}
	x := []float64{0.3, 0.2, 2, 5, 4, 3} // two rows of n scores, row-major
	r, err := s.Forward(x, runtime.WantP|runtime.WantGrad)
	if err != nil {
		panic(err)
	}
	fmt.Printf("y: %.3f\n", r.Y)
	p := r.P() // P[i][j] of row b at b*n*n + i*n + j
	fmt.Printf("P of row 0: %.3f\n", p[:n*n])
	gy := []float64{1, 0, 0, 1, 0, 0} // L = y[0] of each row
	gx, err := s.Backward(r, gy, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("dL/dx: %.3f\n", gx) // each row's sums to 1
	// Output:
	// y: [0.248 0.284 1.968 3.064 4.000 4.936]
	// P of row 0: [0.387 0.599 0.014 0.608 0.388 0.005 0.005 0.013 0.982]
	// dL/dx: [0.194 0.806 0.000 0.000 0.000 1.000]
}

// A sorter relaxes sorting: the error-free swap sorts exactly and gives an
// exact permutation matrix, while its gradient is the soft one.
func ExampleSorter_Forward() {
	cfg := runtime.DefaultConfig("odd_even", 3, "errorfree")
	cfg.Steepness = 1 // soft enough for the gradient to show
	s, err := runtime.New[float64](cfg)
	if err != nil {
		panic(err)
	}
	r, err := s.Forward([]float64{0.3, -1, 2}, runtime.WantP|runtime.WantGrad)
	if err != nil {
		panic(err)
	}
	fmt.Println("y:", r.Y)
	fmt.Println("P:", r.P()) // P[i][j]: weight of input i at sorted position j
	fmt.Println("ranks:", r.Ranks())
	gx, err := s.Backward(r, []float64{1, 0, 0}, nil) // d(smallest)/dx
	if err != nil {
		panic(err)
	}
	fmt.Printf("dy0/dx: %.3f\n", gx) // sums to 1: shifting every input shifts y0
	// Output:
	// y: [-1 0.3 2]
	// P: [0 1 0 1 0 0 0 0 1]
	// ranks: [1 0 2]
	// dy0/dx: [0.102 0.896 0.002]
}

// A soft swap gives a doubly stochastic P instead.
func ExampleSorter_Forward_soft() {
	s, err := runtime.New[float64](runtime.DefaultConfig("odd_even", 2, "logistic"))
	if err != nil {
		panic(err)
	}
	r, err := s.Forward([]float64{0.1, 0}, runtime.WantP)
	if err != nil {
		panic(err)
	}
	fmt.Printf("y: %.4f\nP: %.4f\n", r.Y, r.P())
	// Output:
	// y: [0.0269 0.0731]
	// P: [0.2689 0.7311 0.7311 0.2689]
}

// A training step on diffsort's loss, fused: forward with P, BCE against
// the true ranks, backward to the scores. Gradient descent on the scores
// alone then sorts them into the given order.
func ExampleSorter_StepBCE() {
	s, err := runtime.New[float64](runtime.DefaultConfig("odd_even", 3, "cauchy"))
	if err != nil {
		panic(err)
	}
	scores := []float64{0.3, 0.2, 0.1}
	ranks := []int{0, 1, 2} // the first item is the smallest
	gx := make([]float64, len(scores))
	var r runtime.Result[float64]
	for step := 0; step <= 300; step++ {
		loss, err := s.StepBCE(gx, &r, scores, ranks)
		if err != nil {
			panic(err)
		}
		if step%300 == 0 {
			fmt.Printf("step %d: loss %.2f, ranks %.1f\n", step, loss, r.Ranks())
		}
		for i := range scores {
			scores[i] -= 0.05 * gx[i]
		}
	}
	// Output:
	// step 0: loss 0.79, ranks [1.5 1.0 0.5]
	// step 300: loss 0.04, ranks [0.1 1.0 2.0]
}

// ranks[b*n+i] is the sorted (ascending) position of item i of row b: the
// inverse of an argsort, and what a hard sorter's Result.Ranks gives. An
// argsort passed as ranks is a different permutation, and a wrong target.
func Example_ranks() {
	scores := []float64{0.3, 2, -1, 0.5}
	ranks := []int{1, 3, 0, 2}   // 0.3 is second smallest, 2 largest, -1 smallest
	argsort := []int{2, 0, 3, 1} // the items in ascending order
	s, err := runtime.New[float64](runtime.DefaultConfig("odd_even", 4, "hard"))
	if err != nil {
		panic(err)
	}
	r, err := s.Forward(scores, runtime.WantP)
	if err != nil {
		panic(err)
	}
	fmt.Println("hard sorter's ranks:", r.Ranks())

	soft, err := runtime.New[float64](runtime.DefaultConfig("odd_even", 4, "cauchy"))
	if err != nil {
		panic(err)
	}
	var res runtime.Result[float64]
	gx := make([]float64, 4)
	lr, _ := soft.StepBCE(gx, &res, scores, ranks)
	la, _ := soft.StepBCE(gx, &res, scores, argsort)
	fmt.Printf("BCE against ranks: %.3f, against the argsort: %.3f\n", lr, la)
	// Output:
	// hard sorter's ranks: [1 3 0 2]
	// BCE against ranks: 0.063, against the argsort: 1.399
}

// The error-free paper's feature term compares the items' features in the
// order the hard P gives them with the true order: within groups of
// consecutive items, as the paper's code does, or over whole samples.
func ExampleFeatureGroupMSE() {
	feats := []float64{1, 2, 4, 7} // one feature per item (d = 1)
	// The predicted P: every item stays where it is.
	p := []float64{
		1, 0, 0, 0,
		0, 1, 0, 0,
		0, 0, 1, 0,
		0, 0, 0, 1,
	}
	// The truth swaps the halves: each pair is in the right order within
	// itself, so groups of 2 see nothing wrong; the whole sample does.
	ranks := []int{2, 3, 0, 1}
	groups, _ := runtime.FeatureGroupMSE(nil, p, feats, 1, ranks, 4, 2)
	whole, _ := runtime.FeatureMSE(nil, p, feats, 1, ranks, 4)
	fmt.Println("groups of 2:", groups, "whole sample:", whole)
	// Output:
	// groups of 2: 0 whole sample: 17
}
