//! The school's register in and out as OneRoster 1.2 CSV: a dry run that shows what
//! an import would do and why each refused row is refused, the import itself (once:
//! the same bundle again changes nothing), people joining by their own links into
//! the places the register gives them, a second bundle renaming and moving them, and
//! an export that, imported into an empty school, exports again the same files.

use std::io::{Read, Write};

use serde_json::{Value, json};

use crate::messaging::class_with_people;
use crate::on_both_backends;
use crate::support::{PASSWORD, TestApp};

on_both_backends!(
    a_bundle_is_tried_then_imported_once_and_people_join_by_their_own_links,
    an_export_imported_into_an_empty_school_exports_the_same_files,
    the_journals_marks_are_exported_as_a_gradebook_that_an_import_leaves_alone,
    a_lost_register_link_is_replaced_and_the_old_one_stops_working,
    bundles_that_cannot_be_read_are_refused_whole_and_nothing_changes,
);

/// A zip of the given files.
pub(crate) fn zip_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(*name, options).expect("entry");
        zip.write_all(bytes).expect("written");
    }
    zip.finish().expect("zip").into_inner()
}

fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip");
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("entry");
        let mut text = String::new();
        file.read_to_string(&mut text).expect("UTF-8");
        files.push((file.name().expect("name").into_owned(), text));
    }
    files
}

pub(crate) const MANIFEST: &str = "propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.users,bulk\n";
pub(crate) const ORGS: &str = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n\
    d1,,,Управление образования,district,,\ns1,,,Школа № 1,school,,d1\n";
pub(crate) const SESSIONS: &str = "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\n\
    y27,,,2026/2027,schoolYear,2026-09-01,2027-05-31,,2027\nt1,,,1 четверть,term,2026-09-01,2026-10-26,y27,2027\n";
pub(crate) const USERS_HEADER: &str = "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,\
    middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n";

/// The school's register: a teacher leading 5А, a student in 5А and one in 6Б, a
/// parent of the first, and rows that cannot be taken or are left alone.
fn register_bundle(volkov: &str, volkov_class: &str) -> Vec<u8> {
    let classes = "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,\
        schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n\
        c5a,,,5А,05,k,,homeroom,,s1,t1,,,\n\
        c6b,,,6Б,06,k,,homeroom,,s1,y27,,,\n\
        cm,,,Математика 5А,05,k,,scheduled,,s1,y27,,,\n\
        cx,,,7В,07,k,,homeroom,,s1,nope,,,\n";
    let users = format!(
        "{USERS_HEADER}\
        t1,,,true,,,Мария,Классова,Ивановна,,klassova@school1.ru,,,,,\n\
        u1,,,true,,,Миша,{volkov},,,,,,p1,05,\n\
        u2,,,true,,,Оля,Зайцева,,,,,+7 912 555-01-02,,06,\n\
        u3,,,true,,,Петя,Без-Класса,,,,,,,05,\n\
        u4,,,true,,,Лена,Почтова,,,не-почта,,,,05,\n\
        p1,,,true,,,Анна,Волкова,Петровна,,volkova@mail.ru,,,u1,,\n\
        p2,,,true,,,Ольга,Одинокова,,,,,,u404,,\n\
        u5,tobedeleted,2026-11-01,true,,,Ушёл,Ушедший,,,,,,,,\n\
        u6,,,true,,,Пилот,Лётчиков,,,,,,,,\n\
        u7,,,true,,,Безфамильный,,,,,,,,,\n"
    );
    let roles = "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n\
        r1,,,t1,primary,teacher,,,s1,\nr2,,,u1,primary,student,,,s1,\nr3,,,u2,primary,student,,,s1,\n\
        r4,,,u3,primary,student,,,s1,\nr5,,,u4,primary,student,,,s1,\nr6,,,p1,primary,guardian,,,s1,\n\
        r7,,,p2,primary,parent,,,s1,\nr8,,,u6,primary,pilot,,,s1,\nr9,,,u7,primary,student,,,s1,\n\
        r10,,,u5,primary,student,,,s1,\n";
    let enrollments = format!(
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n\
        e1,,,c5a,s1,t1,teacher,true,,\n\
        e2,,,cm,s1,t1,teacher,false,,\n\
        e3,,,{volkov_class},s1,u1,student,false,,\n\
        e4,,,c6b,s1,u2,student,false,,\n\
        e5,,,c5a,s1,u4,student,false,,\n\
        e6,,,c5a,s1,u404,student,false,,\n"
    );
    let mut users_bom = b"\xEF\xBB\xBF".to_vec();
    users_bom.extend(users.into_bytes());
    zip_of(&[
        ("manifest.csv", MANIFEST.into()),
        ("orgs.csv", ORGS.into()),
        ("academicSessions.csv", SESSIONS.into()),
        ("classes.csv", classes.into()),
        // Exporters often zip a folder: the names inside it count.
        ("export/users.csv", users_bom),
        ("roles.csv", roles.into()),
        ("enrollments.csv", enrollments.into_bytes()),
    ])
}

