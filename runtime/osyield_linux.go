//go:build linux

package runtime

import "syscall"

// osYield gives the processor to another runnable thread, if any: a worker
// polling for work must not hold a core that the thread it waits for
// needs, which happens when the machine is oversubscribed.
func osYield() { syscall.RawSyscall(syscall.SYS_SCHED_YIELD, 0, 0, 0) }
