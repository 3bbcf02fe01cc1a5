//! A write transaction together with the events it produces. Events are appended
//! to the database log inside the transaction and handed to the bus only after
//! commit, so nobody hears of a change that did not happen.
//!
//! On SQLite a batch of sends may instead hold the one writer connection and defer
//! its writes (`Work::deferred`): it reads outside a transaction — nobody else in
//! this process can write while it holds the writer — and sends `BEGIN`, every
//! write and `COMMIT` as one call at commit. Each call is a round trip to the
//! connection's thread (two thread wake-ups), so such a batch costs two instead of
//! four.

use std::ops::{Deref, DerefMut};

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection};

use crate::bus::Envelope;
use crate::db::{Backend, Tx};
use crate::state::AppState;
use crate::store::Script;

/// Where `Work::rollback_to` returns.
pub struct Savepoint {
    events: usize,
}

pub struct Work {
    held: Held,
    outbox: Vec<Envelope>,
}

enum Held {
    Tx(Tx),
    /// SQLite's writer with no transaction open: the writes wait in `script`.
    Deferred {
        conn: PoolConnection<Any>,
        script: Option<Script>,
    },
}

impl Work {
    pub async fn begin(state: &AppState) -> Result<Work, sqlx::Error> {
        Ok(Work { held: Held::Tx(state.db.begin().await?), outbox: Vec::new() })
    }

    /// On SQLite, work that holds the writer and sends all its writes at commit (see
    /// the module's note); elsewhere an ordinary transaction. Only for work whose
    /// writes all go through `script` and `run`, and that reads nothing it wrote.
    pub async fn deferred(state: &AppState) -> Result<Work, sqlx::Error> {
        if state.db.backend != Backend::Sqlite {
            return Work::begin(state).await;
        }
        Ok(Work { held: Held::Deferred { conn: state.db.writer().await?, script: None }, outbox: Vec::new() })
    }

    /// A script for this work's writes; hand it back to `run`.
    pub fn script(&mut self) -> Script {
        if let Held::Deferred { script, .. } = &mut self.held
            && let Some(script) = script.take()
        {
            return script;
        }
        Script::for_connection(self)
    }

    /// Sends the script's statements now; deferred work keeps them for its commit.
    pub async fn run(&mut self, mut script: Script) -> Result<(), sqlx::Error> {
        match &mut self.held {
            Held::Tx(tx) => script.run(tx).await,
            Held::Deferred { script: kept, .. } => {
                *kept = Some(script);
                Ok(())
            }
        }
    }

    /// Queues an envelope for the bus; sent only if the transaction commits.
    pub fn publish_after_commit(&mut self, envelope: Envelope) {
        self.outbox.push(envelope);
    }

    fn tx(&mut self) -> Result<&mut AnyConnection, sqlx::Error> {
        match &mut self.held {
            Held::Tx(tx) => Ok(tx),
            // A savepoint outside a transaction would open one that nobody commits.
            Held::Deferred { .. } => Err(sqlx::Error::Protocol("savepoints need a transaction".into())),
        }
    }

    /// A point inside the transaction to return to, events included, so one part of
    /// a group commit can fail alone.
    pub async fn savepoint(&mut self) -> Result<Savepoint, sqlx::Error> {
        sqlx::query("SAVEPOINT part").execute(self.tx()?).await?;
        Ok(Savepoint { events: self.outbox.len() })
    }

    pub async fn release(&mut self, _point: Savepoint) -> Result<(), sqlx::Error> {
        sqlx::query("RELEASE SAVEPOINT part").execute(self.tx()?).await.map(|_| ())
    }

    /// Undoes everything since the savepoint, and forgets the events it queued.
    pub async fn rollback_to(&mut self, point: Savepoint) -> Result<(), sqlx::Error> {
        sqlx::query("ROLLBACK TO SAVEPOINT part").execute(self.tx()?).await?;
        sqlx::query("RELEASE SAVEPOINT part").execute(self.tx()?).await?;
        self.outbox.truncate(point.events);
        Ok(())
    }

    pub async fn commit(self, state: &AppState) -> Result<(), sqlx::Error> {
        match self.held {
            Held::Tx(tx) => tx.commit().await?,
            Held::Deferred { conn, script: Some(script) } => commit_deferred(conn, script).await?,
            Held::Deferred { script: None, .. } => {}
        }
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

/// `BEGIN`, the writes and `COMMIT` in one call. Should any of it fail, the
/// transaction is rolled back; should that fail too, or this future be dropped
/// half-way, the connection is closed rather than returned to the pool with a
/// transaction open.
async fn commit_deferred(conn: PoolConnection<Any>, mut script: Script) -> Result<(), sqlx::Error> {
    struct CloseUnlessClean(PoolConnection<Any>, bool);
    impl Drop for CloseUnlessClean {
        fn drop(&mut self) {
            if !self.1 {
                self.0.close_on_drop();
            }
        }
    }
    let mut held = CloseUnlessClean(conn, false);
    let result = script.run_as_transaction(&mut held.0).await;
    held.1 = match &result {
        Ok(()) => true,
        // Also fails when the transaction never began: the connection closes then too (rare).
        Err(_) => sqlx::query("ROLLBACK").execute(&mut *held.0).await.is_ok(),
    };
    result
}

impl Deref for Work {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match &self.held {
            Held::Tx(tx) => tx,
            Held::Deferred { conn, .. } => conn,
        }
    }
}

impl DerefMut for Work {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.held {
            Held::Tx(tx) => tx,
            Held::Deferred { conn, .. } => conn,
        }
    }
}
