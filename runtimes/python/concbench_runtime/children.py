"""Child processes and limits: start, join and reap children, name their exits, check rlimits."""

import multiprocessing
import os
import resource
import signal
import time

from . import channel
from .common import Failure, Skip
from .placement import pin_current


def child_init(cpu=None, long_lived=False):
    """First thing in every forked child: leave the protocol channel alone,
    take SIGTERM's default action, pin if asked; a long-lived child also
    dies with its parent instead of blocking forever as an orphan."""
    if channel.PROTO_FD is not None:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, channel.PROTO_FD)
        os.close(null)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if long_lived and channel.LIBC is not None:
        channel.LIBC.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
        parent = multiprocessing.parent_process()
        if parent is not None and os.getppid() != parent.pid:
            os._exit(1)
    pin_current(cpu)


def start_context(method):
    """The multiprocessing context of `method`, or Skip where it is missing."""
    if method not in multiprocessing.get_all_start_methods():
        raise Skip("the %s start method is not available here" % method)
    return multiprocessing.get_context(method)


def describe_exit(process):
    code = process.exitcode
    if code is not None and code < 0:
        return "was killed by signal %d" % -code
    return "exited with code %s" % code


def reap(processes, timeout=2.0):
    """Leave no child behind: terminate the ones still running, then kill
    those that ignore it, and release every process object."""
    for process in processes:
        if process.exitcode is None:
            process.terminate()
    deadline = time.monotonic() + timeout
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.exitcode is None:
            process.kill()
            process.join(1.0)
    for process in processes:
        if process.exitcode is not None:
            process.close()


def start_children(ctx, count, target, args):
    """Start `count` daemon children running `target(*args)`; if one cannot
    be started, reap the ones that were and re-raise."""
    children = []
    try:
        for _ in range(count):
            child = ctx.Process(target=target, args=args, daemon=True)
            child.start()
            children.append(child)
    except BaseException:
        reap(children)
        raise
    return children


def join_all_ok(processes, what):
    """Join every child; Failure (after reaping all) unless each exited 0."""
    try:
        for process in processes:
            process.join()
        bad = [p for p in processes if p.exitcode != 0]
        if bad:
            raise Failure("%d of %d %s processes failed; pid %s %s" % (
                len(bad), len(processes), what, bad[0].pid, describe_exit(bad[0])))
    finally:
        reap(processes)


def ensure_files(needed, what):
    """Raise RLIMIT_NOFILE's soft limit to `needed` if it is lower, or Skip."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        target = soft
    if target < needed:
        raise Skip("%s needs about %d open files; RLIMIT_NOFILE allows %d "
                   "(raise it with `ulimit -n`)" % (what, needed, target))


def ensure_tasks(count, what):
    """Skip when `count` threads or processes exceed RLIMIT_NPROC, as Rust does."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NPROC)
    if soft != resource.RLIM_INFINITY and count >= soft:
        raise Skip("%s exceeds RLIMIT_NPROC (%d processes and threads for this "
                   "user; raise it with `ulimit -u`)" % (what, soft))
