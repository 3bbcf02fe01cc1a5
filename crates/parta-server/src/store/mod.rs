//! SQL, one module per aggregate. Functions take a connection (or a transaction,
//! which derefs to one) and neither authorize nor emit anything: that is `actions`.
//! Every query uses bound parameters; no SQL is assembled from input.

use sqlx::any::AnyArguments;
use sqlx::{AnyConnection, Arguments, Encode, Type};

pub mod acks;
pub mod applications;
pub mod attempts;
pub mod audit;
pub mod authorities;
pub mod calendar;
pub mod calls;
pub mod chat_import;
pub mod chat_links;
pub mod chats;
pub mod compliance;
pub mod consents;
pub mod devices;
pub mod digests;
pub mod directory;
pub mod distance;
pub mod events;
pub mod files;
pub mod held;
pub mod invites;
pub mod journal;
pub mod mail;
pub mod marks;
pub mod messages;
pub mod notifications;
pub mod oidc;
pub mod outbox;
pub mod overrides;
pub mod personal_data;
pub mod polls;
pub mod profile;
pub mod push;
pub mod reactions;
pub mod regulations;
pub mod reports;
pub mod roster;
pub mod school_year;
pub mod schools;
pub mod search;
pub mod seats;
pub mod sessions;
pub mod statistics;
pub mod submissions;
pub mod teaching;
pub mod users;
pub mod webhooks;
pub mod year_transition;

/// A UNIQUE constraint failed (either backend).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(db) => {
            db.kind() == sqlx::error::ErrorKind::UniqueViolation
                || db.code().is_some_and(|c| c == "23505" || c == "2067" || c == "1555")
        }
        _ => false,
    }
}

/// Whether `conn` is SQLite's (the one other backend is PostgreSQL).
pub fn is_sqlite(conn: &AnyConnection) -> bool {
    conn.backend_name() == "SQLite"
}

/// Placeholders for a statement assembled at run time, numbered in the order they are
/// written (so bind in that order): `$1, $2, …` on PostgreSQL, plain `?` on SQLite,
/// which finds each `$N` by searching the statement's names — quadratic in a
/// multi-row statement of thousands of parameters.
pub struct Placeholders {
    numbered: bool,
    written: usize,
}

impl Placeholders {
    pub fn for_connection(conn: &AnyConnection) -> Placeholders {
        Placeholders { numbered: !is_sqlite(conn), written: 0 }
    }

    pub fn one(&mut self) -> String {
        self.written += 1;
        if self.numbered { format!("${}", self.written) } else { "?".to_owned() }
    }

    /// `count` placeholders separated by commas: the values of an `IN (…)`.
    pub fn list(&mut self, count: usize) -> String {
        (0..count).map(|_| self.one()).collect::<Vec<_>>().join(", ")
    }

    /// `rows` tuples of `columns` placeholders: the VALUES of a multi-row statement.
    pub fn rows(&mut self, rows: usize, columns: usize) -> String {
        let mut sql = String::with_capacity(rows * columns * 6);
        for row in 0..rows {
            sql.push_str(if row == 0 { "(" } else { ", (" });
            for column in 0..columns {
                if column > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&self.one());
            }
            sql.push(')');
        }
        sql
    }
}

/// Write statements that reach the database in as few round trips as it allows: on
/// SQLite all of them in one call (its positional `?` carry on from one statement to
/// the next); on PostgreSQL one at a time (its extended protocol takes one statement
/// per message), or as one statement when they are independent (`as_one_statement`).
/// Nothing is sent before `run`.
pub struct Script {
    sqlite: bool,
    /// PostgreSQL: statements are joined as WITH clauses of one (`as_one_statement`).
    joined: bool,
    /// SQLite, or PostgreSQL's joined statement being built: the statements so far,
    /// and all of their values.
    sql: String,
    args: AnyArguments,
    /// Placeholders numbered and WITH clauses named so far in `sql` (PostgreSQL).
    numbered: usize,
    clauses: usize,
    /// PostgreSQL: each statement with its values.
    statements: Vec<(String, AnyArguments)>,
    /// The first value that could not be encoded: reported by `run`.
    error: Option<sqlx::error::BoxDynError>,
}

/// PostgreSQL takes at most 65,535 values in one statement; a joined statement that
/// would pass this many is cut in two.
const JOINED_VALUES: usize = 60_000;

