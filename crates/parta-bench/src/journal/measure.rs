//! The measurements: reads of the grid and the diary, one at a time and many at once;
//! the morning rush (diaries opened while teachers write, with every mark's way to
//! the family's open sockets timed); the exports.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use jiff::civil::Date;
use parta_protocol::{JournalGrid, LessonPage};
use serde::Serialize;

use super::plan;
use super::school::{self, LessonJob, Setup};
use crate::http::Pool;
use crate::provision::Directory;
use crate::stats::{Latencies, Summary};
use crate::swarm::{Client, Swarm};

/// One-minute load average of the machine.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

#[derive(Debug, Clone, Serialize)]
pub struct Reads {
    pub name: String,
    pub in_flight: usize,
    pub requests: usize,
    pub errors: u64,
    pub latency: Summary,
    pub per_second: f64,
    pub load_before: f64,
    pub load_after: f64,
}

impl Reads {
    pub fn line(&self) -> String {
        format!(
            "{} ({} at once): {}, {} errors, {:.0}/s, load {:.1}→{:.1}",
            self.name,
            self.in_flight,
            self.latency.line(),
            self.errors,
            self.per_second,
            self.load_before,
            self.load_after
        )
    }
}

/// GETs `requests` (path, token) with `in_flight` at once; times each to its last byte.
pub async fn reads(pool: &Pool, name: &str, requests: &[(String, String)], in_flight: usize) -> Reads {
    let load_before = load_average();
    let started = Instant::now();
    let results: Vec<Option<u64>> = futures_util::stream::iter(requests)
        .map(|(path, token)| async move {
            let mut conn = pool.take();
            let at = Instant::now();
            let reply = conn.get(path, Some(token)).await;
            let ns = at.elapsed().as_nanos() as u64;
            pool.give(conn);
            match reply {
                Ok(reply) if reply.status.is_success() => Some(ns),
                Ok(reply) => {
                    eprintln!("  {name}: {path} answered {}", reply.status);
                    None
                }
                Err(error) => {
                    eprintln!("  {name}: {path}: {error:#}");
                    None
                }
            }
        })
        .buffer_unordered(in_flight.max(1))
        .collect()
        .await;
    let secs = started.elapsed().as_secs_f64();
    let mut latencies = Latencies::default();
    let mut errors = 0;
    for result in &results {
        match result {
            Some(ns) => latencies.record_ns(*ns),
            None => errors += 1,
        }
    }
    Reads {
        name: name.to_owned(),
        in_flight,
        requests: requests.len(),
        errors,
        latency: latencies.summary(),
        per_second: requests.len() as f64 / secs.max(1e-9),
        load_before,
        load_after: load_average(),
    }
}

/// `count` items spread evenly over `items`.
pub fn spread<T: Clone>(items: &[T], count: usize) -> Vec<T> {
    if count >= items.len() {
        return items.to_vec();
    }
    (0..count).map(|i| items[i * items.len() / count].clone()).collect()
}

/// The grid requests: every assignment in every period up to today's, `samples` of them spread over the list.
pub fn grid_requests(directory: &Directory, setup: &Setup, today_period: i64, samples: usize) -> Vec<(String, String)> {
    let org = directory.org;
    let mut all = Vec::new();
    for period in 1..=today_period {
        for (c, row) in setup.assignments.iter().enumerate() {
            for (s, &assignment) in row.iter().enumerate() {
                let token = setup.teachers[setup.table[c][s]].token.clone();
                let path = format!(
                    "/api/v1/orgs/{org}/years/{}/journal?assignment_id={assignment}&period={period}",
                    setup.year_id
                );
                all.push((path, token));
            }
        }
    }
    spread(&all, samples)
}

/// The largest grids: the subjects taught most hours a week, in today's period, one per class.
pub fn big_grid_requests(directory: &Directory, setup: &Setup, today_period: i64) -> Vec<(String, String)> {
    let most = plan::SUBJECTS.iter().map(|s| s.2).max().unwrap_or(0);
    let org = directory.org;
    setup
        .assignments
        .iter()
        .enumerate()
        .flat_map(|(c, row)| {
            row.iter().enumerate().filter(|&(s, _)| plan::SUBJECTS[s].2 == most).map(move |(s, &assignment)| {
                let token = setup.teachers[setup.table[c][s]].token.clone();
                let path = format!(
                    "/api/v1/orgs/{org}/years/{}/journal?assignment_id={assignment}&period={today_period}",
                    setup.year_id
                );
                (path, token)
            })
        })
        .collect()
}

