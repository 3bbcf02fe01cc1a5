//! Statistics of reach and care (PRODUCT.md §8.9): a school's dashboard (the
//! administration, the authority's curator), a class's reach with the names of who
//! is missing (its class teacher, the administration), the same as a file, and the
//! one place activity is recorded (`do_record_activity`, once per person per day).
//! The periods and the arithmetic are `parta_domain::statistics`; the reads
//! `store::statistics`. Nothing here counts messages.

use jiff::civil::Date;
use parta_domain::permission::Permission;
use parta_domain::statistics::{self as stats, Calendar, PeriodKind, Periods, RoleSet, Span};
use parta_domain::{ClassId, MemberRole, OrgId, UserId};
use parta_protocol::{
    ClassReach, ClassReachDetail, ClassRef, DateSpan, DayActivity, GroupActivity, PeriodFigures, Reach,
    SchoolStatistics, StatsPeriod,
};
use sqlx::AnyConnection;

use super::journal_export::{Export, FileFormat, Table, render};
use crate::access;
use crate::auth::Actor;
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::schools::OrgRow;
use crate::store::statistics::{ClassReachRow, Window};

const HOUR_MS: f64 = 3_600_000.0;

/// The period asked for (`week` when none is).
pub(crate) fn period_kind(text: Option<&str>) -> Result<PeriodKind> {
    match text {
        None | Some("") => Ok(PeriodKind::Week),
        Some(text) => PeriodKind::parse(text).ok_or_else(|| Error::field("period", "invalid_value")),
    }
}

