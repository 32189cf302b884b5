package vecmathtest

import (
	"bytes"
	"os"
	"testing"

	"github.com/sortgen/sortgen/asm/internal/vecmathtest/gen"
)

// TestGenerated checks that regenerating the kernels (go generate) gives
// the checked-in files byte for byte.
func TestGenerated(t *testing.T) {
	files, err := gen.Files()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate in asm/internal/vecmathtest", name)
		}
	}
}
