//! SQL, one module per aggregate. Functions take a connection (or a transaction,
//! which derefs to one) and neither authorize nor emit anything: that is `actions`.
//! Every query uses bound parameters; no SQL is assembled from input.

use sqlx::AnyConnection;

pub mod applications;
pub mod audit;
pub mod chat_links;
pub mod chats;
pub mod directory;
pub mod files;
pub mod invites;
pub mod polls;
pub mod schools;
pub mod search;
pub mod sessions;
pub mod users;

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
        Placeholders { numbered: conn.backend_name() != "SQLite", written: 0 }
    }

    pub fn one(&mut self) -> String {
        self.written += 1;
        if self.numbered { format!("${}", self.written) } else { "?".to_owned() }
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

pub fn flag(value: bool) -> i64 {
    i64::from(value)
}

#[cfg(test)]
mod tests {
    use super::Placeholders;

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
