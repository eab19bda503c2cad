"""queue.bounded's py_mp_queue child processes: the producer and consumer bodies."""

from .children import child_init
from .queue_messages import END_TAG, STOP_TAG, payload_of, take_messages


def mpq_producer(control, items, index, messages, words, cpu):
    """A py_mp_queue producer process: each round, put its messages, then
    one END item behind them; report to the parent."""
    child_init(cpu, long_lived=True)
    items.cancel_join_thread()
    while control.recv() is not None:
        for sequence in range(messages):
            tag = (index << 32) | sequence
            items.put((tag, payload_of(tag, words)))
        items.put((END_TAG, index))
        control.send(("sent", index))


def mpq_consumer(control, items, ends, shape, cpu):
    """A py_mp_queue consumer process: each round, take and check messages
    until the round ends; send what it accepted back to the parent.

    multiprocessing.Queue writes from a feeder thread per process, so a
    producer cannot know that the others' messages are in the pipe yet.
    Each producer ends its round with an END item behind its own messages
    instead; the consumer that takes the last END of the round (every
    message is then out of the pipe) puts one STOP per other consumer."""
    child_init(cpu, long_lived=True)
    items.cancel_join_thread()
    producers, consumers, messages, words = shape

    def end_of_round(tag):
        if tag == STOP_TAG:
            return True
        with ends.get_lock():
            ends.value += 1
            last = ends.value == producers
            if last:
                ends.value = 0
        if last:
            for _ in range(consumers - 1):
                items.put((STOP_TAG, b""))
        return last

    while control.recv() is not None:
        got, faults, first = take_messages(items.get, producers, messages, words, end_of_round)
        control.send(("got", bytes(got), faults, first))
