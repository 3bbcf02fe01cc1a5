//! `parta-bench journal`: the e-journal under load. Provisions a school through the
//! API (people by invites as `provision` does, then subjects, a year, assignments,
//! timetables and a journal of the weeks before the simulated today), then measures:
//!
//! - the class journal grid and a week of the diary, one at a time and many at once;
//! - the morning rush: every student and parent connected, each opening the diary
//!   within `--rush-secs`, while the teachers of today's first bells open their
//!   lessons, take attendance and give marks; each mark timed to every open socket of
//!   the student's family (`journal_changed`);
//! - the XLSX exports: a class's period summary and an assignment's grid.

mod measure;
mod plan;
pub(crate) mod school;

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use serde::Serialize;

use crate::http::Pool;
use crate::provision::{Directory, Operator, Shape, provision};
use crate::run::{Launch, create_operator, machine, start_parta};
use measure::{Export, Reads, Rush, RushPlan};
use school::{Options, Setup};

#[derive(Debug, Args)]
pub struct JournalArgs {
    /// The `parta` binary; by default the one beside this binary.
    #[arg(long)]
    parta_bin: Option<PathBuf>,
    /// Data directory for the started server; one that holds this command's school
    /// (of the same shape) is reused, and an interrupted journal is written on from
    /// where it stopped. Default: a fresh temporary directory.
    #[arg(long)]
    data: Option<PathBuf>,
    /// `postgres://…` for the started server (SQLite in the data directory when absent).
    #[arg(long)]
    database_url: Option<String>,
    /// Students in the school (spread evenly over the classes).
    #[arg(long, default_value_t = 1500)]
    students: usize,
    #[arg(long, default_value_t = 60)]
    classes: usize,
    /// Teachers (at least one per class: the class teachers are among them).
    #[arg(long, default_value_t = 100)]
    teachers: usize,
    /// Of the students, the share with a parent registered (0 … 1).
    #[arg(long, default_value_t = 1.0)]
    parents_share: f64,
    /// Weeks of the year (from the Monday on or after today).
    #[arg(long, default_value_t = 34)]
    year_weeks: usize,
    /// Periods of the year: 4 quarters, 3 trimesters or 2 halves.
    #[arg(long, default_value_t = 4)]
    periods: usize,
    /// Full weeks of the journal written before the simulated today (a Wednesday, whose
    /// Monday and Tuesday are written too). The full year is 33.
    #[arg(long, default_value_t = 33)]
    weeks: usize,
    /// Students absent at a lesson (of a class of 25).
    #[arg(long, default_value_t = 2)]
    absent: usize,
    /// Marks given at a lesson.
    #[arg(long, default_value_t = 3)]
    marks: usize,
    /// Stop writing the journal after this many seconds, at the end of a week: today
    /// moves to the week after the last one written (for a run that has to fit in a time).
    #[arg(long)]
    write_for: Option<f64>,
    /// Requests in flight while writing the journal.
    #[arg(long, default_value_t = 32)]
    in_flight: usize,
    /// Grids read (assignment × period pairs, spread over the school).
    #[arg(long, default_value_t = 300)]
    grid_samples: usize,
    /// Diary weeks read (students, spread over the school).
    #[arg(long, default_value_t = 500)]
    diary_samples: usize,
    /// Requests at once in the concurrent reads.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Seconds of the morning rush.
    #[arg(long, default_value_t = 60.0)]
    rush_secs: f64,
    /// Today's bells whose lessons the teachers write during the rush.
    #[arg(long, default_value_t = 2)]
    rush_bells: usize,
    /// WebSocket handshakes in flight while connecting.
    #[arg(long, default_value_t = 100)]
    connect_in_flight: usize,
    /// Classes whose period summary is exported.
    #[arg(long, default_value_t = 10)]
    exports: usize,
    /// Write the results here as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    #[arg(long, default_value = "sqlite")]
    label: String,
    /// Stop once the school and its journal are written (in `--data`), measuring
    /// nothing: the ground `parta-bench year-transition` copies and moves on.
    #[arg(long)]
    prepare_only: bool,
}

#[derive(Debug, Serialize)]
struct Totals {
    classes: usize,
    students: usize,
    parents: usize,
    teachers: usize,
    weeks_written: usize,
    lessons: u64,
    absences: u64,
    marks: u64,
    requests: u64,
    secs: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    label: String,
    date: String,
    machine: String,
    today: String,
    today_period: i64,
    provisioning: Vec<(String, f64)>,
    journal_written: Option<Totals>,
    grid_largest: (usize, usize, usize),
    reads: Vec<Reads>,
    rush: Rush,
    exports: Vec<Export>,
}

