"""queue.bounded's messages: payloads, ranks, the consumers' checks and the ledger merging them."""

import struct
import threading

from .arith import GOLDEN, MASK, mix64
from .common import Failure

STOP_TAG = MASK  # the end-of-round marker, never a real origin
END_TAG = MASK - 1  # py_mp_queue: a producer's last item of a round
STOP_RANK = 1 << 64  # above every real rank: markers come out last
TAG_MIX = 0xD6E8FEB86659FD93
_WORD_STEPS = [(i * GOLDEN) & MASK for i in range(128)]
_PACK_1024 = struct.Struct("<128Q").pack


def payload_of(tag, words):
    """The payload of message `tag`: word i is tag * TAG_MIX + i * GOLDEN
    (wrapping), little-endian: the same bytes as a Rust message's payload."""
    base = (tag * TAG_MIX) & MASK
    if words == 1:
        return base.to_bytes(8, "little")
    return _PACK_1024(*[(base + step) & MASK for step in _WORD_STEPS])


def queue_rank(tag):
    """PriorityQueue order: a pseudo-random rank from the origin (Rust's
    `mix(tag) | 1`); markers rank STOP_RANK and come out after every message."""
    return mix64(tag) | 1


class Ledger:
    """What the consumers saw, merged round by round: each consumer marks
    the messages it accepted in its own bytearray (one byte per producer x
    sequence); merging proves that together they saw every message exactly
    once and intact (tally.rs)."""

    def __init__(self, producers, messages, consumers):
        self.producers, self.messages, self.consumers = producers, messages, consumers
        self.size = producers * messages
        self.full = int.from_bytes(b"\x01" * self.size, "little")
        self.lock = threading.Lock()
        self.union = self.merged = self.rounds = self.delivered = self.faults = 0
        self.first_fault = None

    def fault(self, what, count=1):
        self.faults += count
        if self.first_fault is None:
            self.first_fault = what

    def merge(self, got, faults=0, first_fault=None):
        """Fold one consumer's round in; the last one of a round closes it."""
        mine = int.from_bytes(got, "little")
        with self.lock:
            if self.union & mine:
                self.fault("two consumers took the same message")
            self.union |= mine
            self.delivered += got.count(1)
            if faults:
                self.fault(first_fault, faults)
            self.merged += 1
            if self.merged == self.consumers:
                self._close_round()

    def _close_round(self):
        missing = self.full & ~self.union
        if missing:
            index = ((missing & -missing).bit_length() - 1) // 8
            producer, sequence = divmod(index, self.messages)
            arrived = bin(self.union).count("1")
            self.fault("round %d: %d messages never arrived (first: message %d of producer %d)"
                       % (self.rounds + 1, self.size - arrived, sequence, producer))
        self.union = self.merged = 0
        self.rounds += 1

    def check(self, rounds):
        if self.first_fault is not None:
            raise Failure("%d faults; the first: %s" % (self.faults, self.first_fault))
        expected = rounds * self.size
        if self.rounds != rounds or self.delivered != expected:
            raise Failure("%d of %d messages arrived in %d of %d rounds"
                          % (self.delivered, expected, self.rounds, rounds))


def describe_reject(tag, payload, producers, messages, got):
    """Why a consumer refused a message."""
    producer, sequence = tag >> 32, tag & 0xFFFFFFFF
    if producer >= producers or sequence >= messages:
        return "a message with an unknown origin %#x" % tag
    if got[producer * messages + sequence]:
        return "message %d of producer %d arrived twice" % (sequence, producer)
    return "message %d of producer %d arrived with a damaged payload" % (sequence, producer)


def take_messages(get, producers, messages, words, end_of_round):
    """A consumer's round: take and check items until `end_of_round(tag)`
    says stop. Returns (got, faults, first_fault)."""
    got = bytearray(producers * messages)
    faults, first = 0, None
    while True:
        item = get()
        tag, payload = item[-2], item[-1]
        if tag >= END_TAG:
            if end_of_round(tag):
                return got, faults, first
            continue
        producer, sequence = tag >> 32, tag & 0xFFFFFFFF
        if producer < producers and sequence < messages:
            index = producer * messages + sequence
            if not got[index] and payload == payload_of(tag, words):
                got[index] = 1
                continue
        faults += 1
        if first is None:
            first = describe_reject(tag, payload, producers, messages, got)
