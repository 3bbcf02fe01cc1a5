//! `parta serve --demo`: a demo school a newcomer can log into at once. Seeded
//! only when absent; every account shares one known password, printed on start.

use parta_domain::validate::{LoginId, PersonName};
use parta_domain::{ClassId, MemberRole, OrgId, UserId};
use sqlx::AnyConnection;

use crate::actions::schools::do_create_school;
use crate::clock::today_in;
use crate::error::Result;
use crate::secrets::hash_password;
use crate::state::AppState;
use crate::store;
use crate::store::directory::NewMembership;
use crate::store::schools::{NewClass, Profile};
use crate::work::Work;

pub const DEMO_PASSWORD: &str = "demo-parta-2026";
pub const DEMO_INN: &str = "7701234560";

struct Person {
    family: &'static str,
    given: &'static str,
    patronymic: &'static str,
    email: &'static str,
}

const fn person(family: &'static str, given: &'static str, patronymic: &'static str, email: &'static str) -> Person {
    Person { family, given, patronymic, email }
}

/// The demo's academic year (it starts on 1 September): the one in progress, or in
/// summer, once the last quarter is over, the coming one, so there are lessons ahead.
fn current_academic_year(time_zone: &str) -> i64 {
    let today = today_in(time_zone);
    let year: i64 = today.get(0..4).and_then(|y| y.parse().ok()).unwrap_or(2026);
    let month: i64 = today.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(9);
    // The demo's last quarter ends on 26 May.
    if month >= 9 || today.as_str() > format!("{year}-05-26").as_str() { year } else { year - 1 }
}

async fn add_user(tx: &mut AnyConnection, who: &Person, hash: &str) -> Result<UserId> {
    let name =
        PersonName { family: who.family.into(), given: who.given.into(), patronymic: Some(who.patronymic.into()) };
    Ok(store::users::insert(tx, &name, Some(who.email), None, Some(hash), false).await?)
}

async fn place(
    tx: &mut AnyConnection,
    org: OrgId,
    user: UserId,
    role: MemberRole,
    class: ClassId,
    child: Option<UserId>,
    on: &str,
) -> Result<()> {
    store::directory::insert_membership(
        tx,
        &NewMembership { org, user, role, class, child, started_on: on.into(), created_by: None },
    )
    .await?;
    Ok(())
}

/// Seeds the demo school unless it exists; prints the accounts either way.
pub async fn seed(state: &AppState) -> Result<()> {
    let mut tx = state.begin().await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM organizations WHERE inn = $1")
        .bind(DEMO_INN)
        .fetch_optional(&mut *tx)
        .await?;
    let operator_login = LoginId::Email("operator@demo.parta.local".into());
    if exists.is_none() && store::users::find_by_login(&mut tx, &operator_login).await?.is_none() {
        let hash = tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD))
            .await
            .map_err(|e| crate::error::Error::Internal(e.into()))?;
        let org = seed_school(&mut tx, &hash).await?;
        tx.commit(state).await?;
        seed_conversations(state, org).await?;
        seed_school_year(state, org).await?;
        tracing::info!("demo school seeded");
    }
    println!("Демо-школа «Школа № 1 (демо)». Пароль у всех учётных записей: {DEMO_PASSWORD}");
    for (role, login) in [
        ("оператор платформы", "operator@demo.parta.local"),
        ("директор (не администратор)", "director@demo.parta.local"),
        ("администратор школы", "admin@demo.parta.local"),
        ("заместитель директора (завуч)", "deputy@demo.parta.local"),
        ("классный руководитель 5А", "ivanova@demo.parta.local"),
        ("классный руководитель 5Б", "smirnov@demo.parta.local"),
        ("учитель (1А)", "kuznetsova@demo.parta.local"),
        ("ученица 5А", "student.5a@demo.parta.local"),
        ("родитель двоих детей (5А и 1А)", "parent@demo.parta.local"),
        ("куратор управления образования", "curator@demo.parta.local"),
    ] {
        println!("  {role:<32} {login}");
    }
    Ok(())
}

