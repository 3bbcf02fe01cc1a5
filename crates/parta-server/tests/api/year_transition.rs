//! The new school year through the API, on the demo school: the admin previews and runs
//! the transition; who is where, which chats go on, which are archives, and what stays
//! readable (and by whom) are checked against an oracle computed from the test's own
//! model of the school before it moved on. A failure half-way changes nothing.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::TestApp;

on_both_backends!(the_demo_school_moves_on_to_the_next_year);

const PASSWORD: &str = "demo-parta-2026";
const ENDING_YEAR: &str = "2026/2027";
const CLUB: &str = "Робототехника";

/// A person's places in the school: (role, class name, child's id).
type Places = BTreeSet<(String, String, Option<i64>)>;

fn places_of(member: &Value) -> Places {
    member["places"]
        .as_array()
        .expect("places")
        .iter()
        .map(|p| {
            (
                p["role"].as_str().expect("role").to_owned(),
                p["class"]["name"].as_str().expect("class").to_owned(),
                p["child"]["id"].as_i64(),
            )
        })
        .collect()
}

/// Each member by id: their email and places.
async fn members(app: &TestApp, org: i64, admin: &str) -> BTreeMap<i64, (String, Places)> {
    let list = app.get(&format!("/api/v1/orgs/{org}/members")).token(admin).send().await.expect(200);
    list.list()
        .iter()
        .map(|m| {
            let id = m["person"]["id"].as_i64().expect("id");
            (id, (m["email"].as_str().unwrap_or_default().to_owned(), places_of(m)))
        })
        .collect()
}

/// The titles of the chats a person sits in, and each one's id.
async fn chats(app: &TestApp, token: &str) -> BTreeMap<String, (i64, bool)> {
    let list = app.get("/api/v1/chats").token(token).send().await.expect(200);
    list.list()
        .iter()
        .map(|c| {
            (
                c["title"].as_str().expect("title").to_owned(),
                (c["id"].as_i64().expect("id"), c["archived"].as_bool().expect("archived")),
            )
        })
        .collect()
}

