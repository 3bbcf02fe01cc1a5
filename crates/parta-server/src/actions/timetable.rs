//! The weekly timetable of each class, set whole by the admins or the deputy
//! director, refused where a teacher, a room or the class would be in two places at
//! once (`parta_domain::timetable`); and the week of a class or a teacher that follows
//! from it on the year's school days.

use std::collections::BTreeMap;

use parta_domain::permission::Permission;
use parta_domain::quiet::DayTime;
use parta_domain::school_year::{Calendar, YearDraft, check_year};
use parta_domain::timetable::{self, Placed};
use parta_domain::{ClassId, GroupId, OrgId, SubjectId, UserId, YearId, validate};
use parta_protocol::{
    ClassRef, ClassTimetable, GroupRef, PersonRef, SubjectRef, TimetableEntry, TimetableRequest, Week, WeekDay,
    WeekLesson,
};
use serde_json::json;
use sqlx::AnyConnection;

use super::Fields;
use super::plan::{self, Whose};
use crate::access;
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::audit::Entry;
use crate::store::school_year::{BellRow, YearRow};
use crate::store::teaching::{AssignmentRow, EntryRow};

pub const ENTRIES_MAX: usize = 80;
pub const ROOM_MAX_CHARS: usize = 30;

/// What a year's lessons are drawn from: its assignments, bells, and the names of
/// whom and what they name — loaded once per request.
pub(crate) struct Lookup {
    assignments: BTreeMap<i64, AssignmentRow>,
    bells: Vec<BellRow>,
    subjects: BTreeMap<i64, SubjectRef>,
    people: BTreeMap<i64, PersonRef>,
    classes: BTreeMap<i64, ClassRef>,
    groups: BTreeMap<i64, GroupRef>,
}

impl Lookup {
    pub(crate) async fn load(conn: &mut AnyConnection, org: OrgId, year: YearId) -> Result<Lookup> {
        let assignments: BTreeMap<i64, AssignmentRow> =
            store::teaching::assignments_of_year(conn, org, year).await?.into_iter().map(|a| (a.id, a)).collect();
        let bells = store::school_year::bells(conn, year).await?;
        let subjects = store::school_year::subjects(conn, org)
            .await?
            .into_iter()
            .map(|s| (s.id, SubjectRef { id: SubjectId(s.id), name: s.name, short_name: s.short_name }))
            .collect();
        let classes =
            store::schools::list_classes(conn, org).await?.into_iter().map(|c| (c.id, c.class_ref())).collect();
        let mut people = BTreeMap::new();
        let mut groups = BTreeMap::new();
        for assignment in assignments.values() {
            if let std::collections::btree_map::Entry::Vacant(slot) = people.entry(assignment.teacher_id)
                && let Some(person) = store::users::person(conn, UserId(assignment.teacher_id)).await?
            {
                slot.insert(person);
            }
            if let Some(group) = assignment.group_id
                && !groups.contains_key(&group)
            {
                for row in store::teaching::groups(conn, org, ClassId(assignment.class_id)).await? {
                    groups.insert(row.id, GroupRef { id: GroupId(row.id), name: row.name });
                }
            }
        }
        Ok(Lookup { assignments, bells, subjects, people, classes, groups })
    }

    pub(crate) fn assignment(&self, id: i64) -> Option<&AssignmentRow> {
        self.assignments.get(&id)
    }

    pub(crate) fn bell(&self, shift: i64, number: i64) -> Option<&BellRow> {
        self.bells.iter().find(|b| b.shift == shift && b.number == number)
    }

    pub(crate) fn person(&self, id: i64) -> Option<&PersonRef> {
        self.people.get(&id)
    }

    pub(crate) fn class(&self, id: i64) -> Option<&ClassRef> {
        self.classes.get(&id)
    }

    pub(crate) fn subject(&self, id: i64) -> Option<&SubjectRef> {
        self.subjects.get(&id)
    }

    pub(crate) fn group(&self, id: Option<i64>) -> Option<GroupRef> {
        id.and_then(|g| self.groups.get(&g).cloned())
    }

    /// Learns the names of people the timetable does not name (replacement teachers).
    pub(crate) async fn know(&mut self, conn: &mut AnyConnection, ids: impl IntoIterator<Item = i64>) -> Result<()> {
        for id in ids {
            if let std::collections::btree_map::Entry::Vacant(slot) = self.people.entry(id)
                && let Some(person) = store::users::person(conn, UserId(id)).await?
            {
                slot.insert(person);
            }
        }
        Ok(())
    }

    fn placed(&self, entry: &EntryRow) -> Option<Placed> {
        let assignment = self.assignments.get(&entry.assignment_id)?;
        let bell = self.bell(entry.shift, entry.number)?;
        Some(Placed {
            weekday: entry.weekday as u8,
            starts_at: DayTime::parse(&bell.starts_at)?,
            ends_at: DayTime::parse(&bell.ends_at)?,
            teacher: UserId(assignment.teacher_id),
            class: ClassId(entry.class_id),
            group: assignment.group_id.map(GroupId),
            room: entry.room.clone(),
        })
    }

