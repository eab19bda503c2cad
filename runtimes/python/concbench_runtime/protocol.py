"""The concbench-runtime/1 protocol: the command loop, its answers and the session state."""

import platform
import signal
import sys

from .channel import open_channel
from .common import Failure, Skip
from .cputime import cpu_ns
from .registry import build_workload, close_quietly

PROTOCOL = "concbench-runtime/1"


def one_line(text, limit=2000):
    """A reason fit for one protocol line: no line breaks or control chars."""
    clean = "".join(c if c.isprintable() else ("?" if c not in "\r\n\t" else " ") for c in str(text))
    return clean.strip()[:limit] or "(no reason given)"


def hello_line():
    gil = "on"
    if hasattr(sys, "_is_gil_enabled") and not sys._is_gil_enabled():
        gil = "off"
    runtime = platform.python_implementation().lower()
    return "hello %s runtime=%s version=%s gil=%s" % (PROTOCOL, runtime, platform.python_version(), gil)


class Session:
    """One worker's state: at most one workload, set up once."""

    def __init__(self):
        self.workload = None
        self.broken = None  # why an earlier run failed

    def handle(self, line):
        """The answer line to one command, or None for `quit`."""
        words = line.split()
        command = words[0] if words else ""
        try:
            if command == "quit":
                return None
            if command == "setup":
                return self.setup(words[1:])
            if command in ("run", "verify"):
                if self.workload is None:
                    return "error not set up"
                return self.run(words[1:]) if command == "run" else self.verify()
            return "error unknown command %s" % one_line(command or "(empty line)", 100)
        except Skip as skip:
            return "skip " + one_line(skip)
        except Failure as failure:
            return "error " + one_line(failure)
        except Exception as error:
            return "error " + one_line("%s: %s" % (type(error).__name__, error))

    def setup(self, words):
        if self.workload is not None:
            return "error already set up"
        if len(words) < 2:
            return "error setup needs <scenario> <variant> [key=value ...]"
        self.workload = build_workload(words[0], words[1], words[2:])
        return "ready"

    def run(self, words):
        if len(words) != 1 or not (words[0].isascii() and words[0].isdigit()) or int(words[0]) < 1:
            return "error run needs one count of rounds >= 1"
        if self.broken is not None:
            return "error an earlier run failed: " + one_line(self.broken)
        try:
            cpu_before = cpu_ns()
            ops, ns = self.workload.run(int(words[0]))
            cpu = max(0, cpu_ns() - cpu_before)
        except Exception as error:
            self.broken = str(error)
            if not isinstance(error, Failure):
                self.broken = "%s: %s" % (type(error).__name__, error)
            raise
        return "done ops=%d ns=%d cpu_ns=%d" % (ops, ns, cpu)

    def verify(self):
        if self.broken is not None:
            return "error an earlier run failed: " + one_line(self.broken)
        self.workload.verify()
        return "ok"

    def close(self):
        if self.workload is not None:
            workload, self.workload = self.workload, None
            close_quietly(workload)


def serve():
    """The protocol loop: hello, then one answer per command until quit/EOF."""
    channel = open_channel()

    def say(line):
        channel.write(line + "\n")
        channel.flush()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    session = Session()
    try:
        say(hello_line())
        while True:
            raw = sys.stdin.buffer.readline()
            if not raw:
                break
            answer = session.handle(raw.decode("utf-8", "replace").rstrip("\r\n"))
            if answer is None:
                break
            say(answer)
    finally:
        session.close()
    return 0
