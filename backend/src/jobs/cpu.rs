//! Threads for bulk work's computing: reading an uploaded file, planning an import's records,
//! writing an export's files. They run at a lower scheduling priority than the threads that
//! answer requests, so when both want the cores (two on a small server) a request's work goes
//! first and an import's waits; when the cores are idle the bulk work runs at full speed.
//!
//! The pool has one thread per core, started on first use. A panic in the work is returned as
//! an internal error; the thread lives on.

use std::sync::mpsc;
use std::sync::{Arc, LazyLock, Mutex};

use crate::error::{AppError, AppResult};

/// How much the pool's threads give way: a nice value of 10 gives a thread about a tenth of a
/// core that a request's thread also wants (the kernel weighs nice 10 at 110 against 1024).
const NICENESS: i32 = 10;

type Task = Box<dyn FnOnce() + Send>;

static POOL: LazyLock<mpsc::Sender<Task>> = LazyLock::new(|| {
    let (tx, rx) = mpsc::channel::<Task>();
    let rx = Arc::new(Mutex::new(rx));
    let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    for n in 0..threads {
        let rx = Arc::clone(&rx);
        // Were no thread to start, the channel's receiver would be gone and `run` would fail.
        let started = std::thread::Builder::new()
            .name(format!("bulk-cpu-{n}"))
            .spawn(move || {
                lower_priority();
                loop {
                    let task = rx.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                    match task {
                        Ok(task) => task(),
                        Err(_) => return,
                    }
                }
            });
        if let Err(e) = started {
            tracing::error!(error = %e, "a thread for bulk work did not start");
        }
    }
    tx
});

/// Runs `work` on a bulk-work thread and returns what it returns.
pub async fn run<F, R>(work: F) -> AppResult<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task: Task = Box::new(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        // The caller may have gone (a request cancelled): the result is then dropped.
        let _ = tx.send(result);
    });
    POOL.send(task)
        .map_err(|_| AppError::internal(anyhow::anyhow!("the bulk-work threads have stopped")))?;
    match rx.await {
        Ok(Ok(result)) => Ok(result),
        Ok(Err(_)) => Err(AppError::internal(anyhow::anyhow!("bulk work panicked"))),
        Err(_) => Err(AppError::internal(anyhow::anyhow!("bulk work was dropped"))),
    }
}

/// The calling thread's niceness raised (its priority lowered); on Linux the nice value belongs
/// to the thread, not to the whole process.
#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: gettid and setpriority take and return plain integers; a failure (a container that
    // forbids it) leaves the thread at the normal priority, which is only slower for requests.
    unsafe {
        let tid = libc::gettid();
        if libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, NICENESS) != 0 {
            tracing::debug!("bulk-work thread left at normal priority");
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_runs_at_a_lower_priority_and_a_panic_is_an_error() {
        let nice = run(|| {
            // SAFETY: as above; reads the calling thread's nice value.
            #[cfg(target_os = "linux")]
            unsafe {
                libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t)
            }
            #[cfg(not(target_os = "linux"))]
            NICENESS
        })
        .await
        .unwrap();
        assert!(nice >= NICENESS, "{nice}");
        assert_eq!(run(|| 6 * 7).await.unwrap(), 42);
        let failed = run(|| -> i32 { panic!("boom") }).await;
        assert!(failed.is_err());
        // The threads live on after a panic.
        assert_eq!(run(|| 1).await.unwrap(), 1);
    }
}
