package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sortgen/sortgen/networks"
)

// maxCLIWires bounds -n: beyond it odd_even alone has millions of
// comparators and the report would take minutes.
const maxCLIWires = 1024

// networkFlags are the flags that choose a network, shared by the
// subcommands that take one.
type networkFlags struct {
	n    int
	name string
	in   string
	fs   *flag.FlagSet // for its -topk, which splitter_selection needs
}

// splitterSelection is the -network that builds a selection network
// (networks.SplitterSelection) rather than a sorting network: it needs
// -topk, so it is not among networks.Names.
const splitterSelection = "splitter_selection"

func (nf *networkFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&nf.n, "n", 0, fmt.Sprintf("number of wires, 2..%d (with -in: checked against the file, or n for text files with unused top wires)", maxCLIWires))
	nf.fs = fs
	fs.StringVar(&nf.name, "network", "", "network: "+strings.Join(networks.Names(), ", ")+"; or "+splitterSelection+", a selection network for the top -topk K")
	fs.StringVar(&nf.in, "in", "", "read the network from `FILE` (SorterHunter JSON, one layer per line, or a flat list) instead of -network")
}

// load builds or reads the network and names it: the network's name, or
// the file's base name. Its errors are usage errors.
func (nf *networkFlags) load() (*networks.Network, string, error) {
	if nf.n != 0 && (nf.n < 2 || nf.n > maxCLIWires) {
		return nil, "", fmt.Errorf("-n must be in 2..%d (got %d)", maxCLIWires, nf.n)
	}
	if nf.in != "" {
		if nf.name != "" {
			return nil, "", errors.New("give -network or -in, not both")
		}
		f, err := os.Open(nf.in)
		if err != nil {
			return nil, "", err
		}
		defer f.Close()
		nw, err := networks.ReadFormat(f, networks.FormatAuto, nf.n)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %s", nf.in, trimPkg(err))
		}
		if nw.N > maxCLIWires {
			return nil, "", fmt.Errorf("%s: %d wires, more than the %d sortgen handles", nf.in, nw.N, maxCLIWires)
		}
		return nw, filepath.Base(nf.in), nil
	}
	if nf.name == "" || nf.n == 0 {
		return nil, "", errors.New("need -n N and -network NAME, or -in FILE")
	}
	if nf.name == splitterSelection {
		return nf.loadSplitter()
	}
	nw, err := networks.ByName(nf.name, nf.n)
	if err != nil {
		return nil, "", errors.New(trimPkg(err))
	}
	return nw, nf.name, nil
}

// loadSplitter builds the splitter selection network for -n and -topk;
// applying -topk to it afterwards keeps it as it is.
func (nf *networkFlags) loadSplitter() (*networks.Network, string, error) {
	var k int
	if f := nf.fs.Lookup("topk"); f != nil {
		k, _ = strconv.Atoi(f.Value.String()) // parsed as an int already
	}
	if k == 0 {
		return nil, "", fmt.Errorf("%s selects the top k: it needs -topk K (networks and draw take it)", splitterSelection)
	}
	nw, err := networks.SplitterSelection(nf.n, k)
	if err != nil {
		return nil, "", errors.New(trimPkg(err))
	}
	return nw, splitterSelection, nil
}

// topKFlag is -topk of the subcommands that can prune a network to a
// selection network (networks, draw, generate).
type topKFlag int

// register adds -topk to fs; what says what the subcommand then does with
// the selection network, if anything beyond the flag's common text.
func (k *topKFlag) register(fs *flag.FlagSet, what string) {
	fs.IntVar((*int)(k), "topk", 0, "prune the network to the comparators its last `K` outputs depend on: a selection network for the K largest, in order (0: the whole network); with -network "+splitterSelection+", required: the K it selects"+what)
}

// apply prunes nw when -topk is set.
func (k topKFlag) apply(nw *networks.Network) (*networks.Network, error) {
	if k == 0 {
		return nw, nil
	}
	sel, err := networks.TopK(nw, int(k))
	if err != nil {
		return nil, errors.New(trimPkg(err))
	}
	return sel, nil
}

// title is label, with the top-k it was pruned to.
func (k topKFlag) title(label string) string {
	if k == 0 {
		return label
	}
	return fmt.Sprintf("%s top-%d", label, k)
}

// trimPkg drops the package prefix of an error from package networks,
// which the command's own prefix replaces.
func trimPkg(err error) string { return strings.TrimPrefix(err.Error(), "networks: ") }