fn time_zone(org: &OrgRow) -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(&org.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// The first millisecond of a day in the school's time zone.
fn start_of(day: Date, tz: &jiff::tz::TimeZone) -> i64 {
    day.to_zoned(tz.clone()).map(|z| z.timestamp().as_millisecond()).unwrap_or(0)
}

fn window(span: Span, tz: &jiff::tz::TimeZone) -> Window {
    let after = span.last.tomorrow().unwrap_or(span.last);
    Window { from: start_of(span.first, tz), to: start_of(after, tz) }
}

fn date_span(span: Span) -> DateSpan {
    DateSpan { first: span.first.to_string(), last: span.last.to_string() }
}

/// The school's terms and years as the periods need them.
async fn calendar(conn: &mut AnyConnection, org: OrgId, today: Date) -> Result<Calendar> {
    let spans = |first: &str, last: &str| Some(Span { first: first.parse().ok()?, last: last.parse().ok()? });
    let years = store::school_year::years(conn, org).await?;
    let mut calendar = Calendar::default();
    let mut ordered: Vec<(Span, i64)> =
        years.iter().filter_map(|y| spans(&y.starts_on, &y.ends_on).map(|s| (s, y.id))).collect();
    ordered.sort_by_key(|(s, _)| s.first);
    let Some(at) = ordered.iter().rposition(|(s, _)| s.first <= today) else { return Ok(calendar) };
    let (year, id) = ordered[at];
    calendar.year = Some(year);
    calendar.previous_year = at.checked_sub(1).map(|i| ordered[i].0);
    for period in store::school_year::periods(conn, parta_domain::YearId(id)).await? {
        if let Some(span) = spans(&period.starts_on, &period.ends_on) {
            calendar.terms.push(span);
        }
    }
    Ok(calendar)
}

async fn periods_of(conn: &mut AnyConnection, org: &OrgRow, kind: PeriodKind) -> Result<Periods> {
    let today = crate::clock::today_date_in(&org.time_zone);
    let calendar = calendar(conn, OrgId(org.id), today).await?;
    Ok(stats::periods(kind, today, &calendar))
}

pub(crate) fn stats_period(kind: PeriodKind, p: &Periods) -> StatsPeriod {
    StatsPeriod {
        kind: kind.as_str().to_owned(),
        current: date_span(p.current),
        so_far: date_span(p.so_far),
        previous: date_span(p.previous),
    }
}

fn class_reach(row: &ClassReachRow) -> ClassReach {
    ClassReach {
        class: ClassRef {
            id: ClassId(row.id),
            name: row.name.clone(),
            kind: row.kind.clone(),
            academic_year: row.academic_year,
        },
        students: row.students,
        students_with_parent: row.students_with_parent,
        parents: row.parents,
    }
}

/// Who the school reaches now; its classes when asked (not in an authority's comparison).
pub(crate) async fn reach(conn: &mut AnyConnection, org: OrgId, with_classes: bool) -> Result<Reach> {
    let (students, parents, staff) = store::statistics::people(conn, org).await?;
    let classes = if with_classes {
        store::statistics::class_reach(conn, org, None).await?.iter().map(class_reach).collect()
    } else {
        Vec::new()
    };
    let now = now_ms();
    let (pending_requests, oldest) = store::statistics::pending_requests(conn, org, None).await?;
    Ok(Reach {
        classes,
        students,
        students_with_parent: store::statistics::students_with_parent(conn, org).await?,
        parents,
        staff,
        teachers_unverified: store::statistics::teachers_unverified(conn, org).await?,
        open_invites: store::statistics::open_invites(conn, org, None, now).await?,
        pending_requests,
        oldest_request_hours: oldest.map(|at| (now - at) as f64 / HOUR_MS),
    })
}

/// A period's figures: `span` in the school's days.
pub(crate) async fn figures(
    conn: &mut AnyConnection,
    org: &OrgRow,
    span: Span,
    people: (i64, i64, i64),
) -> Result<PeriodFigures> {
    let id = OrgId(org.id);
    let tz = time_zone(org);
    let w = window(span, &tz);
    let hours = |ms: Vec<i64>| stats::median(ms).map(|m| m / HOUR_MS);
    let (invites_created, invites_used) = store::statistics::invites(conn, id, w).await?;
    let waits = store::statistics::request_waits(conn, id, w).await?;
    let (ack_posts, ack_recipients, ack_read, ack_confirmed, ack_confirmed_within_day) =
        store::statistics::ack_posts(conn, id, w).await?;
    let (channel_posts, channel_members, channel_readers) = store::statistics::channel(conn, id, w).await?;
    let (reports_raised, resolved) = store::statistics::reports(conn, id, w).await?;
    let (online_lessons, online_expected, online_attended) = store::statistics::online_lessons(conn, id, w).await?;
    let (lessons, homework_set, homework_late, marks, late_marks) =
        store::statistics::journal_counts(conn, id, &span.first.to_string(), &span.last.to_string()).await?;
    Ok(PeriodFigures {
        joined: store::statistics::joined(conn, id, w).await?,
        invites_created,
        invites_used,
        requests_decided: waits.len() as i64,
        request_wait_hours: hours(waits),
        ack_posts,
        ack_recipients,
        ack_read,
        ack_confirmed,
        ack_confirmed_within_day,
        channel_posts,
        channel_members: if channel_posts > 0 { channel_members } else { 0 },
        channel_readers: if channel_posts > 0 { channel_readers } else { 0 },
        reports_raised,
        reports_resolved: resolved.len() as i64,
        report_resolve_hours: hours(resolved),
        quiet_holds: store::statistics::quiet_holds(conn, id, w).await?,
        lessons,
        homework_set,
        homework_late,
        marks,
        late_marks,
        online_lessons,
        online_expected,
        online_attended,
        activity: activity(conn, id, span, people).await?,
    })
}

/// The day numbers a span covers.
pub(crate) fn day_range(span: Span) -> (i64, i64) {
    (stats::day_number(span.first), stats::day_number(span.last))
}

/// Counted days and weeks: (number, students, parents, staff).
type Counted = (i64, i64, i64, i64);
/// A group's name, its people now, and its column of the counts.
type Group = (&'static str, i64, fn(&Counted) -> i64);

/// Active people on an average day and in an average week of `span`, by group, from
/// the day and week counts that cover it.
pub(crate) fn group_activity(
    days: &[Counted],
    weeks: &[Counted],
    span: Span,
    people: (i64, i64, i64),
) -> Vec<GroupActivity> {
    let (first, last) = day_range(span);
    let day_count = (last - first + 1) as f64;
    let week_count = (stats::week_number(last) - stats::week_number(first) + 1) as f64;
    let sum = |rows: &[Counted], pick: fn(&Counted) -> i64| rows.iter().map(pick).sum::<i64>() as f64;
    let groups: [Group; 3] =
        [("student", people.0, |r| r.1), ("parent", people.1, |r| r.2), ("staff", people.2, |r| r.3)];
    groups
        .into_iter()
        .map(|(group, people, pick)| GroupActivity {
            group: group.to_owned(),
            people,
            daily_average: sum(days, pick) / day_count,
            weekly_average: sum(weeks, pick) / week_count,
        })
        .collect()
}

/// Active people of a school over `span`, by group.
async fn activity(
    conn: &mut AnyConnection,
    org: OrgId,
    span: Span,
    people: (i64, i64, i64),
) -> Result<Vec<GroupActivity>> {
    let (first, last) = day_range(span);
    let days = store::statistics::active_counts(conn, org, "day", first, last).await?;
    let weeks =
        store::statistics::active_counts(conn, org, "week", stats::week_number(first), stats::week_number(last))
            .await?;
    Ok(group_activity(&days, &weeks, span, people))
}

/// Each day of the span, with its active people by group (days nobody came, zero).
async fn daily(conn: &mut AnyConnection, org: OrgId, span: Span) -> Result<Vec<DayActivity>> {
    let (first, last) = (stats::day_number(span.first), stats::day_number(span.last));
    let counted = store::statistics::active_counts(conn, org, "day", first, last).await?;
    let mut at = counted.iter().peekable();
    let mut out = Vec::with_capacity((last - first + 1) as usize);
    for day in first..=last {
        let (students, parents, staff) = match at.peek() {
            Some(&&(number, s, p, t)) if number == day => {
                at.next();
                (s, p, t)
            }
            _ => (0, 0, 0),
        };
        out.push(DayActivity { date: stats::date_of(day).to_string(), students, parents, staff });
    }
    Ok(out)
}

/// Reach and the two periods' figures of one school: its dashboard, and its line in
/// its authority's comparison (without classes).
pub(crate) async fn summary(
    conn: &mut AnyConnection,
    org: &OrgRow,
    periods: &Periods,
    with_classes: bool,
) -> Result<(Reach, PeriodFigures, PeriodFigures)> {
    let reach = reach(conn, OrgId(org.id), with_classes).await?;
    let people = (reach.students, reach.parents, reach.staff);
    let current = figures(conn, org, periods.so_far, people).await?;
    let previous = figures(conn, org, periods.previous, people).await?;
    Ok((reach, current, previous))
}

/// # A school's dashboard over a period (the administration; the authority's curator)
pub async fn school(state: &AppState, actor: &Actor, org: OrgId, period: Option<&str>) -> Result<SchoolStatistics> {
    let kind = period_kind(period)?;
    let mut conn = state.db.reads().acquire().await?;
    let access = access::school(&mut conn, actor, org, Permission::ReadStatistics).await?;
    let periods = periods_of(&mut conn, &access.org, kind).await?;
    let (reach, current, previous) = summary(&mut conn, &access.org, &periods, true).await?;
    Ok(SchoolStatistics {
        org_id: org,
        school: access.org.short_name.clone(),
        period: stats_period(kind, &periods),
        reach,
        current,
        previous,
        daily: daily(&mut conn, org, periods.so_far).await?,
    })
}

/// # A class's reach, with the students who have no parent joined (its class teacher,
/// the administration)
pub async fn class(state: &AppState, actor: &Actor, org: OrgId, class: ClassId) -> Result<ClassReachDetail> {
    let mut conn = state.db.reads().acquire().await?;
    let (access, _) = access::class(&mut conn, actor, org, class, Permission::ReadStatistics).await?;
    // Names are for who may read the class's people: never the authority's curator.
    if !access.allows_in_class(Permission::ReadMembers, class) {
        return Err(Error::Forbidden);
    }
    let row = store::statistics::class_reach(&mut conn, org, Some(class)).await?.pop().ok_or(Error::NotFound)?;
    let (pending_requests, _) = store::statistics::pending_requests(&mut conn, org, Some(class)).await?;
    Ok(ClassReachDetail {
        reach: class_reach(&row),
        without_parent: store::statistics::students_without_parent(&mut conn, org, class).await?,
        open_invites: store::statistics::open_invites(&mut conn, org, Some(class), now_ms()).await?,
        pending_requests,
    })
}

fn percent(part: i64, whole: i64) -> String {
    stats::share(part, whole).map(|s| format!("{:.0} %", s * 100.0)).unwrap_or_else(|| "—".into())
}

fn hours(value: Option<f64>) -> String {
    value.map(|h| format!("{h:.1}")).unwrap_or_else(|| "—".into())
}

/// The measures of a period as (name, value) rows, the same in the file as on the page.
pub(crate) fn measures(f: &PeriodFigures) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        ("Присоединились к школе", f.joined.to_string()),
        ("Создано приглашений", f.invites_created.to_string()),
        ("Из них использовано", f.invites_used.to_string()),
        ("Рассмотрено заявок", f.requests_decided.to_string()),
        ("Ожидание заявки, ч (медиана)", hours(f.request_wait_hours)),
        ("Сообщений «ознакомиться»", f.ack_posts.to_string()),
        ("Прочитали", percent(f.ack_read, f.ack_recipients)),
        ("Подтвердили", percent(f.ack_confirmed, f.ack_recipients)),
        ("Подтвердили в течение суток", percent(f.ack_confirmed_within_day, f.ack_recipients)),
        ("Публикаций в общешкольном канале", f.channel_posts.to_string()),
        ("Прочитали общешкольный канал", percent(f.channel_readers, f.channel_members)),
        ("Жалоб подано", f.reports_raised.to_string()),
        ("Жалоб рассмотрено", f.reports_resolved.to_string()),
        ("Рассмотрение жалобы, ч (медиана)", hours(f.report_resolve_hours)),
        ("Задержано в тихие часы", f.quiet_holds.to_string()),
        ("Уроков в журнале", f.lessons.to_string()),
        ("Домашние задания в срок", percent(f.homework_set - f.homework_late, f.homework_set)),
        ("Отметки в срок", percent(f.marks - f.late_marks, f.marks)),
        ("Онлайн-уроков", f.online_lessons.to_string()),
        ("Посещаемость онлайн-уроков", percent(f.online_attended, f.online_expected)),
    ];
    for g in &f.activity {
        let (day, week) = match g.group.as_str() {
            "student" => ("Активных обучающихся в день", "Активных обучающихся в неделю"),
            "parent" => ("Активных родителей в день", "Активных родителей в неделю"),
            _ => ("Активных сотрудников в день", "Активных сотрудников в неделю"),
        };
        rows.push((day, format!("{:.1}", g.daily_average)));
        rows.push((week, format!("{:.1}", g.weekly_average)));
    }
    rows
}