pub async fn journal(args: JournalArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.classes > 0 && args.students >= args.classes, "at least one student per class");
    anyhow::ensure!((2..=4).contains(&args.periods), "--periods is 2, 3 or 4");
    anyhow::ensure!(args.weeks < args.year_weeks, "--weeks must leave today inside the year");
    let per_class = args.students / args.classes;
    let parents = ((per_class as f64) * args.parents_share.clamp(0.0, 1.0)).round() as usize;
    let shape = Shape {
        classes: args.classes,
        students: per_class,
        parents,
        extra_teachers: args.teachers.saturating_sub(args.classes),
    };
    let data = match &args.data {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("parta-bench-journal-{}", std::process::id())),
    };
    std::fs::create_dir_all(&data)?;
    let launch = Launch { parta_bin: args.parta_bin.as_deref(), database_url: args.database_url.as_deref() };
    let server = start_parta(&launch, &data, 0).await?;
    let address = server.address;
    eprintln!("Parta on {address} (pid {:?}), data in {}", server.pid, data.display());

    let directory_file = data.join("bench-directory.json");
    let directory = match Directory::load(&directory_file) {
        Ok(directory) if directory.shape == shape => {
            eprintln!("reusing the school provisioned in {}", data.display());
            directory
        }
        _ => {
            let operator: Operator = create_operator(&launch, &data)?;
            eprintln!(
                "provisioning {} classes × {} students (+{} parents each), {} teachers",
                shape.classes,
                shape.students,
                shape.parents,
                shape.classes + shape.extra_teachers
            );
            let directory = provision(address, operator, shape).await?;
            directory.save(&directory_file)?;
            directory
        }
    };

    let pool = Pool::new(address);
    let setup_file = data.join("journal-setup.json");
    let mut setup = match Setup::load(&setup_file) {
        Ok(mut setup) if setup.year_weeks == args.year_weeks => {
            // Another today is fine while no week after it has been written.
            if setup.weeks != args.weeks && setup.weeks_written <= args.weeks {
                setup.weeks = args.weeks;
            }
            eprintln!(
                "reusing the year {} ({} of {} weeks written)",
                setup.year_id,
                setup.weeks_written,
                setup.weeks + 1
            );
            setup
        }
        _ => {
            let options = Options {
                year_weeks: args.year_weeks,
                weeks: args.weeks,
                periods: args.periods,
                absent: args.absent,
                marked: args.marks,
            };
            let setup = school::set_up(&pool, &directory, &options).await?;
            setup.save(&setup_file)?;
            setup
        }
    };
    let journal_written = if setup.weeks_written <= setup.weeks {
        let started = Instant::now();
        let written = school::write_journal(
            &pool,
            directory.org,
            &mut setup,
            &setup_file,
            args.in_flight,
            args.write_for.map(std::time::Duration::from_secs_f64),
        )
        .await?;
        use std::sync::atomic::Ordering::Relaxed;
        let totals = Totals {
            classes: directory.classes.len(),
            students: directory.classes.iter().map(|c| c.students.len()).sum(),
            parents: directory.classes.iter().map(|c| c.parents.len()).sum(),
            teachers: setup.teachers.len(),
            weeks_written: setup.weeks_written,
            lessons: written.lessons.load(Relaxed),
            absences: written.absences.load(Relaxed),
            marks: written.marks.load(Relaxed),
            requests: written.requests.load(Relaxed),
            secs: started.elapsed().as_secs_f64(),
        };
        eprintln!(
            "journal written: {} lessons, {} absences, {} marks, {} requests in {:.1} s",
            totals.lessons, totals.absences, totals.marks, totals.requests, totals.secs
        );
        Some(totals)
    } else {
        None
    };
    drop(server);
    if args.prepare_only {
        eprintln!("prepared in {}", data.display());
        return Ok(());
    }

    // A fresh process for the measurements: provisioning's caches and memory do not count.
    let server = start_parta(&launch, &data, 1).await?;
    let address = server.address;
    let pool = Pool::new(address);
    let today = setup.today()?;
    let today_period = setup.period_of(today)?;
    eprintln!("measuring on {address} (pid {:?}); today is {today}, period {today_period}", server.pid);

    let grids = measure::grid_requests(&directory, &setup, today_period, args.grid_samples);
    let full_week = plan::add_days(today, -7);
    let diaries_full = measure::diary_requests(&directory, full_week, args.diary_samples);
    let diaries_today = measure::diary_requests(&directory, today, args.diary_samples);
    let big_grids = measure::big_grid_requests(&directory, &setup, today_period);
    let grid_largest = measure::grid_shapes(&pool, &measure::spread(&big_grids, 10)).await?;
    eprintln!(
        "  the largest grid: {} lessons × {} students ({} cells)",
        grid_largest.0, grid_largest.1, grid_largest.2
    );
    let mut reads = Vec::new();
    for (name, requests) in [
        ("grid, a sample of all", &grids),
        ("grid, the largest (5 a week, today's period)", &big_grids),
        ("diary, a full week", &diaries_full),
        ("diary, this week", &diaries_today),
    ] {
        for in_flight in [1, args.concurrency] {
            let result = measure::reads(&pool, name, requests, in_flight).await;
            eprintln!("  {}", result.line());
            reads.push(result);
        }
    }

    let class_teacher = |c: usize| directory.classes[c].teacher.token.clone();
    let summaries: Vec<(String, String)> =
        measure::spread(&(0..directory.classes.len()).collect::<Vec<_>>(), args.exports)
            .into_iter()
            .map(|c| {
                let path = format!(
                    "/api/v1/orgs/{}/years/{}/classes/{}/summary?period={today_period}&format=xlsx",
                    directory.org, setup.year_id, directory.classes[c].class_id
                );
                (path, class_teacher(c))
            })
            .collect();
    let grid_files: Vec<(String, String)> = measure::spread(&grids, args.exports)
        .into_iter()
        .map(|(path, token)| (path.replace("/journal?", "/journal/export?") + "&format=xlsx", token))
        .collect();
    let exports = vec![
        measure::exports(&pool, "class period summary, XLSX", &summaries).await,
        measure::exports(&pool, "assignment's grid, XLSX", &grid_files).await,
    ];
    for export in &exports {
        eprintln!(
            "  export: {}: {} ({} errors, largest {} bytes)",
            export.what,
            export.latency.line(),
            export.errors,
            export.bytes_max
        );
    }

    let plan = RushPlan {
        secs: args.rush_secs,
        bells: args.rush_bells,
        connect_in_flight: args.connect_in_flight,
        server_pid: server.pid,
    };
    let rush = measure::rush(address, &directory, &setup, &plan).await?;
    let report = Report {
        label: args.label.clone(),
        date: jiff::Timestamp::now().to_string(),
        machine: machine(),
        today: today.to_string(),
        today_period,
        provisioning: directory.timings.iter().cloned().chain(setup.timings.iter().cloned()).collect(),
        journal_written,
        grid_largest,
        reads,
        rush,
        exports,
    };
    print_summary(&report);
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
        eprintln!("results written to {}", path.display());
    }
    Ok(())
}

