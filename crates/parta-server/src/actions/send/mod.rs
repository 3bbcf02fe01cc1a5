//! Sending messages. Every send is written as part of a batch (`group_commit` makes
//! them; a lone send is a batch of one), and a batch costs a fixed number of
//! statements whatever its size: its checks are read in one, then its positions,
//! messages, search terms, events and read marks are written one statement each.
//! Rarer parts — mentions, replies, files, forwards, a repeated key — add their own
//! reads for the send that has them.
//!
//! A send that is refused is left out before anything is written, so it costs the
//! others nothing. A batch whose writing fails is written again one send at a time by
//! `group_commit`, so the failure stays with the send that caused it.

pub mod group_commit;

use std::collections::{BTreeMap, HashMap};

use parta_domain::chat_rights::ChatAbility;
use parta_domain::{ChatId, OrgId, UserId};
use parta_protocol::{ChatEvent, Message, SendMessageRequest};

use super::events::chat_events_into;
use super::messages::{Posting, check_posting_row, forwardable, prepare_body, read_postings, search_terms};
use super::quiet::quiet_hold;
use super::render::render_new;
use crate::access;
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::messages::{MessageRow, NewMessage, PostingProbe, PostingRow};
use crate::store::seats::SeatRow;
use crate::work::Work;

/// One send as asked.
pub struct SendJob {
    pub actor: Actor,
    pub chat: ChatId,
    pub request: SendMessageRequest,
}

impl SendJob {
    /// Files of its own or a forward's: stored by statements of their own, against
    /// the message's row.
    pub fn carries_files(&self) -> bool {
        !self.request.attachments.is_empty() || self.request.forward_of.is_some()
    }

    /// Writes statements of its own besides the batch's script: files, or the audit
    /// entry an urgent post leaves. Such a batch is not deferred.
    pub fn writes_apart(&self) -> bool {
        self.carries_files() || self.request.urgent || self.tells_people()
    }

    /// Mentions someone or answers a message: those people get a notification.
    fn tells_people(&self) -> bool {
        self.request.reply_to.is_some() || !parta_domain::format::mentions(&self.request.body).is_empty()
    }
}

/// What a send comes to: the message as its sender sees it, and whether it is new
/// (`false`: its key was used before and this is the message then stored).
pub type Outcome = Result<(Message, bool)>;

/// A send that passed every check, ready to be written.
struct Draft {
    job: usize,
    context: PostingRow,
    key: String,
    body: String,
    forwarded: Option<MessageRow>,
    held_until: Option<i64>,
    now: i64,
}

// One per send of a batch, consumed as the batch ends: the size of its variants does not matter.
#[allow(clippy::large_enum_variant)]
enum Plan {
    Done(Outcome),
    /// The same sender and key as an earlier send of this batch: its message.
    RepeatOf(usize),
    Write(Box<Draft>),
}

/// Writes a batch of sends into `work`. The outer error means the batch as a whole
/// failed to be written (the transaction must be rolled back); each send's own
/// refusal is in its outcome.
pub async fn send_batch(work: &mut Work, state: &AppState, jobs: &[SendJob]) -> Result<Vec<Outcome>> {
    let now = crate::clock::now_ms();
    let probes: Vec<PostingProbe> = jobs
        .iter()
        .map(|job| PostingProbe { chat: job.chat, user: job.actor.user_id, key: job.request.client_msg_id.trim() })
        .collect();
    let mut contexts: HashMap<usize, PostingRow> =
        read_postings(work, state, &probes, now).await?.into_iter().map(|row| (row.probe as usize, row)).collect();

    // Checks, in order, so a later send sees what the earlier ones of the batch will write.
    let mut plans = Vec::with_capacity(jobs.len());
    let mut accepted: HashMap<(UserId, &str), usize> = HashMap::new();
    let mut sent_in_batch: HashMap<UserId, i64> = HashMap::new();
    for (index, job) in jobs.iter().enumerate() {
        let user = job.actor.user_id;
        let key = probes[index].key;
        let plan = match contexts.remove(&index) {
            None => Plan::Done(Err(Error::NotFound)),
            Some(mut context) => match accepted.get(&(user, key)) {
                Some(&earlier) if jobs[earlier].chat == job.chat => Plan::RepeatOf(earlier),
                Some(_) => Plan::Done(Err(Error::Conflict("client_msg_id_reused"))),
                None => {
                    context.sent_recently += sent_in_batch.get(&user).copied().unwrap_or(0);
                    match check_posting_row(work, state, &job.actor, job.chat, key, context, now).await {
                        Err(error) => Plan::Done(Err(error)),
                        Ok(Posting::Repeat(message)) => Plan::Done(Ok((message, false))),
                        Ok(Posting::New { context, seat, key }) => {
                            match prepare(work, job, index, context, seat, key, now).await {
                                Err(error) => Plan::Done(Err(error)),
                                Ok(draft) => {
                                    accepted.insert((user, probes[index].key), index);
                                    *sent_in_batch.entry(user).or_default() += 1;
                                    Plan::Write(Box::new(draft))
                                }
                            }
                        }
                    }
                }
            },
        };
        plans.push(plan);
    }

    let drafts: Vec<&Draft> = plans
        .iter()
        .filter_map(|plan| match plan {
            Plan::Write(draft) => Some(&**draft),
            _ => None,
        })
        .collect();
    let mut written = do_write(work, state, jobs, &drafts).await?;
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(jobs.len());
    for plan in plans {
        outcomes.push(match plan {
            Plan::Done(outcome) => outcome,
            Plan::Write(draft) => Ok((written.remove(&draft.job).ok_or(Error::NotFound)?, true)),
            Plan::RepeatOf(earlier) => match &outcomes[earlier] {
                Ok((message, _)) => Ok((message.clone(), false)),
                Err(_) => Err(Error::NotFound),
            },
        });
    }
    Ok(outcomes)
}

