//! CPU- and memory-heavy work (password hashing, image and PDF checks) runs on a few threads
//! of its own, one per core, with a bounded queue: past it the request is answered 503 with
//! `Retry-After` rather than piling up threads and memory. Not tokio's blocking pool: it grows
//! to 512 threads, and each thread that ran an Argon2 hash (19 MiB) keeps its own malloc arena
//! with that memory in it, so the resident size grew with the number of threads ever used.

use crate::error::AppError;
use std::sync::{Arc, LazyLock, Mutex, mpsc};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

/// Requests waiting for a turn, beyond those running, before new ones are refused. A waiting
/// request holds a few kilobytes (no thread, no buffer); a running hash holds 19 MiB. At about
/// 25 ms a hash per core, the last of a full queue waits some 6 s on two cores, well under the
/// 30 s request timeout.
const QUEUE: usize = 512;

type Job = Box<dyn FnOnce() + Send>;

/// A bound on heavy work: `running` threads, `queue` more jobs waiting.
#[derive(Debug)]
pub struct Bound {
    admitted: Arc<Semaphore>,
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl Bound {
    pub fn new(running: usize, queue: usize) -> Self {
        let (jobs, incoming) = mpsc::channel::<Job>();
        let incoming = Arc::new(Mutex::new(incoming));
        for i in 0..running.max(1) {
            let incoming = incoming.clone();
            let spawned = std::thread::Builder::new().name(format!("travail-lourd-{i}")).spawn(move || {
                loop {
                    let next = incoming.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                    let Ok(job) = next else { return };
                    // A panicking job fails its request (its result is never sent), not the thread.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "heavy-work thread not started");
            }
        }
        Self { admitted: Arc::new(Semaphore::new(running.max(1) + queue)), jobs: Mutex::new(jobs) }
    }

    /// Runs `f` on the bound's threads; `AppError::Busy` when the queue is full.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit: OwnedSemaphorePermit = self.admitted.clone().try_acquire_owned().map_err(|_| AppError::Busy)?;
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            // The place is held until the work is done, even if the request went away.
            let _permit = permit;
            let _ = done.send(f());
        });
        self.jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .send(job)
            .map_err(|_| AppError::Internal("plus aucun fil pour le travail lourd".into()))?;
        result.await.map_err(|_| AppError::Internal("le travail lourd a échoué (panique)".into()))
    }
}

/// The process's bound: one thread per core.
static HEAVY: LazyLock<Bound> =
    LazyLock::new(|| Bound::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2), QUEUE));

/// Runs `f` under the process's bound.
pub async fn run<T, F>(f: F) -> Result<T, AppError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    HEAVY.run(f).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn past_the_queue_work_is_refused_and_never_more_runs_at_once() {
        let bound = Arc::new(Bound::new(1, 2));
        let (running, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (started, release) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
        let job = |hold: bool| {
            let (running, peak, started, release) = (running.clone(), peak.clone(), started.clone(), release.clone());
            move || {
                peak.fetch_max(running.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                started.store(true, Ordering::SeqCst);
                while hold && !release.load(Ordering::SeqCst) {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                running.fetch_sub(1, Ordering::SeqCst);
            }
        };
        // The first holds the only turn...
        let first = tokio::spawn({
            let (bound, job) = (bound.clone(), job(true));
            async move { bound.run(job).await }
        });
        while !started.load(Ordering::SeqCst) {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        // ...while five more arrive: two wait, three are refused at once.
        let others: Vec<_> = (0..5)
            .map(|_| {
                let (bound, job) = (bound.clone(), job(false));
                tokio::spawn(async move { bound.run(job).await })
            })
            .collect();
        for _ in 0..400 {
            if others.iter().filter(|t| t.is_finished()).count() >= 3 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        release.store(true, Ordering::SeqCst);
        first.await.expect("task").expect("the first ran");
        let mut busy = 0;
        for t in others {
            match t.await.expect("task") {
                Ok(()) => {}
                Err(AppError::Busy) => busy += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(busy, 3, "one running, two waiting, three refused");
        assert_eq!(peak.load(Ordering::SeqCst), 1, "never two at once");
    }
}
