// Package networks builds, reads, writes, verifies and analyses sorting
// networks, the topologies that sortgen compiles into differentiable
// sorting kernels. It is the foundation the rest of sortgen reads, so it
// imports nothing else of the module.
//
// # Conventions
//
// A network on N wires numbered 0..N-1 is a list of layers; a layer is a
// list of comparators on pairwise disjoint wires, so a layer's comparators
// may run in any order or at once. A Comparator{P, Q} puts the smaller value
// on wire P and the larger on wire Q. Usually P < Q (ascending); bitonic
// networks in diffsort's layout also have reversed comparators (P > Q). A
// sorting network sorts ascending: wire 0 ends with the smallest value.
//
// Comparators run layer by layer, and in order within a layer; every
// function here that sees a flat list of comparators (Comparators, the flat
// file formats) uses that order. FromFlat goes the other way: it puts each
// comparator into the earliest layer after the last one touching its wires,
// the layering the published flat lists imply. Every network ByName builds
// is laid out that way, diffsort's own layouts included, so it survives
// the flat formats unchanged.
//
// # Support and the permutation matrix
//
// A relaxed (differentiable) sorting network also outputs a matrix P, with
// P[i][j] the weight of input i at output wire (sorted position) j, so that
// y = x P. P starts as the identity, column j as {j}, and each comparator
// mixes its two columns. Network.Support gives, per comparator, the inputs
// whose weights can be non-zero in those columns whatever the data: the
// structural sparsity kernels can exploit.
//
// # Networks
//
// ByName builds the registered networks: odd_even (odd-even transposition,
// diffsort's layout), bitonic (diffsort's layout for powers of two, an
// all-ascending construction otherwise), oddeven_merge (Batcher),
// pairwise (Parberry), merge_exchange (Batcher, as Knuth's Algorithm
// 5.2.2M), best and best_depth (the smallest and the shallowest networks
// known for n <= 64, from SorterHunter by Bert Dobbelaere, MIT licence, see
// best_table.go). All work for every n >= 2, best and best_depth up to 64.
//
// Selection networks put the k largest, in order, on the last k wires:
// TopK prunes a sorting network to one, and SplitterSelection builds one
// the way difftopk's splitter selection network does, from sorted blocks
// and merges that keep only the top k.
//
// # Verification
//
// Verify proves a network sorts by the 0-1 principle, checking all 0-1
// inputs bit-parallel, for n <= 32: only those its first comparators (or,
// where that is cheaper, a longer prefix) can output, packed so that a
// 64-bit word carries nearly 64 distinct inputs. Beyond 32 wires, or past
// the work budget, it checks random inputs and says it is not a proof
// (Verdict.Method). VerifyPositions does the same for
// selection networks that need only some outputs right; Check is the short
// form for callers that accept partial networks.
//
// # Files
//
// Parse reads SorterHunter JSON, one layer per line as on the published
// tables, and flat lists; Write writes them back exactly. See Format.
// ReadFormat reads them from an io.Reader, at most MaxFileBytes, and no
// file may have more than MaxComparators comparators, so that reading an
// untrusted file takes bounded time and memory.
package networks