/// The checks that depend on what the send carries (text, files, a forward, a reply,
/// urgency) and when it is delivered.
async fn prepare(
    work: &mut Work,
    job: &SendJob,
    index: usize,
    context: PostingRow,
    seat: SeatRow,
    key: String,
    now: i64,
) -> Result<Draft> {
    let (actor, chat, request) = (&job.actor, job.chat, &job.request);
    let org = OrgId(context.chat.org_id);
    let forwarded = match request.forward_of {
        Some(original) => Some(forwardable(work, actor, org, original).await?),
        None => None,
    };
    // A message of files alone (or a forwarded one) needs no text of its own.
    let body = if !request.body.trim().is_empty() {
        prepare_body(work, chat, &request.body).await?
    } else if let Some(original) = &forwarded {
        // Mentions belong to the chat they were said in: here only its members stay mentioned.
        if original.body.is_empty() { String::new() } else { prepare_body(work, chat, &original.body).await? }
    } else if request.attachments.is_empty() {
        return Err(Error::field("body", "required"));
    } else {
        String::new()
    };
    if !request.attachments.is_empty() {
        super::files::check_attachments(work, actor, chat, &request.attachments).await?;
    }
    if forwarded.is_some() && !request.attachments.is_empty() {
        return Err(Error::field("attachments", "not_with_forward"));
    }
    // Only an urgent post asks whether the sender is a school admin: the send path stays lean.
    let school_admin = request.urgent && store::directory::is_admin(work, org, actor.user_id).await?;
    let rights = access::seat_rights(&context.chat, &seat, school_admin);
    if (request.needs_ack && !rights.allows(ChatAbility::RequestAck))
        || (request.urgent && !rights.allows(ChatAbility::SendUrgent))
    {
        return Err(Error::Forbidden);
    }
    if let Some(reply) = request.reply_to {
        let target = store::messages::message(work, reply).await?;
        if target.is_none_or(|m| m.chat_id != chat.0) {
            return Err(Error::field("reply_to", "unknown_message"));
        }
    }
    let held_until = if request.urgent { None } else { quiet_hold(&context, now) };
    Ok(Draft { job: index, context, key, body, forwarded, held_until, now })
}

