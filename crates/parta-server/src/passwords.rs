//! Every Argon2id check and hash runs here, a few at a time. Each holds about
//! 19 MiB and tens of milliseconds of CPU, so unbounded concurrent logins would
//! turn into gigabytes; beyond the bound they wait in a short queue, and beyond the
//! queue they are answered 503 at once (the caller's reservations are given back).

use crate::blocking_pool::{BlockingPool, NotRun};
use crate::error::{Error, Result};
use crate::secrets;

pub struct PasswordGate {
    pool: BlockingPool,
}

impl PasswordGate {
    /// `workers` checks at once (at least one), `queue_limit` more waiting.
    pub fn new(workers: usize, queue_limit: usize) -> PasswordGate {
        PasswordGate { pool: BlockingPool::new(workers, queue_limit) }
    }

    /// One worker per core, and a queue of 32 per worker (about a second of waiting).
    pub fn sized_to_cores() -> PasswordGate {
        let cores = BlockingPool::cores(usize::MAX);
        PasswordGate::new(cores, cores * 32)
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        self.pool.run(work).await.map_err(|not_run| match not_run {
            NotRun::Full => Error::Busy,
            NotRun::Panicked(panic) => Error::Internal(panic.into()),
        })
    }

    /// Checks a password against a stored hash; with no hash (an unknown account),
    /// spends the same time on a dummy so the two cannot be told apart.
    pub async fn verify(&self, password: &str, stored: Option<String>) -> Result<bool> {
        let password = password.to_owned();
        self.run(move || match stored {
            Some(hash) => secrets::verify_password(&password, &hash),
            None => {
                secrets::verify_against_dummy(&password);
                false
            }
        })
        .await
    }

    pub async fn hash(&self, password: String) -> Result<String> {
        self.run(move || secrets::hash_password(&password)).await
    }

    /// Checks running or waiting for a worker.
    pub fn taken(&self) -> usize {
        self.pool.taken()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn beyond_the_workers_and_the_queue_the_answer_is_busy() {
        let gate = Arc::new(PasswordGate::new(1, 2));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = std::sync::Mutex::new(hold);
        // One check runs (blocked until released), two wait, the fourth is refused.
        let running = {
            let gate = gate.clone();
            tokio::spawn(async move {
                gate.run(move || {
                    let _ = hold.lock().map(|h| h.recv());
                })
                .await
            })
        };
        while gate.pool.idle_workers() > 0 {
            tokio::task::yield_now().await;
        }
        let queued: Vec<_> = (0..2)
            .map(|_| {
                let gate = gate.clone();
                tokio::spawn(async move { gate.run(|| ()).await })
            })
            .collect();
        while gate.taken() < 3 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(gate.run(|| ()).await, Err(Error::Busy)));
        release.send(()).expect("the running check waits");
        running.await.expect("joins").expect("ran");
        for waiter in queued {
            waiter.await.expect("joins").expect("ran after waiting");
        }
        assert_eq!(gate.taken(), 0);
        // With the queue empty again, a check runs.
        assert!(gate.verify("x", None).await.is_ok());
    }
}