/// # The dashboard as a file, XLSX or CSV: the measures against the previous period,
/// the classes' reach, the active people by day
pub async fn school_file(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    period: Option<&str>,
    format: &str,
) -> Result<Export> {
    let format = FileFormat::parse(format)?;
    let s = school(state, actor, org, period).await?;
    let span = format!("{} — {}", s.period.so_far.first, s.period.so_far.last);
    let before = format!("{} — {}", s.period.previous.first, s.period.previous.last);
    let previous = measures(&s.previous);
    let tables = [
        Table {
            sheet: "Показатели".into(),
            title: format!("{}: охват и забота, {span}", s.school),
            header: vec!["Показатель".into(), span.clone(), before],
            rows: measures(&s.current)
                .into_iter()
                .zip(previous)
                .map(|((name, now), (_, then))| vec![name.to_owned(), now, then])
                .collect(),
        },
        Table {
            sheet: "Классы".into(),
            title: format!("{}: кто присоединился, по классам", s.school),
            header: ["Класс", "Обучающихся", "С родителем", "Без родителя", "Родителей"].map(String::from).to_vec(),
            rows: s
                .reach
                .classes
                .iter()
                .map(|c| {
                    vec![
                        c.class.name.clone(),
                        c.students.to_string(),
                        c.students_with_parent.to_string(),
                        (c.students - c.students_with_parent).to_string(),
                        c.parents.to_string(),
                    ]
                })
                .collect(),
        },
        Table {
            sheet: "По дням".into(),
            title: format!("{}: активные люди по дням, {span}", s.school),
            header: ["Дата", "Обучающиеся", "Родители", "Сотрудники"].map(String::from).to_vec(),
            rows: s
                .daily
                .iter()
                .map(|d| vec![d.date.clone(), d.students.to_string(), d.parents.to_string(), d.staff.to_string()])
                .collect(),
        },
    ];
    render(&tables, format, &format!("statistics-{}-{}", s.period.kind, s.period.so_far.last))
}