fn verdict(value: f64, goal: f64) -> &'static str {
    if value <= goal { "meets" } else { "MISSES" }
}

fn print_summary(report: &Report) {
    println!("== journal ({}), {} on {}", report.label, report.date, report.machine);
    if let Some(t) = &report.journal_written {
        println!(
            "school: {} classes, {} students, {} parents, {} teachers; journal of {} weeks: {} lessons, {} absences, {} marks ({} requests, {:.0} s)",
            t.classes,
            t.students,
            t.parents,
            t.teachers,
            t.weeks_written,
            t.lessons,
            t.absences,
            t.marks,
            t.requests,
            t.secs
        );
    }
    for (stage, secs) in &report.provisioning {
        println!("  provisioning: {stage}: {secs:.1} s");
    }
    println!(
        "today {} (period {}); largest grid {} lessons × {} students",
        report.today, report.today_period, report.grid_largest.0, report.grid_largest.1
    );
    for reads in &report.reads {
        println!("{}  [{} p99 ≤ 20 ms]", reads.line(), verdict(reads.latency.p99_ms, 20.0));
    }
    let r = &report.rush;
    println!(
        "rush: {} sockets ({:.1} s to connect), {} diaries and {} teachers' writes on {} lessons in {:.0} s, load {:.1}→{:.1}, server CPU {:?} s",
        r.sockets,
        r.connect_secs,
        r.diaries,
        r.writes,
        r.lessons,
        r.secs,
        r.load_before,
        r.load_after,
        r.server_cpu_secs
    );
    println!("  diary: {}, {} errors [{} p99 ≤ 50 ms]", r.diary.line(), r.diary_errors, verdict(r.diary.p99_ms, 50.0));
    println!("  writes: {}, {} errors [{} p99 ≤ 50 ms]", r.write.line(), r.write_errors, verdict(r.write.p99_ms, 50.0));
    for (kind, summary) in &r.write_by_kind {
        println!("    {kind}: {}", summary.line());
    }
    println!(
        "  mark → open diary: {} of {} deliveries, {} [{} p99 ≤ 100 ms]",
        r.mark_deliveries,
        r.mark_deliveries_expected,
        r.mark_to_socket.line(),
        verdict(r.mark_to_socket.p99_ms, 100.0)
    );
    println!(
        "  absence → open diary: {} of {}, {}",
        r.absence_deliveries,
        r.absence_deliveries_expected,
        r.absence_to_socket.line()
    );
    println!("  diary refetched on the event: {}, {} errors", r.refetch.line(), r.refetch_errors);
    println!("  mark → refetched diary shows it: {}", r.mark_to_diary.line());
    for export in &report.exports {
        println!(
            "export: {}: {} [{} max ≤ 1 s]",
            export.what,
            export.latency.line(),
            verdict(export.latency.max_ms, 1000.0)
        );
    }
}
