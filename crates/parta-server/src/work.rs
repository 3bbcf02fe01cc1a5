//! A write transaction together with the events it produces. Events are appended
//! to the database log inside the transaction and handed to the bus only after
//! commit, so nobody hears of a change that did not happen.

use std::ops::{Deref, DerefMut};

use sqlx::AnyConnection;

use crate::bus::Envelope;
use crate::db::Tx;
use crate::state::AppState;

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

    pub async fn commit(self, state: &AppState) -> Result<(), sqlx::Error> {
        self.tx.commit().await?;
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