fn rows(report: &Value, list: &str) -> Vec<(String, u64, String, String)> {
    report[list]
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| {
            (
                r["file"].as_str().unwrap_or_default().to_owned(),
                r["line"].as_u64().unwrap_or_default(),
                r["field"].as_str().unwrap_or_default().to_owned(),
                r["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn row(file: &str, line: u64, field: &str, code: &str) -> (String, u64, String, String) {
    (file.into(), line, field.into(), code.into())
}

async fn import(app: &TestApp, org: i64, token: &str, bundle: Vec<u8>, apply: bool) -> Value {
    app.post(&format!("/api/v1/orgs/{org}/roster/import?apply={apply}"))
        .token(token)
        .raw("application/zip", bundle)
        .send()
        .await
        .expect(200)
        .json
}

async fn class_names(app: &TestApp, org: i64, token: &str) -> Vec<String> {
    let classes = app.get(&format!("/api/v1/orgs/{org}/classes")).token(token).send().await.expect(200);
    classes.list().iter().filter_map(|c| c["name"].as_str().map(str::to_owned)).collect()
}

/// Joins by a register link as a new account; returns the outcome and the token.
async fn register(app: &TestApp, path: &str, family: &str, email: &str) -> (Value, String) {
    let token = path.trim_start_matches("/join/");
    let reply = app
        .post("/api/v1/auth/register")
        .json(json!({
            "invite_token": token, "family_name": family, "given_name": "Имя", "email": email,
            "password": PASSWORD, "consent_version": parta_domain::consent::VERSION,
        }))
        .send()
        .await
        .expect(201);
    (reply.json["join"].clone(), reply.json["session"]["token"].as_str().expect("token").to_owned())
}

fn link<'a>(report: &'a Value, sid: &str) -> &'a str {
    report["links"]
        .as_array()
        .expect("links")
        .iter()
        .find(|l| l["sourced_id"] == sid)
        .and_then(|l| l["path"].as_str())
        .unwrap_or_else(|| panic!("a link for {sid}: {report}"))
}

async fn places(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let me = app.me(token).await;
    let mut out: Vec<(String, String)> = me["schools"]
        .as_array()
        .expect("schools")
        .iter()
        .flat_map(|s| s["places"].as_array().cloned().unwrap_or_default())
        .map(|p| {
            (
                p["role"].as_str().unwrap_or_default().to_owned(),
                p["class"]["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

async fn a_bundle_is_tried_then_imported_once_and_people_join_by_their_own_links(app: TestApp) {
    let school = app.school(761).await;
    let org = school.org;
    let bundle = register_bundle("Волков", "c5a");

    // A dry run: everything the import would do, nothing written.
    let dry = import(&app, org, &school.admin, bundle.clone(), false).await;
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["classes"], json!({ "created": 2, "updated": 0, "linked": 0, "unchanged": 0 }), "{dry}");
    assert_eq!(dry["people"], json!({ "created": 4, "updated": 0, "linked": 0, "unchanged": 0 }), "{dry}");
    assert_eq!(dry["links"], json!([]), "a dry run makes no links");
    assert_eq!(
        rows(&dry, "rejected"),
        [
            row("classes.csv", 5, "termSourcedIds", "unknown_reference"),
            row("enrollments.csv", 7, "userSourcedId", "unknown_reference"),
            row("roles.csv", 9, "role", "invalid_value"),
            row("users.csv", 5, "", "no_class"),
            row("users.csv", 6, "email", "invalid_email"),
            row("users.csv", 8, "agentSourcedIds", "no_child"),
            row("users.csv", 10, "role", "required"),
            row("users.csv", 11, "familyName", "required"),
        ],
        "{dry}"
    );
    assert_eq!(
        rows(&dry, "left"),
        [
            row("classes.csv", 4, "classType", "not_a_class"),
            row("enrollments.csv", 3, "classSourcedId", "class_not_imported"),
            row("users.csv", 9, "status", "to_be_deleted"),
        ],
        "{dry}"
    );
    let changes: Vec<(String, String, String)> = dry["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            let text = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
            (text("action"), text("entity"), text("name"))
        })
        .collect();
    assert!(changes.contains(&("created".into(), "class".into(), "5А".into())), "{changes:?}");
    assert!(changes.contains(&("created".into(), "person".into(), "Волкова Анна Петровна".into())), "{changes:?}");
    assert_eq!(class_names(&app, org, &school.admin).await, ["Учительская"], "the dry run wrote nothing");

    // Applied: the same, written, with a link for each new person.
    let done = import(&app, org, &school.admin, bundle.clone(), true).await;
    assert_eq!(done["dry_run"], false);
    assert_eq!((&done["classes"], &done["people"]), (&dry["classes"], &dry["people"]));
    assert_eq!(done["links"].as_array().map(Vec::len), Some(4), "{done}");
    let mut names = class_names(&app, org, &school.admin).await;
    names.sort();
    assert_eq!(names, ["5А", "6Б", "Учительская"]);
    // The personal links are not the class's links.
    let invites = app.get(&format!("/api/v1/orgs/{org}/invites")).token(&school.admin).send().await.expect(200);
    assert_eq!(invites.list().len(), 0, "{}", invites.json);

    // The same bundle again changes nothing.
    let again = import(&app, org, &school.admin, bundle.clone(), true).await;
    assert_eq!(again["classes"], json!({ "created": 0, "updated": 0, "linked": 0, "unchanged": 2 }), "{again}");
    assert_eq!(again["people"], json!({ "created": 0, "updated": 0, "linked": 0, "unchanged": 4 }), "{again}");
    assert_eq!((again["changes"].clone(), again["links"].clone()), (json!([]), json!([])));

    // A parent's link says whose it is and names the child; joining before the child,
    // they wait for them, and take their place beside them once the child joins.
    let parent_link = link(&done, "p1");
    let preview =
        app.get(&format!("/api/v1/invites/{}", parent_link.trim_start_matches("/join/"))).send().await.expect(200);
    assert_eq!(preview.json["for_person"]["family_name"], "Волкова");
    assert_eq!(preview.json["for_person"]["children"], json!(["Волков Миша"]));
    let (outcome, parent) = register(&app, parent_link, "Волкова", "volkova@mail.ru").await;
    assert_eq!(outcome["status"], "waiting_for_child", "{outcome}");
    assert_eq!(places(&app, &parent).await, []);
    let (outcome, student) = register(&app, link(&done, "u1"), "Волков", "misha@mail.ru").await;
    assert_eq!(outcome["status"], "joined");
    assert_eq!(places(&app, &student).await, [("student".into(), "5А".into())]);
    assert_eq!(places(&app, &parent).await, [("parent".into(), "5А".into())]);
    let (_, teacher) = register(&app, link(&done, "t1"), "Классова", "klassova@school1.ru").await;
    assert_eq!(places(&app, &teacher).await, [("teacher".into(), "Учительская".into())]);
    let me = app.me(&teacher).await;
    let led = me["schools"][0]["class_teacher_of"].as_array().map(Vec::len);
    assert_eq!(led, Some(1), "she leads 5А as the register says: {me}");
    // A link admits its person once.
    app.post("/api/v1/auth/register")
        .json(json!({
            "invite_token": link(&done, "u1").trim_start_matches("/join/"), "family_name": "Другой", "given_name": "Кто-то",
            "email": "other@mail.ru", "password": PASSWORD, "consent_version": parta_domain::consent::VERSION,
        }))
        .send()
        .await
        .problem(410, "invite_used_up");

    // The next bundle renames Миша and moves him to 6Б: his account and his place
    // follow, and his mother's place with him.
    let moved = import(&app, org, &school.admin, register_bundle("Волков-Петров", "c6b"), true).await;
    assert_eq!(moved["people"], json!({ "created": 0, "updated": 1, "linked": 0, "unchanged": 3 }), "{moved}");
    assert_eq!(moved["changes"][0]["fields"], json!(["family_name", "class"]), "{moved}");
    assert_eq!(app.me(&student).await["family_name"], "Волков-Петров");
    assert_eq!(places(&app, &student).await, [("student".into(), "6Б".into())]);
    assert_eq!(places(&app, &parent).await, [("parent".into(), "6Б".into())]);

    // Only the school's admins import and export; another school's admin sees nothing.
    app.post(&format!("/api/v1/orgs/{org}/roster/import"))
        .token(&teacher)
        .raw("application/zip", bundle.clone())
        .send()
        .await
        .expect(403);
    app.get(&format!("/api/v1/orgs/{org}/roster/export")).token(&teacher).send().await.expect(403);
    let other = app.school(762).await;
    let refused = app.get(&format!("/api/v1/orgs/{org}/roster/export")).token(&other.admin).send().await;
    assert!(matches!(refused.status.as_u16(), 403 | 404), "{}", refused.status);
    // A bundle of another school is refused whole: this one is «s1» now.
    let elsewhere = zip_of(&[
        ("manifest.csv", MANIFEST.into()),
        ("orgs.csv", b"sourcedId,name,type\ns9,\xd0\xa8\xd0\xba\xd0\xbe\xd0\xbb\xd0\xb0 9,school\n".to_vec()),
        ("classes.csv", b"sourcedId,title,classType,schoolSourcedId\n".to_vec()),
        ("users.csv", USERS_HEADER.into()),
        ("roles.csv", b"userSourcedId,role,orgSourcedId\n".to_vec()),
        ("enrollments.csv", b"classSourcedId,userSourcedId,role\n".to_vec()),
    ]);
    app.post(&format!("/api/v1/orgs/{org}/roster/import"))
        .token(&school.admin)
        .raw("application/zip", elsewhere)
        .send()
        .await
        .invalid(&[("orgs.csv", "other_school")]);
}

async fn an_export_imported_into_an_empty_school_exports_the_same_files(app: TestApp) {
    let c = class_with_people(&app, 763).await;
    let org = c.school.org;
    // The register adds a student and her father who have not joined yet, and knows
    // the student already there by name in 5А.
    let users = format!(
        "{USERS_HEADER}w1,,,true,,,Даша,Новикова,,,,,,w2,05,\nw2,,,true,,,Игорь,Новиков,Олегович,,novikov@mail.ru,,,w1,,\n\
        u-s,,,true,,,Тест,Учеников,Тестович,,,,,,05,\n"
    );
    let bundle = zip_of(&[
        ("manifest.csv", MANIFEST.into()),
        ("orgs.csv", ORGS.into()),
        ("academicSessions.csv", SESSIONS.into()),
        (
            "classes.csv",
            b"sourcedId,title,grades,classType,schoolSourcedId,termSourcedIds\nc5,5\xd0\x90,05,homeroom,s1,y27\n"
                .to_vec(),
        ),
        ("users.csv", users.into_bytes()),
        ("roles.csv", b"userSourcedId,role,orgSourcedId\nw1,student,s1\nw2,parent,s1\nu-s,student,s1\n".to_vec()),
        ("enrollments.csv", b"classSourcedId,userSourcedId,role\nc5,w1,student\nc5,u-s,student\n".to_vec()),
    ]);
    let added = import(&app, org, &c.school.admin, bundle, true).await;
    assert_eq!(added["classes"], json!({ "created": 0, "updated": 0, "linked": 1, "unchanged": 0 }), "{added}");
    assert_eq!(added["people"], json!({ "created": 2, "updated": 0, "linked": 1, "unchanged": 0 }), "{added}");
    let first = app.get(&format!("/api/v1/orgs/{org}/roster/export")).token(&c.school.admin).send().await.expect(200);
    assert_eq!(first.header_str("content-type"), Some("application/zip"));
    let files = unzip(&first.bytes);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "manifest.csv",
            "orgs.csv",
            "academicSessions.csv",
            "courses.csv",
            "classes.csv",
            "users.csv",
            "roles.csv",
            "enrollments.csv"
        ]
    );
    let text = |name: &str| files.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone()).unwrap_or_default();
    assert!(text("manifest.csv").contains("oneroster.version,1.2"));
    assert_eq!(text("classes.csv").lines().count(), 3, "5А and 5Б: {}", text("classes.csv"));
    let users = text("users.csv");
    assert_eq!(users.lines().count(), 7, "the admin, the teacher, the student, the parent, and two expected: {users}");
    assert!(
        users.lines().any(|l| l.starts_with("u-s,") && l.contains(",Тест,Учеников,Тестович,")),
        "the register's id for who it knows: {users}"
    );
    assert!(users.lines().any(|l| l.starts_with("w2,") && l.contains(",w1,")), "a parent's child: {users}");
    assert!(users.contains(&c.parent.email), "contacts go with the register: {users}");
    let enrollments = text("enrollments.csv");
    assert!(enrollments.contains(&format!(",user-{},teacher,true,", c.teacher.id)), "{enrollments}");
    assert!(enrollments.contains("c5-u-s,,,c5,s1,u-s,student,false,"), "{enrollments}");

    // An empty school of the same name, led by the same admin.
    let operator = app.operator().await;
    let application = app.apply(763).await;
    let approved =
        app.post(&format!("/api/v1/applications/{application}/approve")).token(&operator).send().await.expect(200);
    let empty = approved.json["org_id"].as_i64().expect("org id");
    let admin_link = approved.json["admin_invite"]["token"].as_str().expect("token").to_owned();
    app.post("/api/v1/invites/accept")
        .token(&c.school.admin)
        .json(json!({ "token": admin_link }))
        .send()
        .await
        .expect(200);

    let imported = import(&app, empty, &c.school.admin, first.bytes.clone(), true).await;
    assert_eq!(imported["rejected"], json!([]), "{imported}");
    assert_eq!(imported["classes"]["created"], 2);
    assert_eq!(imported["people"], json!({ "created": 5, "updated": 0, "linked": 1, "unchanged": 0 }), "{imported}");
    let second =
        app.get(&format!("/api/v1/orgs/{empty}/roster/export")).token(&c.school.admin).send().await.expect(200);
    let again = unzip(&second.bytes);
    for ((name, a), (_, b)) in files.iter().zip(&again) {
        assert_eq!(a, b, "{name} differs");
    }
    assert_eq!(files.len(), again.len());
    // And once more: nothing to change.
    let twice = import(&app, empty, &c.school.admin, first.bytes.clone(), true).await;
    assert_eq!(twice["people"], json!({ "created": 0, "updated": 0, "linked": 0, "unchanged": 6 }), "{twice}");
}

async fn the_journals_marks_are_exported_as_a_gradebook_that_an_import_leaves_alone(app: TestApp) {
    let s = crate::timetable::setup(&app, 773).await;
    crate::journal::week(&app, &s).await;
    let [monday, _, _] = crate::journal::days_ahead(&app, &s).await;
    let classmate = app.join(&s.school, s.class_a, "student", None, "Соседов").await;
    let (lesson, oral) = crate::journal::marked_lesson(&app, &s, &monday, classmate.id).await;
    let org = s.school.org;
    let export = app.get(&format!("/api/v1/orgs/{org}/roster/export")).token(&s.school.admin).send().await.expect(200);
    let files = unzip(&export.bytes);
    let text = |name: &str| files.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone()).unwrap_or_default();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(&names[8..], ["categories.csv", "lineItems.csv", "results.csv"], "{names:?}");
    assert!(text("manifest.csv").contains("file.results,bulk"));

    // 5А's maths is a scheduled class of the maths course of the year.
    let section = format!("class-{}-subject-", s.class_a);
    let classes = text("classes.csv");
    let maths = classes.lines().find(|l| l.starts_with(&section)).expect("maths in 5А");
    assert!(maths.contains(",scheduled,") && maths.contains("Математика 5А"), "{classes}");
    let section_sid = maths.split(',').next().expect("sourcedId");
    assert!(text("courses.csv").lines().any(|l| l.contains(",Математика,")), "{}", text("courses.csv"));
    // One line item for the lesson's marks of that kind, one result for the mark.
    let line_item = format!("lesson-{lesson}-{oral}");
    let items = text("lineItems.csv");
    let item = items.lines().find(|l| l.starts_with(&line_item)).expect("the lesson's line item");
    assert!(item.contains(&format!(",{monday},{monday},{section_sid},grade-type-{oral},")), "{item}");
    let results: Vec<String> = text("results.csv").lines().skip(1).map(str::to_owned).collect();
    assert_eq!(results.len(), 1, "{results:?}");
    assert!(results[0].contains(&format!(",{line_item},user-{},fully graded,5,5,", s.student.id)), "{results:?}");
    let category = text("categories.csv");
    assert_eq!(category.lines().count(), 2, "the one kind of work used: {category}");

    // Imported back, the marks and the subject's class are left alone, and said so.
    let report = import(&app, org, &s.school.admin, export.bytes.clone(), false).await;
    let left = rows(&report, "left");
    for file in ["categories.csv", "lineItems.csv", "results.csv"] {
        assert!(left.contains(&row(file, 1, "", "marks_not_imported")), "{left:?}");
    }
    assert!(left.iter().any(|(f, _, _, c)| f == "classes.csv" && c == "not_a_class"), "{left:?}");
    assert_eq!(report["rejected"], json!([]), "{report}");
}

