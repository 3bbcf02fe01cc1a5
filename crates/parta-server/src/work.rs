//! A write transaction together with the events it produces. Events are appended
//! to the database log inside the transaction and handed to the bus only after
//! commit, so nobody hears of a change that did not happen.
//!
//! On SQLite, work holds the one writer connection (`db::SqliteWriter`). A batch of
//! sends may defer its writes (`Work::deferred`): it reads outside a transaction —
//! nobody else in this process can write while it holds the writer — and sends
//! `BEGIN`, every write and `COMMIT` as one call at commit. Each call is a round trip
//! to the connection's thread (two thread wake-ups), so such a batch costs two.
//! Work that ends without committing leaves its transaction to the writer's next
//! holder to roll back.

use std::ops::{Deref, DerefMut};
use std::time::Instant;

use sqlx::AnyConnection;

use crate::bus::{Bus, Envelope};
use crate::db::{Db, SqliteWriterGuard, Tx};
use crate::session_cache::SessionCache;
use crate::stages;
use crate::store::Script;

/// Who hears of committed work: this node's session cache, then every node through
/// the bus. `AppState` has both (`From<&AppState>`, in `state.rs`); work needs no
/// more of the state above it.
pub struct Listeners<'a> {
    pub sessions: &'a SessionCache,
    pub bus: &'a dyn Bus,
}

/// Where `Work::rollback_to` returns.
pub struct Savepoint {
    events: usize,
}

pub struct Work {
    held: Held,
    outbox: Vec<Envelope>,
}

enum Held {
    /// PostgreSQL: a pooled connection in a transaction.
    Tx(Tx),
    /// SQLite's writer: in a transaction when `writer.open`, otherwise deferred
    /// work whose writes wait in `script`.
    Sqlite { writer: SqliteWriterGuard, script: Option<Script> },
}

impl Work {
    pub async fn begin(db: &Db) -> Result<Work, sqlx::Error> {
        let held = match db.sqlite_writer().await {
            None => Held::Tx(db.begin().await?),
            Some(writer) => {
                let mut writer = writer?;
                // Before the call: should it fail or be cancelled half-way, the next
                // holder rolls back whatever it began.
                writer.open = true;
                sqlx::query("BEGIN IMMEDIATE").execute(writer.conn()).await?;
                Held::Sqlite { writer, script: None }
            }
        };
        Ok(Work { held, outbox: Vec::new() })
    }

    /// On SQLite, work that holds the writer and sends all its writes at commit (see
    /// the module's note); elsewhere an ordinary transaction. Only for work whose
    /// writes all go through `script` and `run`, and that reads nothing it wrote.
    pub async fn deferred(db: &Db) -> Result<Work, sqlx::Error> {
        match db.sqlite_writer().await {
            None => Work::begin(db).await,
            Some(writer) => Ok(Work { held: Held::Sqlite { writer: writer?, script: None }, outbox: Vec::new() }),
        }
    }

    /// A script for this work's writes; hand it back to `run`.
    pub fn script(&mut self) -> Script {
        if let Held::Sqlite { script, .. } = &mut self.held
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
            Held::Sqlite { writer, .. } if writer.open => script.run(writer.conn()).await,
            Held::Sqlite { script: kept, .. } => {
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
            Held::Sqlite { writer, .. } if writer.open => Ok(writer.conn()),
            // A savepoint outside a transaction would open one that nobody commits.
            Held::Sqlite { .. } => Err(sqlx::Error::Protocol("savepoints need a transaction".into())),
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

    /// Commits, then tells `to` what happened (callers pass their `&AppState`).
    pub async fn commit<'a>(self, to: impl Into<Listeners<'a>>) -> Result<(), sqlx::Error> {
        self.commit_for(to, 0).await
    }

    /// Commits a batch of `sends` sends: its `commit` and `publish` stages are timed
    /// (`stages`), once for each send. Other work is not: the stages are a send's.
    pub async fn commit_for<'a>(self, to: impl Into<Listeners<'a>>, sends: usize) -> Result<(), sqlx::Error> {
        let listeners = to.into();
        let started = Instant::now();
        match self.held {
            Held::Tx(tx) => tx.commit().await?,
            Held::Sqlite { mut writer, script } => {
                if writer.open {
                    sqlx::query("COMMIT").execute(writer.conn()).await?;
                } else if let Some(mut script) = script {
                    writer.open = true;
                    script.run_as_transaction(writer.conn()).await?;
                }
                writer.open = false;
            }
        }
        let committed = Instant::now();
        // Before the caller hears it is done: this node serves no ended session from its cache.
        for envelope in &self.outbox {
            if let Envelope::SessionsEnded { user, only, keep } = envelope {
                listeners.sessions.end(*user, *only, *keep);
            }
        }
        if !self.outbox.is_empty() {
            listeners.bus.publish(self.outbox);
        }
        let published = Instant::now();
        stages::record(stages::COMMIT, committed.duration_since(started), sends);
        stages::record(stages::PUBLISH, published.duration_since(committed), sends);
        Ok(())
    }
}

impl Deref for Work {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match &self.held {
            Held::Tx(tx) => tx,
            Held::Sqlite { writer, .. } => writer.conn_ref(),
        }
    }
}

impl DerefMut for Work {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.held {
            Held::Tx(tx) => tx,
            Held::Sqlite { writer, .. } => writer.conn(),
        }
    }
}
