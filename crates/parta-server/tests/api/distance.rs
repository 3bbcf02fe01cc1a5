//! Remote learning by the director's order through the API (seed 001 §4–6): the order
//! registered with its document, each class told in its class and parents' chats by a
//! post to confirm, the class teacher seeing who has not, and the order ended early.

use serde_json::{Value, json};

use crate::journal::{days_ahead, week};
use crate::messaging::chat_id;
use crate::on_both_backends;
use crate::support::{TestApp, multipart};
use crate::timetable::setup;

on_both_backends!(
    an_order_puts_classes_on_remote_learning_tells_their_families_and_ends_early,
    lessons_under_an_order_are_online_and_cut_to_the_grades_length,
    students_without_a_device_get_individual_assignments_marked_after_the_order,
);

/// Days from today where the school is (its orders are in force by its calendar).
fn days_from(today: jiff::civil::Date) -> impl Fn(i64) -> String {
    move |days| today.checked_add(jiff::Span::new().days(days)).expect("a date").to_string()
}

async fn an_order_puts_classes_on_remote_learning_tells_their_families_and_ends_early(app: TestApp) {
    let s = setup(&app, 605).await;
    let org = s.school.org;
    let profile = app.get(&format!("/api/v1/orgs/{org}")).token(&s.school.admin).send().await.expect(200).json;
    let zone = jiff::tz::TimeZone::get(profile["time_zone"].as_str().expect("a time zone")).expect("a known zone");
    let today_plus = days_from(jiff::Timestamp::now().to_zoned(zone).date());
    let class_teacher = app.join(&s.school, s.school.staff_room, "teacher", None, "Классова").await;
    app.assign_class_teacher(&s.school, s.class_a, class_teacher.id).await;
    let parent = app.join(&s.school, s.class_a, "parent", Some(s.student.id), "Родителева").await;
    let (content_type, body) = multipart(&[], &[("file", "prikaz-112.pdf", b"%PDF-1.4 signed")]);
    let document = app
        .post(&format!("/api/v1/orgs/{org}/journal/files"))
        .token(&s.school.admin)
        .raw(&content_type, body)
        .send()
        .await
        .expect(201)
        .id();
    let orders = format!("/api/v1/orgs/{org}/orders");
    let (starts, ends) = (today_plus(-1), today_plus(3));
    let request = |classes: Value| {
        json!({
            "number": "112-о", "issued_on": today_plus(-2), "reason": "Морозы: температура воздуха ниже −30 °C",
            "starts_on": starts, "ends_on": ends, "class_ids": classes, "document": document,
        })
    };

    // Only the director or an admin issues one, and a bad one is refused field by field.
    app.post(&orders).token(&s.maths.token).json(request(json!([s.class_a]))).send().await.problem(403, "forbidden");
    let mut bad = request(json!([]));
    bad["ends_on"] = json!(today_plus(-3));
    bad["number"] = json!(" ");
    app.post(&orders).token(&s.school.admin).json(bad).send().await.invalid(&[
        ("number", "required"),
        ("ends_on", "ends_before_start"),
        ("issued_on", "after_period"),
        ("class_ids", "required"),
    ]);
    let mut foreign = request(json!([s.class_a, 999_999]));
    foreign["document"] = json!(999_999);
    app.post(&orders)
        .token(&s.school.admin)
        .json(foreign)
        .send()
        .await
        .invalid(&[("class_ids[1]", "unknown_class"), ("document", "unknown_file")]);

    let issued =
        app.post(&orders).token(&s.school.admin).json(request(json!([s.class_a]))).send().await.expect(201).json;
    assert_eq!(
        (issued["number"].as_str(), issued["in_force"].as_bool(), issued["in_force_until"].as_str()),
        (Some("112-о"), Some(true), Some(ends.as_str()))
    );
    assert_eq!(
        issued["classes"].as_array().map(|c| c.iter().map(|c| c["name"].clone()).collect::<Vec<_>>()),
        Some(vec![json!("5А")])
    );
    assert_eq!(issued["document"]["name"], "prikaz-112.pdf");
    // Told in 5А's class chat and parents' chat, not in 5Б's.
    let class_chat = chat_id(&app, &class_teacher.token, org, "class", Some(s.class_a)).await;
    let parents_chat = chat_id(&app, &class_teacher.token, org, "parents", Some(s.class_a)).await;
    let mut told: Vec<i64> = issued["announcements"]
        .as_array()
        .expect("announcements")
        .iter()
        .filter_map(|a| a["chat_id"].as_i64())
        .collect();
    told.sort_unstable();
    let mut expected = vec![class_chat, parents_chat];
    expected.sort_unstable();
    assert_eq!(told, expected);
    let page = app.get(&format!("/api/v1/chats/{parents_chat}/messages")).token(&parent.token).send().await.expect(200);
    let post = page.json["messages"].as_array().expect("messages").last().cloned().expect("the announcement");
    let text = post["body"].as_str().expect("body");
    assert!(text.starts_with("Приказ № 112-о от ") && text.contains("обучение 5А проходит дистанционно"), "{text}");
    assert!(text.contains("не дольше 30 минут"), "a 5th grade's online lesson: {text}");
    assert_eq!(post["needs_ack"], true);
    // The family reads the signed document; the class teacher sees who has not confirmed.
    app.get(&format!("/api/v1/files/{document}")).token(&parent.token).send().await.expect(200);
    let message = post["id"].as_i64().expect("id");
    let acks = format!("/api/v1/chats/{parents_chat}/messages/{message}/acks");
    let pending = app.get(&acks).token(&class_teacher.token).send().await.expect(200).json;
    assert!(pending["pending"].as_array().expect("pending").iter().any(|p| p["id"] == parent.id), "{pending}");
    app.post(&format!("/api/v1/chats/{parents_chat}/messages/{message}/ack"))
        .token(&parent.token)
        .send()
        .await
        .expect(204);
    let after = app.get(&acks).token(&class_teacher.token).send().await.expect(200).json;
    assert!(
        after["confirmed"].as_array().expect("confirmed").iter().any(|p| p["person"]["id"] == parent.id),
        "{after}"
    );
    // Everyone of the school reads the orders.
    let list = app.get(&orders).token(&s.other_student.token).send().await.expect(200).json;
    assert_eq!(list.as_array().map(Vec::len), Some(1));

    // Ended early: in force through today, the chats told the timetable is back tomorrow.
    let id = issued["id"].as_i64().expect("id");
    let end = format!("{orders}/{id}/end");
    app.post(&end).token(&s.maths.token).send().await.problem(403, "forbidden");
    let ended = app.post(&end).token(&s.school.admin).send().await.expect(200).json;
    assert_eq!(
        (ended["in_force_until"].as_str(), ended["in_force"].as_bool()),
        (Some(today_plus(0).as_str()), Some(true))
    );
    assert!(ended["ended_early_at"].is_string());
    app.post(&end).token(&s.school.admin).send().await.problem(409, "order_ended");
    let page =
        app.get(&format!("/api/v1/chats/{class_chat}/messages")).token(&s.student.token).send().await.expect(200);
    let note = page.json["messages"].as_array().expect("messages").last().cloned().expect("the note");
    let tomorrow: jiff::civil::Date = today_plus(1).parse().expect("a date");
    let next = format!("{:02}.{:02}.{}", tomorrow.day(), tomorrow.month(), tomorrow.year());
    assert!(
        note["body"].as_str().is_some_and(|b| b.contains(&format!("с {next} обучение 5А идёт по обычному расписанию"))),
        "{note}"
    );
    assert_eq!(note["needs_ack"], false);

    // An order ended before it began never takes force.
    let mut later = request(json!([s.class_b]));
    later["starts_on"] = json!(today_plus(5));
    later["ends_on"] = json!(today_plus(9));
    later["document"] = Value::Null;
    let later = app.post(&orders).token(&s.school.admin).json(later).send().await.expect(201).json;
    assert_eq!(later["in_force"], false);
    let id = later["id"].as_i64().expect("id");
    let cancelled = app.post(&format!("{orders}/{id}/end")).token(&s.school.admin).send().await.expect(200).json;
    assert!(cancelled["in_force_until"].is_null());
    let audit = app.get(&format!("/api/v1/orgs/{org}/audit")).token(&s.school.admin).send().await.expect(200).json;
    let actions: Vec<&str> = audit.as_array().expect("audit").iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"order_issued") && actions.contains(&"order_ended"), "{actions:?}");
}

