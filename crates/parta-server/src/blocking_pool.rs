//! Heavy blocking work — password hashing, image decoding — run a few at a time, so
//! its memory has a bound: workers × what one piece of work holds. Beyond the workers
//! work waits in a bounded queue; past the queue it is turned away at once, and the
//! caller decides what that means (a 503, an upload without a preview).

use std::sync::Arc;

use tokio::sync::Semaphore;

/// Why work did not run to its end.
#[derive(Debug)]
pub enum NotRun {
    /// The workers are busy and the queue is full.
    Full,
    /// The work panicked on its thread.
    Panicked(tokio::task::JoinError),
}

pub struct BlockingPool {
    /// Places for work running or waiting: workers plus the queue.
    places: Semaphore,
    /// One permit per piece of work running. It goes with the blocking task, so a
    /// request dropped mid-work keeps its worker busy until the work really ends.
    workers: Arc<Semaphore>,
    capacity: usize,
}

impl BlockingPool {
    /// `workers` at once (at least one), `queue` more waiting.
    pub fn new(workers: usize, queue: usize) -> BlockingPool {
        let workers = workers.max(1);
        BlockingPool {
            places: Semaphore::new(workers + queue),
            workers: Arc::new(Semaphore::new(workers)),
            capacity: workers + queue,
        }
    }

    /// One worker per core, at most `max_workers`.
    pub fn cores(max_workers: usize) -> usize {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(max_workers)
    }

    /// Runs `work` on a blocking thread once a worker is free.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, NotRun> {
        let Ok(_place) = self.places.try_acquire() else { return Err(NotRun::Full) };
        let worker = self.workers.clone().acquire_owned().await.map_err(|_| NotRun::Full)?;
        tokio::task::spawn_blocking(move || {
            let _worker = worker;
            work()
        })
        .await
        .map_err(NotRun::Panicked)
    }

    /// Work running or waiting now.
    pub fn taken(&self) -> usize {
        self.capacity - self.places.available_permits()
    }

    /// Workers free now.
    pub fn idle_workers(&self) -> usize {
        self.workers.available_permits()
    }
}
