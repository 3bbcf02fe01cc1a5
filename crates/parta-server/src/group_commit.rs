//! Group commit for SQLite's single writer: sends that arrive while a batch is being
//! written wait and go together in the next transaction, so a burst costs one
//! `BEGIN`/`COMMIT` and one fsync instead of one each. Every send keeps its own
//! outcome: it runs inside a savepoint, and a refused send rolls back alone (its
//! events with it). Nothing is acknowledged before the batch commits.
//!
//! There is no background task to own: the first send to find the queue idle spawns a
//! writer that drains it and ends; it runs detached, so a client hanging up does not
//! abort the batch others wait on.

use std::sync::Mutex;

use parta_domain::ChatId;
use parta_protocol::{Message, SendMessageRequest};
use tokio::sync::oneshot;

use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::state::AppState;

/// Sends written in one transaction at most (a batch holds the writer this long).
pub const MAX_BATCH: usize = 64;

type Outcome = Result<(Message, bool)>;

struct Job {
    actor: Actor,
    chat: ChatId,
    request: SendMessageRequest,
    reply: oneshot::Sender<Outcome>,
}

#[derive(Default)]
pub struct GroupCommit {
    queue: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    jobs: Vec<Job>,
    writing: bool,
}

impl GroupCommit {
    /// Queues a send and waits for the batch it goes in to commit.
    pub async fn send(&self, state: &AppState, actor: &Actor, chat: ChatId, request: &SendMessageRequest) -> Outcome {
        let (reply, outcome) = oneshot::channel();
        let job = Job { actor: actor.clone(), chat, request: request.clone(), reply };
        let start_writer = {
            let mut queue = self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            queue.jobs.push(job);
            !std::mem::replace(&mut queue.writing, true)
        };
        if start_writer {
            tokio::spawn(write(state.clone()));
        }
        outcome.await.map_err(|_| Error::Internal(anyhow::anyhow!("the writer stopped before answering")))?
    }

    fn next_batch(&self) -> Vec<Job> {
        let mut queue = self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let take = queue.jobs.len().min(MAX_BATCH);
        let batch: Vec<Job> = queue.jobs.drain(..take).collect();
        if batch.is_empty() {
            queue.writing = false;
        }
        batch
    }
}

/// Writes batches until the queue is empty.
async fn write(state: AppState) {
    // Should a batch panic, the queue must not stay marked as being written.
    struct Idle<'a>(&'a AppState);
    impl Drop for Idle<'_> {
        fn drop(&mut self) {
            if std::thread::panicking() {
                let mut queue = self.0.sends.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                queue.writing = false;
            }
        }
    }
    let _idle = Idle(&state);
    loop {
        let batch = state.sends.next_batch();
        if batch.is_empty() {
            return;
        }
        write_batch(&state, batch).await;
    }
}

async fn write_batch(state: &AppState, batch: Vec<Job>) {
    let mut work = match state.begin().await {
        Ok(work) => work,
        Err(error) => return fail_all(batch, &error),
    };
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in &batch {
        let point = match work.savepoint().await {
            Ok(point) => point,
            Err(error) => return fail_all(batch, &error),
        };
        let outcome = crate::actions::chats::send_in(&mut work, state, &job.actor, job.chat, &job.request).await;
        let kept = match &outcome {
            Ok(_) => work.release(point).await,
            Err(_) => work.rollback_to(point).await,
        };
        if let Err(error) = kept {
            return fail_all(batch, &error);
        }
        outcomes.push(outcome);
    }
    if let Err(error) = work.commit(state).await {
        return fail_all(batch, &error);
    }
    for (job, outcome) in batch.into_iter().zip(outcomes) {
        let _ = job.reply.send(outcome);
    }
}

/// Nothing of the batch was stored: every sender hears so (and may retry with the same key).
fn fail_all(batch: Vec<Job>, error: &sqlx::Error) {
    tracing::warn!(%error, sends = batch.len(), "a batch of sends failed");
    for job in batch {
        let _ = job.reply.send(Err(Error::Internal(anyhow::anyhow!("storing the message failed: {error}"))));
    }
}
