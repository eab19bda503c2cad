"""ipc.pingpong (src/scenario/ipc/pingpong.rs, peer.rs): one byte there and back per round."""

import multiprocessing
import os
import sys
import threading

from .children import child_init, describe_exit, reap, start_context
from .common import Failure, Workload, timed_rounds
from .placement import MainPin, pin_current, placement

BYTE = [bytes((i,)) for i in range(256)]
FIRST_BYTE = 1
# The peer's status block, shared memory: [echoed, stop, failure, at].
COUNT, STOP, FAILED, FAILED_AT = range(4)
PEER_FAILURES = {1: "the peer saw the link close early", 2: "a system call of the peer failed",
                 3: "the peer received wrong data"}


class MpPipeEnd:
    """One end of multiprocessing.Pipe() (a duplex Connection)."""

    def __init__(self, connection):
        self.connection = connection

    def send(self, data):
        self.connection.send_bytes(data)

    def recv(self):
        try:
            return self.connection.recv_bytes()
        except EOFError:
            return b""

    def close(self):
        self.connection.close()


class OsPipeEnd:
    """One side of two os.pipe() pairs: reads one, writes the other."""

    def __init__(self, read_fd, write_fd):
        self.fds = [read_fd, write_fd]

    def send(self, data):
        os.write(self.fds[1], data)

    def recv(self):
        return os.read(self.fds[0], 1)

    def close(self):
        for i, fd in enumerate(self.fds):
            if fd is not None:
                self.fds[i] = None
                os.close(fd)


class SocketEnd:
    """One end of socket.socketpair()."""

    def __init__(self, sock):
        self.sock = sock

    def send(self, data):
        self.sock.sendall(data)

    def recv(self):
        return self.sock.recv(1)

    def close(self):
        self.sock.close()


def make_link(variant):
    """(ours, theirs): the two ends of the variant's transport."""
    if variant == "py_mp_pipe":
        a, b = multiprocessing.Pipe()
        return MpPipeEnd(a), MpPipeEnd(b)
    if variant == "py_os_pipe":
        to_peer, to_us = os.pipe(), os.pipe()
        return OsPipeEnd(to_us[0], to_peer[1]), OsPipeEnd(to_peer[0], to_us[1])
    import socket

    a, b = socket.socketpair()
    return SocketEnd(a), SocketEnd(b)


def echo(link, status):
    """The peer: echo each byte plus one, checking the bytes come in sequence;
    0 when asked to stop, else a failure code (as peer.rs's `echo`)."""
    expected, done = FIRST_BYTE, 0
    while True:
        try:
            data = link.recv()
        except OSError:
            return peer_failed(status, 2, done)
        if not data:
            return peer_failed(status, 1, done)
        if status[STOP]:
            return 0
        if data[0] != expected:
            return peer_failed(status, 3, done)
        expected = (expected + 1) & 0xFF
        done += 1
        status[COUNT] = done
        try:
            link.send(BYTE[expected])
        except OSError:
            return peer_failed(status, 2, done)


def peer_failed(status, code, at):
    status[FAILED_AT] = at
    status[FAILED] = code
    return code


def _echo_peer(link, status, cpu, ours_to_close):
    """Body of the peer thread, or of the forked peer process (which first
    closes its copy of our end, so that either side sees the other go)."""
    if ours_to_close is not None:
        child_init(long_lived=True)
        ours_to_close.close()
    try:
        pin_current(cpu)
    except OSError:
        pass  # only the placement label would be wrong
    code = echo(link, status)
    if code:
        link.close()
    if ours_to_close is not None and code:
        sys.exit(code)


class IpcPingPong(Workload):
    """One byte there and back per round, between this thread and a peer
    thread (in_process=1) or forked child (in_process=0)."""

    def setup(self, params):
        self.in_process = params["in_process"] == 1
        first, second = placement(params["pinned_cores"])
        self.next = FIRST_BYTE
        self.round_trips = 0
        self.verdict = None  # the verify result, once the peer is stopped
        ctx = None if self.in_process else start_context("fork")
        self.status = multiprocessing.RawArray("Q", 4)
        self.link, self.theirs = make_link(self.variant)
        self.pin = MainPin(first)  # this thread drives; the peer goes to `second`
        if self.in_process:
            self.peer = threading.Thread(target=_echo_peer, name="ipc-peer", daemon=True,
                                         args=(self.theirs, self.status, second, None))
            self.peer.start()
        else:
            self.peer = ctx.Process(target=_echo_peer, daemon=True,
                                    args=(self.theirs, self.status, second, self.link))
            self.peer.start()
            self.theirs.close()
        self._round_trip()  # untimed: the peer is running before warm-up

    def run(self, rounds):
        if self.verdict is not None:
            raise Failure("verify stopped the peer; set up again to run more")
        return rounds, timed_rounds(self._round_trip, rounds)

    def _round_trip(self):
        sent = self.next
        try:
            self.link.send(BYTE[sent])
            reply = self.link.recv()
        except OSError as error:
            raise Failure(self._why_stopped(str(error))) from error
        if len(reply) != 1:
            raise Failure(self._why_stopped("the link closed"))
        back = (sent + 1) & 0xFF
        if reply[0] != back:
            raise Failure("round trip %d: sent %d, got %d back instead of %d"
                          % (self.round_trips, sent, reply[0], back))
        self.next = back
        self.round_trips += 1

    def _why_stopped(self, what):
        peer = ""
        if self.status[FAILED]:
            peer = " %s (at %d)." % (PEER_FAILURES.get(self.status[FAILED], "the peer failed"),
                                      self.status[FAILED_AT])
        elif not self.in_process and self.peer.exitcode is not None:
            peer = " The peer process %s." % describe_exit(self.peer)
        return "after %d round trips: %s.%s" % (self.round_trips, what, peer)

    def verify(self):
        if self.verdict is None:
            self.verdict = self._stop_peer()
        if self.verdict:
            raise Failure(self.verdict)

    def _stop_peer(self):
        """Raise the stop flag, wake the peer with one last byte, wait for it;
        the reason it failed, or "" when all is well."""
        self.status[STOP] = 1
        try:
            self.link.send(BYTE[self.next])
        except OSError as error:
            return self._why_stopped("waking the peer to stop: %s" % error)
        self.peer.join(5.0)
        if self.peer.is_alive():
            return "the peer did not stop"
        if self.status[FAILED]:
            return self._why_stopped("the peer failed")
        if not self.in_process and self.peer.exitcode != 0:
            return "the peer process %s" % describe_exit(self.peer)
        echoed = self.status[COUNT]
        if echoed != self.round_trips:
            return "the peer echoed %d bytes; %d round trips were made" % (echoed, self.round_trips)
        return ""

    def close(self):
        if getattr(self, "link", None) is not None:
            self.link.close()  # a peer still running sees the link close
        if isinstance(self.peer, threading.Thread):
            self.peer.join(2.0)
        elif self.peer is not None:
            reap([self.peer])
        if getattr(self, "theirs", None) is not None:
            self.theirs.close()
        if self.pin is not None:
            self.pin.release()
