package gen

import (
	"bytes"
	"embed"
	"fmt"
	"strconv"
	"text/template"

	"github.com/sortgen/sortgen/gen/plan"
)

// The files whose shape does not depend on the network are templates that
// read like their output; jennifer builds only the unrolled kernels.
//
//go:embed templates/*.tmpl
var templateFS embed.FS

var templates = template.Must(template.ParseFS(templateFS, "templates/*.tmpl"))

// execute renders template name (a file of templates/) with data, gofmt-ed.
func execute(name string, data any) ([]byte, error) {
	var out bytes.Buffer
	if err := templates.ExecuteTemplate(&out, name, data); err != nil {
		return nil, err
	}
	return gofmt(out.Bytes())
}

// packageData is what the fixed-shape files of every package need.
type packageData struct {
	Header, Package string
	T               string // element type
	Network, Swap   string
	Base            string // errorfree's soft base, else ""
	N               int
	TapeLen         int
	DiffLen         int
	Fingerprint     string // Go hex literal
	Hard, Diffable  bool
	Asm             bool // an assembly backend adds the amd64 files
	MaxSteepness    string
	MaxARTLambda    string
	Bits, Word      string // math.Float32bits and uint32, or the 64-bit pair
	ImportPath      string // the package's, for registration
	RegistryPath    string
	// TopK and XTapeLen of a top-k plan (0 for sorting), and its
	// comparators as Go literal rows of (p, q) pairs, for kernels_topk.go.
	TopK, XTapeLen, Steps int
	TopKSteps             string
	Params, Args          string // as loopedData's
}

func newPackageData(m *model) packageData {
	p := m.p
	d := packageData{
		Header: Header, Package: m.pkg, T: m.elem,
		Network: p.Name, Swap: p.Swap.Func.String(), N: m.n,
		TapeLen: p.TapeLen, DiffLen: p.DiffLen,
		Fingerprint: fmt.Sprintf("%#016x", p.Fingerprint()),
		Hard:        m.hard, Diffable: m.grad != nil, Asm: m.opt.Asm,
		MaxSteepness: strconv.FormatFloat(plan.MaxSteepness, 'g', -1, 64),
		MaxARTLambda: strconv.FormatFloat(plan.MaxARTLambda, 'g', -1, 64),
		Bits:         "Float64bits", Word: "uint64",
		ImportPath: m.opt.ImportPath, RegistryPath: RegistryPath,
	}
	if p.Swap.HardForward() && m.grad != nil {
		d.Base = p.Swap.Base.String()
	}
	if p.TopK > 0 {
		d.TopK, d.XTapeLen, d.Steps = p.TopK, p.XTapeLen, len(p.Steps)
		pq := make([]int32, 0, 2*len(p.Steps))
		for _, st := range p.Steps {
			pq = append(pq, int32(st.P), int32(st.Q))
		}
		d.TopKSteps = int32Rows(pq)
		d.Params, d.Args = m.swapArgs()
	}
	if m.elem == "float32" {
		d.Bits, d.Word = "Float32bits", "uint32"
	}
	return d
}

// renderTopK emits kernels_topk.go, the portable top-k kernels of a top-k
// plan.
func renderTopK(m *model) ([]byte, error) {
	return execute("kernels_topk.go.tmpl", newPackageData(m))
}

// renderTopKTest emits the test of the top-k entry points.
func renderTopKTest(m *model) ([]byte, error) {
	return execute("topk_test.go.tmpl", newPackageData(m))
}

// renderAPI emits the constants and the checked entry points.
func renderAPI(m *model) ([]byte, error) { return execute("api.go.tmpl", newPackageData(m)) }

// renderRegister emits the init function that registers the package with
// the runtime (Options.Register), and its test.
func renderRegister(m *model) ([]byte, error) { return execute("register.go.tmpl", newPackageData(m)) }

func renderRegisterTest(m *model) ([]byte, error) {
	return execute("register_test.go.tmpl", newPackageData(m))
}

// renderImpl emits the dispatch from the checked entry points to the
// portable kernels, allFinite (checkFinite's fast path), and the portable
// SetLevel, Level, Levels and tapeToGeneric. With an assembly backend, amd64 builds
// without the purego tag get all of them from the assembly emitter
// (asm.Generate's kernels_amd64.go) instead of this file.
func renderImpl(m *model) ([]byte, error) { return execute("impl_noasm.go.tmpl", newPackageData(m)) }
