//! Group commit: sends that arrive while a batch is being written wait and go
//! together in the next transaction, so a burst costs one `BEGIN`/`COMMIT`, one
//! fsync and a few statements (`actions::send`) instead of all of them per send.
//! SQLite has one writer, so this is how its sends meet. On PostgreSQL each node
//! batches its own sends the same way, in several lanes at once: a chat always goes
//! by the same lane, so batches written side by side never wait for each other's
//! chat rows (and batches of several nodes lock their chats in one order,
//! `store::events::take_positions`). Nothing is acknowledged before the batch
//! commits.
//!
//! A refused send is left out of the batch; should writing the batch fail, it is
//! written again one send at a time, each in a savepoint, so only the send that
//! failed fails.
//!
//! There is no background task to own. The first send to find the queue idle writes
//! itself, alone, in its own task: at light load a send is not handed to another task
//! and back, each hand-over waiting for a parked thread to wake (BENCHMARKS.md, «A
//! quiet send, stage by stage»). Should its client hang up meanwhile, the write goes
//! on in a task of its own (`Finish`): a send once begun is committed and published
//! whole, never committed and left unheard. Sends that queued meanwhile are written
//! by a writer it then spawns, which drains the queue and ends; that one runs
//! detached, so a client hanging up does not abort the batch others wait on.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
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

/// Lanes on PostgreSQL: batches written at once, each into chats of its own, so one
/// batch's round trips and commit overlap another's. Measured on durable ingest: two
/// lanes store fewer messages a second than four, eight fewer too (smaller batches,
/// each with its commit; BENCHMARKS.md, section I).
pub const POSTGRES_LANES: usize = 4;

/// One batch is written at a time in each lane. SQLite has one writer, so one lane.
/// On PostgreSQL batches of the same chats written side by side would wait for each
/// other's chat rows (measured: four at once stored no more messages a second than
/// one, and answered later), so a chat's sends always take the same lane.
pub struct GroupCommit {
    lanes: Vec<Mutex<Queue>>,
}

/// What a send finds at the queue: a writer at work, whose batch it waits for, or
/// an idle queue, which it writes itself.
enum Turn {
    Wait(oneshot::Receiver<(Outcome, Instant)>),
    Write(SendJob),
}

#[derive(Default)]
struct Queue {
    jobs: Vec<Job>,
    writing: bool,
}

impl GroupCommit {
    pub fn new(sqlite: bool) -> GroupCommit {
        let lanes = if sqlite { 1 } else { POSTGRES_LANES };
        GroupCommit { lanes: (0..lanes).map(|_| Mutex::default()).collect() }
    }

    /// Writes a send, alone or in a batch, and answers once it is committed.
    pub async fn send(&self, state: &AppState, actor: &Actor, chat: ChatId, request: &SendMessageRequest) -> Outcome {
        let queued = Instant::now();
        let lane = chat.0.rem_euclid(self.lanes.len() as i64) as usize;
        let send = SendJob { actor: actor.clone(), chat, request: request.clone() };
        let turn = {
            let mut queue = self.lock(lane);
            if queue.writing {
                let (reply, outcome) = oneshot::channel();
                queue.jobs.push(Job { send, reply, queued });
                Turn::Wait(outcome)
            } else {
                queue.writing = true;
                Turn::Write(send)
            }
        };
        let outcome = match turn {
            Turn::Wait(outcome) => outcome,
            Turn::Write(send) => return Finish::new(write_alone(state.clone(), lane, send, queued)).await,
        };
        let (outcome, answered) =
            outcome.await.map_err(|_| Error::Internal(anyhow::anyhow!("the writer stopped before answering")))?;
        stages::record(stages::REPLY, answered.elapsed(), 1);
        outcome
    }

    fn lock(&self, lane: usize) -> std::sync::MutexGuard<'_, Queue> {
        self.lanes[lane].lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The writer's part ends: whoever queued meanwhile is written by a writer of
    /// their own, or the lane is idle again.
    fn hand_on(&self, state: &AppState, lane: usize) {
        let mut queue = self.lock(lane);
        // No runtime: the server is stopping, and nobody is left to answer.
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) if !queue.jobs.is_empty() => {
                drop(queue);
                runtime.spawn(write(state.clone(), lane));
            }
            _ => queue.writing = false,
        }
    }

    fn next_batch(&self, lane: usize) -> Vec<Job> {
        let mut queue = self.lock(lane);
        let take = queue.jobs.len().min(MAX_BATCH);
        let batch: Vec<Job> = queue.jobs.drain(..take).collect();
        if batch.is_empty() {
            queue.writing = false;
        }
        batch
    }
}

/// A send that found the queue idle, written alone in its sender's task. However
/// its task ends — done, its client gone, a panic — the writer's part goes on
/// (`hand_on`), so sends queued behind it are never left waiting.
async fn write_alone(state: AppState, lane: usize, send: SendJob, queued: Instant) -> Outcome {
    struct HandOn<'a>(&'a AppState, usize);
    impl Drop for HandOn<'_> {
        fn drop(&mut self) {
            self.0.sends.hand_on(self.0, self.1);
        }
    }
    let _hand_on = HandOn(&state, lane);
    stages::record(stages::QUEUE, queued.elapsed(), 1);
    let sends = std::slice::from_ref(&send);
    let mut outcomes = together(&state, sends).await?;
    stages::record(stages::REPLY, std::time::Duration::ZERO, 1);
    outcomes.pop().unwrap_or(Err(Error::NotFound))
}

/// A future run in the task that awaits it, and finished in a task of its own should
/// that one drop it half-way (its client gone); its result is then nobody's.
struct Finish<F: Future<Output = Outcome> + Send + 'static>(Option<Pin<Box<F>>>);

impl<F: Future<Output = Outcome> + Send + 'static> Finish<F> {
    fn new(future: F) -> Self {
        Finish(Some(Box::pin(future)))
    }
}

impl<F: Future<Output = Outcome> + Send + 'static> Future for Finish<F> {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        let Some(future) = self.0.as_mut() else { return Poll::Ready(Err(Error::NotFound)) };
        let outcome = std::task::ready!(future.as_mut().poll(cx));
        self.0 = None;
        Poll::Ready(outcome)
    }
}

impl<F: Future<Output = Outcome> + Send + 'static> Drop for Finish<F> {
    fn drop(&mut self) {
        if let (Some(future), Ok(runtime)) = (self.0.take(), tokio::runtime::Handle::try_current()) {
            runtime.spawn(future);
        }
    }
}

/// Writes a lane's batches until its queue is empty.
async fn write(state: AppState, lane: usize) {
    // Should a batch panic, the lane must not stay marked as being written.
    struct Idle<'a>(&'a AppState, usize);
    impl Drop for Idle<'_> {
        fn drop(&mut self) {
            if std::thread::panicking() {
                self.0.sends.lock(self.1).writing = false;
            }
        }
    }
    let _idle = Idle(&state, lane);
    loop {
        let batch = state.sends.next_batch(lane);
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
