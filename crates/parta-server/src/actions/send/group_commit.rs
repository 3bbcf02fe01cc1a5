//! Group commit: sends that arrive while a batch is being written wait and go
//! together in the next transaction, so a burst costs one `BEGIN`/`COMMIT`, one
//! fsync and a few statements (`actions::send`) instead of all of them per send.
//! SQLite has one writer, so this is how its sends meet; on PostgreSQL each node
//! batches its own sends the same way (and batches of several nodes lock their
//! chats in one order, `store::events::take_positions`). Nothing is acknowledged
//! before the batch commits.
//!
//! A refused send is left out of the batch; should writing the batch fail, it is
//! written again one send at a time, each in a savepoint, so only the send that
//! failed fails.
//!
//! There is no background task to own: the first send to find the queue idle spawns a
//! writer that drains it and ends; it runs detached, so a client hanging up does not
//! abort the batch others wait on.

use std::sync::Mutex;
use std::time::Instant;

use parta_domain::ChatId;
use parta_protocol::SendMessageRequest;
use tokio::sync::oneshot;

use super::{Outcome, SendJob, send_batch};
use crate::auth::Actor;
use crate::error::Error;
use crate::stages;
use crate::state::AppState;
use crate::work::Work;

/// Sends written in one transaction at most (a batch holds the writer this long).
pub const MAX_BATCH: usize = 64;

struct Job {
    send: SendJob,
    reply: oneshot::Sender<(Outcome, Instant)>,
    queued: Instant,
}

/// One batch is written at a time: SQLite has one writer, and on PostgreSQL batches
/// written side by side mostly wait for each other's chat rows (measured: four at
/// once stored no more messages a second than one, and answered later).
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
        let job = Job {
            send: SendJob { actor: actor.clone(), chat, request: request.clone() },
            reply,
            queued: Instant::now(),
        };
        let start_writer = {
            let mut queue = self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            queue.jobs.push(job);
            !std::mem::replace(&mut queue.writing, true)
        };
        if start_writer {
            tokio::spawn(write(state.clone()));
        }
        let (outcome, answered) =
            outcome.await.map_err(|_| Error::Internal(anyhow::anyhow!("the writer stopped before answering")))?;
        stages::record(stages::REPLY, answered.elapsed(), 1);
        outcome
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
    let taken = Instant::now();
    for job in &batch {
        stages::record(stages::QUEUE, taken.duration_since(job.queued), 1);
    }
    let (sends, replies): (Vec<SendJob>, Vec<oneshot::Sender<(Outcome, Instant)>>) =
        batch.into_iter().map(|job| (job.send, job.reply)).unzip();
    let outcomes = match together(state, &sends).await {
        Ok(outcomes) => Ok(outcomes),
        Err(error) if sends.len() == 1 => Ok(vec![Err(error)]),
        Err(error) => {
            tracing::info!(%error, sends = sends.len(), "a batch of sends failed; writing them one at a time");
            one_at_a_time(state, &sends).await
        }
    };
    match outcomes {
        Ok(outcomes) => {
            let answered = Instant::now();
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                let _ = reply.send((outcome, answered));
            }
        }
        // Nothing of the batch was stored: every sender hears so (and may retry with the same key).
        Err(error) => {
            tracing::warn!(%error, sends = sends.len(), "a batch of sends failed");
            let answered = Instant::now();
            for reply in replies {
                let failed = Error::Internal(anyhow::anyhow!("storing the message failed: {error}"));
                let _ = reply.send((Err(failed), answered));
            }
        }
    }
}

/// The whole batch in one transaction: the usual way. Without files its writes are
/// all in the batch's script, so on SQLite they go with BEGIN and COMMIT in one call.
async fn together(state: &AppState, sends: &[SendJob]) -> Result<Vec<Outcome>, Error> {
    let waited = Instant::now();
    let mut work =
        if sends.iter().any(SendJob::writes_apart) { state.begin().await? } else { Work::deferred(&state.db).await? };
    let started = Instant::now();
    stages::record(stages::WRITER, started.duration_since(waited), sends.len());
    let outcomes = send_batch(&mut work, state, sends).await?;
    stages::record(stages::STATEMENTS, started.elapsed(), sends.len());
    work.commit_for(state, sends.len()).await?;
    Ok(outcomes)
}

/// After a failed batch: still one transaction, each send in a savepoint of its own.
/// Sends go chat by chat (in each chat, in the order they came), so the chats are
/// locked in the same order as any other batch locks them.
async fn one_at_a_time(state: &AppState, sends: &[SendJob]) -> Result<Vec<Outcome>, sqlx::Error> {
    let mut order: Vec<usize> = (0..sends.len()).collect();
    order.sort_by_key(|&index| sends[index].chat);
    let mut work = state.begin().await?;
    let mut outcomes: Vec<Option<Outcome>> = (0..sends.len()).map(|_| None).collect();
    for index in order {
        let point = work.savepoint().await?;
        outcomes[index] = Some(match send_batch(&mut work, state, std::slice::from_ref(&sends[index])).await {
            Ok(mut outcome) => {
                work.release(point).await?;
                outcome.pop().unwrap_or(Err(Error::NotFound))
            }
            Err(error) => {
                work.rollback_to(point).await?;
                Err(error)
            }
        });
    }
    work.commit(state).await?;
    Ok(outcomes.into_iter().map(|outcome| outcome.unwrap_or(Err(Error::NotFound))).collect())
}