/// Counts the posts to confirm that have settled (`SETTLED_AFTER_DAYS`) and are not counted yet, in batches
/// (each its own short transaction); returns how many. Every node may run it: a post
/// counted twice is kept once.
pub async fn count_settled_posts(state: &AppState, now: i64) -> Result<u64> {
    const BATCH: i64 = 500;
    let before = now - stats::SETTLED_AFTER_DAYS * 24 * HOUR_MS as i64;
    let mut counted = 0;
    loop {
        let mut work = state.begin().await?;
        let done = store::statistics::count_settled(&mut work, before, now, BATCH).await?;
        work.commit(state).await?;
        counted += done;
        if done < BATCH as u64 {
            return Ok(counted);
        }
    }
}

/// Marks a person active today in each school they have a place in (in that school's
/// time zone): at sign-in and when a session is first used in a new hour.
pub(crate) async fn do_record_activity(conn: &mut AnyConnection, user: UserId) -> Result<()> {
    let mut by_org: Vec<(i64, String, Vec<MemberRole>)> = Vec::new();
    for (org, zone, role) in store::statistics::places_for_activity(conn, user).await? {
        let Some(role) = MemberRole::parse(&role) else { continue };
        match by_org.iter_mut().find(|(o, _, _)| *o == org) {
            Some((_, _, roles)) => roles.push(role),
            None => by_org.push((org, zone, vec![role])),
        }
    }
    for (org, zone, roles) in by_org {
        let groups = RoleSet::of(roles);
        if groups.is_empty() {
            continue;
        }
        let day = stats::day_number(crate::clock::today_date_in(&zone));
        let flags = (i64::from(groups.student), i64::from(groups.parent), i64::from(groups.staff));
        store::statistics::record_active(conn, OrgId(org), user, day, stats::week_number(day), flags).await?;
    }
    Ok(())
}