async fn a_lost_register_link_is_replaced_and_the_old_one_stops_working(app: TestApp) {
    let school = app.school(774).await;
    let org = school.org;
    let done = import(&app, org, &school.admin, register_bundle("Волков", "c5a"), true).await;
    let path = format!("/api/v1/orgs/{org}/roster/people");
    let waiting = app.get(&path).token(&school.admin).send().await.expect(200);
    let people = waiting.list();
    assert_eq!(people.len(), 4, "{}", waiting.json);
    assert!(people.iter().all(|p| p["link_expires_at"].is_string()), "every link works: {}", waiting.json);
    let misha = people.iter().find(|p| p["sourced_id"] == "u1").expect("Миша");
    assert_eq!((misha["name"].as_str(), misha["class_name"].as_str()), (Some("Волков Миша"), Some("5А")));
    let id = misha["id"].as_i64().expect("id");

    // His link is lost: a new one, and the old one stops working.
    let new = app.post(&format!("{path}/{id}/link")).token(&school.admin).send().await.expect(201);
    let new_path = new.json["path"].as_str().expect("path").to_owned();
    assert_ne!(new_path, link(&done, "u1"));
    assert_eq!((new.json["class_name"].as_str(), new.json["role"].as_str()), (Some("5А"), Some("student")));
    app.post("/api/v1/auth/register")
        .json(json!({
            "invite_token": link(&done, "u1").trim_start_matches("/join/"), "family_name": "Волков", "given_name": "Миша",
            "email": "old-link@mail.ru", "password": PASSWORD, "consent_version": parta_domain::consent::VERSION,
        }))
        .send()
        .await
        .problem(410, "invite_revoked");
    let (outcome, student) = register(&app, &new_path, "Волков", "misha@mail.ru").await;
    assert_eq!(outcome["status"], "joined", "{outcome}");
    assert_eq!(places(&app, &student).await, [("student".into(), "5А".into())]);

    // Joined, he is no longer expected, and needs no link.
    let waiting = app.get(&path).token(&school.admin).send().await.expect(200);
    assert!(waiting.list().iter().all(|p| p["sourced_id"] != "u1"), "{}", waiting.json);
    app.post(&format!("{path}/{id}/link")).token(&school.admin).send().await.problem(409, "already_member");
    // Only the school's admins see the list and give links.
    let other = app.school(775).await;
    let refused = app.get(&path).token(&other.admin).send().await;
    assert!(matches!(refused.status.as_u16(), 403 | 404), "{}", refused.status);
    app.post(&format!("/api/v1/orgs/{}/roster/people/{id}/link", other.org))
        .token(&other.admin)
        .send()
        .await
        .problem(404, "not_found");
}