// parseFlags parses args, printing usage for -h. done reports that the
// caller should return code.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, done bool) {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fmt.Fprintf(stdout, "usage: sortgen %s [flags]\n", fs.Name())
		fs.PrintDefaults()
		return 0, true
	case err != nil:
		return usageError(stderr, "%s: %v", fs.Name(), err), true
	case fs.NArg() > 0:
		return usageError(stderr, "%s: unexpected argument %q", fs.Name(), fs.Arg(0)), true
	}
	return 0, false
}

// networkReport is the -json output of sortgen networks.
type networkReport struct {
	N              int    `json:"n"`
	Network        string `json:"network"`
	Size           int    `json:"size"`
	Depth          int    `json:"depth"`
	TopK           int    `json:"topk,omitempty"` // a selection network for the TopK largest
	Verified       string `json:"verified"`       // "exhaustive" (a proof), "random" (not a proof) or "failed"
	Counterexample []int  `json:"counterexample,omitempty"`
}

// runNetworks reports a network's size and depth and verifies it:
//
//	sortgen networks -n N -network NAME [-topk K] [-json] [-print FORMAT]
//	sortgen networks -in FILE [-topk K] [-json] [-print FORMAT]
//
// It exits 1 if the network does not sort (with -topk: if the pruned
// network does not select the K largest in order). With -print it writes the
// network itself, unverified, in FORMAT (json, layers or flat), which also
// converts between formats.
func runNetworks(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("networks", flag.ContinueOnError)
	var nf networkFlags
	nf.register(fs)
	var topK topKFlag
	topK.register(fs, "")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	printAs := fs.String("print", "", "write the network itself in `FORMAT` (json, layers or flat) instead of the report, without verifying it")
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	var format networks.Format
	if *printAs != "" {
		f, err := networks.FormatByName(*printAs)
		if err != nil || f == networks.FormatAuto {
			return usageError(stderr, "networks: -print must be json, layers or flat (got %q)", *printAs)
		}
		format = f
	}
	nw, label, err := nf.load()
	if err == nil {
		nw, err = topK.apply(nw)
	}
	if err != nil {
		return usageError(stderr, "networks: %v", err)
	}
	if *printAs != "" {
		if err := networks.Write(stdout, nw, format); err != nil {
			fmt.Fprintf(stderr, "sortgen: networks: %v\n", err)
			return 1
		}
		return 0
	}

	var v networks.Verdict
	if topK == 0 {
		v, err = networks.Verify(nw)
	} else {
		v, err = networks.VerifyTopK(nw, int(topK))
	}
	var notSorting *networks.SortError
	if err != nil && !errors.As(err, &notSorting) {
		fmt.Fprintf(stderr, "sortgen: networks: %s\n", trimPkg(err))
		return 1
	}
	report := networkReport{N: nw.N, Network: label, Size: nw.Size(), Depth: nw.Depth(), TopK: int(topK), Verified: v.Method.String()}
	if !v.Sorts {
		report.Verified, report.Counterexample = "failed", v.Counterexample
	}
	if *asJSON {
		out, _ := json.Marshal(report)
		fmt.Fprintf(stdout, "%s\n", out)
	} else {
		fmt.Fprintf(stdout, "%s: n=%d, %d comparators, %d layers; %s\n", topK.title(label), nw.N, nw.Size(), nw.Depth(), describeVerdict(nw, v, int(topK)))
	}
	if !v.Sorts {
		return 1
	}
	return 0
}

func describeVerdict(nw *networks.Network, v networks.Verdict, topK int) string {
	what, verb := "a sorting network", "sorts"
	if topK > 0 {
		what, verb = fmt.Sprintf("a top-%d selection network", topK), fmt.Sprintf("selects the %d largest in order", topK)
	}
	switch {
	case !v.Sorts:
		x := make([]float64, nw.N)
		for i, b := range v.Counterexample {
			x[i] = float64(b)
		}
		if err := nw.Apply(x); err != nil {
			return err.Error()
		}
		return fmt.Sprintf("NOT %s: input %v comes out as %v (%s check)", what, v.Counterexample, x, v.Method)
	case v.Method == networks.Exhaustive:
		return fmt.Sprintf("%s: proved on all %d 0-1 inputs the first layer can produce (0-1 principle)", verb, v.Inputs)
	}
	return fmt.Sprintf("%s on all %d random inputs checked (not a proof)", verb, v.Inputs)
}
