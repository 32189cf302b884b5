package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTableReproducible regenerates the table from the published files in
// the shared folder (beside the repository) and compares it with the
// committed one.
func TestTableReproducible(t *testing.T) {
	const src = "../../../../shared/networks/sorterhunter"
	if _, err := os.Stat(src); err != nil {
		t.Fatal("SorterHunter files not found (the shared folder must sit beside the repository):", err)
	}
	code, err := generate(src, 64)
	require.NoError(t, err)
	committed, err := os.ReadFile("../../best_table.go")
	require.NoError(t, err)
	require.Equal(t, string(committed), string(code), "best_table.go is stale: run go generate ./networks")
}

func TestGenerateRejectsGaps(t *testing.T) {
	const src = "../../../../shared/networks/sorterhunter"
	if _, err := os.Stat(src); err != nil {
		t.Fatal("SorterHunter files not found (the shared folder must sit beside the repository):", err)
	}
	_, err := generate(src, 65)
	require.ErrorContains(t, err, "no network for n=65")
	_, err = generate(src, 63)
	require.ErrorContains(t, err, "sizes outside 2..63")
}
