//! `parta-bench year-transition`: the new school year of a whole school, timed. Takes
//! the school `parta-bench journal --prepare-only` left in `--data` (its people, a
//! year with its timetable and journal), gives each class a subject chat, and for each
//! run copies the data aside, starts Parta on the copy, creates the next year, and
//! times the preview and the transition through the API (one transaction on the
//! server). The copy is dropped after each run, so every run moves the same school.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use parta_protocol::{AcademicYear, YearTransitionPlan};
use serde::Serialize;
use serde_json::json;

use crate::http::Conn;
use crate::journal::school::{Setup, call};
use crate::provision::Directory;
use crate::run::{Launch, machine, start_parta};

#[derive(Debug, Args)]
pub struct YearTransitionArgs {
    /// The `parta` binary; by default the one beside this binary.
    #[arg(long)]
    parta_bin: Option<PathBuf>,
    /// A data directory prepared by `parta-bench journal --prepare-only --data …` (SQLite).
    #[arg(long)]
    data: PathBuf,
    /// Transitions timed, each on a fresh copy of the prepared school.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Write the results here as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
struct Run {
    preview_secs: f64,
    transition_secs: f64,
    promoted: i64,
    graduating: i64,
    chats_following: usize,
    chats_archived: usize,
}

#[derive(Debug, Serialize)]
struct Report {
    date: String,
    machine: String,
    classes: usize,
    students: usize,
    parents: usize,
    runs: Vec<Run>,
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Each class's first subject's teacher opens a subject chat for it (once per prepared school).
async fn subject_chats(conn: &mut Conn, directory: &Directory, setup: &Setup) -> anyhow::Result<()> {
    for (n, class) in directory.classes.iter().enumerate() {
        let teacher = &setup.teachers[setup.table[n][0]];
        let body = json!({ "kind": "subject", "title": "Математика", "class_id": class.class_id });
        let path = format!("/api/v1/orgs/{}/chats", directory.org);
        let _: serde_json::Value = call(conn, hyper::Method::POST, &path, &teacher.token, Some(&body), 201).await?;
    }
    Ok(())
}

pub async fn year_transition(args: YearTransitionArgs) -> anyhow::Result<()> {
    let directory = Directory::load(&args.data.join("bench-directory.json"))
        .context("no school in --data: run `parta-bench journal --prepare-only --data …` first")?;
    let setup = Setup::load(&args.data.join("journal-setup.json")).context("no journal setup in --data")?;
    let launch = Launch { parta_bin: args.parta_bin.as_deref(), database_url: None };
    let marker = args.data.join("year-transition-chats");
    if !marker.exists() {
        let server = start_parta(&launch, &args.data, 90).await?;
        subject_chats(&mut Conn::new(server.address), &directory, &setup).await?;
        std::fs::write(&marker, b"one subject chat per class\n")?;
    }
    let admin = directory.admin.token.clone();
    let org = directory.org;
    let mut runs = Vec::new();
    for run in 0..args.runs {
        let scratch = std::env::temp_dir().join(format!("parta-bench-year-{}-{run}", std::process::id()));
        copy_dir(&args.data, &scratch)?;
        let server = start_parta(&launch, &scratch, 91).await?;
        let mut conn = Conn::new(server.address);
        let get = hyper::Method::GET;
        let post = hyper::Method::POST;
        let years: Vec<AcademicYear> =
            call(&mut conn, get, &format!("/api/v1/orgs/{org}/years"), &admin, None, 200).await?;
        let ending = years.iter().find(|y| y.id.0 == setup.year_id).context("the prepared year")?;
        let ends: jiff::civil::Date = ending.ends_on.parse()?;
        let day =
            |days: i64| -> anyhow::Result<String> { Ok(ends.checked_add(jiff::Span::new().days(days))?.to_string()) };
        let next = json!({
            "name": "Следующий", "starts_on": day(1)?, "ends_on": day(270)?, "school_days": 5, "period_kind": "halves",
            "periods": [{ "starts_on": day(1)?, "ends_on": day(120)? }, { "starts_on": day(121)?, "ends_on": day(270)? }],
            "copy_bells_from": setup.year_id,
        });
        let to: AcademicYear =
            call(&mut conn, post.clone(), &format!("/api/v1/orgs/{org}/years"), &admin, Some(&next), 201).await?;
        let request = json!({ "from_year_id": setup.year_id, "to_year_id": to.id });
        let started = Instant::now();
        let preview: YearTransitionPlan = call(
            &mut conn,
            post.clone(),
            &format!("/api/v1/orgs/{org}/year-transition/preview"),
            &admin,
            Some(&request),
            200,
        )
        .await?;
        let preview_secs = started.elapsed().as_secs_f64();
        anyhow::ensure!(
            preview.classes.len() == directory.classes.len(),
            "the preview moves {} classes of {}: the prepared year and the classes' year differ",
            preview.classes.len(),
            directory.classes.len()
        );
        let started = Instant::now();
        let done: YearTransitionPlan =
            call(&mut conn, post, &format!("/api/v1/orgs/{org}/year-transition"), &admin, Some(&request), 200).await?;
        let transition_secs = started.elapsed().as_secs_f64();
        let result = Run {
            preview_secs,
            transition_secs,
            promoted: done.students_promoted,
            graduating: done.students_graduating,
            chats_following: done.chats_following.len(),
            chats_archived: done.chats_archived.len(),
        };
        eprintln!(
            "run {}: preview {:.2} s, transition {:.2} s ({} promoted, {} graduating, {} chats go on, {} archived)",
            run + 1,
            result.preview_secs,
            result.transition_secs,
            result.promoted,
            result.graduating,
            result.chats_following,
            result.chats_archived
        );
        runs.push(result);
        drop(server);
        std::fs::remove_dir_all(&scratch)?;
    }
    let report = Report {
        date: jiff::Timestamp::now().to_string(),
        machine: machine(),
        classes: directory.classes.len(),
        students: directory.classes.iter().map(|c| c.students.len()).sum(),
        parents: directory.classes.iter().map(|c| c.parents.len()).sum(),
        runs,
    };
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
    }
    Ok(())
}
