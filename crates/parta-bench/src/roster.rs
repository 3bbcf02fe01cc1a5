//! `parta-bench roster`: a OneRoster bundle of a whole school imported through the
//! API, timed. Makes a bundle of `--people` people (students in classes of 25 in
//! grades 1–11, one or two parents each, a class teacher per class and other staff),
//! starts a demo Parta on a fresh data directory for each run, signs in as the demo
//! school's admin and times the dry run, the import, the same import again (nothing
//! to change) and the export.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde::Serialize;
use serde_json::{Value, json};

use crate::http::Conn;
use crate::run::{Launch, machine, start_parta_with};

#[derive(Debug, Args)]
pub struct RosterArgs {
    /// The `parta` binary; by default the one beside this binary.
    #[arg(long)]
    parta_bin: Option<PathBuf>,
    /// A PostgreSQL URL (a fresh schema is the caller's to give); SQLite in the data directory otherwise.
    #[arg(long)]
    database_url: Option<String>,
    /// People in the bundle.
    #[arg(long, default_value_t = 2000)]
    people: usize,
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Write the results here as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
struct Run {
    dry_run_secs: f64,
    import_secs: f64,
    again_secs: f64,
    export_secs: f64,
    created: u64,
    links: usize,
    export_bytes: usize,
}

#[derive(Debug, Serialize)]
struct Report {
    date: String,
    machine: String,
    people: usize,
    classes: usize,
    bundle_bytes: usize,
    runs: Vec<Run>,
}

/// The bundle: its zip, how many classes and people it has.
fn bundle(people: usize) -> anyhow::Result<(Vec<u8>, usize, usize)> {
    // Of every 100 people: 39 students, 58 parents (one or two each), 3 staff.
    let students = people * 39 / 100;
    let classes = students.div_ceil(25);
    let mut users = String::from(
        "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n",
    );
    let mut roles = String::from(
        "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n",
    );
    let mut enrollments = String::from(
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n",
    );
    let mut class_rows = String::from(
        "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n",
    );
    let mut count = 0;
    let person =
        |users: &mut String, roles: &mut String, sid: &str, role: &str, given: &str, family: &str, agents: &str| {
            users.push_str(&format!("{sid},,,true,,,{given},{family},,,{sid}@roster.bench,,,\"{agents}\",,\n"));
            roles.push_str(&format!("r-{sid},,,{sid},primary,{role},,,s1,\n"));
        };
    for c in 0..classes {
        let grade = c % 11 + 1;
        let class = format!("c{c}");
        class_rows.push_str(&format!("{class},,,{grade}-Р{},{grade:02},k,,homeroom,,s1,y,,,\n", c / 11 + 1));
        let teacher = format!("t{c}");
        person(&mut users, &mut roles, &teacher, "teacher", "Учитель", &format!("Классный{c}"), "");
        count += 1;
        enrollments.push_str(&format!("e-{teacher},,,{class},s1,{teacher},teacher,true,,\n"));
    }
    let mut parents = 0;
    for s in 0..students {
        let class = format!("c{}", s / 25);
        let (sid, p1, p2) = (format!("s{s}"), format!("p{s}a"), format!("p{s}b"));
        let two = s % 2 == 0 && parents + 2 <= people * 58 / 100;
        let agents = if two { format!("{p1},{p2}") } else { p1.clone() };
        person(&mut users, &mut roles, &sid, "student", "Ученик", &format!("Ученик{s}"), &agents);
        count += 1;
        enrollments.push_str(&format!("e-{sid},,,{class},s1,{sid},student,false,,\n"));
        person(&mut users, &mut roles, &p1, "parent", "Мама", &format!("Ученик{s}"), &sid);
        parents += 1;
        count += 1;
        if two {
            person(&mut users, &mut roles, &p2, "parent", "Папа", &format!("Ученик{s}"), &sid);
            parents += 1;
            count += 1;
        }
    }
    let mut staff = 0;
    while count < people {
        person(
            &mut users,
            &mut roles,
            &format!("a{staff}"),
            "administrator",
            "Сотрудник",
            &format!("Работник{staff}"),
            "",
        );
        staff += 1;
        count += 1;
    }
    // The demo's year: the one in progress, or after 26 May the coming one.
    let today = jiff::Zoned::now().date();
    let starts = if (today.month(), today.day()) > (5, 26) { today.year() } else { today.year() - 1 };
    let files: Vec<(&str, String)> = vec![
        ("manifest.csv", "propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\n".into()),
        (
            "orgs.csv",
            "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\ns1,,,Школа,school,,\n".into(),
        ),
        (
            "academicSessions.csv",
            format!(
                "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\ny,,,Год,schoolYear,{starts}-09-01,{}-05-31,,{}\n",
                starts + 1,
                starts + 1
            ),
        ),
        ("classes.csv", class_rows),
        ("users.csv", users),
        ("roles.csv", roles),
        ("enrollments.csv", enrollments),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in files {
        zip.start_file(name, options)?;
        zip.write_all(text.as_bytes())?;
    }
    Ok((zip.finish()?.into_inner(), classes, count))
}

async fn post_bundle(conn: &mut Conn, path: &str, token: &str, bundle: &[u8]) -> anyhow::Result<(f64, Value)> {
    let started = Instant::now();
    let reply = conn
        .request(hyper::Method::POST, path, Some(token), Some("application/zip"), bytes::Bytes::from(bundle.to_vec()))
        .await?;
    let secs = started.elapsed().as_secs_f64();
    Ok((secs, reply.json(200).with_context(|| format!("POST {path}"))?))
}

pub async fn roster(args: RosterArgs) -> anyhow::Result<()> {
    let (zip, classes, people) = bundle(args.people)?;
    eprintln!("bundle: {people} people in {classes} classes, {} KB zipped", zip.len() / 1024);
    let launch = Launch { parta_bin: args.parta_bin.as_deref(), database_url: args.database_url.as_deref() };
    let mut runs = Vec::new();
    for run in 0..args.runs {
        let data = std::env::temp_dir().join(format!("parta-bench-roster-{}-{run}", std::process::id()));
        std::fs::create_dir_all(&data)?;
        let server = start_parta_with(&launch, &data, 92, &["--demo".to_owned()]).await?;
        let mut conn = Conn::new(server.address);
        let login = json!({ "login": "admin@demo.parta.local", "password": "demo-parta-2026" });
        let session: Value = conn.post("/api/v1/auth/login", None, &login).await?.json(200)?;
        let token = session["token"].as_str().context("a session token")?.to_owned();
        let me: Value = conn.get("/api/v1/me", Some(&token)).await?.json(200)?;
        let org = me["schools"][0]["org_id"].as_i64().context("the demo school")?;
        let path = format!("/api/v1/orgs/{org}/roster/import");
        let (dry_run_secs, dry) = post_bundle(&mut conn, &format!("{path}?apply=false"), &token, &zip).await?;
        anyhow::ensure!(dry["rejected"].as_array().is_some_and(Vec::is_empty), "rows refused: {}", dry["rejected"]);
        let (import_secs, done) = post_bundle(&mut conn, &format!("{path}?apply=true"), &token, &zip).await?;
        let (again_secs, again) = post_bundle(&mut conn, &format!("{path}?apply=true"), &token, &zip).await?;
        anyhow::ensure!(
            again["people"]["created"] == 0 && again["people"]["updated"] == 0,
            "the second import changed: {again}"
        );
        let started = Instant::now();
        let export = conn.get(&format!("/api/v1/orgs/{org}/roster/export"), Some(&token)).await?;
        let export_secs = started.elapsed().as_secs_f64();
        anyhow::ensure!(export.status.as_u16() == 200, "export answered {}", export.status);
        let result = Run {
            dry_run_secs,
            import_secs,
            again_secs,
            export_secs,
            created: done["people"]["created"].as_u64().unwrap_or_default(),
            links: done["links"].as_array().map_or(0, Vec::len),
            export_bytes: export.body.len(),
        };
        eprintln!(
            "run {}: dry run {:.2} s, import {:.2} s ({} people created, {} links), again {:.2} s, export {:.2} s ({} KB)",
            run + 1,
            result.dry_run_secs,
            result.import_secs,
            result.created,
            result.links,
            result.again_secs,
            result.export_secs,
            result.export_bytes / 1024
        );
        runs.push(result);
        drop(server);
        let _ = std::fs::remove_dir_all(&data);
    }
    let report = Report {
        date: jiff::Timestamp::now().to_string(),
        machine: machine(),
        people,
        classes,
        bundle_bytes: zip.len(),
        runs,
    };
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
    }
    Ok(())
}
