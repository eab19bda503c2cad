//! What the tokio variants of the sync family share: a multi-thread runtime
//! built once per trial, and a join of a batch's tasks that gives up (after
//! closing what they wait on) when the watchdog cancels the point.

use std::time::Duration;

use anyhow::{Context, bail};
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

use crate::scenario::CancelToken;

/// How often a waiting join looks at the cancel token.
const TICK: Duration = Duration::from_millis(100);

/// A multi-thread runtime with `workers` worker threads (timers on, for the
/// join's cancel checks).
pub fn runtime(workers: usize) -> anyhow::Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.max(1))
        .thread_name("concbench-sync-tokio")
        .enable_time()
        .build()
        .context("building the tokio runtime")
}

/// Await every task in order. If `cancel` is raised meanwhile, call `close`
/// (which must make the tasks end, e.g. by closing their semaphores) and
/// return an error without waiting for them.
pub async fn join_all<T>(
    tasks: Vec<JoinHandle<T>>,
    cancel: &CancelToken,
    close: impl Fn(),
) -> anyhow::Result<Vec<T>> {
    let mut outputs = Vec::with_capacity(tasks.len());
    for mut task in tasks {
        loop {
            match tokio::time::timeout(TICK, &mut task).await {
                Ok(joined) => {
                    outputs.push(joined.context("a tokio task failed")?);
                    break;
                }
                Err(_) if cancel.is_cancelled() => {
                    close();
                    bail!("cancelled by the watchdog");
                }
                Err(_) => {}
            }
        }
    }
    Ok(outputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn joins_every_task_in_order() {
        let runtime = runtime(2).expect("runtime");
        let outputs = runtime
            .block_on(async {
                let tasks = (0..4u64)
                    .map(|i| tokio::spawn(async move { i * i }))
                    .collect();
                join_all(tasks, &CancelToken::default(), || {}).await
            })
            .expect("all tasks end");
        assert_eq!(outputs, vec![0, 1, 4, 9]);
    }

    #[test]
    fn a_cancelled_join_closes_and_returns() {
        let runtime = runtime(1).expect("runtime");
        let semaphore = Arc::new(tokio::sync::Semaphore::new(0));
        let cancel = CancelToken::default();
        cancel.cancel();
        let result = runtime.block_on(async {
            let waiting = Arc::clone(&semaphore);
            let task = tokio::spawn(async move { waiting.acquire().await.is_ok() });
            join_all(vec![task], &cancel, || semaphore.close()).await
        });
        assert!(result.is_err(), "cancelled");
        assert!(semaphore.is_closed());
    }
}