/// The diary requests of a week for `samples` students spread over the school, half
/// as the student and half as their parent where they have one.
pub fn diary_requests(directory: &Directory, date: Date, samples: usize) -> Vec<(String, String)> {
    let org = directory.org;
    let mut all = Vec::new();
    for class in &directory.classes {
        for (i, student) in class.students.iter().enumerate() {
            let token = match class.parents.get(i) {
                Some(parent) if i % 2 == 1 => parent.token.clone(),
                _ => student.token.clone(),
            };
            all.push((format!("/api/v1/orgs/{org}/diary?student_id={}&date={date}", student.id), token));
        }
    }
    spread(&all, samples)
}

/// The largest grid seen in a sample: (lessons, students).
pub async fn grid_shapes(pool: &Pool, requests: &[(String, String)]) -> anyhow::Result<(usize, usize, usize)> {
    let mut conn = pool.take();
    let (mut lessons, mut rows, mut cells) = (0, 0, 0);
    for (path, token) in requests {
        let grid: JournalGrid = conn.get(path, Some(token)).await?.json(200)?;
        if grid.lessons.len() > lessons {
            lessons = grid.lessons.len();
            rows = grid.rows.len();
            cells = grid.rows.iter().map(|r| r.cells.len()).sum();
        }
    }
    pool.give(conn);
    Ok((lessons, rows, cells))
}

#[derive(Debug, Clone, Serialize)]
pub struct Export {
    pub what: String,
    pub count: usize,
    pub errors: u64,
    pub bytes_max: usize,
    pub latency: Summary,
}

/// Downloads each file (to its last byte) one at a time.
pub async fn exports(pool: &Pool, what: &str, requests: &[(String, String)]) -> Export {
    let mut conn = pool.take();
    let mut latencies = Latencies::default();
    let (mut errors, mut bytes_max) = (0, 0);
    for (path, token) in requests {
        let at = Instant::now();
        match conn.get(path, Some(token)).await {
            Ok(reply) if reply.status.is_success() => {
                latencies.record_ns(at.elapsed().as_nanos() as u64);
                bytes_max = bytes_max.max(reply.body.len());
            }
            Ok(reply) => {
                eprintln!("  export {path}: {} {}", reply.status, String::from_utf8_lossy(&reply.body));
                errors += 1;
            }
            Err(error) => {
                eprintln!("  export {path}: {error:#}");
                errors += 1;
            }
        }
    }
    pool.give(conn);
    Export { what: what.to_owned(), count: requests.len(), errors, bytes_max, latency: latencies.summary() }
}

#[derive(Debug, Clone, Serialize)]
pub struct Rush {
    pub secs: f64,
    pub sockets: usize,
    pub connect_secs: f64,
    pub diaries: usize,
    pub diary: Summary,
    pub diary_errors: u64,
    /// The latest a diary request started after its due time.
    pub diary_lag_max_ms: f64,
    pub lessons: usize,
    pub teachers: usize,
    pub writes: usize,
    pub write: Summary,
    pub write_by_kind: BTreeMap<String, Summary>,
    pub write_errors: u64,
    pub marks: usize,
    /// Deliveries expected: each mark to each open socket of the student's family.
    pub mark_deliveries_expected: usize,
    pub mark_deliveries: usize,
    /// From the start of the request that gave the mark to the `journal_changed` on a socket.
    pub mark_to_socket: Summary,
    pub absence_deliveries_expected: usize,
    pub absence_deliveries: usize,
    pub absence_to_socket: Summary,
    /// Each `journal_changed` makes the open diary fetch its week again, as the web's does:
    /// those fetches, from the event's arrival to their last byte.
    pub refetches: usize,
    pub refetch: Summary,
    pub refetch_errors: u64,
    /// From the start of the request that gave the mark to the end of the diary's refetch.
    pub mark_to_diary: Summary,
    pub server_cpu_secs: Option<f64>,
    pub load_before: f64,
    pub load_after: f64,
}

/// What a teacher's request in the rush was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Open,
    Attendance,
    Mark,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Open => "open lesson",
            Kind::Attendance => "attendance",
            Kind::Mark => "mark",
        }
    }
}

