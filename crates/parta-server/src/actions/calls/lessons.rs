//! Online lessons: a lesson of the journal held as a call in its class's chat, for
//! its teacher and its students; presence in it suggests attendance.

use parta_domain::chats::ChatKind;
use parta_domain::{CallId, ChatId, ClassId, LessonId, OrgId, UserId, online_lesson};
use parta_protocol::{Call, ChatEvent, OnlineLesson, OnlineStudent};

use super::render;
use crate::actions::events::do_chat_event;
use crate::auth::Actor;
use crate::clock::{now_ms, rfc3339};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::calls::CallRow;

/// # Hold a lesson online (its teacher): a call in its class's chat for the lesson's
/// students, or the one running
pub async fn start_lesson(state: &AppState, actor: &Actor, org: OrgId, lesson: LessonId) -> Result<(bool, Call)> {
    let mut work = state.begin().await?;
    let row = crate::actions::journal::writable_lesson(&mut work, actor, org, lesson).await?;
    let chat =
        store::chats::class_chats_of(&mut work, org, ClassId(row.class_id), [ChatKind::Class, ChatKind::Subject])
            .await?
            .into_iter()
            .find(|c| c.kind == "class")
            .ok_or(Error::Conflict("no_class_chat"))?;
    let chat = ChatId(chat.id);
    let at = now_ms();
    let node = &state.calls.settings.node;
    let started = store::calls::insert_for_lesson(&mut work, org, chat, lesson, actor.user_id, node, at).await?;
    let call = match started {
        Some(id) => {
            // The whole class is told in its chat; a group's lesson is joined from the diary.
            if row.group_id.is_none() {
                let person = store::users::get(&mut work, actor.user_id).await?.ok_or(Error::NotFound)?.person();
                let event = ChatEvent::CallStarted { call_id: id, started_by: person, lesson_id: Some(lesson) };
                do_chat_event(&mut work, org, chat, event).await?;
            }
            store::calls::get(&mut work, id).await?.ok_or(Error::NotFound)?
        }
        None => store::calls::of_lesson(&mut work, lesson)
            .await?
            .into_iter()
            .find(|c| c.ended_at.is_none())
            .ok_or(Error::Conflict("call_ended"))?,
    };
    let rendered = render(state, &mut work, &call, actor, true).await?;
    work.commit(state).await?;
    if started.is_some() {
        state.calls.started(call.call_id());
    }
    Ok((started.is_some(), rendered))
}

/// # A lesson held online: each student's presence and the attendance it suggests
/// Its teacher and the journal's readers see every student; a student sees
/// themselves, a parent their children.
pub async fn online(state: &AppState, actor: &Actor, org: OrgId, lesson: LessonId) -> Result<OnlineLesson> {
    let mut conn = state.db.reads().acquire().await?;
    let (row, roster) = match crate::actions::journal::readable_lesson(&mut conn, actor, org, lesson).await {
        Ok(row) => {
            let roster = crate::actions::journal::roster(&mut conn, &row).await?;
            (row, roster)
        }
        Err(Error::Forbidden) => {
            let row = store::journal::lesson(&mut conn, org, lesson).await?.ok_or(Error::NotFound)?;
            // Oneself, and one's children: read from the actor's own places, once.
            let mine: Vec<UserId> = store::directory::active_places(&mut conn, org, actor.user_id)
                .await?
                .iter()
                .filter_map(|p| p.child_user_id.map(UserId))
                .chain([actor.user_id])
                .collect();
            let own: Vec<UserId> = crate::actions::journal::roster(&mut conn, &row)
                .await?
                .into_iter()
                .filter(|student| mine.contains(student))
                .collect();
            if own.is_empty() {
                return Err(Error::NotFound);
            }
            (row, own)
        }
        Err(other) => return Err(other),
    };
    let calls = store::calls::of_lesson(&mut conn, lesson).await?;
    let ids: Vec<CallId> = calls.iter().map(CallRow::call_id).collect();
    let stays = store::calls::presence_in(&mut conn, &ids).await?;
    let latest = calls.first();
    let live: Vec<UserId> =
        latest.map(|c| state.calls.in_call(c.call_id()).iter().map(|p| p.user).collect()).unwrap_or_default();
    let people: std::collections::HashMap<UserId, _> =
        store::users::people(&mut conn, &roster).await?.into_iter().map(|p| (p.id, p)).collect();
    let now = now_ms();
    let students = roster
        .iter()
        .filter_map(|student| {
            let theirs: Vec<(i64, Option<i64>)> =
                stays.iter().filter(|s| s.user_id == student.0).map(|s| (s.joined_at, s.left_at)).collect();
            let suggestion = online_lesson::suggest(row.starts_at, row.ends_at, &theirs, now);
            Some(OnlineStudent {
                student: people.get(student)?.clone(),
                in_call: live.contains(student),
                joined_at: theirs.iter().map(|(joined, _)| *joined).min().map(rfc3339),
                minutes_present: suggestion.minutes_present,
                suggested_absence: suggestion.absence,
                suggested_minutes_late: suggestion.minutes_late,
            })
        })
        .collect();
    let class = store::schools::get_class(&mut conn, org, ClassId(row.class_id)).await?;
    let thresholds = store::regulations::thresholds(&mut conn, org).await?;
    Ok(OnlineLesson {
        lesson_id: lesson,
        call_id: latest.map(CallRow::call_id),
        running: latest.is_some_and(|c| c.ended_at.is_none()),
        started_at: latest.and_then(|c| c.started_at).map(rfc3339),
        ended_at: latest.and_then(|c| c.ended_at).map(rfc3339),
        limit_minutes: class.and_then(|c| c.grade).and_then(|g| thresholds.lesson_limit(g)),
        students,
    })
}
