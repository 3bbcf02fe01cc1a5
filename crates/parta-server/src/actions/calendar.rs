//! A person's calendar feed: an unguessable link to an iCalendar of their lessons
//! (a teacher's week, a student's, each child's for a parent) and homework deadlines,
//! from last week to three weeks ahead. The link is the only key: it reads what its
//! owner reads, and making a new one or taking it away ends it.

use parta_domain::ical::{Event, When};
use parta_domain::quiet::DayTime;
use parta_domain::{MemberRole, SessionId, UserId};
use parta_protocol::{CalendarFeed, LessonChange, OverrideKind};

use super::timetable::WeekOf;
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::{secrets, store};

/// Weeks in a feed: one back, this one, and so many ahead.
const WEEKS_BACK: i64 = 1;
const WEEKS_AHEAD: i64 = 3;

/// # Make (or make anew) one's calendar feed link; the old link stops working
pub async fn create_feed(state: &AppState, actor: &Actor) -> Result<CalendarFeed> {
    let mut work = state.begin().await?;
    let token = secrets::new_token();
    store::calendar::replace_feed(&mut work, actor.user_id, &secrets::token_hash(&token)).await?;
    work.commit(state).await?;
    Ok(CalendarFeed { path: format!("/api/v1/calendar/{token}") })
}

/// # Take one's calendar feed link away
pub async fn remove_feed(state: &AppState, actor: &Actor) -> Result<()> {
    let mut work = state.begin().await?;
    store::calendar::remove_feed(&mut work, actor.user_id).await?;
    work.commit(state).await?;
    Ok(())
}

/// Whether a lesson of a week is held where it stands (not cancelled, not moved away).
fn held(change: Option<&LessonChange>) -> bool {
    change.is_none_or(|c| c.kind != OverrideKind::Cancel && c.moved_to.is_none())
}

/// The instant of a school's time of day on a date.
fn instant(date: &str, at: &str, time_zone: &str) -> Option<i64> {
    let date: jiff::civil::Date = date.parse().ok()?;
    let at = DayTime::parse(at)?;
    let zone = jiff::tz::TimeZone::get(time_zone).ok()?;
    let zoned = date.at(at.hours() as i8, at.minutes() as i8, 0, 0).to_zoned(zone).ok()?;
    Some(zoned.timestamp().as_millisecond())
}

/// # The calendar behind a feed link (iCalendar text)
pub async fn feed(state: &AppState, token: &str) -> Result<String> {
    let owner = {
        let mut conn = state.db.reads().acquire().await?;
        store::calendar::feed_owner(&mut conn, &secrets::token_hash(token)).await?.ok_or(Error::NotFound)?
    };
    // The feed reads as its owner would, through the same checks.
    let actor = Actor { user_id: owner, session_id: SessionId(0), is_operator: false, csrf_token: String::new() };
    let me = super::accounts::me(state, owner).await?;
    let today = jiff::Zoned::now().date();
    let mut events = Vec::new();
    for school in &me.schools {
        let org = school.org_id;
        let (time_zone, years) = {
            let mut conn = state.db.reads().acquire().await?;
            let org_row = store::schools::get(&mut conn, org).await?.ok_or(Error::NotFound)?;
            (org_row.time_zone, store::school_year::years(&mut conn, org).await?)
        };
        let teaches = school.places.iter().any(|p| p.role.teaches());
        let mut students: Vec<(UserId, Option<String>)> = Vec::new();
        for place in &school.places {
            match (place.role, &place.child) {
                (MemberRole::Student, _) => students.push((owner, None)),
                (MemberRole::Parent, Some(child)) if !students.iter().any(|(s, _)| *s == child.id) => {
                    students.push((child.id, Some(child.given_name.clone())));
                }
                _ => {}
            }
        }
        for offset in -WEEKS_BACK..=WEEKS_AHEAD {
            let Ok(day) = today.checked_add(jiff::Span::new().days(7 * offset)) else { continue };
            let date = day.to_string();
            let Some(year) = years.iter().find(|y| y.starts_on <= date && date <= y.ends_on) else { continue };
            if teaches {
                let week =
                    super::timetable::week(state, &actor, org, year.year_id(), WeekOf::Teacher(owner), &date).await?;
                for day in &week.days {
                    // Only the lessons the owner teaches: not one a replacement takes.
                    for lesson in day.lessons.iter().filter(|l| held(l.change.as_ref()) && l.teacher.id == owner) {
                        let (Some(from), Some(to)) = (
                            instant(&day.date, &lesson.starts_at, &time_zone),
                            instant(&day.date, &lesson.ends_at, &time_zone),
                        ) else {
                            continue;
                        };
                        events.push(Event {
                            uid: format!(
                                "lesson-{}-{}-{}-{}@parta",
                                lesson.assignment_id, day.date, lesson.shift, lesson.number
                            ),
                            summary: format!("{}, {}", lesson.subject.name, lesson.class.name),
                            description: lesson.group.as_ref().map(|g| g.name.clone()),
                            location: lesson.room.clone(),
                            when: When::Timed(from, to),
                        });
                    }
                }
            }
            for (student, child_name) in &students {
                let week = super::diary::week(state, &actor, org, *student, &date).await?;
                let prefix = child_name.as_ref().map(|name| format!("{name}: ")).unwrap_or_default();
                for day in &week.days {
                    for lesson in day.lessons.iter().filter(|l| held(l.change.as_ref())) {
                        let (Some(from), Some(to)) = (
                            instant(&day.date, &lesson.starts_at, &time_zone),
                            instant(&day.date, &lesson.ends_at, &time_zone),
                        ) else {
                            continue;
                        };
                        events.push(Event {
                            uid: format!(
                                "lesson-{}-{}-{}-{}-{}@parta",
                                student.0, lesson.subject.id, day.date, lesson.shift, lesson.number
                            ),
                            summary: format!("{prefix}{}", lesson.subject.name),
                            description: lesson.topic.clone(),
                            location: lesson.room.clone(),
                            when: When::Timed(from, to),
                        });
                    }
                    for homework in &day.homework_due {
                        let Ok(due) = day.date.parse() else { continue };
                        events.push(Event {
                            uid: format!("homework-{}-{}@parta", homework.lesson_id, student.0),
                            summary: format!("{prefix}ДЗ: {}", homework.subject.name),
                            description: Some(homework.body.clone()),
                            location: None,
                            when: When::Day(due),
                        });
                    }
                }
            }
        }
    }
    Ok(parta_domain::ical::calendar("Parta: уроки и задания", &events, crate::clock::now_ms()))
}