async fn seed_school(tx: &mut Work, hash: &str) -> Result<OrgId> {
    let time_zone = "Europe/Moscow";
    let profile = Profile {
        name: "Муниципальное бюджетное общеобразовательное учреждение «Школа № 1 (демо)»".into(),
        short_name: "Школа № 1 (демо)".into(),
        address: "г. Москва, ул. Учебная, д. 1".into(),
        inn: DEMO_INN.into(),
        ogrn: "1027700123450".into(),
        region: "Москва".into(),
        time_zone: time_zone.into(),
        join_approval_required: false,
    };
    let (org, staff_room) = do_create_school(tx, &profile, None).await?;
    let year = current_academic_year(time_zone);
    // Everyone has been at the school since the year began, so its past weeks have a
    // journal; in summer, before the coming year, since today.
    let on = std::cmp::min(format!("{year}-09-01"), today_in(time_zone));

    let operator = store::users::insert(
        tx,
        &PersonName { family: "Оператор".into(), given: "Платформы".into(), patronymic: None },
        Some("operator@demo.parta.local"),
        None,
        Some(hash),
        true,
    )
    .await?;

    let primary = store::schools::insert_unit(tx, org, "Начальная школа").await?;
    let middle = store::schools::insert_unit(tx, org, "Основная школа").await?;
    let mut classes = Vec::new();
    for (name, grade, unit) in [("1А", 1, primary), ("5А", 5, middle), ("5Б", 5, middle), ("9А", 9, middle)] {
        let class = store::schools::insert_class(
            tx,
            org,
            &NewClass { kind: "class", name, grade: Some(grade), academic_year: Some(year), unit: Some(unit) },
        )
        .await?;
        crate::actions::seats::do_create_class_chats(tx, org, class, name).await?;
        classes.push(class);
    }
    let [class_1a, class_5a, class_5b, class_9a] = classes[..] else { unreachable!("four classes were created") };

    // The director oversees without being an admin (the seeds: she appoints the
    // platform's admin); the admin is a verified teacher of computer science.
    let director = add_user(tx, &person("Петрова", "Ольга", "Николаевна", "director@demo.parta.local"), hash).await?;
    place(tx, org, director, MemberRole::Director, staff_room, None, &on).await?;
    let admin = add_user(tx, &person("Белов", "Игорь", "Андреевич", "admin@demo.parta.local"), hash).await?;
    place(tx, org, admin, MemberRole::Teacher, staff_room, None, &on).await?;
    store::directory::set_teacher_verified(tx, org, admin, Some(director), true).await?;
    store::directory::insert_admin(tx, org, admin, Some(director)).await?;
    let deputy = add_user(tx, &person("Зайцева", "Нина", "Петровна", "deputy@demo.parta.local"), hash).await?;
    place(tx, org, deputy, MemberRole::Deputy, staff_room, None, &on).await?;

    let teachers = [
        (person("Иванова", "Мария", "Сергеевна", "ivanova@demo.parta.local"), Some(class_5a)),
        (person("Смирнов", "Алексей", "Петрович", "smirnov@demo.parta.local"), Some(class_5b)),
        (person("Кузнецова", "Елена", "Викторовна", "kuznetsova@demo.parta.local"), Some(class_1a)),
        (person("Орлов", "Дмитрий", "Игоревич", "orlov@demo.parta.local"), Some(class_9a)),
    ];
    for (who, leads) in &teachers {
        let teacher = add_user(tx, who, hash).await?;
        place(tx, org, teacher, MemberRole::Teacher, staff_room, None, &on).await?;
        store::directory::set_teacher_verified(tx, org, teacher, Some(director), true).await?;
        if let Some(class) = leads {
            place(tx, org, teacher, MemberRole::Teacher, *class, None, &on).await?;
            store::directory::insert_class_teacher(tx, org, *class, teacher, Some(director)).await?;
        }
    }
    let secretary = add_user(tx, &person("Соколова", "Анна", "Павловна", "secretary@demo.parta.local"), hash).await?;
    place(tx, org, secretary, MemberRole::Employee, staff_room, None, &on).await?;

    let students: [(&Person, ClassId); 9] = [
        (&person("Волкова", "Анастасия", "Дмитриевна", "student.5a@demo.parta.local"), class_5a),
        (&person("Лебедев", "Артём", "Андреевич", "lebedev@demo.parta.local"), class_5a),
        (&person("Козлова", "Варвара", "Ильинична", "kozlova@demo.parta.local"), class_5a),
        (&person("Новиков", "Максим", "Олегович", "novikov@demo.parta.local"), class_5b),
        (&person("Морозова", "Полина", "Сергеевна", "morozova@demo.parta.local"), class_5b),
        (&person("Волков", "Тимофей", "Дмитриевич", "volkov@demo.parta.local"), class_1a),
        (&person("Соловьёва", "Ева", "Романовна", "solovyova@demo.parta.local"), class_1a),
        (&person("Павлов", "Кирилл", "Александрович", "pavlov@demo.parta.local"), class_9a),
        (&person("Фёдорова", "София", "Михайловна", "fedorova@demo.parta.local"), class_9a),
    ];
    let mut student_ids = Vec::new();
    for (who, class) in students {
        let id = add_user(tx, who, hash).await?;
        place(tx, org, id, MemberRole::Student, class, None, &on).await?;
        student_ids.push((id, class));
    }
    // One parent with two children (5А and 1А), as the product promises; others with one.
    let parent = add_user(tx, &person("Волкова", "Ирина", "Владимировна", "parent@demo.parta.local"), hash).await?;
    for (child, class) in [student_ids[0], student_ids[5]] {
        place(tx, org, parent, MemberRole::Parent, class, Some(child), &on).await?;
    }
    let other_parents = [
        (person("Лебедева", "Светлана", "Игоревна", "lebedeva@demo.parta.local"), 1),
        (person("Новикова", "Татьяна", "Юрьевна", "novikova@demo.parta.local"), 3),
        (person("Павлов", "Александр", "Викторович", "pavlov.parent@demo.parta.local"), 7),
    ];
    for (who, index) in &other_parents {
        let id = add_user(tx, who, hash).await?;
        let (child, class) = student_ids[*index];
        place(tx, org, id, MemberRole::Parent, class, Some(child), &on).await?;
    }
    // Everyone takes their seats in the chats the directory implies.
    let people: Vec<i64> =
        sqlx::query_scalar("SELECT DISTINCT user_id FROM memberships WHERE org_id = $1 ORDER BY user_id")
            .bind(org.0)
            .fetch_all(&mut **tx)
            .await?;
    for user in &people {
        crate::actions::seats::do_sync_seats(tx, org, UserId(*user)).await?;
    }
    seed_activity(tx, org, time_zone, &people).await?;

    // The school's education authority, with a curator who sees its figures only.
    let authority = store::authorities::insert(tx, "Управление образования (демо)", "Москва", operator).await?;
    store::authorities::attach(tx, org, Some(authority)).await?;
    let curator = add_user(tx, &person("Громова", "Татьяна", "Игоревна", "curator@demo.parta.local"), hash).await?;
    store::authorities::insert_curator(tx, authority, curator, Some(operator.0)).await?;
    Ok(org)
}

