//! Writing a bundle: a school's classes, people and enrollments as OneRoster 1.2
//! CSV, every file's rows in sourcedId order, so the same register always gives the
//! same files (an export imported into an empty school exports again the same) —
//! and the journal's marks as its gradebook: a subject's class or group is a
//! `scheduled` class of a subject's course, a kind of work a category, a lesson's
//! marks of one kind a line item, each mark a result.

use std::io::Write;

use zip::write::SimpleFileOptions;

use super::RosterRole;

pub struct School {
    pub sourced_id: String,
    pub name: String,
}

pub struct Class {
    pub sourced_id: String,
    pub title: String,
    pub grade: Option<i64>,
    /// The year it starts in (2026 for 2026/27).
    pub year: i64,
}

pub struct User {
    pub sourced_id: String,
    pub role: RosterRole,
    pub family_name: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// A student's parents, a parent's children.
    pub agents: Vec<String>,
    /// A student's grade.
    pub grade: Option<i64>,
}

pub struct Enrollment {
    pub class: String,
    pub user: String,
    pub role: RosterRole,
    /// A teacher's class they lead.
    pub primary: bool,
}

pub struct Roster {
    pub school: School,
    pub classes: Vec<Class>,
    pub users: Vec<User>,
    pub enrollments: Vec<Enrollment>,
    pub gradebook: Gradebook,
}

/// The journal's marks. Empty, the bundle holds no gradebook files.
#[derive(Default)]
pub struct Gradebook {
    pub sections: Vec<Section>,
    pub categories: Vec<Category>,
    pub line_items: Vec<LineItem>,
    pub results: Vec<Score>,
}

/// A subject taught to a class or a group of it in a year.
pub struct Section {
    pub sourced_id: String,
    /// «Математика 5А», «Английский язык 5А (группа 1)».
    pub title: String,
    pub grade: Option<i64>,
    pub year: i64,
    pub subject_id: i64,
    pub subject: String,
}

/// A kind of work marks are given for («Контрольная работа»), with its weight.
pub struct Category {
    pub sourced_id: String,
    pub title: String,
    /// As written: "1.5".
    pub weight: String,
}

/// The marks of one kind given at one lesson.
pub struct LineItem {
    pub sourced_id: String,
    pub title: String,
    /// The lesson's date, `YYYY-MM-DD`.
    pub date: String,
    pub section: String,
    pub category: String,
    pub year: i64,
}

/// One mark.
pub struct Score {
    pub sourced_id: String,
    pub line_item: String,
    pub student: String,
    /// As the journal writes it: "1"–"5", «зч», «нз».
    pub mark: String,
    /// The points, for a mark on the five-point scale.
    pub points: Option<u8>,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub comment: Option<String>,
}

