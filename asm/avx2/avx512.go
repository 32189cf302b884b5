package avx2

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// AVX-512 in Go assembly: registers only EVEX can encode (X16-X31,
// Y16-Y31, Z0-Z31, K0-K7), EVEX suffixes (.BCST, .Z, rounding and SAE),
// and mnemonics of EVEX-only instructions.
var (
	avx512Reg      = regexp.MustCompile(`\b([XY](1[6-9]|2[0-9]|3[01])|Z([0-9]|[12][0-9]|3[01])|K[0-7])\b`)
	avx512Suffix   = regexp.MustCompile(`^[A-Z0-9]+\.(BCST|Z|SAE|RN_SAE|RD_SAE|RU_SAE|RZ_SAE)\b`)
	avx512Mnemonic = regexp.MustCompile(`^(` + strings.Join([]string{
		`K[A-Z]+[BWDQ]?`, // mask instructions
		`VPERM[IT]2[A-Z]+`, `VPERMW`, `VPERMB`,
		`VRNDSCALE[PS][SD]`, `VGETEXP[PS][SD]`, `VGETMANT[PS][SD]`, `VSCALEF[PS][SD]`,
		`VFIXUPIMM[PS][SD]`, `VRANGE[PS][SD]`, `VREDUCE[PS][SD]`, `VFPCLASS[PS][SD][XYZ]?`,
		`VRCP14[PS][SD]`, `VRSQRT14[PS][SD]`, `VRCP28[PS][SD]`, `VRSQRT28[PS][SD]`, `VEXP2P[SD]`,
		`VPTERNLOG[DQ]`, `VPRO[LR]V?[DQ]`, `VPSRAV?Q`, `VPSRAVW`, `VPS[LR]LVW`,
		`VP(MAX|MIN)[SU]Q`, `VPABSQ`, `VPMULLQ`, `VPMADD52[LH]UQ`,
		`VCVT[TU]*P[SD]2U?QQ[XY]?`, `VCVTU?QQ2P[SD][XY]?`, `VCVTT?P[SD]2UDQ[XY]?`, `VCVTUDQ2P[SD]`,
		`VCVTT?S[SD]2USI[LQ]?`, `VCVTUSI2S[SD][LQ]?`, `VCVTNE2PS2BF16`, `VCVTNEPS2BF16[XY]?`,
		`VPCMPU?[BWDQ]`, `VPTESTN?M[BWDQ]`, `VPMOV[BWDQ]2M`, `VPMOVM2[BWDQ]`,
		`VPMOVU?S?[WDQ][BWD]`, // down-converting moves (VPMOVQD, VPMOVSDB, ...)
		`VPBLENDM[BWDQ]`, `VBLENDMP[SD]`, `VALIGN[DQ]`, `VDBPSADBW`,
		`VP?COMPRESS[A-Z]*`, `VP?EXPAND[A-Z]*`, `VPCONFLICT[DQ]`, `VPLZCNT[DQ]`,
		`VPBROADCASTM[A-Z0-9]+`, `VPSHLDV?[WDQ]`, `VPSHRDV?[WDQ]`, `VPSHUFBITQMB`,
		`VPOPCNT[BWDQ]`, `VPMULTISHIFTQB`, `VP2INTERSECT[DQ]`, `VDPBF16PS`,
		`VMOVDQ[AU](8|16|32|64)`, `V(EXTRACT|INSERT)[FI](32|64)X[248]`,
		`VBROADCAST[FI](32|64)X[248]`, `VBROADCASTI32X2`, `VSHUF[FI](32|64)X[24]`,
		`VP?SCATTER[A-Z]+`, `VGATHERPF[01][A-Z]+`, `VSCATTERPF[01][A-Z]+`,
	}, "|") + `)\b`)
)

// FindAVX512 lists the lines of the Go assembly src that use an AVX-512
// register, suffix or instruction (or a function that requires AVX-512),
// as "line N: what: code", outside the functions allowed AVX-512
// (IsAVX512Name); none for code that runs on every AVX2+FMA CPU. A
// function starts at its "// func name(" comment or its TEXT line.
func FindAVX512(src []byte) []string {
	var found []string
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(nil, 1<<20)
	exempt := false
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if name, ok := functionName(text); ok {
			exempt = IsAVX512Name(name)
		}
		if exempt {
			continue
		}
		s, comment, _ := strings.Cut(text, "//")
		if strings.Contains(comment, "Requires:") && strings.Contains(comment, "AVX512") {
			found = append(found, fmt.Sprintf("line %d: requires AVX-512: %s", line, comment))
		}
		s = strings.TrimSpace(s)
		if s == "" || strings.HasPrefix(s, "#") || strings.HasPrefix(s, "TEXT") ||
			strings.HasPrefix(s, "DATA") || strings.HasPrefix(s, "GLOBL") || strings.HasSuffix(s, ":") {
			continue
		}
		if m := avx512Reg.FindString(s); m != "" {
			found = append(found, fmt.Sprintf("line %d: AVX-512 register %s: %s", line, m, s))
		}
		if avx512Suffix.MatchString(s) || avx512Mnemonic.MatchString(s) {
			found = append(found, fmt.Sprintf("line %d: AVX-512 instruction: %s", line, s))
		}
	}
	return found
}

// functionName is the function a line of avo's output starts: its
// "// func name(...)" comment or its "TEXT ·name(SB)" line.
func functionName(line string) (string, bool) {
	if rest, ok := strings.CutPrefix(line, "// func "); ok {
		name, _, ok := strings.Cut(rest, "(")
		return name, ok
	}
	if rest, ok := strings.CutPrefix(line, "TEXT "); ok {
		rest = strings.TrimPrefix(rest, "·")
		name, _, ok := strings.Cut(rest, "(")
		return name, ok
	}
	return "", false
}