/// Four weeks of people signing in, so the statistics have days to show: staff on
/// most school days, students and parents less often (a fixed pattern, not random).
async fn seed_activity(tx: &mut Work, org: OrgId, time_zone: &str, people: &[i64]) -> Result<()> {
    use parta_domain::statistics::{RoleSet, day_number, week_number};
    let today = day_number(crate::clock::today_date_in(time_zone));
    for (index, user) in people.iter().enumerate() {
        let places = store::directory::active_places(tx, org, UserId(*user)).await?;
        let groups = RoleSet::of(places.iter().map(|p| p.role()));
        let flags = (i64::from(groups.student), i64::from(groups.parent), i64::from(groups.staff));
        // Out of every 7 days: staff 5, students 4, parents 2, shifted per person.
        let per_week = if groups.staff {
            5
        } else if groups.student {
            4
        } else {
            2
        };
        for day in today - 27..today {
            if (day + index as i64).rem_euclid(7) < per_week {
                store::statistics::record_active(tx, org, UserId(*user), day, week_number(day), flags).await?;
            }
        }
    }
    Ok(())
}

/// Someone of the demo school acting through the same actions as a signed-in person.
async fn demo_actor(state: &AppState, email: &str) -> Result<crate::auth::Actor> {
    let mut conn = state.db.reads().acquire().await?;
    let user = store::users::find_by_login(&mut conn, &LoginId::Email(email.into()))
        .await?
        .ok_or(crate::error::Error::NotFound)?;
    Ok(crate::auth::Actor {
        user_id: UserId(user.id),
        session_id: parta_domain::SessionId(0),
        is_operator: false,
        csrf_token: String::new(),
    })
}