/// The files OneRoster 1.2 names, and whether this bundle has each (the gradebook's
/// when the journal has marks).
fn present_files(gradebook: bool) -> [(&'static str, bool); 17] {
    [
        ("academicSessions", true),
        ("categories", gradebook),
        ("classes", true),
        ("classResources", false),
        ("courses", true),
        ("courseResources", false),
        ("demographics", false),
        ("enrollments", true),
        ("lineItemLearningObjectiveIds", false),
        ("lineItems", gradebook),
        ("lineItemScoreScales", false),
        ("orgs", true),
        ("resources", false),
        ("results", gradebook),
        ("roles", true),
        ("users", true),
        ("userProfiles", false),
    ]
}

fn year_id(year: i64) -> String {
    format!("year-{year}")
}

fn course_id(year: i64) -> String {
    format!("homeroom-{year}")
}

fn subject_course_id(year: i64, subject: i64) -> String {
    format!("subject-{year}-{subject}")
}

fn grade_code(grade: Option<i64>) -> String {
    grade.map(|g| format!("{g:02}")).unwrap_or_default()
}

fn csv_of(header: &[&str], rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let _ = writer.write_record(header);
    for row in rows {
        let _ = writer.write_record(&row);
    }
    writer.into_inner().unwrap_or_default()
}

/// The bundle's files, named, in the order they go into the zip.
pub fn files(roster: &Roster) -> Vec<(String, Vec<u8>)> {
    let school = &roster.school.sourced_id;
    let mut out = Vec::new();

    let mut manifest =
        vec![vec!["manifest.version".into(), "1.0".into()], vec!["oneroster.version".into(), "1.2".into()]];
    let has_gradebook = !roster.gradebook.results.is_empty();
    for (name, present) in present_files(has_gradebook) {
        manifest.push(vec![format!("file.{name}"), if present { "bulk" } else { "absent" }.into()]);
    }
    manifest.push(vec!["source.systemName".into(), "Parta".into()]);
    manifest.push(vec!["source.systemCode".into(), "parta".into()]);
    out.push(("manifest.csv".to_owned(), csv_of(&["propertyName", "value"], manifest)));

    out.push((
        "orgs.csv".to_owned(),
        csv_of(
            &["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"],
            vec![vec![
                school.clone(),
                String::new(),
                String::new(),
                roster.school.name.clone(),
                "school".into(),
                String::new(),
                String::new(),
            ]],
        ),
    ));

    let years = years(roster);
    out.push((
        "academicSessions.csv".to_owned(),
        csv_of(
            &[
                "sourcedId",
                "status",
                "dateLastModified",
                "title",
                "type",
                "startDate",
                "endDate",
                "parentSourcedId",
                "schoolYear",
            ],
            years
                .iter()
                .map(|y| {
                    vec![
                        year_id(*y),
                        String::new(),
                        String::new(),
                        format!("{y}/{}", y + 1),
                        "schoolYear".into(),
                        format!("{y}-09-01"),
                        format!("{}-08-31", y + 1),
                        String::new(),
                        (y + 1).to_string(),
                    ]
                })
                .collect(),
        ),
    ));
    out.push((
        "courses.csv".to_owned(),
        csv_of(
            &[
                "sourcedId",
                "status",
                "dateLastModified",
                "schoolYearSourcedId",
                "title",
                "courseCode",
                "grades",
                "orgSourcedId",
                "subjects",
                "subjectCodes",
            ],
            courses(roster),
        ),
    ));

    let mut classes: Vec<Vec<String>> = roster
        .classes
        .iter()
        .map(|c| {
            vec![
                c.sourced_id.clone(),
                String::new(),
                String::new(),
                c.title.clone(),
                grade_code(c.grade),
                course_id(c.year),
                c.title.clone(),
                "homeroom".into(),
                String::new(),
                school.clone(),
                year_id(c.year),
                String::new(),
                String::new(),
                String::new(),
            ]
        })
        .chain(roster.gradebook.sections.iter().map(|s| {
            vec![
                s.sourced_id.clone(),
                String::new(),
                String::new(),
                s.title.clone(),
                grade_code(s.grade),
                subject_course_id(s.year, s.subject_id),
                s.title.clone(),
                "scheduled".into(),
                String::new(),
                school.clone(),
                year_id(s.year),
                s.subject.clone(),
                String::new(),
                String::new(),
            ]
        }))
        .collect();
    classes.sort_by(|a, b| a[0].cmp(&b[0]));
    out.push((
        "classes.csv".to_owned(),
        csv_of(
            &[
                "sourcedId",
                "status",
                "dateLastModified",
                "title",
                "grades",
                "courseSourcedId",
                "classCode",
                "classType",
                "location",
                "schoolSourcedId",
                "termSourcedIds",
                "subjects",
                "subjectCodes",
                "periods",
            ],
            classes,
        ),
    ));

    let mut users: Vec<&User> = roster.users.iter().collect();
    users.sort_by(|a, b| a.sourced_id.cmp(&b.sourced_id));
    out.push((
        "users.csv".to_owned(),
        csv_of(
            &[
                "sourcedId",
                "status",
                "dateLastModified",
                "enabledUser",
                "username",
                "userIds",
                "givenName",
                "familyName",
                "middleName",
                "identifier",
                "email",
                "sms",
                "phone",
                "agentSourcedIds",
                "grades",
                "password",
                "userMasterIdentifier",
                "resourceSourcedIds",
                "preferredGivenName",
                "preferredMiddleName",
                "preferredFamilyName",
                "primaryOrgSourcedId",
                "pronouns",
            ],
            users
                .iter()
                .map(|u| {
                    let mut agents = u.agents.clone();
                    agents.sort();
                    let mut row = vec![u.sourced_id.clone(), String::new(), String::new(), "true".into()];
                    row.extend([
                        u.email.clone().unwrap_or_default(),
                        String::new(),
                        u.given_name.clone(),
                        u.family_name.clone(),
                        u.patronymic.clone().unwrap_or_default(),
                        String::new(),
                        u.email.clone().unwrap_or_default(),
                        String::new(),
                        u.phone.clone().unwrap_or_default(),
                        agents.join(","),
                        grade_code(u.grade),
                    ]);
                    row.extend(std::iter::repeat_n(String::new(), 6));
                    row.push(school.clone());
                    row.push(String::new());
                    row
                })
                .collect(),
        ),
    ));
    out.push((
        "roles.csv".to_owned(),
        csv_of(
            &[
                "sourcedId",
                "status",
                "dateLastModified",
                "userSourcedId",
                "roleType",
                "role",
                "beginDate",
                "endDate",
                "orgSourcedId",
                "userProfileSourcedId",
            ],
            users
                .iter()
                .map(|u| {
                    vec![
                        format!("{}-role", u.sourced_id),
                        String::new(),
                        String::new(),
                        u.sourced_id.clone(),
                        "primary".into(),
                        u.role.oneroster().into(),
                        String::new(),
                        String::new(),
                        school.clone(),
                        String::new(),
                    ]
                })
                .collect(),
        ),
    ));

    let mut enrollments: Vec<&Enrollment> = roster.enrollments.iter().collect();
    enrollments.sort_by(|a, b| (&a.class, &a.user).cmp(&(&b.class, &b.user)));
    out.push((
        "enrollments.csv".to_owned(),
        csv_of(
            &[
                "sourcedId",
                "status",
                "dateLastModified",
                "classSourcedId",
                "schoolSourcedId",
                "userSourcedId",
                "role",
                "primary",
                "beginDate",
                "endDate",
            ],
            enrollments
                .iter()
                .map(|e| {
                    vec![
                        format!("{}-{}", e.class, e.user),
                        String::new(),
                        String::new(),
                        e.class.clone(),
                        school.clone(),
                        e.user.clone(),
                        e.role.oneroster().into(),
                        if e.primary { "true" } else { "false" }.into(),
                        String::new(),
                        String::new(),
                    ]
                })
                .collect(),
        ),
    ));
    if has_gradebook {
        out.extend(gradebook_files(&roster.gradebook));
    }
    out
}

/// The school years the classes are of, in order.
fn years(roster: &Roster) -> Vec<i64> {
    let mut years: Vec<i64> = roster.classes.iter().map(|c| c.year).collect();
    years.sort_unstable();
    years.dedup();
    years
}

/// A homeroom course per year, and a course per subject taught in a year.
fn courses(roster: &Roster) -> Vec<Vec<String>> {
    let school = &roster.school.sourced_id;
    let years = years(roster);
    let course = |id: String, year: i64, title: String, subject: &str| {
        vec![
            id,
            String::new(),
            String::new(),
            year_id(year),
            title,
            String::new(),
            String::new(),
            school.clone(),
            subject.to_owned(),
            String::new(),
        ]
    };
    let mut rows: Vec<Vec<String>> =
        years.iter().map(|y| course(course_id(*y), *y, format!("Класс {y}/{}", y + 1), "")).collect();
    for s in &roster.gradebook.sections {
        rows.push(course(subject_course_id(s.year, s.subject_id), s.year, s.subject.clone(), &s.subject));
    }
    rows.sort_by(|a, b| a[0].cmp(&b[0]));
    rows.dedup_by(|a, b| a[0] == b[0]);
    rows
}

/// categories.csv, lineItems.csv and results.csv, each in sourcedId order.
fn gradebook_files(gradebook: &Gradebook) -> Vec<(String, Vec<u8>)> {
    let mut categories: Vec<&Category> = gradebook.categories.iter().collect();
    categories.sort_by(|a, b| a.sourced_id.cmp(&b.sourced_id));
    let mut line_items: Vec<&LineItem> = gradebook.line_items.iter().collect();
    line_items.sort_by(|a, b| a.sourced_id.cmp(&b.sourced_id));
    let mut results: Vec<&Score> = gradebook.results.iter().collect();
    results.sort_by(|a, b| a.sourced_id.cmp(&b.sourced_id));
    vec![
        (
            "categories.csv".to_owned(),
            csv_of(
                &["sourcedId", "status", "dateLastModified", "title", "weight"],
                categories
                    .iter()
                    .map(|c| {
                        vec![c.sourced_id.clone(), String::new(), String::new(), c.title.clone(), c.weight.clone()]
                    })
                    .collect(),
            ),
        ),
        (
            "lineItems.csv".to_owned(),
            csv_of(
                &[
                    "sourcedId",
                    "status",
                    "dateLastModified",
                    "title",
                    "description",
                    "assignDate",
                    "dueDate",
                    "classSourcedId",
                    "categorySourcedId",
                    "gradingPeriodSourcedId",
                    "academicSessionSourcedId",
                    "resultValueMin",
                    "resultValueMax",
                ],
                line_items
                    .iter()
                    .map(|l| {
                        vec![
                            l.sourced_id.clone(),
                            String::new(),
                            String::new(),
                            l.title.clone(),
                            String::new(),
                            l.date.clone(),
                            l.date.clone(),
                            l.section.clone(),
                            l.category.clone(),
                            year_id(l.year),
                            year_id(l.year),
                            "1".into(),
                            "5".into(),
                        ]
                    })
                    .collect(),
            ),
        ),
        (
            "results.csv".to_owned(),
            csv_of(
                &[
                    "sourcedId",
                    "status",
                    "dateLastModified",
                    "lineItemSourcedId",
                    "studentSourcedId",
                    "scoreStatus",
                    "score",
                    "textScore",
                    "scoreDate",
                    "comment",
                ],
                results
                    .iter()
                    .map(|r| {
                        vec![
                            r.sourced_id.clone(),
                            String::new(),
                            String::new(),
                            r.line_item.clone(),
                            r.student.clone(),
                            "fully graded".into(),
                            r.points.map(|p| p.to_string()).unwrap_or_default(),
                            r.mark.clone(),
                            r.date.clone(),
                            r.comment.clone().unwrap_or_default(),
                        ]
                    })
                    .collect(),
            ),
        ),
    ]
}

/// The files as one zip.
pub fn zip(files: &[(String, Vec<u8>)]) -> std::io::Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roster() -> Roster {
        Roster {
            school: School { sourced_id: "s1".into(), name: "Школа № 1, «Гимназия»".into() },
            classes: vec![Class { sourced_id: "c5a".into(), title: "5А".into(), grade: Some(5), year: 2026 }],
            users: vec![
                User {
                    sourced_id: "u2".into(),
                    role: RosterRole::Parent,
                    family_name: "Волкова".into(),
                    given_name: "Анна".into(),
                    patronymic: Some("Петровна".into()),
                    email: Some("volkova@example.org".into()),
                    phone: None,
                    agents: vec!["u1".into()],
                    grade: None,
                },
                User {
                    sourced_id: "u1".into(),
                    role: RosterRole::Student,
                    family_name: "Волков".into(),
                    given_name: "Миша".into(),
                    patronymic: None,
                    email: None,
                    phone: Some("+79990001122".into()),
                    agents: vec!["u2".into()],
                    grade: Some(5),
                },
            ],
            enrollments: vec![Enrollment {
                class: "c5a".into(),
                user: "u1".into(),
                role: RosterRole::Student,
                primary: false,
            }],
            gradebook: Gradebook::default(),
        }
    }

    #[test]
    fn what_is_written_reads_back_the_same() {
        let bytes = zip(&files(&roster())).expect("zipped");
        let bundle = super::super::read_zip(&bytes).expect("read back");
        assert!(bundle.rejected.is_empty(), "{:?}", bundle.rejected);
        assert_eq!(bundle.orgs[0].name, "Школа № 1, «Гимназия»");
        assert_eq!((bundle.classes[0].title.as_str(), bundle.classes[0].year), ("5А", Some(2026)));
        assert_eq!(super::super::grade_of(&bundle.classes[0].grades), Some(5));
        let ids: Vec<&str> = bundle.users.iter().map(|u| u.sourced_id.as_str()).collect();
        assert_eq!(ids, ["u1", "u2"], "users in sourcedId order");
        assert_eq!(bundle.users[1].role, Some(RosterRole::Parent));
        assert_eq!(bundle.users[1].middle_name.as_deref(), Some("Петровна"));
        assert_eq!(bundle.users[1].agents, ["u1"]);
        assert_eq!(bundle.users[0].phone.as_deref(), Some("+79990001122"));
        assert_eq!(bundle.enrollments.len(), 1);
        // The same register, the same bytes.
        assert_eq!(files(&roster()), files(&roster()));
        let names: Vec<String> = files(&roster()).into_iter().map(|(name, _)| name).collect();
        assert!(!names.contains(&"results.csv".to_owned()), "no marks, no gradebook");
    }

    #[test]
    fn marks_are_written_as_the_gradebook() {
        let mut roster = roster();
        roster.gradebook = Gradebook {
            sections: vec![Section {
                sourced_id: "c5a-subject-3".into(),
                title: "Математика 5А".into(),
                grade: Some(5),
                year: 2026,
                subject_id: 3,
                subject: "Математика".into(),
            }],
            categories: vec![Category {
                sourced_id: "grade-type-7".into(),
                title: "Контрольная работа".into(),
                weight: "2".into(),
            }],
            line_items: vec![LineItem {
                sourced_id: "lesson-11-7".into(),
                title: "Контрольная работа, Математика, 05.10.2026".into(),
                date: "2026-10-05".into(),
                section: "c5a-subject-3".into(),
                category: "grade-type-7".into(),
                year: 2026,
            }],
            results: vec![
                Score {
                    sourced_id: "mark-2".into(),
                    line_item: "lesson-11-7".into(),
                    student: "u1".into(),
                    mark: "зч".into(),
                    points: None,
                    date: "2026-10-05".into(),
                    comment: None,
                },
                Score {
                    sourced_id: "mark-1".into(),
                    line_item: "lesson-11-7".into(),
                    student: "u1".into(),
                    mark: "5".into(),
                    points: Some(5),
                    date: "2026-10-06".into(),
                    comment: Some("Без ошибок, «отлично»".into()),
                },
            ],
        };
        let files = files(&roster);
        let text = |name: &str| {
            String::from_utf8(files.iter().find(|(n, _)| n == name).expect(name).1.clone()).expect("UTF-8")
        };
        assert!(text("manifest.csv").contains("file.results,bulk\r\n"));
        assert!(text("manifest.csv").contains("file.lineItems,bulk\r\n"));
        assert!(text("classes.csv").contains(
            "c5a-subject-3,,,Математика 5А,05,subject-2026-3,Математика 5А,scheduled,,s1,year-2026,Математика,,\r\n"
        ));
        assert!(text("courses.csv").contains("subject-2026-3,,,year-2026,Математика,,,s1,Математика,\r\n"));
        assert_eq!(text("categories.csv").lines().nth(1), Some("grade-type-7,,,Контрольная работа,2"));
        assert_eq!(
            text("lineItems.csv").lines().nth(1),
            Some(
                "lesson-11-7,,,\"Контрольная работа, Математика, 05.10.2026\",,2026-10-05,2026-10-05,c5a-subject-3,grade-type-7,year-2026,year-2026,1,5"
            )
        );
        let results = text("results.csv");
        let results: Vec<&str> = results.lines().skip(1).collect();
        assert_eq!(
            results,
            [
                "mark-1,,,lesson-11-7,u1,fully graded,5,5,2026-10-06,\"Без ошибок, «отлично»\"",
                "mark-2,,,lesson-11-7,u1,fully graded,,зч,2026-10-05,",
            ],
            "results in sourcedId order; a pass has no points"
        );
        // Read back, the gradebook is left alone, and said so.
        let bundle = super::super::read_zip(&zip(&files).expect("zipped")).expect("read back");
        let notes: Vec<(&str, &str)> = bundle.left.iter().map(|n| (n.file, n.code)).collect();
        for file in ["categories.csv", "lineItems.csv", "results.csv"] {
            assert!(notes.contains(&(file, "marks_not_imported")), "{notes:?}");
        }
    }
}
