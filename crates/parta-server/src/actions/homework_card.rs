//! The homework card: homework set at a lesson is posted, as its teacher, into the
//! class's chat — or into the teacher's subject chat of the class named after the
//! subject, where there is one — once, and follows the homework: rewritten when it
//! changes, deleted when it is taken back. Quiet hours hold it like any post. The
//! card carries its lesson (`Message::homework`), so clients open the lesson from it.

use parta_domain::chats::ChatKind;
use parta_domain::homework::Card;
use parta_domain::{ChatId, ClassId, GroupId, OrgId, SubjectId, UserId};
use parta_protocol::ChatEvent;

use super::events::do_chat_event;
use super::messages::{Post, do_post_as, do_rewrite};
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::store;
use crate::store::chats::ChatRow;
use crate::store::journal::{HomeworkRow, LessonRow};
use crate::store::school_year::SubjectRow;
use crate::work::Work;

/// Brings a lesson's card in step with its homework (`None`: taken back), as `by`.
pub(crate) async fn do_follow(
    work: &mut Work,
    lesson: &LessonRow,
    homework: Option<&HomeworkRow>,
    by: UserId,
) -> Result<()> {
    let card = store::messages::lesson_card(work, lesson.lesson_id()).await?;
    let now = now_ms();
    match (homework, card) {
        (None, None) => Ok(()),
        (None, Some(card)) => {
            let chat = store::chats::get(work, ChatId(card.chat_id)).await?.ok_or(Error::NotFound)?;
            store::messages::delete_message(work, card.message_id(), UserId(card.sender_id)).await?;
            store::search::unindex(work, card.message_id()).await?;
            let deleted = ChatEvent::MessageDeleted { message_id: card.message_id(), by_moderator: false };
            do_chat_event(work, OrgId(chat.org_id), chat.chat_id(), deleted).await?;
            Ok(())
        }
        (Some(homework), Some(card)) => {
            let subject = lesson_subject(work, lesson).await?;
            let text = card_text(work, lesson, subject.as_ref(), homework).await?;
            let written = card.pending_body.as_deref().unwrap_or(&card.body);
            if written == text {
                return Ok(());
            }
            let chat = store::chats::get(work, ChatId(card.chat_id)).await?.ok_or(Error::NotFound)?;
            do_rewrite(work, &chat, &card, &text, by, now).await
        }
        (Some(homework), None) => {
            let subject = lesson_subject(work, lesson).await?;
            let Some(chat) = card_chat(work, lesson, subject.as_ref()).await? else { return Ok(()) };
            let text = card_text(work, lesson, subject.as_ref(), homework).await?;
            do_post(work, &chat, lesson, &text, now).await
        }
    }
}

/// The chat a lesson's card goes to: the teacher's subject chat of the class whose
/// title is the subject's name (or short name), else the class chat.
async fn card_chat(work: &mut Work, lesson: &LessonRow, subject: Option<&SubjectRow>) -> Result<Option<ChatRow>> {
    let org = OrgId(lesson.org_id);
    let chats =
        store::chats::class_chats_of(work, org, ClassId(lesson.class_id), [ChatKind::Class, ChatKind::Subject]).await?;
    let names: Vec<String> =
        subject.iter().flat_map(|s| [s.name.to_lowercase(), s.short_name.to_lowercase()]).collect();
    // A subject chat is titled «Алгебра — 5А».
    let named = |c: &ChatRow| names.contains(&c.title.split(" — ").next().unwrap_or("").trim().to_lowercase());
    for chat in chats.iter().filter(|c| c.kind() == ChatKind::Subject && named(c)) {
        if store::seats::seat(work, chat.chat_id(), UserId(lesson.teacher_id)).await?.is_some() {
            return Ok(Some(chat.clone()));
        }
    }
    Ok(chats.into_iter().find(|c| c.kind() == ChatKind::Class))
}

async fn lesson_subject(work: &mut Work, lesson: &LessonRow) -> Result<Option<SubjectRow>> {
    Ok(store::school_year::subject(work, OrgId(lesson.org_id), SubjectId(lesson.subject_id)).await?)
}

async fn card_text(
    work: &mut Work,
    lesson: &LessonRow,
    subject: Option<&SubjectRow>,
    homework: &HomeworkRow,
) -> Result<String> {
    let org = OrgId(lesson.org_id);
    let group = match lesson.group_id {
        Some(group) => store::teaching::group(work, org, ClassId(lesson.class_id), GroupId(group)).await?,
        None => None,
    };
    Ok(Card {
        subject: subject.map_or("", |s| s.name.as_str()),
        group: group.as_ref().map(|g| g.name.as_str()),
        lesson_on: &lesson.held_on,
        body: &homework.body,
        due_on: &homework.due_on,
        minutes: homework.minutes,
    }
    .text())
}

/// Posts the card as the lesson's teacher: held until quiet hours end, or sent now.
async fn do_post(work: &mut Work, chat: &ChatRow, lesson: &LessonRow, text: &str, now: i64) -> Result<()> {
    // The key is the teacher's, as for any post; one per card ever posted.
    let key = format!("homework-{}-{now}", lesson.id);
    let post =
        Post { sender: UserId(lesson.teacher_id), key: &key, text, needs_ack: false, lesson: Some(lesson.lesson_id()) };
    do_post_as(work, chat, &post, now).await.map(|_| ())
}