/// A few conversations, so the demo has something to read: an announcement to confirm
/// and a poll in 5А's parents chat, a task in the class chat, news in the school
/// channel and a staff group chat.
async fn seed_conversations(state: &AppState, org: OrgId) -> Result<()> {
    use crate::actions::{chats, groups, messages, polls};
    use parta_protocol::{CreateChatRequest, CreatePollRequest, SendMessageRequest};
    let chat_of = |list: &[parta_protocol::Chat], kind: &str| {
        list.iter().find(|c| c.kind.as_str() == kind).map(|c| c.id).ok_or(crate::error::Error::NotFound)
    };
    let message = |key: &str, body: &str, needs_ack: bool| SendMessageRequest {
        client_msg_id: key.into(),
        body: body.into(),
        reply_to: None,
        needs_ack,
        attachments: Vec::new(),
        urgent: false,
        forward_of: None,
    };
    let director = demo_actor(state, "director@demo.parta.local").await?;
    let teacher = demo_actor(state, "ivanova@demo.parta.local").await?;
    let parent = demo_actor(state, "parent@demo.parta.local").await?;
    let student = demo_actor(state, "student.5a@demo.parta.local").await?;

    let channel = chat_of(&chats::list(state, &director, Some(org)).await?, "school_channel")?;
    messages::send(
        state,
        &director,
        channel,
        &message(
            "demo-news",
            "**Осенние каникулы** — с 27 октября по 4 ноября.\nРасписание на вторую четверть: https://school.example/raspisanie",
            false,
        ),
    )
    .await?;
    let teacher_chats = chats::list(state, &teacher, Some(org)).await?;
    let parents = chat_of(&teacher_chats, "parents")?;
    let class = chat_of(&teacher_chats, "class")?;
    let (meeting, _) = messages::send(
        state,
        &teacher,
        parents,
        &message(
            "demo-meeting",
            "Уважаемые родители! Родительское собрание в четверг в 18:00, кабинет 21.\n- итоги первой четверти\n- экскурсия в ноябре\nПожалуйста, подтвердите, что прочитали.",
            true,
        ),
    )
    .await?;
    let reply =
        SendMessageRequest { reply_to: Some(meeting.id), ..message("demo-reply", "Спасибо, буду.", false) };
    messages::send(state, &parent, parents, &reply).await?;
    polls::create(
        state,
        &teacher,
        parents,
        &CreatePollRequest {
            client_msg_id: "demo-poll".into(),
            question: "Куда поедем на экскурсию?".into(),
            options: vec!["Политехнический музей".into(), "Планетарий".into(), "Усадьба Коломенское".into()],
            multiple: false,
            anonymous: false,
            closes_at: None,
        },
    )
    .await?;
    messages::send(
        state,
        &teacher,
        class,
        &message("demo-task", "Ребята, завтра *контрольная* по математике: повторите §12 и задачи 45–52.", false),
    )
    .await?;
    messages::send(state, &student, class, &message("demo-question", "А калькулятор можно?", false)).await?;
    // An online parents' meeting with a waiting room, and a broadcast to the whole school.
    let at = |days: i64, hour: i8| -> Result<String> {
        let internal = |e: jiff::Error| crate::error::Error::Internal(e.into());
        let zone = jiff::tz::TimeZone::get("Europe/Moscow").map_err(internal)?;
        let today = jiff::Zoned::now().with_time_zone(zone.clone()).date();
        let day = today.checked_add(jiff::Span::new().days(days)).map_err(internal)?;
        Ok(day.at(hour, 0, 0, 0).to_zoned(zone).map_err(internal)?.timestamp().to_string())
    };
    let meeting = parta_protocol::ScheduleCallRequest {
        kind: parta_protocol::CallKind::Meeting,
        title: "Онлайн-встреча с родителями 5А: подготовка к экскурсии".into(),
        starts_at: at(3, 18)?,
        waiting_room: true,
    };
    crate::actions::calls::schedule(state, &teacher, parents, &meeting).await?;
    let concert = parta_protocol::ScheduleCallRequest {
        kind: parta_protocol::CallKind::Broadcast,
        title: "Трансляция: новогодний концерт".into(),
        starts_at: at(10, 12)?,
        waiting_room: false,
    };
    crate::actions::calls::schedule(state, &director, channel, &concert).await?;
    groups::create(
        state,
        &director,
        org,
        &CreateChatRequest {
            kind: parta_domain::chats::ChatKind::Group,
            title: "Методическое объединение".into(),
            class_id: None,
            member_ids: vec![teacher.user_id],
        },
    )
    .await?;
    Ok(())
}

