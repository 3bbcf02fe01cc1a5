//! The journal's marks as a OneRoster gradebook, for the roster export: each mark
//! of a class (or group) in a subject becomes a result of a line item — the marks of
//! one kind of work at one lesson — in a `scheduled` class of that subject.

use std::collections::{BTreeMap, HashMap};

use parta_domain::OrgId;
use parta_domain::journal::Mark;
use sqlx::AnyConnection;

use crate::error::Result;
use crate::oneroster::write::{Category, Gradebook, LineItem, Score, Section};
use crate::store;

/// The register's side of the export: its classes (id → sourcedId, grade, year) and
/// the sourcedId of each person in it.
pub struct Register<'a> {
    pub classes: &'a HashMap<i64, (String, Option<i64>, i64)>,
    pub class_names: &'a HashMap<i64, String>,
    pub people: &'a HashMap<i64, String>,
}

pub async fn gradebook(
    conn: &mut AnyConnection,
    org: OrgId,
    time_zone: &str,
    register: &Register<'_>,
) -> Result<Gradebook> {
    let mut sections: BTreeMap<String, Section> = BTreeMap::new();
    let mut categories: BTreeMap<i64, Category> = BTreeMap::new();
    let mut line_items: BTreeMap<String, LineItem> = BTreeMap::new();
    let mut results = Vec::new();
    for m in store::roster::marks(conn, org).await? {
        // Marks of archived years' classes, or of students no longer in the register,
        // would point at rows the bundle does not have.
        let (Some((class_sid, grade, year)), Some(student)) =
            (register.classes.get(&m.class_id), register.people.get(&m.student_id))
        else {
            continue;
        };
        let class_name = register.class_names.get(&m.class_id).cloned().unwrap_or_default();
        let section_sid = match m.group_id {
            Some(group) => format!("{class_sid}-subject-{}-group-{group}", m.subject_id),
            None => format!("{class_sid}-subject-{}", m.subject_id),
        };
        sections.entry(section_sid.clone()).or_insert_with(|| Section {
            sourced_id: section_sid.clone(),
            title: match &m.group_name {
                Some(group) => format!("{} {class_name} ({group})", m.subject),
                None => format!("{} {class_name}", m.subject),
            },
            grade: *grade,
            year: *year,
            subject_id: m.subject_id,
            subject: m.subject.clone(),
        });
        let category = format!("grade-type-{}", m.grade_type_id);
        categories.entry(m.grade_type_id).or_insert_with(|| Category {
            sourced_id: category.clone(),
            title: m.grade_type.clone(),
            weight: weight_text(m.weight_centi),
        });
        let line_item = format!("lesson-{}-{}", m.lesson_id, m.grade_type_id);
        line_items.entry(line_item.clone()).or_insert_with(|| LineItem {
            sourced_id: line_item.clone(),
            title: format!("{}, {}, {}", m.grade_type, m.subject, russian_date(&m.held_on)),
            date: m.held_on.clone(),
            section: section_sid,
            category,
            year: *year,
        });
        results.push(Score {
            sourced_id: format!("mark-{}", m.id),
            line_item,
            student: student.clone(),
            points: Mark::parse(&m.mark).and_then(Mark::points),
            mark: m.mark,
            date: crate::clock::date_in(m.given_at, time_zone).to_string(),
            comment: m.comment,
        });
    }
    Ok(Gradebook {
        sections: sections.into_values().collect(),
        categories: categories.into_values().collect(),
        line_items: line_items.into_values().collect(),
        results,
    })
}

/// A weight in hundredths as a decimal: 150 → "1.5", 200 → "2".
fn weight_text(centi: i64) -> String {
    let text = format!("{}.{:02}", centi / 100, centi % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// `2026-10-05` → «05.10.2026».
fn russian_date(iso: &str) -> String {
    match iso.split('-').collect::<Vec<_>>()[..] {
        [y, m, d] => format!("{d}.{m}.{y}"),
        _ => iso.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_and_dates_are_written_as_people_read_them() {
        assert_eq!(weight_text(150), "1.5");
        assert_eq!(weight_text(200), "2");
        assert_eq!(weight_text(125), "1.25");
        assert_eq!(weight_text(100), "1");
        assert_eq!(russian_date("2026-10-05"), "05.10.2026");
    }
}
