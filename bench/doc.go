// Package bench holds sortgen's benchmarks: training steps, inference and
// hard batch sorting across networks, sizes, swaps and element types, each
// reporting samples/s so that runs compare directly with the peer (diffsort
// on PyTorch). See README.md for how to run and compare them.
package bench
