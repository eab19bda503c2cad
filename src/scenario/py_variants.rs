//! The variants whose workload runs in another runtime (`py_*`: the CPython
//! worker in runtimes/python/), listed under the scenario each mirrors. A
//! table of words only: the trial that drives a worker is `external.rs`.

use crate::vocab::{Model, VariantInfo};

/// Whether `variant` runs in another runtime (a CPython workload).
pub fn is_external(variant: &str) -> bool {
    variant.starts_with("py_")
}

/// The CPython workloads (runtimes/python/concbench_worker.py), each under
/// the scenario it mirrors: same parameters, same unit, same checks.
static VARIANTS: &[(&str, VariantInfo)] = &[
    (
        "spawn.start",
        py(
            "py_thread",
            THREAD,
            "CPython threading.Thread per worker, started and joined",
        ),
    ),
    (
        "spawn.start",
        py(
            "py_process_fork",
            PROCESS,
            "CPython multiprocessing.Process, fork start method",
        ),
    ),
    (
        "spawn.start",
        py(
            "py_process_spawn",
            PROCESS,
            "CPython multiprocessing.Process, spawn start method (a fresh interpreter each)",
        ),
    ),
    (
        "spawn.start",
        py(
            "py_thread_pool",
            POOL,
            "CPython ThreadPoolExecutor (one thread per core), a task per worker",
        ),
    ),
    (
        "spawn.start",
        py(
            "py_asyncio",
            ASYNC,
            "CPython asyncio task per worker, gathered",
        ),
    ),
    (
        "spawn.sleepers",
        py(
            "py_thread",
            THREAD,
            "CPython threading.Thread per sleeper (multiprocessing.dummy in the tutorial)",
        ),
    ),
    (
        "spawn.sleepers",
        py(
            "py_process_fork",
            PROCESS,
            "CPython multiprocessing.Process per sleeper, fork start method",
        ),
    ),
    (
        "spawn.sleepers",
        py(
            "py_process_spawn",
            PROCESS,
            "CPython multiprocessing.Process per sleeper, spawn start method",
        ),
    ),
    (
        "spawn.sleepers",
        py(
            "py_thread_pool",
            POOL,
            "CPython ThreadPoolExecutor with a thread per sleeper",
        ),
    ),
    (
        "spawn.sleepers",
        py(
            "py_asyncio",
            ASYNC,
            "CPython asyncio.sleep in a task per sleeper",
        ),
    ),
    (
        "cpu.split",
        py(
            "py_serial",
            SERIAL,
            "CPython, every chunk on the calling thread: CPython's reference",
        ),
    ),
    (
        "cpu.split",
        py(
            "py_thread",
            THREAD,
            "CPython threading.Thread per share: the GIL keeps them on one core",
        ),
    ),
    (
        "cpu.split",
        py(
            "py_thread_pool",
            POOL,
            "CPython ThreadPoolExecutor(k), a share per task",
        ),
    ),
    (
        "cpu.split",
        py(
            "py_process",
            PROCESS,
            "CPython multiprocessing.Process per share, tallies back on a queue",
        ),
    ),
    (
        "cpu.split",
        py(
            "py_process_pool",
            PROCESS_POOL,
            "CPython multiprocessing.Pool(k), a share per task",
        ),
    ),
    (
        "cpu.split",
        py(
            "py_asyncio",
            ASYNC,
            "CPython asyncio task per share: one thread, one core",
        ),
    ),
    (
        "io.waits",
        py("py_thread", THREAD, "CPython thread per task, time.sleep"),
    ),
    (
        "io.waits",
        py(
            "py_process_fork",
            PROCESS,
            "CPython multiprocessing.Process per task (fork), time.sleep",
        ),
    ),
    (
        "io.waits",
        py(
            "py_asyncio",
            ASYNC,
            "CPython asyncio task per task, asyncio.sleep",
        ),
    ),
    (
        "lock.counter",
        py("py_lock", THREAD, "CPython threading.Lock"),
    ),
    (
        "lock.counter",
        py(
            "py_rlock",
            THREAD,
            "CPython threading.RLock, one acquire per operation",
        ),
    ),
    (
        "sync.barrier",
        py(
            "py_barrier",
            THREAD,
            "CPython threading.Barrier(k), k long-lived threads",
        ),
    ),
    (
        "sync.handoff",
        py(
            "py_condition",
            THREAD,
            "CPython threading.Condition: wait for my turn, set the other's, notify",
        ),
    ),
    (
        "sync.handoff",
        py(
            "py_semaphore",
            THREAD,
            "CPython threading.Semaphore, one per side",
        ),
    ),
    (
        "sync.handoff",
        py("py_event", THREAD, "CPython threading.Event, one per side"),
    ),
    (
        "sync.handoff",
        py(
            "py_asyncio_event",
            ASYNC,
            "CPython asyncio.Event, two tasks on one loop",
        ),
    ),
    (
        "queue.bounded",
        py(
            "py_queue",
            THREAD,
            "CPython queue.Queue(maxsize) (a Lock and two Conditions)",
        ),
    ),
    (
        "queue.bounded",
        py("py_lifo_queue", THREAD, "CPython queue.LifoQueue(maxsize)"),
    ),
    (
        "queue.bounded",
        py(
            "py_priority_queue",
            THREAD,
            "CPython queue.PriorityQueue(maxsize)",
        ),
    ),
    (
        "queue.bounded",
        py(
            "py_mp_queue",
            PROCESS,
            "CPython multiprocessing.Queue between processes",
        ),
    ),
    (
        "queue.bounded",
        py(
            "py_asyncio_queue",
            ASYNC,
            "CPython asyncio.Queue(maxsize) between tasks",
        ),
    ),
    (
        "ipc.pingpong",
        py(
            "py_mp_pipe",
            PROCESS_OR_THREAD,
            "CPython multiprocessing.Pipe",
        ),
    ),
    (
        "ipc.pingpong",
        py(
            "py_os_pipe",
            PROCESS_OR_THREAD,
            "CPython os.pipe pair, os.read/os.write",
        ),
    ),
    (
        "ipc.pingpong",
        py(
            "py_socketpair",
            PROCESS_OR_THREAD,
            "CPython socket.socketpair",
        ),
    ),
    (
        "pattern.futures",
        py(
            "py_as_completed",
            POOL,
            "CPython ThreadPoolExecutor, results by as_completed",
        ),
    ),
    (
        "pattern.futures",
        py(
            "py_map",
            POOL,
            "CPython ThreadPoolExecutor.map, results in submission order",
        ),
    ),
];

const SERIAL: &[Model] = &[Model::Serial];
const THREAD: &[Model] = &[Model::Thread];
const POOL: &[Model] = &[Model::Pool];
const PROCESS: &[Model] = &[Model::Process];
const PROCESS_POOL: &[Model] = &[Model::ProcessPool];
const ASYNC: &[Model] = &[Model::Async];
const PROCESS_OR_THREAD: &[Model] = &[Model::Process, Model::Thread];

const fn py(name: &'static str, models: &'static [Model], summary: &'static str) -> VariantInfo {
    VariantInfo {
        name,
        models,
        summary,
    }
}

/// The external variants of `scenario` (empty for most).
pub fn variants_of(scenario: &str) -> impl Iterator<Item = &'static VariantInfo> + '_ {
    VARIANTS
        .iter()
        .filter(move |(id, _)| *id == scenario)
        .map(|(_, info)| info)
}
