package runtime_test

import (
	"fmt"

	"github.com/sortgen/sortgen/runtime"
)

// A top-k sorter on a row of six scores: the two largest, ascending, with
// each input's weight at those two positions (X), and the gradient of the
// largest value with respect to the scores.
func ExampleSorter_ForwardTopK() {
	cfg := runtime.DefaultConfig("splitter_selection", 6, "cauchy")
	cfg.TopK = 2
	s, err := runtime.New[float64](cfg)
	if err != nil {
		panic(err)
	}
	x := []float64{0.1, 2, -1, 1.5, 0.3, 0.2}
	r, err := s.ForwardTopK(x, runtime.WantGrad)
	if err != nil {
		panic(err)
	}
	fmt.Printf("top: %.3f\n", r.Top)
	for i := range 6 {
		fmt.Printf("X[%d]: %.3f\n", i, r.X[i*2:(i+1)*2]) // input i at the 2nd largest, the largest
	}
	gx, err := s.BackwardTopK(r, []float64{0, 1}, nil) // L = the largest value
	if err != nil {
		panic(err)
	}
	fmt.Printf("dmax/dx: %.3f\n", gx)
	// Output:
	// top: [1.436 1.937]
	// X[0]: [0.006 0.016]
	// X[1]: [0.057 0.925]
	// X[2]: [0.001 0.000]
	// X[3]: [0.871 0.056]
	// X[4]: [0.039 0.002]
	// X[5]: [0.027 0.001]
	// dmax/dx: [0.000 0.999 0.000 0.001 0.000 0.000]
}

// difftopk's top-k cross-entropy on two rows of five logits: the label
// should be among the top 1 (weight 0.5) or the top 2 (weight 0.5).
func ExampleTopKCrossEntropy() {
	l, err := runtime.NewTopKCrossEntropy[float64](runtime.TopKLossConfig{
		Network: "odd_even", Swap: "cauchy", Steepness: 10, Classes: 5,
		PK: []float64{0.5, 0.5}, Top1Mode: runtime.Top1Softmax,
	})
	if err != nil {
		panic(err)
	}
	logits := []float64{
		0.1, 2, -1, 1.5, 0.3, // label 3: second largest
		1, 0, 0, 0, 3, // label 0: second largest
	}
	g := make([]float64, len(logits))
	loss, err := l.Loss(g, logits, []int{3, 0})
	if err != nil {
		panic(err)
	}
	fmt.Printf("loss: %.4f\n", loss)
	fmt.Printf("dL/dlogits: %.3f\n", g)
	// Output:
	// loss: 0.5958
	// dL/dlogits: [0.009 0.063 0.005 -0.106 0.028 -0.113 0.019 0.026 0.026 0.042]
}
