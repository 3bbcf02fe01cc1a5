//! A write transaction together with the events it produces. Events are appended
//! to the database log inside the transaction and handed to the bus only after
//! commit, so nobody hears of a change that did not happen.

use std::ops::{Deref, DerefMut};

use sqlx::AnyConnection;

use crate::bus::Envelope;
use crate::db::Tx;
use crate::state::AppState;

/// Where `Work::rollback_to` returns.
pub struct Savepoint {
    events: usize,
}

pub struct Work {
    tx: Tx,
    outbox: Vec<Envelope>,
}

impl Work {
    pub async fn begin(state: &AppState) -> Result<Work, sqlx::Error> {
        Ok(Work { tx: state.db.begin().await?, outbox: Vec::new() })
    }

    /// Queues an envelope for the bus; sent only if the transaction commits.
    pub fn publish_after_commit(&mut self, envelope: Envelope) {
        self.outbox.push(envelope);
    }

    /// A point inside the transaction to return to, events included, so one part of
    /// a group commit can fail alone.
    pub async fn savepoint(&mut self) -> Result<Savepoint, sqlx::Error> {
        sqlx::query("SAVEPOINT part").execute(&mut *self.tx).await?;
        Ok(Savepoint { events: self.outbox.len() })
    }

    pub async fn release(&mut self, _point: Savepoint) -> Result<(), sqlx::Error> {
        sqlx::query("RELEASE SAVEPOINT part").execute(&mut *self.tx).await.map(|_| ())
    }

    /// Undoes everything since the savepoint, and forgets the events it queued.
    pub async fn rollback_to(&mut self, point: Savepoint) -> Result<(), sqlx::Error> {
        sqlx::query("ROLLBACK TO SAVEPOINT part").execute(&mut *self.tx).await?;
        sqlx::query("RELEASE SAVEPOINT part").execute(&mut *self.tx).await?;
        self.outbox.truncate(point.events);
        Ok(())
    }

    pub async fn commit(self, state: &AppState) -> Result<(), sqlx::Error> {
        self.tx.commit().await?;
        // Before the caller hears it is done: this node serves no ended session from its cache.
        for envelope in &self.outbox {
            if let Envelope::SessionsEnded { user, only, keep } = envelope {
                state.sessions.end(*user, *only, *keep);
            }
        }
        if !self.outbox.is_empty() {
            state.bus.publish(self.outbox);
        }
        Ok(())
    }
}

impl Deref for Work {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for Work {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}