    pub(crate) fn entry(&self, entry: &EntryRow) -> Option<TimetableEntry> {
        let assignment = self.assignments.get(&entry.assignment_id)?;
        let bell = self.bell(entry.shift, entry.number)?;
        Some(TimetableEntry {
            weekday: entry.weekday,
            shift: entry.shift,
            number: entry.number,
            starts_at: bell.starts_at.clone(),
            ends_at: bell.ends_at.clone(),
            assignment_id: assignment.assignment_id(),
            subject: self.subjects.get(&assignment.subject_id)?.clone(),
            teacher: self.people.get(&assignment.teacher_id)?.clone(),
            group: assignment.group_id.and_then(|g| self.groups.get(&g).cloned()),
            room: entry.room.clone(),
        })
    }
}

/// The year's calendar as stored (it was checked when it was written).
pub(crate) async fn calendar(conn: &mut AnyConnection, row: &YearRow) -> Result<Calendar> {
    let periods = store::school_year::periods(conn, row.year_id()).await?;
    let days_off = store::school_year::days_off(conn, row.year_id()).await?;
    let draft = YearDraft {
        starts_on: &row.starts_on,
        ends_on: &row.ends_on,
        school_days: row.school_days,
        kind: None,
        periods: periods.iter().map(|p| (p.starts_on.as_str(), p.ends_on.as_str())).collect(),
        days_off: days_off.iter().map(|d| (d.starts_on.as_str(), d.ends_on.as_str())).collect(),
    };
    check_year(&draft).map_err(|e| Error::Internal(anyhow::anyhow!("a stored year does not check: {e:?}")))
}

fn render_timetable(lookup: &Lookup, year: YearId, class: ClassRef, rows: &[EntryRow]) -> ClassTimetable {
    let mut entries: Vec<TimetableEntry> = rows.iter().filter_map(|row| lookup.entry(row)).collect();
    entries.sort_by(|a, b| (a.weekday, &a.starts_at, a.shift).cmp(&(b.weekday, &b.starts_at, b.shift)));
    ClassTimetable { year_id: year, class, entries }
}

/// # A class's weekly timetable in a year (the school's staff; the class's students and parents)
pub async fn class_timetable(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    year: YearId,
    class: ClassId,
) -> Result<ClassTimetable> {
    let mut conn = state.db.reads().acquire().await?;
    let (_, class_row) = access::class(&mut conn, actor, org, class, Permission::ReadMembers).await?;
    store::school_year::year(&mut conn, org, year).await?.ok_or(Error::NotFound)?;
    let lookup = Lookup::load(&mut conn, org, year).await?;
    let rows = store::teaching::entries(&mut conn, org, year, Some(class)).await?;
    Ok(render_timetable(&lookup, year, class_row.class_ref(), &rows))
}

/// # Set a class's weekly timetable, the whole week at once (admins, the deputy director)
/// Each lesson is one of the class's assignments in a slot of the bells on a teaching
/// weekday; a teacher, a room or the class in two places at once is refused at the
/// lesson (`entries[3]`: `teacher_busy`, `room_busy`, `class_busy`).
pub async fn set_class_timetable(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    year: YearId,
    class: ClassId,
    request: &TimetableRequest,
) -> Result<ClassTimetable> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    let year_row = super::school_year::changing_year(&mut work, org, year).await?;
    let class_row = store::schools::get_class(&mut work, org, class)
        .await?
        .filter(|c| c.kind != "staff_room")
        .ok_or(Error::NotFound)?;
    store::schools::lock(&mut work, org).await?;
    let lookup = Lookup::load(&mut work, org, year).await?;
    let mut fields = Fields::default();
    if request.entries.len() > ENTRIES_MAX {
        fields.reject("entries", "out_of_range");
    }
    let mut rows = Vec::with_capacity(request.entries.len());
    for (index, entry) in request.entries.iter().enumerate() {
        let field = |name: &str| format!("entries[{index}].{name}");
        let mut ok = true;
        if !(1..=year_row.school_days).contains(&entry.weekday) {
            fields.reject(&field("weekday"), "out_of_range");
            ok = false;
        }
        if lookup.bell(entry.shift, entry.number).is_none() {
            fields.reject(&field("number"), "unknown_slot");
            ok = false;
        }
        let current = store::teaching::assignment(&mut work, org, year, entry.assignment_id).await?;
        if current.is_none_or(|a| a.class_id != class.0) {
            fields.reject(&field("assignment_id"), "unknown_assignment");
            ok = false;
        }
        let room = fields.check(validate::optional_line(&field("room"), entry.room.as_deref(), ROOM_MAX_CHARS));
        if let (true, Some(room)) = (ok, room) {
            rows.push((
                index,
                EntryRow {
                    class_id: class.0,
                    weekday: entry.weekday,
                    shift: entry.shift,
                    number: entry.number,
                    assignment_id: entry.assignment_id.0,
                    room,
                },
            ));
        }
    }
    // Clashes, among these lessons and with every other class's.
    let others: Vec<Placed> = store::teaching::entries(&mut work, org, year, None)
        .await?
        .iter()
        .filter(|e| e.class_id != class.0)
        .filter_map(|e| lookup.placed(e))
        .collect();
    let placed: Vec<(usize, Placed)> = rows.iter().filter_map(|(i, row)| Some((*i, lookup.placed(row)?))).collect();
    let new: Vec<Placed> = placed.iter().map(|(_, p)| p.clone()).collect();
    for (at, clash) in timetable::clashes(&new, &others) {
        fields.reject(&format!("entries[{}]", placed[at].0), clash.code());
    }
    fields.finish()?;
    let rows: Vec<EntryRow> = rows.into_iter().map(|(_, row)| row).collect();
    store::teaching::replace_entries(&mut work, org, year, class, &rows).await?;
    let details = json!({ "year_id": year, "class_id": class, "lessons": rows.len() });
    store::audit::record(&mut work, Entry::in_school(org, actor.user_id, "timetable_set", "class", class.0, details))
        .await?;
    let rendered = render_timetable(&lookup, year, class_row.class_ref(), &rows);
    work.commit(state).await?;
    Ok(rendered)
}

