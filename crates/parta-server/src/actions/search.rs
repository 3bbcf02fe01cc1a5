//! Search across the chats a person reads, by word stems (Russian morphology):
//! «контрольной» finds «контрольная», and a word being typed finds its forms.

use std::collections::HashMap;

use parta_domain::{ChatId, OrgId};
use parta_protocol::{SearchHit, SearchResults};

use super::render::{chat_title, render};
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;

pub const QUERY_MAX_CHARS: usize = 200;
pub const PAGE_MAX: i64 = 50;

/// # Search messages in one's chats, newest first
pub async fn search(
    state: &AppState,
    actor: &Actor,
    query: &str,
    org: Option<OrgId>,
    before: Option<i64>,
    limit: Option<i64>,
) -> Result<SearchResults> {
    if query.chars().count() > QUERY_MAX_CHARS {
        return Err(Error::field("q", "too_long"));
    }
    let terms = parta_domain::search::query_terms(query);
    if terms.is_empty() {
        return Err(Error::field("q", "too_short"));
    }
    let limit = limit.unwrap_or(20).clamp(1, PAGE_MAX);
    let mut conn = state.db.reads().acquire().await?;
    let mut rows =
        store::search::find(&mut conn, actor.user_id, org, &terms, before.unwrap_or(i64::MAX), limit + 1).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let mut titles: HashMap<i64, String> = HashMap::new();
    let mut hits = Vec::with_capacity(rows.len());
    for row in &rows {
        let title = match titles.get(&row.chat_id) {
            Some(title) => title.clone(),
            None => {
                let chat = store::chats::get(&mut conn, ChatId(row.chat_id)).await?.ok_or(Error::NotFound)?;
                let title = chat_title(&mut conn, &chat, actor.user_id).await?;
                titles.insert(row.chat_id, title.clone());
                title
            }
        };
        hits.push(SearchHit {
            chat_id: ChatId(row.chat_id),
            chat_title: title,
            message: render(&mut conn, row, Some(actor.user_id)).await?,
        });
    }
    Ok(SearchResults { hits, has_more })
}