/// At most this many values: a PostgreSQL statement kept prepared (`Script::run`).
const REPEATING_VALUES: usize = 16;

/// The values of one statement of a `Script`, bound in the order of its placeholders.
pub struct Binds<'a> {
    args: &'a mut AnyArguments,
    error: &'a mut Option<sqlx::error::BoxDynError>,
}

impl Binds<'_> {
    pub fn bind<'t, T: Encode<'t, sqlx::Any> + Type<sqlx::Any>>(&mut self, value: T) -> &mut Self {
        if let Err(error) = self.args.add(value) {
            self.error.get_or_insert(error);
        }
        self
    }

    /// Rows as one JSON value, for PostgreSQL's `json_to_recordset($n::json) AS r(…)`:
    /// a statement whose text does not change with its number of rows, so it is
    /// prepared once per connection and planned once, not at every batch.
    pub fn bind_rows<T: serde::Serialize>(&mut self, rows: &[T]) -> &mut Self {
        match serde_json::to_string(rows) {
            Ok(json) => self.bind(json),
            Err(error) => {
                self.error.get_or_insert(Box::new(error));
                self
            }
        }
    }
}

/// The values `bind` binds, for a statement sent on its own.
pub fn arguments(bind: impl FnOnce(&mut Binds<'_>)) -> sqlx::Result<AnyArguments> {
    let (mut args, mut error) = (AnyArguments::default(), None);
    bind(&mut Binds { args: &mut args, error: &mut error });
    error.map_or(Ok(args), |error| Err(sqlx::Error::Encode(error)))
}

impl Script {
    pub fn for_connection(conn: &AnyConnection) -> Script {
        Script {
            sqlite: is_sqlite(conn),
            joined: false,
            sql: String::new(),
            args: AnyArguments::default(),
            numbered: 0,
            clauses: 0,
            statements: Vec::new(),
            error: None,
        }
    }

    /// On PostgreSQL, sends the statements added from now on as one: each a
    /// data-modifying WITH clause, one round trip for all instead of two for each (an
    /// unprepared statement is parsed, then run). They all see the database as it was
    /// before any of them, so none may depend on another's rows, nor update a row
    /// another updates. Foreign keys between them hold: they are checked once the
    /// whole statement is done.
    pub fn as_one_statement(mut self) -> Script {
        self.joined = true;
        self
    }

    /// Whether the statements of this script run on SQLite (one writer at a time).
    pub fn is_sqlite(&self) -> bool {
        self.sqlite
    }

    /// Adds a statement: `sql` writes it with the placeholders it is given, `bind`
    /// binds its values in the same order. (`sql` may be asked twice: a joined
    /// statement that would pass the values' limit starts anew.)
    pub fn add(&mut self, sql: impl Fn(&mut Placeholders) -> String, bind: impl FnOnce(&mut Binds<'_>)) {
        if self.sqlite {
            if !self.sql.is_empty() {
                self.sql.push_str(";\n");
            }
            self.sql.push_str(&sql(&mut Placeholders { numbered: false, written: 0 }));
            bind(&mut Binds { args: &mut self.args, error: &mut self.error });
        } else if self.joined {
            let mut placeholders = Placeholders { numbered: true, written: self.numbered };
            let mut statement = sql(&mut placeholders);
            if !self.sql.is_empty() && placeholders.written > JOINED_VALUES {
                self.close_joined();
                placeholders = Placeholders { numbered: true, written: 0 };
                statement = sql(&mut placeholders);
            }
            self.sql.push_str(if self.sql.is_empty() { "WITH " } else { ",\n" });
            self.clauses += 1;
            self.sql.push_str(&format!("w{} AS ({statement})", self.clauses));
            self.numbered = placeholders.written;
            bind(&mut Binds { args: &mut self.args, error: &mut self.error });
        } else {
            let mut args = AnyArguments::default();
            let statement = sql(&mut Placeholders { numbered: true, written: 0 });
            bind(&mut Binds { args: &mut args, error: &mut self.error });
            self.statements.push((statement, args));
        }
    }

    /// PostgreSQL: the joined statement so far becomes one of `statements`.
    fn close_joined(&mut self) {
        if self.sql.is_empty() {
            return;
        }
        let sql = format!("{}\nSELECT 1", std::mem::take(&mut self.sql));
        self.statements.push((sql, std::mem::take(&mut self.args)));
        (self.numbered, self.clauses) = (0, 0);
    }

    /// SQLite: `BEGIN IMMEDIATE`, what was added and `COMMIT`, in one call, on a
    /// connection with no transaction open (`Work::deferred`).
    pub async fn run_as_transaction(&mut self, conn: &mut AnyConnection) -> sqlx::Result<()> {
        if !self.sqlite {
            return Err(sqlx::Error::Protocol("a script runs as one transaction on SQLite only".into()));
        }
        if let Some(error) = self.error.take() {
            return Err(sqlx::Error::Encode(error));
        }
        let sql = format!("BEGIN IMMEDIATE;\n{};\nCOMMIT", std::mem::take(&mut self.sql));
        let args = std::mem::take(&mut self.args);
        sqlx::query_with(sqlx::AssertSqlSafe(sql), args).execute(&mut *conn).await.map(|_| ())
    }

    /// Sends what was added since the last run.
    pub async fn run(&mut self, conn: &mut AnyConnection) -> sqlx::Result<()> {
        if let Some(error) = self.error.take() {
            return Err(sqlx::Error::Encode(error));
        }
        if self.sqlite {
            // Kept prepared: small batches repeat their shapes, and preparing is most of
            // the cost of a batch of one (big ones rarely repeat and drop out of the cache).
            if !self.sql.is_empty() {
                let (sql, args) = (std::mem::take(&mut self.sql), std::mem::take(&mut self.args));
                sqlx::query_with(sqlx::AssertSqlSafe(sql), args).execute(&mut *conn).await?;
            }
        } else {
            self.close_joined();
            for (sql, args) in std::mem::take(&mut self.statements) {
                // A statement of few values has a shape that repeats (its rows come as
                // JSON, `Binds::bind_rows`): kept prepared. One of many has a shape of
                // its own: not worth a place in the statement cache.
                let repeats = args.len() <= REPEATING_VALUES;
                sqlx::query_with(sqlx::AssertSqlSafe(sql), args).persistent(repeats).execute(&mut *conn).await?;
            }
        }
        Ok(())
    }
}

pub fn flag(value: bool) -> i64 {
    i64::from(value)
}

#[cfg(test)]
mod tests {
    use super::{JOINED_VALUES, Placeholders, Script};

    fn postgres_joined() -> Script {
        Script {
            sqlite: false,
            joined: false,
            sql: String::new(),
            args: Default::default(),
            numbered: 0,
            clauses: 0,
            statements: Vec::new(),
            error: None,
        }
        .as_one_statement()
    }

    /// Joined statements number their placeholders on from one clause to the next,
    /// and a clause that would pass the values' limit starts a statement of its own.
    #[test]
    fn joined_statements_number_on_and_are_cut_at_the_limit() {
        let mut script = postgres_joined();
        script.add(
            |p| format!("INSERT INTO a VALUES {}", p.rows(1, 2)),
            |b| {
                b.bind(1_i64).bind(2_i64);
            },
        );
        script.add(
            |p| format!("INSERT INTO b VALUES {}", p.rows(1, 1)),
            |b| {
                b.bind(3_i64);
            },
        );
        assert_eq!(script.sql, "WITH w1 AS (INSERT INTO a VALUES ($1, $2)),\nw2 AS (INSERT INTO b VALUES ($3))");
        script.add(
            |p| format!("INSERT INTO c VALUES {}", p.rows(JOINED_VALUES, 1)),
            |b| {
                for n in 0..JOINED_VALUES as i64 {
                    b.bind(n);
                }
            },
        );
        script.close_joined();
        let texts: Vec<&str> = script.statements.iter().map(|(sql, _)| sql.as_str()).collect();
        assert_eq!(texts.len(), 2, "the big clause went to a statement of its own");
        assert!(texts[0].ends_with("w2 AS (INSERT INTO b VALUES ($3))\nSELECT 1"));
        assert!(texts[1].starts_with("WITH w1 AS (INSERT INTO c VALUES ($1), ($2)"));
        assert_eq!(script.statements[1].1.values.0.len(), JOINED_VALUES);
    }

    #[test]
    fn placeholders_count_on_across_calls() {
        let mut numbered = Placeholders { numbered: true, written: 0 };
        assert_eq!(numbered.rows(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(numbered.one(), "$7");
        let mut plain = Placeholders { numbered: false, written: 0 };
        assert_eq!(plain.rows(2, 2), "(?, ?), (?, ?)");
        assert_eq!(plain.rows(0, 2), "");
    }
}