async fn the_demo_school_moves_on_to_the_next_year(app: TestApp) {
    parta_server::demo::seed(&app.state).await.expect("the demo school");
    let admin = app.login("admin@demo.parta.local", PASSWORD).await;
    let me = app.me(&admin).await;
    let org = me["schools"][0]["org_id"].as_i64().expect("the demo school");
    let years = app.get(&format!("/api/v1/orgs/{org}/years")).token(&admin).send().await.expect(200);
    let ending = years.list()[0]["id"].as_i64().expect("the demo year");
    assert_eq!(years.list()[0]["name"], ENDING_YEAR);

    // A club without a grade beside the classes: a 5А student and a 9А student join it.
    let club = app
        .post(&format!("/api/v1/orgs/{org}/classes"))
        .token(&admin)
        .json(json!({ "name": CLUB, "academic_year": 2026 }))
        .send()
        .await
        .expect(201)
        .id();
    for email in ["kozlova@demo.parta.local", "pavlov@demo.parta.local"] {
        let token =
            app.invite(&admin, org, json!({ "class_id": club, "role": "student", "requires_approval": false })).await;
        let student = app.login(email, PASSWORD).await;
        app.post("/api/v1/invites/accept")
            .token(&student)
            .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": token }))
            .send()
            .await
            .expect(200);
    }

    // A subject chat for 5А, made by the maths teacher: it ends with its year.
    let smirnov = app.login("smirnov@demo.parta.local", PASSWORD).await;
    let classes = app.get(&format!("/api/v1/orgs/{org}/classes")).token(&admin).send().await.expect(200);
    let class_id = |name: &str| {
        classes.list().iter().find(|c| c["name"] == name).and_then(|c| c["id"].as_i64()).expect("a demo class")
    };
    let (c5a, c5b) = (class_id("5А"), class_id("5Б"));
    let subject_chat = app
        .post(&format!("/api/v1/orgs/{org}/chats"))
        .token(&smirnov)
        .json(json!({ "kind": "subject", "title": "Алгебра", "class_id": c5a }))
        .send()
        .await
        .expect(201)
        .id();

    // The model: everyone's places and chats before.
    let before = members(&app, org, &admin).await;
    let by_email =
        |email: &str| *before.iter().find(|(_, (e, _))| e == email).map(|(id, _)| id).expect("a demo person");
    let mut tokens = BTreeMap::new();
    let mut chats_before = BTreeMap::new();
    for (id, (email, _)) in &before {
        let token = app.login(email, PASSWORD).await;
        chats_before.insert(*id, chats(&app, &token).await);
        tokens.insert(*id, token);
    }
    // A 9А student writes in the class chat: it goes with the graduates, the words stay theirs.
    let graduate = by_email("pavlov@demo.parta.local");
    let farewell = chats_before[&graduate]["9А — класс"].0;
    app.post(&format!("/api/v1/chats/{farewell}/messages"))
        .token(&tokens[&graduate])
        .json(json!({ "client_msg_id": "farewell-1", "body": "Всем спасибо за год!" }))
        .send()
        .await
        .expect(201);
    let messages_before = app.count("SELECT COUNT(*) FROM messages".into()).await;

    // The new year, and the admin's choices: 9А leaves (the default), Лебедев is kept
    // down in 5А, Новиков moves from 5Б to 5А's next class, Соловьёва leaves.
    let to_year = app
        .post(&format!("/api/v1/orgs/{org}/years"))
        .token(&admin)
        .json(json!({
            "name": "2027/2028", "starts_on": "2027-09-01", "ends_on": "2028-05-31", "school_days": 5,
            "period_kind": "halves",
            "periods": [{ "starts_on": "2027-09-01", "ends_on": "2027-12-28" }, { "starts_on": "2028-01-11", "ends_on": "2028-05-31" }],
            "copy_bells_from": ending,
        }))
        .send()
        .await
        .expect(201)
        .id();
    let (lebedev, novikov, solovyova) = (
        by_email("lebedev@demo.parta.local"),
        by_email("novikov@demo.parta.local"),
        by_email("solovyova@demo.parta.local"),
    );
    let request = json!({
        "from_year_id": ending, "to_year_id": to_year,
        "exceptions": [
            { "student_id": lebedev, "action": "repeat" },
            { "student_id": novikov, "action": "move", "to_class_id": c5a },
            { "student_id": solovyova, "action": "leave" },
        ],
    });
    let transition = format!("/api/v1/orgs/{org}/year-transition");
    let preview_path = format!("{transition}/preview");

    // Only the admins; impossible choices are refused at their fields.
    let ivanova = app.login("ivanova@demo.parta.local", PASSWORD).await;
    app.post(&preview_path).token(&ivanova).json(request.clone()).send().await.problem(403, "forbidden");
    let mut bad = request.clone();
    bad["exceptions"][1] = json!({ "student_id": novikov, "action": "move" });
    app.post(&preview_path).token(&admin).json(bad).send().await.invalid(&[("exceptions[1].to_class_id", "required")]);
    let mut bad = request.clone();
    bad["exceptions"][0]["student_id"] = json!(by_email("ivanova@demo.parta.local"));
    bad["exceptions"][1]["to_class_id"] = json!(class_id("9А"));
    bad["continuing"] = json!([c5b]);
    app.post(&preview_path).token(&admin).json(bad).send().await.invalid(&[
        ("continuing", "not_a_leaving_class"),
        ("exceptions[0].student_id", "not_a_student"),
        ("exceptions[1].to_class_id", "class_graduates"),
    ]);

    // A name the new year already has stops the run until it is renamed.
    let clash = app
        .post(&format!("/api/v1/orgs/{org}/classes"))
        .token(&admin)
        .json(json!({ "name": "6А", "grade": 6, "academic_year": 2027 }))
        .send()
        .await
        .expect(201)
        .id();
    let preview = app.post(&preview_path).token(&admin).json(request.clone()).send().await.expect(200).json;
    assert_eq!(preview["taken_names"], json!(["6А"]));
    app.post(&transition).token(&admin).json(request.clone()).send().await.problem(409, "class_exists");
    app.patch(&format!("/api/v1/orgs/{org}/classes/{clash}"))
        .token(&admin)
        .json(json!({ "name": "6В" }))
        .send()
        .await
        .expect(200);

    // The preview says what will happen, and changes nothing.
    let preview = app.post(&preview_path).token(&admin).json(request.clone()).send().await.expect(200).json;
    let outcomes: BTreeMap<String, (String, Value)> = preview["classes"]
        .as_array()
        .expect("classes")
        .iter()
        .map(|c| {
            (
                c["class"]["name"].as_str().expect("name").to_owned(),
                (c["outcome"].as_str().expect("outcome").to_owned(), c["to_name"].clone()),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        BTreeMap::from([
            ("1А".to_owned(), ("goes_on".to_owned(), json!("2А"))),
            ("5А".to_owned(), ("goes_on".to_owned(), json!("6А"))),
            ("5Б".to_owned(), ("goes_on".to_owned(), json!("6Б"))),
            ("9А".to_owned(), ("graduates".to_owned(), Value::Null)),
            (CLUB.to_owned(), ("goes_on".to_owned(), json!(CLUB))),
        ])
    );
    assert_eq!(preview["new_classes"], json!(["5А"]));
    assert_eq!(preview["taken_names"], json!([]));
    assert_eq!(
        (preview["students_graduating"].as_i64(), preview["students_leaving"].as_i64(), preview["done"].as_bool()),
        (Some(2), Some(1), Some(false))
    );
    assert!(
        preview["chats_archived"]
            .as_array()
            .expect("archived")
            .iter()
            .any(|c| c["chat_id"] == subject_chat && c["new_title"] == format!("Алгебра — 5А, {ENDING_YEAR}"))
    );
    assert_eq!(members(&app, org, &admin).await, before, "a preview changed the school");

    // A failure half-way (a graduation day before the graduates came) changes nothing.
    let mut failing = request.clone();
    failing["graduated_on"] = json!("2020-01-01");
    app.post(&transition).token(&admin).json(failing).send().await.invalid(&[("graduated_on", "before_start")]);
    assert_eq!(members(&app, org, &admin).await, before, "a failed transition changed the school");
    let classes_now = app.get(&format!("/api/v1/orgs/{org}/classes")).token(&admin).send().await.expect(200);
    assert_eq!(classes_now.list().len(), classes.list().len() + 1, "a failed transition left classes behind");

    // The run does what the preview said.
    let done = app.post(&transition).token(&admin).json(request.clone()).send().await.expect(200).json;
    let mut previewed = preview.clone();
    previewed["done"] = json!(true);
    assert_eq!(done, previewed);
    app.post(&transition).token(&admin).json(request.clone()).send().await.problem(409, "year_archived");

    // The oracle: where each place goes.
    let next = |class: &str| match class {
        "1А" => Some("2А"),
        "5А" => Some("6А"),
        "5Б" => Some("6Б"),
        CLUB => Some(CLUB),
        _ => None, // 9А graduates
    };
    // A student's class (not the club); leaving it, they leave the club too.
    let class_of = |student: i64| -> String {
        let places = &before[&student].1;
        places.iter().find(|(role, class, _)| role == "student" && class != CLUB).expect("a student").1.clone()
    };
    let student_goes = |student: i64, class: &str| -> Option<String> {
        let main = class_of(student);
        let goes = if student == lebedev {
            Some("5А")
        } else if student == novikov {
            Some("6А")
        } else if student == solovyova {
            None
        } else {
            next(&main)
        };
        match goes {
            Some(_) if class != main => next(class).map(str::to_owned),
            goes => goes.map(str::to_owned),
        }
    };
    let mut expected: BTreeMap<i64, Places> = BTreeMap::new();
    for (id, (_, places)) in &before {
        let mut after = Places::new();
        for (role, class, child) in places {
            let goes = match (role.as_str(), child) {
                _ if class == "Учительская" => Some(class.clone()),
                ("student", _) => student_goes(*id, class),
                ("parent", Some(child)) => student_goes(*child, &class_of(*child)),
                _ => next(class).map(str::to_owned),
            };
            if let Some(goes) = goes {
                after.insert((role.clone(), goes, *child));
            }
        }
        if !after.is_empty() {
            expected.insert(*id, after);
        }
    }
    let after = members(&app, org, &admin).await;
    let actual: BTreeMap<i64, Places> = after.into_iter().map(|(id, (_, places))| (id, places)).collect();
    assert_eq!(actual, expected, "who is where after the transition");

    // Chats: a class's go on under the new name (the same chat); a subject chat is an
    // archive its readers keep; the graduates' and leavers' chats are gone for them.
    let archived_title = |title: &str| format!("{title}, {ENDING_YEAR}");
    for (id, before_chats) in &chats_before {
        let places = &before[id].1;
        let moves = |class: &str| -> Option<String> {
            match places.iter().find(|(_, c, _)| c == class) {
                Some((role, _, child)) if role == "student" => student_goes(*id, class),
                Some((role, _, Some(child))) if role == "parent" => student_goes(*child, &class_of(*child)),
                _ => next(class).map(str::to_owned),
            }
        };
        let stays = expected.contains_key(id);
        let staff = places.iter().any(|(role, _, _)| role != "student" && role != "parent");
        let mut wanted: BTreeMap<String, bool> = BTreeMap::new();
        for (title, (chat, _)) in before_chats {
            if *chat == subject_chat {
                if stays {
                    wanted.insert(archived_title(title), true);
                }
                continue;
            }
            match title.split_once(" — ") {
                Some((class, rest)) if ["класс", "родители", "учителя класса"].contains(&rest) =>
                {
                    match moves(class) {
                        Some(to) => {
                            wanted.insert(format!("{to} — {rest}"), false);
                        }
                        // A graduated class's chats: archives its staff still read.
                        None if staff && stays && next(class).is_none() => {
                            wanted.insert(archived_title(title), true);
                        }
                        None => {}
                    }
                }
                _ if stays => {
                    wanted.insert(title.clone(), false);
                }
                _ => {}
            }
        }
        let now = chats(&app, &tokens[id]).await;
        let got: BTreeMap<String, bool> = now.iter().map(|(t, (_, archived))| (t.clone(), *archived)).collect();
        assert_eq!(got, wanted, "the chats of {}", before[id].0);
        // A class chat that went on is the same chat, its history with it.
        for (title, (chat, _)) in before_chats {
            if let Some(("5А", rest)) = title.split_once(" — ")
                && *id == by_email("ivanova@demo.parta.local")
            {
                assert_eq!(now[&format!("6А — {rest}")].0, *chat);
            }
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM messages".into()).await, messages_before, "nothing is deleted");
    // The graduate has no chat of the school left, and takes what they wrote with them.
    let export = app.get("/api/v1/me/messages/export").token(&tokens[&graduate]).send().await.expect(200);
    assert!(export.header_str("content-disposition").is_some_and(|d| d.contains("parta-messages-")));
    let written: Vec<(Value, Value)> = export.json["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| (m["chat_title"].clone(), m["body"].clone()))
        .collect();
    assert!(written.contains(&(json!(archived_title("9А — класс")), json!("Всем спасибо за год!"))), "{written:?}");
    app.get("/api/v1/me/messages/export").send().await.problem(401, "unauthenticated");
    assert_eq!(app.count("SELECT COUNT(*) FROM chats WHERE archived_at IS NOT NULL".into()).await, 4);
    // Nobody writes in an archive, not even its maker.
    app.post(&format!("/api/v1/chats/{subject_chat}/messages"))
        .token(&smirnov)
        .json(json!({ "client_msg_id": "archive-1", "body": "Ещё одно задание" }))
        .send()
        .await
        .problem(403, "forbidden");

    // Next year's classes, with their class teachers.
    let classes_after = app.get(&format!("/api/v1/orgs/{org}/classes")).token(&admin).send().await.expect(200);
    let next_year: BTreeMap<String, Vec<String>> = classes_after
        .list()
        .iter()
        .filter(|c| c["academic_year"] == 2027)
        .map(|c| {
            let leads = c["class_teachers"].as_array().expect("leads").iter();
            (
                c["name"].as_str().expect("name").to_owned(),
                leads.map(|t| t["family_name"].as_str().expect("a name").to_owned()).collect(),
            )
        })
        .collect();
    assert_eq!(
        next_year,
        BTreeMap::from([
            ("2А".to_owned(), vec!["Кузнецова".to_owned()]),
            ("5А".to_owned(), vec![]),
            ("6А".to_owned(), vec!["Иванова".to_owned()]),
            ("6Б".to_owned(), vec!["Смирнов".to_owned()]),
            ("6В".to_owned(), vec![]),
            (CLUB.to_owned(), vec![]),
        ])
    );

    // Last year stays readable, and only readable: the student's diary shows last
    // year's 5А, the class teacher reads its journal, and nothing in it changes.
    let student = by_email("student.5a@demo.parta.local");
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get("Europe/Moscow").expect("zone")).date();
    // Last week: the demo's journal has written its lessons down.
    let last_week = today.checked_sub(jiff::Span::new().days(7)).expect("a date");
    let week = app
        .get(&format!("/api/v1/orgs/{org}/diary?student_id={student}&date={last_week}"))
        .token(&tokens[&student])
        .send()
        .await
        .expect(200)
        .json;
    assert_eq!(week["class"]["name"], "5А");
    assert_eq!(week["class"]["academic_year"], 2026);
    let lessons: Vec<&Value> =
        week["days"].as_array().expect("days").iter().flat_map(|d| d["lessons"].as_array().expect("lessons")).collect();
    assert!(!lessons.is_empty(), "last year's lessons are in the diary");
    let assignments =
        app.get(&format!("/api/v1/orgs/{org}/years/{ending}/assignments")).token(&admin).send().await.expect(200);
    let maths_5a = assignments
        .list()
        .iter()
        .find(|a| a["class"]["id"] == c5a && a["teacher"]["family_name"] == "Смирнов")
        .and_then(|a| a["id"].as_i64())
        .expect("maths in 5А");
    let grid = format!("/api/v1/orgs/{org}/years/{ending}/journal?assignment_id={maths_5a}&period=1");
    app.get(&grid).token(&ivanova).send().await.expect(200);
    app.get(&grid).token(&smirnov).send().await.expect(200);
    let (lesson, teacher) = lessons
        .iter()
        .find_map(|l| Some((l["lesson_id"].as_i64()?, l["teacher"]["id"].as_i64()?)))
        .expect("a lesson written down last week");
    app.get(&format!("/api/v1/orgs/{org}/lessons/{lesson}")).token(&tokens[&teacher]).send().await.expect(200);
    app.put(&format!("/api/v1/orgs/{org}/lessons/{lesson}/grades"))
        .token(&tokens[&teacher])
        .json(json!({ "grades": [] }))
        .send()
        .await
        .problem(409, "year_archived");
    app.put(&format!("/api/v1/orgs/{org}/years/{ending}/bells"))
        .token(&admin)
        .json(json!({ "bells": [] }))
        .send()
        .await
        .problem(409, "year_archived");
    // Last year's classes take nobody: no links, no transfers, no new class of that year.
    app.post(&format!("/api/v1/orgs/{org}/invites"))
        .token(&admin)
        .json(json!({ "class_id": c5a, "role": "student" }))
        .send()
        .await
        .problem(409, "year_archived");
    app.post(&format!("/api/v1/orgs/{org}/members/{student}/transfer"))
        .token(&admin)
        .json(json!({ "to_class_id": c5b }))
        .send()
        .await
        .problem(409, "year_archived");
    app.post(&format!("/api/v1/orgs/{org}/classes"))
        .token(&admin)
        .json(json!({ "name": "5В", "grade": 5, "academic_year": 2026 }))
        .send()
        .await
        .invalid(&[("academic_year", "year_archived")]);
    let years = app.get(&format!("/api/v1/orgs/{org}/years")).token(&admin).send().await.expect(200);
    let archived: Vec<(Value, Value)> =
        years.list().iter().map(|y| (y["name"].clone(), y["archived"].clone())).collect();
    assert_eq!(archived, [(json!("2027/2028"), json!(false)), (json!(ENDING_YEAR), json!(true))]);
}
