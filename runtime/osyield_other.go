//go:build !linux

package runtime

import goruntime "runtime"

// osYield lets other goroutines run; elsewhere than on Linux the polling
// loops rely on the OS preempting them.
func osYield() { goruntime.Gosched() }
