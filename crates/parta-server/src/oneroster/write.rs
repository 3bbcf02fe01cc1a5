//! Writing a bundle: a school's classes, people and enrollments as OneRoster 1.2
//! CSV, every file's rows in sourcedId order, so the same register always gives the
//! same files (an export imported into an empty school exports again the same).

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
}

/// The files OneRoster 1.2 names, and whether this bundle has each.
const FILES: [(&str, bool); 17] = [
    ("academicSessions", true),
    ("categories", false),
    ("classes", true),
    ("classResources", false),
    ("courses", true),
    ("courseResources", false),
    ("demographics", false),
    ("enrollments", true),
    ("lineItemLearningObjectiveIds", false),
    ("lineItems", false),
    ("lineItemScoreScales", false),
    ("orgs", true),
    ("resources", false),
    ("results", false),
    ("roles", true),
    ("users", true),
    ("userProfiles", false),
];

fn year_id(year: i64) -> String {
    format!("year-{year}")
}

fn course_id(year: i64) -> String {
    format!("homeroom-{year}")
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
    for (name, present) in FILES {
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

    let mut years: Vec<i64> = roster.classes.iter().map(|c| c.year).collect();
    years.sort_unstable();
    years.dedup();
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
            years
                .iter()
                .map(|y| {
                    let title = format!("Класс {y}/{}", y + 1);
                    vec![
                        course_id(*y),
                        String::new(),
                        String::new(),
                        year_id(*y),
                        title,
                        String::new(),
                        String::new(),
                        school.clone(),
                        String::new(),
                        String::new(),
                    ]
                })
                .collect(),
        ),
    ));

    let mut classes: Vec<&Class> = roster.classes.iter().collect();
    classes.sort_by(|a, b| a.sourced_id.cmp(&b.sourced_id));
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
            classes
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
                .collect(),
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
    out
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
    }
}
