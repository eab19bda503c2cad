"""CPU time of this worker and of every child it has or had: what a run cost the machine."""

import os
import resource

_TICK_NS = 1e9 / os.sysconf("SC_CLK_TCK")


def _live_children_ns():
    """user + sys (and their reaped children's) of the children still alive,
    read from /proc: a pool's members, a long-lived peer."""
    total = 0
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return 0
    for tid in tasks:
        try:
            with open("/proc/self/task/%s/children" % tid) as f:
                pids = f.read().split()
        except OSError:
            continue
        for pid in pids:
            try:
                with open("/proc/%s/stat" % pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            # After the command name: state is field 3, so utime (14),
            # stime (15), cutime (16) and cstime (17) sit at 11..15.
            total += sum(int(x) for x in fields[11:15])
    return int(total * _TICK_NS)


def cpu_ns():
    """This process's CPU time, its reaped children's, and its live ones'."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime
    return int(seconds * 1e9) + _live_children_ns()