/// Whose week: a class's, or a teacher's.
pub enum WeekOf {
    Class(ClassId),
    Teacher(UserId),
}

/// # A week of lessons of a class or a teacher, from the timetable on the year's school days
/// A class's week is read by the school's staff and the class's students and parents;
/// a teacher's by the teacher and the school's staff. `date` is any day of the week.
pub async fn week(state: &AppState, actor: &Actor, org: OrgId, year: YearId, of: WeekOf, date: &str) -> Result<Week> {
    let mut conn = state.db.reads().acquire().await?;
    match of {
        WeekOf::Class(class) => {
            access::class(&mut conn, actor, org, class, Permission::ReadMembers).await.map(|_| ())?
        }
        WeekOf::Teacher(teacher) if teacher == actor.user_id => {
            access::visible_school(&mut conn, actor, org).await.map(|_| ())?
        }
        WeekOf::Teacher(_) => access::school(&mut conn, actor, org, Permission::ReadMembers).await.map(|_| ())?,
    }
    let date = parta_domain::school_year::date("date", date).map_err(|e| Error::Validation(vec![e]))?;
    let year_row = store::school_year::year(&mut conn, org, year).await?.ok_or(Error::NotFound)?;
    let calendar = calendar(&mut conn, &year_row).await?;
    let mut lookup = Lookup::load(&mut conn, org, year).await?;
    let whose = match of {
        WeekOf::Class(class) => Whose::Class(class),
        WeekOf::Teacher(teacher) => Whose::Teacher(teacher),
    };
    let monday = timetable::monday_of(date);
    let saturday = monday.checked_add(jiff::Span::new().days(5)).unwrap_or(monday);
    let lessons = plan::lessons(&mut conn, org, year, &lookup, &calendar, whose, (monday, saturday)).await?;
    plan::know_people(&mut conn, &mut lookup, &lessons).await?;
    let remote = super::distance::RemoteDays::load(&mut conn, org, (monday, saturday)).await?;
    let mut days = Vec::with_capacity(6);
    for (day, school_day) in timetable::week(&calendar, monday) {
        let mut shown: Vec<WeekLesson> = lessons
            .iter()
            .filter(|l| l.place.date == day)
            .filter_map(|l| {
                let assignment = lookup.assignment(l.assignment.0)?;
                let bell = lookup.bell(l.place.shift, l.place.number)?;
                Some(WeekLesson {
                    shift: l.place.shift,
                    number: l.place.number,
                    starts_at: bell.starts_at.clone(),
                    ends_at: bell.ends_at.clone(),
                    assignment_id: assignment.assignment_id(),
                    subject: lookup.subject(assignment.subject_id)?.clone(),
                    teacher: lookup.person(l.teacher.0)?.clone(),
                    class: lookup.class(assignment.class_id)?.clone(),
                    group: lookup.group(assignment.group_id),
                    room: l.room.clone(),
                    change: plan::change(&lookup, l),
                    remote: remote.lesson(assignment.class_id, day, &bell.starts_at, &bell.ends_at),
                })
            })
            .collect();
        shown.sort_by(|a, b| (&a.starts_at, a.shift, a.number).cmp(&(&b.starts_at, b.shift, b.number)));
        days.push(WeekDay { date: day.to_string(), school_day, lessons: shown });
    }
    Ok(Week { monday: monday.to_string(), days })
}
