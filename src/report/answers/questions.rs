//! The questions the answers section asks: each with its scenario, the
//! parameters it compares at and whose variants it ranks.

/// A parameter's value in a question: a number, or the machine's cores.
#[derive(Clone, Copy)]
pub(super) enum At {
    Is(u64),
    Cores,
}

/// Whose points a question ranks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Among {
    /// Rust's own variants.
    Rust,
    /// Variants run in another runtime (CPython), with Rust's figures
    /// beside them where the parameters match.
    OtherRuntimes,
}

pub(super) struct Question {
    pub(super) ask: &'static str,
    pub(super) scenario: &'static str,
    /// The parameters the answer compares at (others may vary).
    pub(super) at: &'static [(&'static str, At)],
    pub(super) among: Among,
}

/// In the order a reader needs them.
pub(super) const QUESTIONS: &[Question] = &[
    Question {
        ask: "CPU-bound work on every core: threads, a pool, processes or async?",
        scenario: "cpu.split",
        at: &[("k", At::Cores)],
        among: Among::Rust,
    },
    Question {
        ask: "Waiting (I/O, sleeps): threads, processes or async?",
        scenario: "io.waits",
        at: &[],
        among: Among::Rust,
    },
    Question {
        ask: "What does starting and finishing 1000 workers cost?",
        scenario: "spawn.start",
        at: &[("workers", At::Is(1000))],
        among: Among::Rust,
    },
    // With no work inside (cs_ns = 0) every operation is the lock itself.
    // With 100 ns of work, the lock-free variants do theirs outside any lock,
    // in parallel, and tie at half the work per operation: five runs named
    // sharded or atomic by a few percent, either way round.
    Question {
        ask: "Which lock under contention?",
        scenario: "lock.counter",
        at: &[("threads", At::Cores), ("cs_ns", At::Is(0))],
        among: Among::Rust,
    },
    Question {
        ask: "Which bounded queue, one producer and one consumer?",
        scenario: "queue.bounded",
        at: &[
            ("producers", At::Is(1)),
            ("consumers", At::Is(1)),
            ("pinned_cores", At::Is(0)),
        ],
        among: Among::Rust,
    },
    Question {
        ask: "Which unbounded queue, two producers and two consumers?",
        scenario: "queue.unbounded",
        at: &[("producers", At::Is(2)), ("consumers", At::Is(2))],
        among: Among::Rust,
    },
    Question {
        ask: "Which IPC for a round trip between two processes or threads?",
        scenario: "ipc.pingpong",
        at: &[("pinned_cores", At::Is(0))],
        among: Among::Rust,
    },
    Question {
        ask: "Which IPC for bulk data (64 KiB messages)?",
        scenario: "ipc.stream",
        at: &[("message_bytes", At::Is(65536))],
        among: Among::Rust,
    },
    Question {
        ask: "Which way to hand a value from one thread to another?",
        scenario: "sync.handoff",
        at: &[("pinned_cores", At::Is(0))],
        among: Among::Rust,
    },
    Question {
        ask: "What does a context switch cost?",
        scenario: "switch.pingpong",
        at: &[("pinned_cores", At::Is(0))],
        among: Among::Rust,
    },
    Question {
        ask: "CPython, CPU-bound work on every core: threads (the GIL) or processes?",
        scenario: "cpu.split",
        at: &[("k", At::Cores)],
        among: Among::OtherRuntimes,
    },
    Question {
        ask: "CPython: many workers started to sleep at once, processes, threads or asyncio?",
        scenario: "spawn.sleepers",
        at: &[],
        among: Among::OtherRuntimes,
    },
];