/// Each lesson of a day as the week shows it: (number, online until, the order's number).
fn remote_of(day: &Value) -> Vec<(i64, Option<String>, Option<String>)> {
    day["lessons"]
        .as_array()
        .expect("lessons")
        .iter()
        .map(|l| {
            (
                l["number"].as_i64().unwrap_or(0),
                l["remote"]["ends_at"].as_str().map(str::to_owned),
                l["remote"]["order_number"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

async fn lessons_under_an_order_are_online_and_cut_to_the_grades_length(app: TestApp) {
    let s = setup(&app, 606).await;
    week(&app, &s).await;
    let [monday, _, _] = days_ahead(&app, &s).await;
    let org = s.school.org;
    let order = json!({
        "number": "9-о", "issued_on": monday, "reason": "Карантин по гриппу и ОРВИ",
        "starts_on": monday, "ends_on": monday, "class_ids": [s.class_a],
    });
    let issued =
        app.post(&format!("/api/v1/orgs/{org}/orders")).token(&s.school.admin).json(order).send().await.expect(201);
    let id = issued.json["id"].as_i64().expect("id");
    // The announcement gives the day's bells as they are for those days.
    let class_chat = chat_id(&app, &s.student.token, org, "class", Some(s.class_a)).await;
    let page =
        app.get(&format!("/api/v1/chats/{class_chat}/messages")).token(&s.student.token).send().await.expect(200);
    let last = page.json["messages"].as_array().and_then(|m| m.last()).cloned().unwrap_or_default();
    let text = last["body"].as_str().unwrap_or_default();
    assert!(text.contains("Звонки на эти дни:\n1 урок: 08:30–09:00\n2 урок: 09:20–09:50\n"), "{text}");
    let week_of = |class: i64| format!("/api/v1/orgs/{org}/years/{}/week?date={monday}&class_id={class}", s.year);
    let a = app.get(&week_of(s.class_a)).token(&s.school.admin).send().await.expect(200).json;
    // 5А's Monday maths, 08:30–09:10, runs online until 09:00 (30 minutes, seed 001 §5.1);
    // Tuesday is after the order, and 5Б is not under it.
    assert_eq!(remote_of(&a["days"][0]), [(1, Some("09:00".to_owned()), Some("9-о".to_owned()))]);
    assert!(remote_of(&a["days"][1]).iter().all(|(_, until, _)| until.is_none()), "{}", a["days"][1]);
    let b = app.get(&week_of(s.class_b)).token(&s.school.admin).send().await.expect(200).json;
    assert!(
        b["days"].as_array().expect("days").iter().all(|d| remote_of(d).iter().all(|(_, until, _)| until.is_none()))
    );
    // The student's diary says the same.
    let diary = app
        .get(&format!("/api/v1/orgs/{org}/diary?student_id={}&date={monday}", s.student.id))
        .token(&s.student.token)
        .send()
        .await
        .expect(200)
        .json;
    assert_eq!(diary["days"][0]["lessons"][0]["remote"]["ends_at"], "09:00");
    assert!(diary["days"][1]["lessons"].as_array().expect("lessons").iter().all(|l| l["remote"].is_null()));
    // Ended before it began: the week is the timetable's again.
    app.post(&format!("/api/v1/orgs/{org}/orders/{id}/end")).token(&s.school.admin).send().await.expect(200);
    let a = app.get(&week_of(s.class_a)).token(&s.school.admin).send().await.expect(200).json;
    assert_eq!(remote_of(&a["days"][0]), [(1, None, None)]);
}

async fn students_without_a_device_get_individual_assignments_marked_after_the_order(app: TestApp) {
    let s = setup(&app, 607).await;
    week(&app, &s).await;
    let [monday, tuesday, saturday] = days_ahead(&app, &s).await;
    let org = s.school.org;
    let class_teacher = app.join(&s.school, s.school.staff_room, "teacher", None, "Классова").await;
    app.assign_class_teacher(&s.school, s.class_a, class_teacher.id).await;
    let parent = app.join(&s.school, s.class_a, "parent", Some(s.student.id), "Родителева").await;
    let order = json!({
        "number": "14-о", "issued_on": monday, "reason": "Карантин", "starts_on": monday, "ends_on": tuesday,
        "class_ids": [s.class_a],
    });
    let order = app.post(&format!("/api/v1/orgs/{org}/orders")).token(&s.school.admin).json(order).send().await;
    let id = order.expect(201).json["id"].as_i64().expect("id");
    let offline = format!("/api/v1/orgs/{org}/orders/{id}/offline");
    let individual = format!("/api/v1/orgs/{org}/orders/{id}/individual");
    let task = |due_on: &str| json!({ "student_id": s.student.id, "assignment_id": s.maths_a, "body": "§12, № 45–52 письменно", "due_on": due_on });

    // Only for a student marked without a device.
    app.post(&individual)
        .token(&s.maths.token)
        .json(task(&saturday))
        .send()
        .await
        .invalid(&[("student_id", "not_offline")]);
    // The class teacher marks them; another teacher may not, nor may 5Б's be marked under 5А's order.
    let mark_offline = |class: i64, students: Vec<i64>| json!({ "class_id": class, "student_ids": students });
    app.put(&offline)
        .token(&s.maths.token)
        .json(mark_offline(s.class_a, vec![s.student.id]))
        .send()
        .await
        .problem(403, "forbidden");
    app.put(&offline)
        .token(&s.school.admin)
        .json(mark_offline(s.class_b, vec![s.student.id]))
        .send()
        .await
        .invalid(&[("class_id", "not_in_order"), ("student_ids[0]", "unknown_student")]);
    let marked =
        app.put(&offline).token(&class_teacher.token).json(mark_offline(s.class_a, vec![s.student.id])).send().await;
    let marked = marked.expect(200).json;
    assert_eq!(
        (marked[0]["person"]["id"].as_i64(), marked[0]["class"]["name"].as_str()),
        (Some(s.student.id), Some("5А"))
    );
    app.get(&offline).token(&s.maths.token).send().await.expect(200);
    app.get(&offline).token(&s.student.token).send().await.problem(403, "forbidden");

    // Due after the order, set by the subject's teacher of their class.
    app.post(&individual)
        .token(&s.maths.token)
        .json(task(&tuesday))
        .send()
        .await
        .invalid(&[("due_on", "during_order")]);
    let mut english = task(&saturday);
    english["assignment_id"] = json!(s.maths_b);
    app.post(&individual).token(&s.maths.token).json(english).send().await.invalid(&[("student_id", "not_offline")]);
    app.post(&individual).token(&s.english.token).json(task(&saturday)).send().await.problem(403, "forbidden");
    // A group's teacher sets work to the group's students only (nobody is in group 2).
    let mut group_work = task(&saturday);
    group_work["assignment_id"] = json!(s.english_g2);
    app.post(&individual)
        .token(&s.english_2.token)
        .json(group_work)
        .send()
        .await
        .invalid(&[("student_id", "unknown_student")]);
    let set = app.post(&individual).token(&s.maths.token).json(task(&saturday)).send().await.expect(201).json;
    assert_eq!(
        (set["subject"]["name"].as_str(), set["due_on"].as_str(), set["mark"].as_str()),
        (Some("Математика"), Some(saturday.as_str()), None)
    );
    let one = set["id"].as_i64().expect("id");
    // Who reads it: the student, their parent, the class teacher, its teacher; not another teacher or student.
    let count = |token: String| {
        let app = &app;
        let individual = individual.clone();
        async move { app.get(&individual).token(&token).send().await.expect(200).json.as_array().map_or(0, Vec::len) }
    };
    for (who, token, n) in [
        ("the student", s.student.token.clone(), 1),
        ("the parent", parent.token.clone(), 1),
        ("the class teacher", class_teacher.token.clone(), 1),
        ("its teacher", s.maths.token.clone(), 1),
        ("another teacher", s.english.token.clone(), 0),
        ("another student", s.other_student.token.clone(), 0),
    ] {
        assert_eq!(count(token).await, n, "{who}");
    }

    // Marked when back: not while the order holds, then by its teacher only.
    let mark = format!("/api/v1/orgs/{org}/individual/{one}/mark");
    app.put(&mark).token(&s.maths.token).json(json!({ "mark": "5" })).send().await.problem(409, "order_in_force");
    app.post(&format!("/api/v1/orgs/{org}/orders/{id}/end")).token(&s.school.admin).send().await.expect(200);
    app.put(&mark).token(&s.maths.token).json(json!({ "mark": "7" })).send().await.invalid(&[("mark", "invalid_mark")]);
    app.put(&mark).token(&class_teacher.token).json(json!({ "mark": "5" })).send().await.problem(403, "forbidden");
    app.put(&mark).token(&s.english.token).json(json!({ "mark": "5" })).send().await.problem(404, "not_found");
    let marked = app.put(&mark).token(&s.maths.token).json(json!({ "mark": "5" })).send().await.expect(200).json;
    assert_eq!(marked["mark"], "5");
    assert!(marked["marked_at"].is_string());
    // The journal shows it apart from the lessons, and its mark counts in the average.
    let grid = app
        .get(&format!("/api/v1/orgs/{org}/years/{}/journal?assignment_id={}&period=1", s.year, s.maths_a))
        .token(&class_teacher.token)
        .send()
        .await
        .expect(200)
        .json;
    assert_eq!(
        grid["individual"],
        json!([{ "id": one, "student_id": s.student.id, "body": "§12, № 45–52 письменно", "due_on": saturday, "mark": "5" }])
    );
    let row = grid["rows"].as_array().expect("rows").iter().find(|r| r["student"]["id"] == s.student.id).cloned();
    assert_eq!(row.expect("the student's row")["average"].as_f64(), Some(5.0));
    // The diary's marks count it the same way as the grid.
    let marks = app
        .get(&format!("/api/v1/orgs/{org}/diary/marks?student_id={}&period=1&date={saturday}", s.student.id))
        .token(&s.student.token)
        .send()
        .await
        .expect(200)
        .json;
    let maths = marks["subjects"].as_array().expect("subjects").iter().find(|l| l["subject"]["name"] == "Математика");
    assert_eq!(maths.expect("maths in the diary")["average"].as_f64(), Some(5.0));
}