/// The year in progress with its quarters, holidays and bells, English in halves in 5А,
/// who teaches what, and each class's week, set up as the school's admin would.
async fn seed_school_year(state: &AppState, org: OrgId) -> Result<()> {
    use crate::actions::{school_year, teaching, timetable};
    use parta_domain::school_year::{DayOffKind, PeriodKind};
    use parta_protocol::{
        AssignmentRequest, Bell, BellsRequest, DayOffRequest, EntryRequest, GroupRequest, PeriodDates,
        TimetableRequest, YearRequest,
    };
    let admin = demo_actor(state, "admin@demo.parta.local").await?;
    let y = current_academic_year("Europe/Moscow");
    let (autumn, spring) = (y, y + 1);
    let span = |first: String, last: String| PeriodDates { starts_on: first, ends_on: last };
    let off = |first: String, last: String, kind, name: &str| DayOffRequest {
        starts_on: first,
        ends_on: last,
        kind,
        name: name.into(),
    };
    let year = school_year::create(
        state,
        &admin,
        org,
        &YearRequest {
            name: format!("{autumn}/{spring}"),
            starts_on: format!("{autumn}-09-01"),
            ends_on: format!("{spring}-05-31"),
            school_days: 5,
            period_kind: PeriodKind::Quarters,
            periods: vec![
                span(format!("{autumn}-09-01"), format!("{autumn}-10-24")),
                span(format!("{autumn}-11-05"), format!("{autumn}-12-27")),
                span(format!("{spring}-01-12"), format!("{spring}-03-20")),
                span(format!("{spring}-03-30"), format!("{spring}-05-26")),
            ],
            days_off: vec![
                off(
                    format!("{autumn}-11-04"),
                    format!("{autumn}-11-04"),
                    DayOffKind::DayOff,
                    "День народного единства",
                ),
                off(
                    format!("{spring}-02-23"),
                    format!("{spring}-02-23"),
                    DayOffKind::DayOff,
                    "День защитника Отечества",
                ),
                off(
                    format!("{spring}-03-08"),
                    format!("{spring}-03-08"),
                    DayOffKind::DayOff,
                    "Международный женский день",
                ),
                off(format!("{spring}-05-01"), format!("{spring}-05-01"), DayOffKind::DayOff, "Праздник Весны и Труда"),
                off(format!("{spring}-05-11"), format!("{spring}-05-11"), DayOffKind::DayOff, "День Победы (перенос)"),
                off(
                    format!("{spring}-02-09"),
                    format!("{spring}-02-15"),
                    DayOffKind::Holidays,
                    "Дополнительные каникулы для 1-х классов",
                ),
            ],
            copy_bells_from: None,
        },
    )
    .await?;
    let times = [
        ("08:30", "09:10"),
        ("09:20", "10:00"),
        ("10:20", "11:00"),
        ("11:20", "12:00"),
        ("12:10", "12:50"),
        ("13:00", "13:40"),
    ];
    let bells = times
        .iter()
        .enumerate()
        .map(|(i, (from, to))| Bell {
            shift: 1,
            number: i as i64 + 1,
            starts_at: (*from).into(),
            ends_at: (*to).into(),
        })
        .collect();
    school_year::set_bells(state, &admin, org, year.id, &BellsRequest { bells }).await?;

    let classes = store::schools::list_classes(&mut *state.db.reads().acquire().await?, org).await?;
    let class =
        |name: &str| classes.iter().find(|c| c.name == name).map(|c| c.class_id()).ok_or(crate::error::Error::NotFound);
    let (c1a, c5a, c5b, c9a) = (class("1А")?, class("5А")?, class("5Б")?, class("9А")?);
    let subjects = school_year::subjects(state, &admin, org).await?;
    let subject =
        |name: &str| subjects.iter().find(|s| s.name == name).map(|s| s.id).ok_or(crate::error::Error::NotFound);
    let people = |email: &'static str| demo_actor(state, email);
    let (ivanova, smirnov, kuznetsova, orlov) = (
        people("ivanova@demo.parta.local").await?.user_id,
        people("smirnov@demo.parta.local").await?.user_id,
        people("kuznetsova@demo.parta.local").await?.user_id,
        people("orlov@demo.parta.local").await?.user_id,
    );
    // 5А learns English in two groups, split by the class list.
    let students_5a: Vec<UserId> =
        store::directory::school_places(&mut *state.db.reads().acquire().await?, org, Some(c5a))
            .await?
            .iter()
            .filter(|p| p.role() == MemberRole::Student)
            .map(|p| UserId(p.user_id))
            .collect();
    let (half_1, half_2) = students_5a.split_at(students_5a.len().div_ceil(2));
    let mut groups = Vec::new();
    for (name, students) in [("Английский, группа 1", half_1), ("Английский, группа 2", half_2)]
    {
        let request = GroupRequest { name: name.into(), student_ids: students.to_vec() };
        groups.push(teaching::create_group(state, &admin, org, c5a, &request).await?.id);
    }
    let assign = |teacher: UserId, subject_id, class_id, group_id| AssignmentRequest {
        teacher_id: teacher,
        subject_id,
        class_id,
        group_id,
    };
    let plan = [
        ("ru5a", assign(ivanova, subject("Русский язык")?, c5a, None)),
        ("lit5a", assign(ivanova, subject("Литература")?, c5a, None)),
        ("ma5a", assign(smirnov, subject("Математика")?, c5a, None)),
        ("ma5b", assign(smirnov, subject("Математика")?, c5b, None)),
        ("ru5b", assign(ivanova, subject("Русский язык")?, c5b, None)),
        ("en5a1", assign(orlov, subject("Иностранный язык (английский)")?, c5a, Some(groups[0]))),
        ("en5a2", assign(orlov, subject("Иностранный язык (английский)")?, c5a, Some(groups[1]))),
        ("en5b", assign(orlov, subject("Иностранный язык (английский)")?, c5b, None)),
        ("ru1a", assign(kuznetsova, subject("Русский язык")?, c1a, None)),
        ("ma1a", assign(kuznetsova, subject("Математика")?, c1a, None)),
        ("read1a", assign(kuznetsova, subject("Литературное чтение")?, c1a, None)),
        ("world1a", assign(kuznetsova, subject("Окружающий мир")?, c1a, None)),
        ("ph9a", assign(orlov, subject("Физика")?, c9a, None)),
        ("ma9a", assign(smirnov, subject("Алгебра")?, c9a, None)),
        ("ru9a", assign(ivanova, subject("Русский язык")?, c9a, None)),
    ];
    let mut ids = std::collections::BTreeMap::new();
    for (key, request) in plan {
        let teacher = request.teacher_id;
        ids.insert(key, (teaching::create_assignment(state, &admin, org, year.id, &request).await?.id, teacher));
    }
    // Each class's week: its lessons in order, Monday to Friday, each put in the first
    // slot after the one before where its teacher is free (one teacher, one place).
    let weeks: [(ClassId, &str, [&[&str]; 5]); 4] = [
        (
            c5a,
            "21",
            [
                &["ru5a", "ma5a", "en5a1", "en5a2", "lit5a"],
                &["ma5a", "ru5a", "lit5a", "en5a2"],
                &["ru5a", "en5a1", "ma5a", "lit5a"],
                &["ma5a", "ru5a", "en5a1", "en5a2"],
                &["lit5a", "ma5a", "ru5a"],
            ],
        ),
        (
            c5b,
            "22",
            [
                &["ma5b", "ru5b", "en5b"],
                &["ru5b", "ma5b", "en5b"],
                &["en5b", "ru5b", "ma5b"],
                &["ru5b", "ma5b"],
                &["ma5b", "en5b", "ru5b"],
            ],
        ),
        (
            c1a,
            "11",
            [
                &["ru1a", "ma1a", "read1a"],
                &["ma1a", "ru1a", "world1a"],
                &["ru1a", "read1a", "ma1a"],
                &["ma1a", "ru1a", "world1a"],
                &["read1a", "ru1a"],
            ],
        ),
        (
            c9a,
            "31",
            [
                &["ph9a", "ru9a", "ma9a"],
                &["ru9a", "ma9a", "ph9a"],
                &["ma9a", "ph9a", "ru9a"],
                &["ph9a", "ma9a", "ru9a"],
                &["ru9a", "ph9a", "ma9a"],
            ],
        ),
    ];
    let mut busy: std::collections::BTreeSet<(usize, i64, UserId)> = std::collections::BTreeSet::new();
    for (class, room, days) in weeks {
        let mut entries = Vec::new();
        for (day, keys) in days.iter().enumerate() {
            let mut slot = 0;
            for key in keys.iter() {
                let (assignment_id, teacher) = *ids.get(key).ok_or(crate::error::Error::NotFound)?;
                slot += 1;
                while busy.contains(&(day, slot, teacher)) {
                    slot += 1;
                }
                if slot > times.len() as i64 {
                    break;
                }
                busy.insert((day, slot, teacher));
                entries.push(EntryRequest {
                    weekday: day as i64 + 1,
                    shift: 1,
                    number: slot,
                    assignment_id,
                    room: Some(room.into()),
                });
            }
        }
        timetable::set_class_timetable(state, &admin, org, year.id, class, &TimetableRequest { entries }).await?;
    }
    seed_journal(state, org, year.id).await
}