/// Writes the checked sends: each statement once for all of them. Returns each
/// send's message by its index in the batch.
async fn do_write(
    work: &mut Work,
    state: &AppState,
    jobs: &[SendJob],
    drafts: &[&Draft],
) -> Result<HashMap<usize, Message>> {
    if drafts.is_empty() {
        return Ok(HashMap::new());
    }
    // Every write below joins one script: a single round trip on SQLite, whose one
    // writer lets positions and ids follow from what this transaction read (on
    // deferred work, the same round trip as its BEGIN and COMMIT); on PostgreSQL one
    // statement, after the one that takes the positions and ids.
    let mut script = work.script().as_one_statement();
    // A delivered message takes the position of its own event (taking positions locks
    // the chats); a held one is stored now and takes its position when released.
    let mut wanted: BTreeMap<ChatId, (i64, i64)> = BTreeMap::new();
    for draft in drafts.iter().filter(|d| d.held_until.is_none()) {
        wanted.entry(jobs[draft.job].chat).or_insert((0, draft.context.chat.last_seq)).0 += 1;
    }
    let wanted: Vec<(ChatId, i64, i64)> = wanted.into_iter().map(|(chat, (count, read))| (chat, count, read)).collect();
    let read_last_id = drafts.iter().map(|draft| draft.context.last_message_id).max().unwrap_or(0);
    let reserved = store::events::take_read_positions(work, &mut script, &wanted, drafts.len(), read_last_id).await?;
    let mut next: HashMap<ChatId, i64> = HashMap::new();
    for ((chat, count, _), (_, last)) in wanted.iter().zip(reserved.positions) {
        next.insert(*chat, last - count + 1);
    }
    let seqs: Vec<i64> = drafts
        .iter()
        .map(|draft| match draft.held_until {
            Some(_) => 0,
            None => {
                let seq = next.entry(jobs[draft.job].chat).or_default();
                *seq += 1;
                *seq - 1
            }
        })
        .collect();

    let new: Vec<NewMessage> = drafts
        .iter()
        .zip(&seqs)
        .map(|(draft, &seq)| {
            let job = &jobs[draft.job];
            NewMessage {
                org: OrgId(draft.context.chat.org_id),
                chat: job.chat,
                seq,
                sender: job.actor.user_id,
                client_msg_id: &draft.key,
                body: &draft.body,
                reply_to: job.request.reply_to,
                needs_ack: job.request.needs_ack,
                held_until: draft.held_until,
                forwarded_from: draft.forwarded.as_ref().map(|m| m.message_id()),
                created_at: draft.now,
            }
        })
        .collect();
    let ids = store::messages::insert_messages(work, &mut script, &new, Some(&reserved.ids)).await?;

    let terms: Vec<Vec<String>> = drafts.iter().map(|draft| search_terms(&draft.body)).collect();
    let indexed: Vec<store::search::Indexed> = new
        .iter()
        .zip(&ids)
        .zip(&terms)
        .map(|((new, id), terms)| store::search::Indexed { org: new.org, chat: new.chat, message: *id, terms })
        .collect();
    store::search::index_many(&mut script, &indexed);
    // Files are stored against their message's row: it must be there first. (Such
    // sends are never written as deferred work: `group_commit`.)
    if drafts.iter().any(|draft| jobs[draft.job].carries_files()) {
        work.run(script).await.map_err(reused_key)?;
        script = work.script().as_one_statement();
    }

    let mut messages = HashMap::with_capacity(drafts.len());
    let mut events = Vec::new();
    let mut read_marks: BTreeMap<i64, i64> = BTreeMap::new();
    for ((draft, new), id) in drafts.iter().zip(&new).zip(&ids) {
        let job = &jobs[draft.job];
        let files = if job.request.attachments.is_empty() && draft.forwarded.is_none() {
            0
        } else {
            super::messages::do_attach(
                work,
                state,
                &job.actor,
                &draft.context.chat,
                *id,
                &job.request.attachments,
                draft.forwarded.as_ref(),
            )
            .await?
        };
        let stored = new.stored(*id, &draft.context);
        let message = render_new(work, &stored, draft.forwarded.as_ref(), files > 0).await?;
        if draft.held_until.is_none() {
            events.push((new.org, new.chat, new.seq, ChatEvent::MessageSent { message: message.clone() }));
            // The sender has read what they said.
            read_marks.insert(draft.context.seat_id, new.seq);
        }
        messages.insert(draft.job, message);
    }
    // Each delivered message is one event for the devices of its chat.
    let delivered: Vec<i64> =
        drafts.iter().zip(&ids).filter(|(draft, _)| draft.held_until.is_none()).map(|(_, id)| id.0).collect();
    crate::store::push::queue_messages(&mut script, &delivered, crate::clock::now_ms());
    // A school's systems hear of its channel posts, in the order they were delivered.
    let mut posts: BTreeMap<i64, Vec<serde_json::Value>> = BTreeMap::new();
    for draft in
        drafts.iter().filter(|d| d.held_until.is_none() && crate::webhooks::events::is_channel(&d.context.chat.kind))
    {
        if let Some(message) = messages.get(&draft.job) {
            let chat = &draft.context.chat;
            posts.entry(chat.org_id).or_default().push(crate::webhooks::events::channel_post(
                &chat.kind,
                &chat.title,
                message,
            ));
        }
    }
    for (org, events) in posts {
        let kind = parta_domain::webhooks::EventKind::ChannelMessage;
        crate::webhooks::queue_into(work, &mut script, parta_domain::OrgId(org), kind, &events).await?;
    }
    chat_events_into(work, &mut script, events)?;
    store::seats::set_last_reads(&mut script, &read_marks.into_iter().collect::<Vec<_>>());
    work.run(script).await.map_err(reused_key)?;
    // An urgent post goes through quiet hours: who sent one, where, is kept.
    for (draft, (new, id)) in drafts.iter().zip(new.iter().zip(&ids)) {
        let job = &jobs[draft.job];
        // Who is mentioned or answered hears of it when the message is delivered (a
        // held one, when it is released).
        if job.tells_people()
            && draft.held_until.is_none()
            && let Some(message) = messages.get(&draft.job)
        {
            super::notifications::do_notify_message(work, new.org, &draft.context.chat.title, message).await?;
        }
        if job.request.urgent {
            let details = serde_json::json!({ "chat_id": new.chat });
            let entry =
                store::audit::Entry::in_school(new.org, job.actor.user_id, "urgent_post", "message", id.0, details);
            store::audit::record(work, entry).await?;
        }
    }
    Ok(messages)
}

/// The messages' rows are written with the script: a key its sender used before
/// (the one unique key they can break) shows as it runs.
fn reused_key(error: sqlx::Error) -> Error {
    if store::is_unique_violation(&error) { Error::Conflict("client_msg_id_reused") } else { error.into() }
}
