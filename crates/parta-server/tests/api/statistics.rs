//! Statistics of reach and care, checked against the test's own model of who joined,
//! read, confirmed and reported; the class teacher's names of the missing; the
//! authority's curator reading figures and nothing else.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::messaging::{chat_id, quiet_hours_now};
use crate::on_both_backends;
use crate::support::{ORDER_PDF, PASSWORD, Person, TestApp, application_fields, multipart};

on_both_backends!(
    a_schools_figures_match_what_happened,
    a_curator_reads_figures_and_nothing_else,
    the_journal_figures_are_the_compliance_reports
);

/// Days of this week so far in the test schools' time zone (Monday is 1).
fn days_of_week_so_far() -> f64 {
    let zone = jiff::tz::TimeZone::get("Asia/Yekaterinburg").expect("zone");
    let today = jiff::Timestamp::now().to_zoned(zone).date();
    f64::from(today.weekday().to_monday_one_offset())
}

fn figure(stats: &Value, name: &str) -> i64 {
    stats["current"][name].as_i64().unwrap_or_else(|| panic!("{name} in {}", stats["current"]))
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < 1e-9
}

async fn a_schools_figures_match_what_happened(app: TestApp) {
    let operator = app.operator().await;
    let school = app.school_with(&operator, 161).await;
    let org = school.org;
    let c5a = app.create_class(&school, "5А", 5).await;
    let c5b = app.create_class(&school, "5Б", 5).await;

    // The model: who joined where, with whom.
    let class_teacher = app.join(&school, c5a, "teacher", None, "Классова").await;
    app.assign_class_teacher(&school, c5a, class_teacher.id).await;
    let mut students_5a: Vec<Person> = Vec::new();
    for name in ["Алексеев", "Борисова", "Васильев"] {
        students_5a.push(app.join(&school, c5a, "student", None, name).await);
    }
    let student_5b = app.join(&school, c5b, "student", None, "Григорьев").await;
    // Two parents of the first student of 5А, one of 5Б's; the other two of 5А have none.
    let mother = app.join(&school, c5a, "parent", Some(students_5a[0].id), "Алексеева").await;
    let father = app.join(&school, c5a, "parent", Some(students_5a[0].id), "Алексеевотец").await;
    app.join(&school, c5b, "parent", Some(student_5b.id), "Григорьева").await;
    let unverified = app.join_unverified(&school, school.staff_room, "teacher", None, "Новенькая").await;

    // A post to confirm in 5А's parents chat: the mother reads and confirms, the father does neither.
    let parents_chat = chat_id(&app, &class_teacher.token, org, "parents", Some(c5a)).await;
    let post = app
        .post(&format!("/api/v1/chats/{parents_chat}/messages"))
        .token(&class_teacher.token)
        .json(json!({ "client_msg_id": "ack-1", "body": "Собрание в четверг", "needs_ack": true }))
        .send()
        .await
        .expect(201);
    let (post_id, post_seq) = (post.id(), post.json["seq"].as_i64().expect("seq"));
    app.post(&format!("/api/v1/chats/{parents_chat}/read"))
        .token(&mother.token)
        .json(json!({ "seq": post_seq }))
        .send()
        .await
        .expect(204);
    app.post(&format!("/api/v1/chats/{parents_chat}/messages/{post_id}/ack"))
        .token(&mother.token)
        .send()
        .await
        .expect(204);
    let members = app.get(&format!("/api/v1/chats/{parents_chat}/members")).token(&class_teacher.token).send().await;
    let members = members.expect(200);
    // The father has not opened the chat: the post is for him, unread and unconfirmed.
    let recipients: Vec<&Value> =
        members.list().iter().filter(|m| m["person"]["id"] != json!(class_teacher.id)).collect();
    assert!(recipients.iter().any(|m| m["person"]["id"] == json!(father.id)));
    let recipients_read = recipients.iter().filter(|m| m["last_read_seq"].as_i64() >= Some(post_seq)).count() as i64;

    // The school channel: the admin posts; 5Б's student reads it.
    let channel = chat_id(&app, &school.admin, org, "school_channel", None).await;
    let news = app
        .post(&format!("/api/v1/chats/{channel}/messages"))
        .token(&school.admin)
        .json(json!({ "client_msg_id": "news-1", "body": "Каникулы с понедельника" }))
        .send()
        .await
        .expect(201);
    let news_seq = news.json["seq"].as_i64().expect("seq");
    app.post(&format!("/api/v1/chats/{channel}/read"))
        .token(&student_5b.token)
        .json(json!({ "seq": news_seq }))
        .send()
        .await
        .expect(204);
    let channel_members = app.get(&format!("/api/v1/chats/{channel}/members")).token(&school.admin).send().await;
    let channel_members = channel_members.expect(200).list().clone();
    let channel_readers = channel_members.iter().filter(|m| m["last_read_seq"].as_i64() >= Some(news_seq)).count();

    // A report, resolved by the admin; another left open.
    let class_chat = chat_id(&app, &class_teacher.token, org, "class", Some(c5a)).await;
    let rude = app
        .post(&format!("/api/v1/chats/{class_chat}/messages"))
        .token(&students_5a[1].token)
        .json(json!({ "client_msg_id": "rude", "body": "Грубость" }))
        .send()
        .await
        .expect(201)
        .id();
    let report = app
        .post(&format!("/api/v1/chats/{class_chat}/messages/{rude}/report"))
        .token(&students_5a[2].token)
        .json(json!({ "reason": "Оскорбление" }))
        .send()
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/chats/{class_chat}/messages/{rude}/report"))
        .token(&students_5a[0].token)
        .json(json!({ "reason": "Тоже" }))
        .send()
        .await
        .expect(201);
    app.post(&format!("/api/v1/orgs/{org}/reports/{report}/resolve"))
        .token(&school.admin)
        .json(json!({ "delete_message": true }))
        .send()
        .await
        .expect(200);

    // Quiet hours now: the class teacher's post to the class is held until they end.
    quiet_hours_now(&app, org, &school.admin).await;
    let held = app
        .post(&format!("/api/v1/chats/{class_chat}/messages"))
        .token(&class_teacher.token)
        .json(json!({ "client_msg_id": "late", "body": "Поздно вечером" }))
        .send()
        .await
        .expect(201);
    assert!(held.json["held_until"].is_string(), "held: {}", held.json);

    // One invite link made and not used.
    app.invite(&school.admin, org, json!({ "class_id": c5b, "role": "student", "requires_approval": false })).await;

    let stats = app.get(&format!("/api/v1/orgs/{org}/statistics?period=week")).token(&school.admin).send().await;
    let stats = stats.expect(200).json;

    // Reach, class by class.
    let class = |name: &str| {
        stats["reach"]["classes"].as_array().expect("classes").iter().find(|c| c["class"]["name"] == name).cloned()
    };
    let a = class("5А").expect("5А");
    assert_eq!(
        (a["students"].as_i64(), a["students_with_parent"].as_i64(), a["parents"].as_i64()),
        (Some(3), Some(1), Some(2))
    );
    let b = class("5Б").expect("5Б");
    assert_eq!(
        (b["students"].as_i64(), b["students_with_parent"].as_i64(), b["parents"].as_i64()),
        (Some(1), Some(1), Some(1))
    );
    let reach = &stats["reach"];
    assert_eq!(reach["students"], 4);
    assert_eq!(reach["students_with_parent"], 2);
    assert_eq!(reach["parents"], 3);
    // Staff: the admin, the class teacher, the unverified teacher.
    assert_eq!(reach["staff"], 3);
    assert_eq!(reach["teachers_unverified"], 1, "only {} is unverified", unverified.id);

    // Invites: one per person who joined, plus the spare; everyone's but the spare was used.
    let joined_people = 3 + 1 + 3 + 2; // students, parents, teachers
    assert_eq!(figure(&stats, "invites_created"), joined_people + 1);
    assert_eq!(figure(&stats, "invites_used"), joined_people);
    // Links still open: as the invites list tells each one's state (a link serves several people).
    let invites = app.get(&format!("/api/v1/orgs/{org}/invites")).token(&school.admin).send().await.expect(200);
    let open = invites.list().iter().filter(|i| i["status"] == "active" && i["grants_admin"] == false).count();
    assert!(open >= 1);
    assert_eq!(reach["open_invites"], open as i64);
    // The admin joined too, by the approval's link.
    assert_eq!(figure(&stats, "joined"), joined_people + 1);

    // Being heard.
    assert_eq!(figure(&stats, "ack_posts"), 1);
    assert_eq!(figure(&stats, "ack_recipients"), recipients.len() as i64);
    assert_eq!(figure(&stats, "ack_read"), recipients_read);
    assert_eq!(figure(&stats, "ack_confirmed"), 1);
    assert_eq!(figure(&stats, "ack_confirmed_within_day"), 1);
    assert_eq!(figure(&stats, "channel_posts"), 1);
    assert_eq!(figure(&stats, "channel_members"), channel_members.len() as i64);
    assert_eq!(figure(&stats, "channel_readers"), channel_readers as i64);
    assert!(channel_readers >= 1);

    // Two weeks on the post has settled: counted once, its figures read from that count
    // are the same, and the father's confirmation after that no longer moves them.
    let later = parta_server::clock::now_ms() + (parta_domain::statistics::SETTLED_AFTER_DAYS + 1) * 86_400_000;
    let counted = parta_server::actions::statistics::count_settled_posts(&app.state, later).await.expect("counted");
    assert_eq!(counted, 1);
    assert_eq!(parta_server::actions::statistics::count_settled_posts(&app.state, later).await.expect("again"), 0);
    app.post(&format!("/api/v1/chats/{parents_chat}/messages/{post_id}/ack"))
        .token(&father.token)
        .send()
        .await
        .expect(204);
    let settled = app.get(&format!("/api/v1/orgs/{org}/statistics?period=week")).token(&school.admin).send().await;
    let settled = settled.expect(200).json;
    for name in ["ack_posts", "ack_recipients", "ack_read", "ack_confirmed", "ack_confirmed_within_day"] {
        assert_eq!(figure(&settled, name), figure(&stats, name), "{name} once settled");
    }

    // Care.
    assert_eq!(figure(&stats, "reports_raised"), 2);
    assert_eq!(figure(&stats, "reports_resolved"), 1);
    assert!(stats["current"]["report_resolve_hours"].as_f64().is_some_and(|h| (0.0..0.1).contains(&h)));
    assert_eq!(figure(&stats, "quiet_holds"), 1);

    // Activity: everyone signed in today (registering signs in), each counted once.
    let days = days_of_week_so_far();
    let groups: BTreeSet<(String, i64)> = stats["current"]["activity"]
        .as_array()
        .expect("activity")
        .iter()
        .map(|g| {
            let people = g["people"].as_i64().expect("people");
            assert!(close(g["daily_average"].as_f64().expect("daily"), people as f64 / days), "{g}");
            assert!(close(g["weekly_average"].as_f64().expect("weekly"), people as f64), "{g}");
            (g["group"].as_str().expect("group").to_owned(), people)
        })
        .collect();
    let expected: BTreeSet<(String, i64)> =
        [("parent".to_owned(), 3), ("staff".to_owned(), 3), ("student".to_owned(), 4)].into_iter().collect();
    assert_eq!(groups, expected);
    // Today's line of the chart says the same.
    let today = stats["daily"].as_array().expect("daily").last().cloned().expect("today");
    assert_eq!(
        (today["students"].as_i64(), today["parents"].as_i64(), today["staff"].as_i64()),
        (Some(4), Some(3), Some(3))
    );
    // Nothing last week.
    assert_eq!(stats["previous"]["ack_posts"], 0);

    // The class teacher: 5А's students with no parent, by name; not the school's figures.
    let detail = app
        .get(&format!("/api/v1/orgs/{org}/classes/{c5a}/reach"))
        .token(&class_teacher.token)
        .send()
        .await
        .expect(200);
    let missing: Vec<i64> =
        detail.json["without_parent"].as_array().expect("list").iter().map(|p| p["id"].as_i64().expect("id")).collect();
    assert_eq!(missing, [students_5a[1].id, students_5a[2].id]);
    app.get(&format!("/api/v1/orgs/{org}/classes/{c5b}/reach"))
        .token(&class_teacher.token)
        .send()
        .await
        .problem(403, "forbidden");
    app.get(&format!("/api/v1/orgs/{org}/statistics"))
        .token(&class_teacher.token)
        .send()
        .await
        .problem(403, "forbidden");
    app.get(&format!("/api/v1/orgs/{org}/statistics?period=decade"))
        .token(&school.admin)
        .send()
        .await
        .invalid(&[("period", "invalid_value")]);

    // The file says what the page says.
    let csv = app
        .get(&format!("/api/v1/orgs/{org}/statistics/export?period=week&format=csv"))
        .token(&school.admin)
        .send()
        .await
        .expect(200);
    let text = String::from_utf8(csv.bytes.clone()).expect("utf-8");
    assert!(text.contains("5А;3;1;2;2"), "{text}");
    assert!(text.contains("Подтвердили;"), "{text}");
    assert!(!text.to_lowercase().contains("сообщений отправлено"));
}