/// The last two weeks of lessons written down, as teachers would have: topics,
/// homework for the next lesson, attendance and marks.
async fn seed_journal(state: &AppState, org: OrgId, year: parta_domain::YearId) -> Result<()> {
    use crate::actions::{journal, timetable};
    use parta_protocol::{
        AttendanceChange, AttendanceRequest, GradeChange, GradesRequest, HomeworkRequest, LessonRequest,
    };
    let director = demo_actor(state, "director@demo.parta.local").await?;
    let today: jiff::civil::Date =
        today_in("Europe/Moscow").parse().map_err(|e| crate::error::Error::Internal(anyhow::Error::from(e)))?;
    let topics =
        ["Повторение", "Новая тема", "Практическая работа", "Разбор ошибок", "Самостоятельная работа", "Обобщение"];
    let grade_types = journal::grade_types(state, &director, org).await?;
    let kind = |index: usize| grade_types[index % grade_types.len()].id;
    let classes = store::schools::list_classes(&mut *state.db.reads().acquire().await?, org).await?;
    let mut seed = 7usize;
    for class in classes.iter().filter(|c| c.kind != "staff_room") {
        for weeks_back in [1i64, 0] {
            let day = today.checked_sub(jiff::Span::new().days(7 * weeks_back)).unwrap_or(today);
            let week = timetable::week(
                state,
                &director,
                org,
                year,
                timetable::WeekOf::Class(class.class_id()),
                &day.to_string(),
            )
            .await?;
            for day in week.days.iter().filter(|d| d.school_day && d.date < today.to_string()) {
                for (index, lesson) in day.lessons.iter().enumerate() {
                    let teacher = crate::access::Actor { user_id: lesson.teacher.id, ..director.clone() };
                    let topic = topics[(seed + index) % topics.len()].to_owned();
                    let request = LessonRequest {
                        assignment_id: lesson.assignment_id,
                        date: day.date.clone(),
                        shift: lesson.shift,
                        number: lesson.number,
                        topic: Some(topic),
                    };
                    let page = journal::open_lesson(state, &teacher, org, &request).await?;
                    let id = page.lesson.id;
                    let lesson_day: jiff::civil::Date =
                        day.date.parse().map_err(|e| crate::error::Error::Internal(anyhow::Error::from(e)))?;
                    let due = lesson_day.checked_add(jiff::Span::new().days(1)).unwrap_or(lesson_day).to_string();
                    let homework = HomeworkRequest {
                        body: format!("Упражнения к уроку «{}»", lesson.subject.name),
                        due_on: due,
                        minutes: Some(20),
                        files: None,
                    };
                    journal::set_homework(state, &teacher, org, id, &homework).await?;
                    let mut grades = Vec::new();
                    let mut absent = Vec::new();
                    for (i, student) in page.students.iter().enumerate() {
                        seed = seed.wrapping_mul(31).wrapping_add(17) % 1009;
                        match seed % 6 {
                            0 => absent.push(AttendanceChange {
                                student_id: student.person.id,
                                absence: Some(parta_domain::journal::Absence::Ill),
                                minutes_late: None,
                                reason: None,
                            }),
                            1 | 2 => grades.push(GradeChange {
                                id: None,
                                student_id: student.person.id,
                                mark: ["5", "4", "3", "5", "4"][(seed + i) % 5].into(),
                                grade_type_id: kind(seed),
                                comment: None,
                            }),
                            _ => {}
                        }
                    }
                    journal::set_attendance(state, &teacher, org, id, &AttendanceRequest { entries: absent }).await?;
                    journal::set_grades(state, &teacher, org, id, &GradesRequest { grades, delete: Vec::new() })
                        .await?;
                }
            }
        }
    }
    Ok(())
}
