"""CPU placement: the CPUs this process may use, pinned_cores, pinning threads."""

import os

from .common import Skip


def cores():
    """CPUs this process may run on (Rust's available_parallelism)."""
    return len(os.sched_getaffinity(0))


def placement(pinned_cores):
    """(first, second) CPU of the two sides for pinned_cores 0, 1 or 2, as
    the Rust Placement: unpinned, both on one CPU, or on two different ones."""
    if pinned_cores == 0:
        return (None, None)
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < pinned_cores:
        raise Skip("pinned_cores=%d needs %d CPUs; this process may run on %d "
                   "(sched_getaffinity)" % (pinned_cores, pinned_cores, len(cpus)))
    return (cpus[0], cpus[0]) if pinned_cores == 1 else (cpus[0], cpus[1])


def pin_current(cpu):
    """Pin the calling thread (Linux: pid 0 is the calling thread) to `cpu`."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})


def worker_cpu(first, second, index):
    """Crew thread `index`'s CPU: even ones on the first, odd on the second."""
    return first if index % 2 == 0 else second


class MainPin:
    """The calling thread pinned to `cpu` until `release` puts its mask back."""

    def __init__(self, cpu):
        self.saved = None
        if cpu is not None:
            self.saved = os.sched_getaffinity(0)
            pin_current(cpu)

    def release(self):
        if self.saved is not None:
            os.sched_setaffinity(0, self.saved)
            self.saved = None