async fn a_curator_reads_figures_and_nothing_else(app: TestApp) {
    let operator = app.operator().await;
    let school = app.school_with(&operator, 171).await;
    let other = app.school_with(&operator, 172).await;
    let c5a = app.create_class(&school, "5А", 5).await;
    let student = app.join(&school, c5a, "student", None, "Ученица").await;
    app.join(&school, c5a, "parent", Some(student.id), "Мама").await;

    let authority = app
        .post("/api/v1/authorities")
        .token(&operator)
        .json(json!({ "name": "Управление образования города", "region": "Свердловская область" }))
        .send()
        .await
        .expect(201)
        .id();
    app.post("/api/v1/authorities")
        .token(&operator)
        .json(json!({ "name": "Управление образования города", "region": "Другой" }))
        .send()
        .await
        .problem(409, "authority_exists");
    app.post("/api/v1/authorities")
        .token(&operator)
        .json(json!({ "name": "", "region": "" }))
        .send()
        .await
        .invalid(&[("name", "required"), ("region", "required")]);
    app.put(&format!("/api/v1/authorities/{authority}/schools/{}", school.org))
        .token(&operator)
        .send()
        .await
        .expect(200);
    app.put(&format!("/api/v1/authorities/{authority}/schools/999999"))
        .token(&operator)
        .send()
        .await
        .invalid(&[("org_id", "unknown_school")]);
    let added = app
        .post(&format!("/api/v1/authorities/{authority}/curators"))
        .token(&operator)
        .json(json!({ "family_name": "Кураторова", "given_name": "Анна", "email": "curator@city.test" }))
        .send()
        .await
        .expect(201);
    let code = added.json["code"].as_str().expect("a code for a new account").to_owned();
    app.post("/api/v1/auth/set-password").json(json!({ "token": code, "password": PASSWORD })).send().await.expect(204);
    let curator = app.login("curator@city.test", PASSWORD).await;
    let me = app.me(&curator).await;
    assert_eq!(me["authorities"][0]["id"], authority);
    assert_eq!(me["schools"], json!([]));

    // The school's figures, and the same line in the authority's comparison.
    let own = app.get(&format!("/api/v1/orgs/{}/statistics?period=month", school.org)).token(&curator).send().await;
    let own = own.expect(200).json;
    let side_by_side =
        app.get(&format!("/api/v1/authorities/{authority}/statistics?period=month")).token(&curator).send().await;
    let side_by_side = side_by_side.expect(200).json;
    let line = &side_by_side["schools"][0];
    assert_eq!(line["org_id"], school.org);
    assert_eq!(side_by_side["schools"].as_array().map(Vec::len), Some(1));
    for key in ["students", "students_with_parent", "parents", "staff"] {
        assert_eq!(line["reach"][key], own["reach"][key], "{key}");
    }
    assert_eq!(line["reach"]["classes"], json!([]), "no classes in the comparison");
    assert_eq!(line["current"]["joined"], own["current"]["joined"]);
    // The same as a file: a row per school.
    let csv = app
        .get(&format!("/api/v1/authorities/{authority}/statistics/export?period=month&format=csv"))
        .token(&curator)
        .send()
        .await
        .expect(200);
    let text = String::from_utf8(csv.bytes.clone()).expect("utf-8");
    assert!(
        text.contains("Школа;Присоединились к школе;")
            && text.contains(&format!("\n{};", own["school"].as_str().expect("name"))),
        "{text}"
    );
    app.get(&format!("/api/v1/authorities/{authority}/statistics/export?format=pdf"))
        .token(&curator)
        .send()
        .await
        .invalid(&[("format", "unsupported")]);
    // No names: nothing in the comparison is a person.
    let text = side_by_side.to_string();
    assert!(!text.contains("Ученица") && !text.contains("Мама"), "{text}");

    // Nothing else of the school: its people, a class's names, its chats, its audit log.
    for path in [
        format!("/api/v1/orgs/{}/members", school.org),
        format!("/api/v1/orgs/{}/classes/{c5a}/reach", school.org),
        format!("/api/v1/orgs/{}/audit", school.org),
        format!("/api/v1/orgs/{}/reports", school.org),
        format!("/api/v1/orgs/{}", school.org),
    ] {
        app.get(&path).token(&curator).send().await.problem(404, "not_found");
    }
    let chats = app.get("/api/v1/chats").token(&curator).send().await.expect(200);
    assert_eq!(chats.json, json!([]));
    // Another school, not attached: as if it did not exist.
    app.get(&format!("/api/v1/orgs/{}/statistics", other.org)).token(&curator).send().await.problem(404, "not_found");
    // A curator of another authority sees neither the school nor this authority.
    let elsewhere = app
        .post("/api/v1/authorities")
        .token(&operator)
        .json(json!({ "name": "Другое управление", "region": "Пермский край" }))
        .send()
        .await
        .expect(201)
        .id();
    app.put(&format!("/api/v1/authorities/{elsewhere}/schools/{}", other.org))
        .token(&operator)
        .send()
        .await
        .expect(200);
    let added = app
        .post(&format!("/api/v1/authorities/{elsewhere}/curators"))
        .token(&operator)
        .json(json!({ "family_name": "Чужая", "given_name": "Кураторша", "email": "other@city.test" }))
        .send()
        .await
        .expect(201);
    let code = added.json["code"].as_str().expect("code").to_owned();
    app.post("/api/v1/auth/set-password").json(json!({ "token": code, "password": PASSWORD })).send().await.expect(204);
    let stranger = app.login("other@city.test", PASSWORD).await;
    app.get(&format!("/api/v1/orgs/{}/statistics", school.org)).token(&stranger).send().await.problem(404, "not_found");
    app.get(&format!("/api/v1/authorities/{authority}/statistics"))
        .token(&stranger)
        .send()
        .await
        .problem(404, "not_found");
    app.get(&format!("/api/v1/orgs/{}/statistics", other.org)).token(&stranger).send().await.expect(200);
    // Once the school leaves the authority, its curator loses it.
    app.delete(&format!("/api/v1/authorities/{authority}/schools/{}", school.org))
        .token(&operator)
        .send()
        .await
        .expect(200);
    app.get(&format!("/api/v1/orgs/{}/statistics", school.org)).token(&curator).send().await.problem(404, "not_found");

    // An application that names the authority: on approval the school joins it.
    let mut fields = application_fields(173);
    fields.push(("authority", "  управление образования города ".to_owned()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (content_type, body) = multipart(&pairs, &[("order", "приказ.pdf", ORDER_PDF)]);
    let applied = app.post("/api/v1/applications").raw(&content_type, body).send().await.expect(201).id();
    let shown = app.get(&format!("/api/v1/applications/{applied}")).token(&operator).send().await.expect(200);
    assert_eq!(shown.json["authority"], "управление образования города");
    let approved =
        app.post(&format!("/api/v1/applications/{applied}/approve")).token(&operator).send().await.expect(200);
    let list = app.get("/api/v1/authorities").token(&curator).send().await.expect(200);
    let schools: Vec<i64> =
        list.json[0]["schools"].as_array().expect("schools").iter().filter_map(|s| s["org_id"].as_i64()).collect();
    assert_eq!(schools, [approved.json["org_id"].as_i64().expect("org")]);

    // The operator: the platform in aggregate.
    let platform = app.get("/api/v1/statistics?period=week").token(&operator).send().await.expect(200);
    assert!(platform.json["schools"].as_i64() >= Some(2));
    assert!(platform.json["authorities"].as_i64() >= Some(2));
    assert!(platform.json["curators"].as_i64() >= Some(2));
    app.get("/api/v1/statistics").token(&curator).send().await.problem(403, "forbidden");
}

/// The demo school's weeks of journal: the statistics count homework and marks on time
/// exactly as the compliance report does, over the same days.
async fn the_journal_figures_are_the_compliance_reports(app: TestApp) {
    parta_server::demo::seed(&app.state).await.expect("the demo school");
    let director = app.login("director@demo.parta.local", "demo-parta-2026").await;
    let org = app.me(&director).await["schools"][0]["org_id"].as_i64().expect("the demo school");
    for period in ["week", "month", "year"] {
        let stats = app.get(&format!("/api/v1/orgs/{org}/statistics?period={period}")).token(&director).send().await;
        let stats = stats.expect(200).json;
        for (figures, span) in
            [(&stats["current"], &stats["period"]["so_far"]), (&stats["previous"], &stats["period"]["previous"])]
        {
            let (from, to) = (span["first"].as_str().expect("first"), span["last"].as_str().expect("last"));
            let report = app
                .get(&format!("/api/v1/orgs/{org}/compliance?from={from}&to={to}"))
                .token(&director)
                .send()
                .await
                .expect(200)
                .json;
            for (mine, theirs) in [
                ("lessons", "lessons"),
                ("homework_set", "homework_set"),
                ("homework_late", "homework_late"),
                ("marks", "marks"),
                ("late_marks", "late_marks"),
            ] {
                assert_eq!(figures[mine], report["total"][theirs], "{period} {from}…{to}: {mine}");
            }
        }
        if period == "month" {
            assert!(stats["current"]["lessons"].as_i64() > Some(0) || stats["previous"]["lessons"].as_i64() > Some(0));
        }
    }
}
