package reference

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/networks"
)

// A TopKFile is a set of top-k reference cases in the format of difftopk
// dumps (../shared/reference/difftopk_float64.json).
type TopKFile struct {
	Description string     `json:"description"`
	Cases       []TopKCase `json:"cases"`
}

// A TopKCase is one top-k configuration with a batch of rows: the top
// values and X = P[:, n-k:] of x, and grad_x, dL/dx of L =
// sum(g_top*top_values) + sum(gX*X).
type TopKCase struct {
	Network   string  `json:"network"`
	N         int     `json:"n"`
	K         int     `json:"k"`
	Swap      string  `json:"swap"`
	Base      *string `json:"base"`
	Steepness float64 `json:"steepness"`
	ARTLambda float64 `json:"art_lambda"`
	// Layers is the network of a splitter_selection case: layers of
	// comparators [p, q], each sending the minimum to wire p (p may
	// exceed q). Empty for the networks of networks.ByName.
	Layers    [][][2]int    `json:"layers"`
	X         [][]float64   `json:"x"`
	TopValues [][]float64   `json:"top_values"`
	XK        [][][]float64 `json:"X"` // batch x n x k
	GTop      [][]float64   `json:"g_top"`
	GX        [][][]float64 `json:"gX"` // batch x n x k
	GradX     [][]float64   `json:"grad_x"`
}

// asCase is the case's configuration and inputs as a sorting Case, whose
// tolerance rules it shares.
func (c *TopKCase) asCase() *Case {
	return &Case{Network: c.Network, N: c.N, Swap: c.Swap, Base: c.Base,
		Steepness: c.Steepness, ARTLambda: c.ARTLambda, X: c.X}
}

// BaseName is the base swap name, "" when absent.
func (c *TopKCase) BaseName() string { return c.asCase().BaseName() }

func (c *TopKCase) String() string {
	s := fmt.Sprintf("%s n=%d k=%d %s", c.Network, c.N, c.K, c.Swap)
	if c.Base != nil {
		s += "(" + *c.Base + ")"
	}
	return s + fmt.Sprintf(" beta=%g lambda=%g", c.Steepness, c.ARTLambda)
}

// IllConditioned is Case.IllConditioned: grad_x of a row with a tie under
// logistic_phi.
func (c *TopKCase) IllConditioned(row int) bool { return c.asCase().IllConditioned(row) }

// RowToleranceIn is Case.RowToleranceIn for the fields top_values, X
// (as Case's y and P) and grad_x.
func (c *TopKCase) RowToleranceIn(t Tolerances, field string, row int) float64 {
	return c.asCase().RowToleranceIn(t, field, row)
}

// LayersNetwork builds the network of Layers.
func (c *TopKCase) LayersNetwork() (*networks.Network, error) {
	if len(c.Layers) == 0 {
		return nil, fmt.Errorf("reference: case %v has no layers", c)
	}
	layers := make([][]networks.Comparator, len(c.Layers))
	for i, l := range c.Layers {
		layers[i] = make([]networks.Comparator, len(l))
		for j, pq := range l {
			layers[i][j] = networks.Comparator{P: pq[0], Q: pq[1]}
		}
	}
	nw, err := networks.New(c.N, layers)
	if err != nil {
		return nil, fmt.Errorf("reference: case %v: %w", c, err)
	}
	return nw, nil
}

// Validate checks the shapes of a case, and its network when given as
// layers.
func (c *TopKCase) Validate() error {
	b, n, k := len(c.X), c.N, c.K
	if n < 2 || b == 0 || k < 1 || k >= n {
		return fmt.Errorf("reference: case %v: n=%d, k=%d with %d rows", c, n, k, b)
	}
	if len(c.TopValues) != b || len(c.XK) != b || len(c.GTop) != b || len(c.GX) != b || len(c.GradX) != b {
		return fmt.Errorf("reference: case %v: fields disagree on the number of rows", c)
	}
	for i := 0; i < b; i++ {
		if len(c.X[i]) != n || len(c.GradX[i]) != n || len(c.TopValues[i]) != k || len(c.GTop[i]) != k ||
			len(c.XK[i]) != n || len(c.GX[i]) != n {
			return fmt.Errorf("reference: case %v: row %d has the wrong length", c, i)
		}
		for j := 0; j < n; j++ {
			if len(c.XK[i][j]) != k || len(c.GX[i][j]) != k {
				return fmt.Errorf("reference: case %v: row %d: X or gX is not n x k", c, i)
			}
		}
	}
	if len(c.Layers) > 0 {
		if _, err := c.LayersNetwork(); err != nil {
			return err
		}
	}
	return nil
}

// Tolerances is the file's stated tolerances, or 1e-12 and 1e-6 (as
// File.Tolerances) when the description does not state them.
func (f *TopKFile) Tolerances() Tolerances {
	return (&File{Description: f.Description}).Tolerances()
}

// MaxTopKFileBytes bounds the size of a top-k reference file LoadTopK
// reads (the shared one is under 1 MiB).
const MaxTopKFileBytes = 256 << 20

// LoadTopK reads and validates a top-k reference file of at most
// MaxTopKFileBytes.
func LoadTopK(path string) (*TopKFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxTopKFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxTopKFileBytes {
		return nil, fmt.Errorf("reference: %s is larger than %d bytes", path, MaxTopKFileBytes)
	}
	var f TopKFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("reference: %s: %w", path, err)
	}
	if len(f.Cases) == 0 {
		return nil, fmt.Errorf("reference: %s: no cases", path)
	}
	for i := range f.Cases {
		if err := f.Cases[i].Validate(); err != nil {
			return nil, err
		}
	}
	return &f, nil
}

// DefaultTopKPath finds ../shared/reference/difftopk_float64.json from the
// working directory or any parent of it.
func DefaultTopKPath() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "..", "shared", "reference", "difftopk_float64.json")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("reference: shared/reference/difftopk_float64.json not found above the working directory")
		}
		dir = parent
	}
}

// IsTopK reports whether the reference file at path is in the top-k format
// (its cases have k and top_values) rather than diffsort's (y and P).
func IsTopK(path string) (bool, error) {
	fh, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer fh.Close()
	var f struct {
		Cases []struct {
			K         *int            `json:"k"`
			TopValues json.RawMessage `json:"top_values"`
		} `json:"cases"`
	}
	if err := json.NewDecoder(io.LimitReader(fh, MaxTopKFileBytes+1)).Decode(&f); err != nil {
		return false, fmt.Errorf("reference: %s: %w", path, err)
	}
	for _, c := range f.Cases {
		if c.K != nil || c.TopValues != nil {
			return true, nil
		}
	}
	return false, nil
}

// Plan is the top-k plan of the case with element type e: the network of
// its layers when it lists them (difftopk's own splitter selection
// network, say), else its named network, pruned to the top k.
func (c *TopKCase) Plan(e plan.Elem) (*plan.Plan, error) {
	if len(c.Layers) == 0 {
		return plan.NamedTopK(c.Network, c.N, c.K, c.Swap, c.BaseName(), e)
	}
	nw, err := c.LayersNetwork()
	if err != nil {
		return nil, err
	}
	s, err := plan.ParseSwap(c.Swap, c.BaseName())
	if err != nil {
		return nil, err
	}
	return plan.NewTopK(c.Network, nw, c.K, s, e)
}
