//! The family's variant tables (`variant_table!`): each variant's name,
//! models and summary, written once, and the enum the builders match on.

crate::variant_table! {
    /// `queue.bounded`'s variants.
    pub enum BoundedQueue in BOUNDED_VARIANTS {
        StdSyncChannel = "std_sync_channel", [Thread], "std::sync::mpsc::sync_channel(capacity); consumers share the receiver behind a Mutex";
        CrossbeamBounded = "crossbeam_bounded", [Thread], "crossbeam::channel::bounded(capacity)";
        FlumeBounded = "flume_bounded", [Thread], "flume::bounded(capacity)";
        TokioMpsc = "tokio_mpsc", [Async], "tokio::sync::mpsc::channel(capacity), tasks on a multi-thread runtime; consumers share the receiver behind a tokio Mutex";
        CondvarFifo = "condvar_fifo", [Thread], "Mutex<VecDeque> + not_empty/not_full Condvars: the design of Python's queue.Queue";
        ArrayQueue = "array_queue", [Thread], "crossbeam::queue::ArrayQueue(capacity), lock-free; spins then yields while full or empty";
        CondvarLifo = "condvar_lifo", [Thread], "Mutex<Vec> + two Condvars: Python's queue.LifoQueue";
        CondvarPriority = "condvar_priority", [Thread], "Mutex<BinaryHeap> + two Condvars: Python's queue.PriorityQueue (pseudo-random ranks)";
    }
}

crate::variant_table! {
    /// `queue.unbounded`'s variants (the condvar rows repeat `queue.bounded`'s).
    pub enum UnboundedQueue in UNBOUNDED_VARIANTS {
        StdChannel = "std_channel", [Thread], "std::sync::mpsc::channel(); consumers share the receiver behind a Mutex";
        CrossbeamUnbounded = "crossbeam_unbounded", [Thread], "crossbeam::channel::unbounded()";
        FlumeUnbounded = "flume_unbounded", [Thread], "flume::unbounded()";
        TokioUnbounded = "tokio_unbounded", [Async], "tokio::sync::mpsc::unbounded_channel(), tasks on a multi-thread runtime";
        CondvarFifo = "condvar_fifo", [Thread], "Mutex<VecDeque> + not_empty/not_full Condvars: the design of Python's queue.Queue";
        SegQueue = "seg_queue", [Thread], "crossbeam::queue::SegQueue, lock-free; consumers spin then yield while it is empty";
        CondvarLifo = "condvar_lifo", [Thread], "Mutex<Vec> + two Condvars: Python's queue.LifoQueue";
        CondvarPriority = "condvar_priority", [Thread], "Mutex<BinaryHeap> + two Condvars: Python's queue.PriorityQueue (pseudo-random ranks)";
    }
}

crate::variant_table! {
    /// `queue.rendezvous`'s variants.
    pub enum RendezvousQueue in RENDEZVOUS_VARIANTS {
        StdSyncChannel = "std_sync_channel", [Thread], "std::sync::mpsc::sync_channel(0)";
        CrossbeamZero = "crossbeam_zero", [Thread], "crossbeam::channel::bounded(0)";
        FlumeZero = "flume_zero", [Thread], "flume::bounded(0)";
    }
}