#[derive(Default)]
struct RushLog {
    writes: Vec<(Kind, Option<u64>)>,
    /// (student, lesson) → when the request that changed it started, ns since the epoch, and whether a mark.
    sent: HashMap<(i64, i64), (u64, bool)>,
    diaries: Vec<Option<u64>>,
    diary_lag_ns: u64,
    /// The refetches after `journal_changed`: (receiver, student, lesson, arrived ns, done ns or None).
    refetches: Vec<(i64, i64, i64, u64, Option<u64>)>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub struct RushPlan {
    pub secs: f64,
    /// Today's lessons of the first `bells` bells.
    pub bells: usize,
    pub connect_in_flight: usize,
    pub server_pid: Option<u32>,
}

/// The morning rush: every student and parent connects, each opens the diary once
/// within `secs`, while the teachers of today's first bells open their lessons, take
/// attendance and give marks one by one; each open diary fetches its week again on
/// every `journal_changed` for its student, as the web's does.
pub async fn rush(address: SocketAddr, directory: &Directory, setup: &Setup, plan: &RushPlan) -> anyhow::Result<Rush> {
    let org = directory.org;
    let today = setup.today()?;
    // Everyone with a diary: students and parents, each with the child whose diary it is.
    let mut people: Vec<(i64, String, i64)> = Vec::new();
    let mut family: HashMap<i64, Vec<usize>> = HashMap::new();
    for class in &directory.classes {
        for (i, student) in class.students.iter().enumerate() {
            family.entry(student.id).or_default().push(people.len());
            people.push((student.id, student.token.clone(), student.id));
            if let Some(parent) = class.parents.get(i) {
                family.entry(student.id).or_default().push(people.len());
                people.push((parent.id, parent.token.clone(), student.id));
            }
        }
    }
    let epoch = Instant::now();
    let clients: Vec<Arc<Client>> =
        people.iter().map(|(id, token, _)| Arc::new(Client::new(*id, token.clone()))).collect();
    let swarm = Arc::new(Swarm::new(address, epoch, clients));
    let connect_started = Instant::now();
    let all: Vec<usize> = (0..people.len()).collect();
    swarm.connect(&all, false, plan.connect_in_flight).await?;
    let connect_secs = connect_started.elapsed().as_secs_f64();
    eprintln!("  rush: {} sockets open in {connect_secs:.1} s", people.len());
    for client in &swarm.clients {
        client.take_stats();
    }
    let log = Arc::new(Mutex::new(RushLog::default()));
    let pool = Arc::new(Pool::new(address));
    let today_text = today.to_string();
    // The open diaries: on `journal_changed` for their student, the week again.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(i64, crate::swarm::JournalSeen)>();
    for client in &swarm.clients {
        *lock(&client.journal_tx) = Some(tx.clone());
    }
    drop(tx);
    let tokens: Arc<HashMap<i64, String>> =
        Arc::new(people.iter().map(|(id, token, _)| (*id, token.clone())).collect());
    let refetcher = {
        let (pool, log, swarm) = (Arc::clone(&pool), Arc::clone(&log), Arc::clone(&swarm));
        tokio::spawn(async move {
            let mut fetches = Vec::new();
            while let Some((user, seen)) = rx.recv().await {
                let (pool, log, swarm, tokens) =
                    (Arc::clone(&pool), Arc::clone(&log), Arc::clone(&swarm), Arc::clone(&tokens));
                let path = format!("/api/v1/orgs/{org}/diary?student_id={}&date={today_text}", seen.student);
                fetches.push(tokio::spawn(async move {
                    let Some(token) = tokens.get(&user) else { return };
                    let mut conn = pool.take();
                    let reply = conn.get(&path, Some(token)).await;
                    pool.give(conn);
                    let done = swarm.now_ns();
                    let ok = matches!(&reply, Ok(r) if r.status.is_success());
                    lock(&log).refetches.push((user, seen.student, seen.lesson, seen.at_ns, ok.then_some(done)));
                }));
            }
            for fetch in fetches {
                let _ = fetch.await;
            }
        })
    };

    let week = setup.week()?;
    let jobs: Vec<LessonJob> =
        school::lessons_on(&week, today, 2).into_iter().filter(|job| job.slot.bell < plan.bells).collect();
    let mut by_bell = jobs.clone();
    by_bell.sort_by_key(|job| (job.slot.bell, job.class));
    let teachers: std::collections::HashSet<usize> =
        jobs.iter().map(|job| setup.table[job.class][job.slot.subject]).collect();

    let setup = Arc::new(setup.clone());
    let secs = plan.secs;
    let cpu_before = plan.server_pid.and_then(crate::procfs::sample);
    let load_before = load_average();
    let started = tokio::time::Instant::now();
    let now_ns = {
        let epoch = swarm.epoch;
        move || epoch.elapsed().as_nanos() as u64
    };
    let mut tasks = Vec::new();

    // The teachers: lesson i opens at i/n of the first 60 % of the rush; its marks follow, spaced over the rest.
    let n = by_bell.len().max(1);
    for (i, job) in by_bell.into_iter().enumerate() {
        let (pool, log, setup) = (Arc::clone(&pool), Arc::clone(&log), Arc::clone(&setup));
        let opens_at = started + Duration::from_secs_f64(secs * 0.6 * i as f64 / n as f64);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(opens_at).await;
            let token = setup.teachers[setup.table[job.class][job.slot.subject]].token.clone();
            let mut conn = pool.take();
            let at = Instant::now();
            let page = school::open(&mut conn, org, &setup, &job).await;
            let ns = at.elapsed().as_nanos() as u64;
            let page: LessonPage = match page {
                Ok(page) => {
                    lock(&log).writes.push((Kind::Open, Some(ns)));
                    page
                }
                Err(error) => {
                    eprintln!("  rush: opening a lesson: {error:#}");
                    lock(&log).writes.push((Kind::Open, None));
                    pool.give(conn);
                    return;
                }
            };
            let lesson = page.lesson.id.0;
            let students: Vec<i64> = page.students.iter().map(|s| s.person.id.0).collect();
            let (absent, marked) = school::lesson_writes(&setup, &job, &students);
            let attendance = school::attendance_body(&absent);
            let sent = now_ns();
            {
                // Only a change is told: a student already absent (a rerun) is not.
                let already: std::collections::HashSet<i64> =
                    page.students.iter().filter(|s| s.attendance.is_some()).map(|s| s.person.id.0).collect();
                let mut log = lock(&log);
                for &student in absent.iter().filter(|s| !already.contains(s)) {
                    log.sent.insert((student, lesson), (sent, false));
                }
            }
            let path = format!("/api/v1/orgs/{org}/lessons/{lesson}/attendance");
            let at = Instant::now();
            let reply = conn.put(&path, Some(&token), &attendance).await;
            let ok = matches!(&reply, Ok(r) if r.status.is_success());
            lock(&log).writes.push((Kind::Attendance, ok.then(|| at.elapsed().as_nanos() as u64)));
            let path = format!("/api/v1/orgs/{org}/lessons/{lesson}/grades");
            let gap = secs * 0.4 / (marked.len() + 1) as f64;
            for (k, mark) in marked.iter().enumerate() {
                tokio::time::sleep_until(opens_at + Duration::from_secs_f64(gap * (k + 1) as f64)).await;
                let body = school::grades_body(&setup, std::slice::from_ref(mark));
                let sent = now_ns();
                lock(&log).sent.insert((mark.0, lesson), (sent, true));
                let at = Instant::now();
                let reply = conn.put(&path, Some(&token), &body).await;
                let ok = matches!(&reply, Ok(r) if r.status.is_success());
                if !ok {
                    eprintln!(
                        "  rush: a mark: {:?}",
                        reply.map(|r| (r.status, String::from_utf8_lossy(&r.body).into_owned()))
                    );
                }
                lock(&log).writes.push((Kind::Mark, ok.then(|| at.elapsed().as_nanos() as u64)));
            }
            pool.give(conn);
        }));
    }

    // The diaries: each person once, at a due time spread over the rush in a shuffled order.
    let mut order: Vec<usize> = (0..people.len()).collect();
    for i in (1..order.len()).rev() {
        let j = (plan::mix(i as u64 ^ 0xD1A2) % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    let diaries = people.len();
    for (rank, &who) in order.iter().enumerate() {
        let (pool, log) = (Arc::clone(&pool), Arc::clone(&log));
        let (_, token, child) = people[who].clone();
        let due = started + Duration::from_secs_f64(secs * rank as f64 / diaries.max(1) as f64);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(due).await;
            let lag = tokio::time::Instant::now().saturating_duration_since(due).as_nanos() as u64;
            let mut conn = pool.take();
            let reply =
                conn.get(&format!("/api/v1/orgs/{org}/diary?student_id={child}&date={today}"), Some(&token)).await;
            let ns = due.elapsed().as_nanos() as u64;
            pool.give(conn);
            let ok = matches!(&reply, Ok(r) if r.status.is_success());
            if !ok {
                eprintln!("  rush: a diary: {:?}", reply.map(|r| r.status));
            }
            let mut log = lock(&log);
            log.diaries.push(ok.then_some(ns));
            log.diary_lag_ns = log.diary_lag_ns.max(lag);
        }));
    }
    for task in tasks {
        task.await?;
    }
    // Late events: a few seconds for the last ones to arrive.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_after = plan.server_pid.and_then(crate::procfs::sample);
    let load_after = load_average();

    let mut arrivals: Vec<HashMap<(i64, i64), u64>> = Vec::with_capacity(people.len());
    for client in &swarm.clients {
        let stats = client.take_stats();
        let mut seen = HashMap::new();
        for event in stats.journal {
            seen.entry((event.student, event.lesson)).or_insert(event.at_ns);
        }
        arrivals.push(seen);
    }
    let online = swarm.online();
    for client in &swarm.clients {
        lock(&client.journal_tx).take();
    }
    swarm.disconnect_all().await;
    let _ = tokio::time::timeout(Duration::from_secs(30), refetcher).await;

    let log = lock(&log);
    let (mut write, mut by_kind, mut write_errors) = (Latencies::default(), BTreeMap::new(), 0);
    for &(kind, ns) in &log.writes {
        match ns {
            Some(ns) => {
                write.record_ns(ns);
                by_kind.entry(kind).or_insert_with(Latencies::default).record_ns(ns);
            }
            None => write_errors += 1,
        }
    }
    let (mut diary, mut diary_errors) = (Latencies::default(), 0);
    for ns in &log.diaries {
        match ns {
            Some(ns) => diary.record_ns(*ns),
            None => diary_errors += 1,
        }
    }
    let online: std::collections::HashSet<usize> = online.into_iter().collect();
    let (mut marks_expected, mut absences_expected) = (0, 0);
    let (mut mark_latency, mut absence_latency) = (Latencies::default(), Latencies::default());
    let mut marks = 0;
    for (&(student, lesson), &(sent, is_mark)) in &log.sent {
        marks += usize::from(is_mark);
        for &member in family.get(&student).map_or(&[][..], Vec::as_slice) {
            if !online.contains(&member) {
                continue;
            }
            let (expected, latency) = if is_mark {
                (&mut marks_expected, &mut mark_latency)
            } else {
                (&mut absences_expected, &mut absence_latency)
            };
            *expected += 1;
            if let Some(&at) = arrivals[member].get(&(student, lesson)) {
                latency.record_ns(at.saturating_sub(sent));
            }
        }
    }
    let (mut refetch, mut mark_to_diary, mut refetch_errors) = (Latencies::default(), Latencies::default(), 0);
    for &(_, student, lesson, arrived, done) in &log.refetches {
        let Some(done) = done else {
            refetch_errors += 1;
            continue;
        };
        refetch.record_ns(done.saturating_sub(arrived));
        if let Some(&(sent, true)) = log.sent.get(&(student, lesson)) {
            mark_to_diary.record_ns(done.saturating_sub(sent));
        }
    }
    Ok(Rush {
        secs: elapsed,
        sockets: people.len(),
        connect_secs,
        diaries,
        diary: diary.summary(),
        diary_errors,
        diary_lag_max_ms: log.diary_lag_ns as f64 / 1e6,
        lessons: jobs.len(),
        teachers: teachers.len(),
        writes: log.writes.len(),
        write: write.summary(),
        write_by_kind: by_kind.into_iter().map(|(k, l)| (k.name().to_owned(), l.summary())).collect(),
        write_errors,
        marks,
        mark_deliveries_expected: marks_expected,
        mark_deliveries: mark_latency.len(),
        mark_to_socket: mark_latency.summary(),
        absence_deliveries_expected: absences_expected,
        absence_deliveries: absence_latency.len(),
        absence_to_socket: absence_latency.summary(),
        refetches: log.refetches.len(),
        refetch: refetch.summary(),
        refetch_errors,
        mark_to_diary: mark_to_diary.summary(),
        server_cpu_secs: match (cpu_before, cpu_after) {
            (Some(a), Some(b)) => Some(b.cpu_secs - a.cpu_secs),
            _ => None,
        },
        load_before,
        load_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_takes_evenly_and_everything_when_asked_for_more() {
        let items: Vec<usize> = (0..10).collect();
        assert_eq!(spread(&items, 5), [0, 2, 4, 6, 8]);
        assert_eq!(spread(&items, 20), items);
        assert_eq!(spread(&items, 0), Vec::<usize>::new());
    }
}
