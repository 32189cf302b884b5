package avx2

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoAVX512 scans every assembly file of the module for AVX-512
// registers and instructions: the kernels must run on every AVX2+FMA CPU.
func TestNoAVX512(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found from %s: %v", root, err)
	}
	n := 0
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".s") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, f := range FindAVX512(src) {
			t.Errorf("%s: %s", rel, f)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d assembly files checked", n)
}

// TestNoAVX512Detects makes sure the scan finds what it should.
func TestNoAVX512Detects(t *testing.T) {
	for _, bad := range []string{
		"\tVADDPD Y16, Y1, Y2",
		"\tVMOVUPD Z1, (AX)",
		"\tVADDPD Y1, Y2, K1, Y3",
		"\tVPSRAQ $3, Y1, Y2",
		"\tVRNDSCALEPD $1, Y1, Y2",
		"\tVADDPD.BCST (AX), Y1, Y2",
		"\tVPERMT2PD Y1, Y2, Y3",
		"\tVGETEXPPD Y1, Y2",
		"\tVSCALEFPD Y1, Y2, Y3",
		"\tKMOVW AX, K1",
		"\tVMOVDQU64 (AX), Y1",
		"\tVPTERNLOGD $0x96, Y1, Y2, Y3",
		"// Requires: AVX, AVX512F",
	} {
		if len(FindAVX512([]byte(bad))) == 0 {
			t.Errorf("not detected: %q", bad)
		}
	}
	for _, good := range []string{
		"\tVADDPD Y15, Y1, Y2",
		"\tVFMADD231PD const_f64_3ff0000000000000<>+0(SB), Y1, Y2",
		"\tVPSRAD $1, Y1, Y2",
		"\tVPSLLQ $0x34, Y1, Y2",
		"\tVBLENDVPD Y1, Y2, Y3, Y4",
		"\tVCMPPD $0x1e, Y1, Y2, Y3",
		"\tVPCMPEQD Y1, Y2, Y3",
		"\tVPCMPGTQ Y1, Y2, Y3",
		"\tVPMOVSXDQ X1, Y2",
		"\tVCVTPD2DQY Y1, X2",
		"\tVMOVDQU (AX), Y1",
		"\tVROUNDPD $0x01, Y1, Y2",
		"\tVPERMPD $0x4e, Y1, Y2",
		"\tVEXTRACTF128 $0x01, Y1, X2",
		"\tVZEROUPPER",
		"\tMOVQ p+0(FP), AX",
	} {
		if f := FindAVX512([]byte(good)); len(f) != 0 {
			t.Errorf("false positive: %q: %v", good, f)
		}
	}
}

// TestNoAVX512Exempts: only the functions named avx512 may use AVX-512;
// the scan resumes at the next function.
func TestNoAVX512Exempts(t *testing.T) {
	src := []byte(`// func avx512Sort(xs *float32)
// Requires: AVX512DQ, AVX512F
TEXT ·avx512Sort(SB), NOSPLIT, $0-8
	VADDPS Z16, Z1, K1, Z2
	RET

// func avx2Sort(xs *float32)
// Requires: AVX512F
TEXT ·avx2Sort(SB), NOSPLIT, $0-8
	VADDPS Z16, Z1, Z2
	RET
`)
	found := FindAVX512(src)
	if len(found) != 2 {
		t.Fatalf("found %d lines, want the Requires line and the VADDPS of avx2Sort: %q", len(found), found)
	}
	for _, f := range found {
		if !strings.HasPrefix(f, "line 8:") && !strings.HasPrefix(f, "line 10:") {
			t.Errorf("outside avx2Sort: %s", f)
		}
	}
}
