"""The protocol channel: a private copy of the original stdout, with fd 1 pointed at stderr."""

import os
import sys

PROTO_FD = None  # the protocol channel (a copy of the original stdout)
LIBC = None  # libc, loaded before any fork, for prctl in children


def open_channel():
    """Keep the original stdout for answers only and point fd 1 at stderr."""
    global PROTO_FD, LIBC
    sys.stdout.flush()
    PROTO_FD = os.dup(1)
    os.dup2(2, 1)
    try:
        import ctypes

        LIBC = ctypes.CDLL(None)
    except (ImportError, OSError):
        LIBC = None
    return os.fdopen(PROTO_FD, "w", encoding="utf-8", errors="replace")