async fn bundles_that_cannot_be_read_are_refused_whole_and_nothing_changes(app: TestApp) {
    let school = app.school(764).await;
    let org = school.org;
    let send = |bundle: Vec<u8>| {
        app.post(&format!("/api/v1/orgs/{org}/roster/import?apply=true"))
            .token(&school.admin)
            .raw("application/zip", bundle)
    };
    send(b"not a zip at all".to_vec()).send().await.invalid(&[("bundle", "not_a_zip")]);
    // Windows-1251 where UTF-8 is due: the file and line are named.
    let mut cp1251 = USERS_HEADER.as_bytes().to_vec();
    cp1251.extend(b"u1,,,true,,,\xcc\xe8\xf8\xe0,\xc2\xee\xeb\xea\xee\xe2,,,,,,,,\n");
    let bundle = zip_of(&[("manifest.csv", MANIFEST.into()), ("orgs.csv", ORGS.into()), ("users.csv", cp1251)]);
    send(bundle).send().await.invalid(&[("users.csv:2", "not_utf8")]);
    // A zip bomb: 40 MB of commas unpacks no further than the limit.
    let bomb = zip_of(&[("manifest.csv", MANIFEST.into()), ("users.csv", vec![b','; 40 << 20])]);
    assert!(bomb.len() < 1 << 20, "the bomb is small: {}", bomb.len());
    send(bomb).send().await.invalid(&[("users.csv", "too_large")]);
    let no_manifest = zip_of(&[("orgs.csv", ORGS.into())]);
    send(no_manifest).send().await.invalid(&[("manifest.csv", "file_missing")]);
    let old = zip_of(&[("manifest.csv", b"propertyName,value\noneroster.version,1.0\n".to_vec())]);
    send(old).send().await.invalid(&[("manifest.csv", "version_unsupported")]);
    let no_family = zip_of(&[
        ("manifest.csv", MANIFEST.into()),
        ("orgs.csv", ORGS.into()),
        ("users.csv", b"sourcedId,givenName\nu1,Anna\n".to_vec()),
    ]);
    send(no_family).send().await.invalid(&[("users.csv:familyName", "column_missing")]);
    assert_eq!(class_names(&app, org, &school.admin).await, ["Учительская"]);
}
