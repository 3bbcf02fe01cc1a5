//! The workloads, in the order they run against each server:
//!
//! - **E** (ingest): paced messages with no socket open: server CPU per stored message.
//! - **D**: messages offered faster than they can be stored, from `--d-senders`
//!   connections: acknowledged messages a second (each after its commit), the WAL's
//!   peak size, and the insert floor of the same rows (`ingest`). Against the floor,
//!   the same sends answered with nothing stored: the request floor, what this machine
//!   allows for D's HTTP side alone.
//! - **C**: the first `--channel-members` people connect; the school channel gets one
//!   post a second; latency to every one of them.
//! - **F**: everyone else connects; resident memory per idle authenticated socket.
//! - **A**: `--rate` messages a second for `--duration` seconds into the class chats
//!   (and parents chats when there are parents) plus the channel at `--channel-rate`.
//!   CPU per message and per delivery (E) come from this run too.
//! - **G** (Parta only): a student goes offline, 1,000 messages are said in their class
//!   chat, they come back with `resume`: time until all have arrived, none twice.
//! - **B**: class chats at rising rates until p99 passes `--b-p99-ms` (or anything is
//!   lost): the highest sustained deliveries a second.

use std::collections::{BTreeMap, HashMap};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use parta_protocol::{Chat, SendMessageRequest};
use serde::Serialize;

use crate::http::{Conn, wait_ready};
use crate::pace::{Mix, Pick, due_ns, total};
use crate::procfs::{self, Sample};
use crate::provision::{Directory, Operator, Seat, Shape, provision};
use crate::stats::{Latencies, Summary};
use crate::swarm::{Client, Swarm, body};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A running Parta (`http://127.0.0.1:8080`) instead of one this command starts;
    /// give `--operator-login` and `--operator-password` with it.
    #[arg(long)]
    url: Option<String>,
    /// The running server's process id, for its memory and CPU figures (with `--url`).
    #[arg(long)]
    server_pid: Option<u32>,
    #[arg(long)]
    operator_login: Option<String>,
    #[arg(long)]
    operator_password: Option<String>,
    /// The `parta` binary; by default the one beside this binary.
    #[arg(long)]
    parta_bin: Option<PathBuf>,
    /// Data directory for the started server. A directory that already holds a school
    /// provisioned by the bench (`bench-directory.json`) of the same shape is reused.
    /// Default: a fresh temporary directory.
    #[arg(long)]
    data: Option<PathBuf>,
    /// `postgres://…` for the started server (SQLite in the data directory when absent).
    #[arg(long)]
    database_url: Option<String>,
    #[arg(long, default_value_t = 330)]
    classes: usize,
    #[arg(long, default_value_t = 30)]
    students: usize,
    /// Parents per class (one per student, from the first).
    #[arg(long, default_value_t = 0)]
    parents: usize,
    /// Clients to connect (default: everyone provisioned), class by class.
    #[arg(long)]
    clients: Option<usize>,
    /// Which workloads to run: e, d, c, f, a, g, b (always in that order).
    #[arg(long, value_delimiter = ',', default_value = "e,d,c,f,a,g,b")]
    workloads: Vec<String>,
    /// A: messages a second, all chats together.
    #[arg(long, default_value_t = 1000.0)]
    rate: f64,
    /// A: seconds of sending.
    #[arg(long, default_value_t = 60.0)]
    duration: f64,
    /// A: of `--rate`, posts a second into the school channel.
    #[arg(long, default_value_t = 1.0)]
    channel_rate: f64,
    /// C: clients online when the channel is measured.
    #[arg(long, default_value_t = 3000)]
    channel_members: usize,
    /// C: seconds of one post a second.
    #[arg(long, default_value_t = 30.0)]
    channel_duration: f64,
    /// D: messages a second offered (more than Parta can take, so it runs flat out).
    #[arg(long, default_value_t = 20_000.0)]
    d_rate: f64,
    /// D: seconds of offering.
    #[arg(long, default_value_t = 5.0)]
    d_secs: f64,
    /// D: HTTP connections posting at once.
    #[arg(long, default_value_t = 256)]
    d_senders: usize,
    /// E: seconds of sending with no socket open.
    #[arg(long, default_value_t = 20.0)]
    ingest_duration: f64,
    /// G: messages said while the client is away.
    #[arg(long, default_value_t = 1000)]
    catch_up_messages: usize,
    /// B: rates to try, messages a second into class chats, until one fails.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "10,20,50,100,150,200,300,400,600,800,1000,1500,2000,2500,3000,3500,4000,4500,5000,6000,8000,12000"
    )]
    b_rates: Vec<f64>,
    /// B: seconds per rate.
    #[arg(long, default_value_t = 10.0)]
    b_step: f64,
    /// B: the p99 a rate must stay under to count as sustained.
    #[arg(long, default_value_t = 50.0)]
    b_p99_ms: f64,
    /// Skip the floor.
    #[arg(long)]
    no_floor: bool,
    /// Only the floor (with `--data` holding a provisioned directory for its shape).
    #[arg(long)]
    only_floor: bool,
    /// The floor's WebSocket read buffer per connection, bytes: Parta's own 4 KiB by
    /// default, so both run the library with the same settings.
    #[arg(long, default_value_t = 4096)]
    floor_read_buffer: usize,
    /// HTTP connections that post messages.
    #[arg(long, default_value_t = 64)]
    senders: usize,
    /// Handshakes in flight while connecting clients.
    #[arg(long, default_value_t = 200)]
    connect_in_flight: usize,
    /// Write the results here as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// A label for the results (e.g. the database).
    #[arg(long, default_value = "sqlite")]
    label: String,
}

impl RunArgs {
    fn wants(&self, workload: &str) -> bool {
        self.workloads.iter().any(|w| w.eq_ignore_ascii_case(workload))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Kind {
    Parta,
    Floor,
}

/// A server under test, stopped when dropped if this process started it.
pub(crate) struct Server {
    pub kind: Kind,
    pub address: SocketAddr,
    pub pid: Option<u32>,
    pub child: Option<Child>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> anyhow::Result<SocketAddr> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

/// How the bench starts Parta: its binary and, for PostgreSQL, the database.
pub(crate) struct Launch<'a> {
    pub parta_bin: Option<&'a Path>,
    pub database_url: Option<&'a str>,
}

impl RunArgs {
    fn launch(&self) -> Launch<'_> {
        Launch { parta_bin: self.parta_bin.as_deref(), database_url: self.database_url.as_deref() }
    }
}

fn parta_bin(args: &Launch<'_>) -> anyhow::Result<PathBuf> {
    if let Some(bin) = args.parta_bin {
        return Ok(bin.to_owned());
    }
    let beside = std::env::current_exe()?.with_file_name("parta");
    anyhow::ensure!(beside.exists(), "no `parta` binary beside this one at {}: give --parta-bin", beside.display());
    Ok(beside)
}

fn common_args(args: &Launch<'_>, data: &Path) -> Vec<String> {
    let mut out = vec!["--data".to_owned(), data.display().to_string()];
    if let Some(url) = args.database_url {
        out.extend(["--database-url".to_owned(), url.to_owned()]);
    }
    out
}

pub(crate) async fn start_parta(args: &Launch<'_>, data: &Path, generation: u32) -> anyhow::Result<Server> {
    start_parta_with(args, data, generation, &[]).await
}

/// `start_parta` with more flags for `parta serve`.
pub(crate) async fn start_parta_with(
    args: &Launch<'_>,
    data: &Path,
    generation: u32,
    extra: &[String],
) -> anyhow::Result<Server> {
    let address = free_port()?;
    let log = std::fs::File::create(data.join(format!("parta-{generation}.log")))?;
    let child = Command::new(parta_bin(args)?)
        .arg("serve")
        .args(common_args(args, data))
        // No flood limit: a few senders post far faster than any person may.
        .args(["--listen", &address.to_string(), "--messages-per-minute", "0"])
        .args(extra)
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("starting parta")?;
    let server = Server { kind: Kind::Parta, address, pid: Some(child.id()), child: Some(child) };
    wait_ready(address, Duration::from_secs(60)).await?;
    Ok(server)
}

async fn start_floor(read_buffer: Option<usize>) -> anyhow::Result<Server> {
    let address = free_port()?;
    let mut command = Command::new(std::env::current_exe()?);
    command.args(["floor", "--listen", &address.to_string()]);
    if let Some(size) = read_buffer {
        command.args(["--read-buffer-size", &size.to_string()]);
    }
    let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().context("starting the floor")?;
    let server = Server { kind: Kind::Floor, address, pid: Some(child.id()), child: Some(child) };
    wait_ready(address, Duration::from_secs(30)).await?;
    Ok(server)
}

pub(crate) fn create_operator(args: &Launch<'_>, data: &Path) -> anyhow::Result<Operator> {
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let email = format!("operator-{stamp}@bench.parta.test");
    let out = Command::new(parta_bin(args)?)
        .args(["admin", "create-operator"])
        .args(common_args(args, data))
        .args(["--email", &email])
        .output()
        .context("running parta admin create-operator")?;
    anyhow::ensure!(out.status.success(), "create-operator failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout)?;
    // The code is the indented line after the one that announces it.
    let code = text
        .lines()
        .skip_while(|line| !line.contains("Одноразовый код"))
        .nth(1)
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .with_context(|| format!("no code in: {text}"))?;
    Ok(Operator::Code { email, code: code.to_owned() })
}

/// Everything measured in one run against one server.
#[derive(Debug, Default, Serialize)]
struct ServerResults {
    phases: Vec<Phase>,
    ingest: Option<Ingest>,
    connect: Vec<ConnectResult>,
    idle_memory: Option<IdleMemory>,
    catch_up: Option<CatchUp>,
    ramp: Option<Ramp>,
}

/// D's figures beside its phase: the WAL's peak and the insert floor.
#[derive(Debug, Serialize)]
struct Ingest {
    acked_per_s: f64,
    wal_max_bytes: Option<u64>,
    floor: Option<crate::ingest::InsertFloor>,
}

#[derive(Debug, Serialize)]
struct ConnectResult {
    clients: usize,
    secs: f64,
    per_second: f64,
    server_cpu_secs: f64,
}

#[derive(Debug, Serialize)]
struct IdleMemory {
    rss_before_kib: u64,
    rss_after_kib: u64,
    clients: usize,
    kib_per_connection: f64,
}

#[derive(Debug, Serialize)]
struct CatchUp {
    messages: usize,
    acked: usize,
    received: usize,
    duplicates: u64,
    gaps: u64,
    repeats: u64,
    send_secs: f64,
    ready_after_ms: f64,
    all_received_after_ms: f64,
}

#[derive(Debug, Serialize)]
struct Ramp {
    p99_limit_ms: f64,
    steps: Vec<Phase>,
    best_rate: Option<f64>,
    best_deliveries_per_s: Option<f64>,
    stopped_because: String,
}

#[derive(Debug, Clone, Serialize)]
struct Phase {
    name: String,
    rate: f64,
    duration_s: f64,
    clients_online: usize,
    planned: u64,
    acked: u64,
    errors: BTreeMap<String, u64>,
    ack: Summary,
    delivery: Summary,
    delivery_by_chat: BTreeMap<String, Summary>,
    deliveries: u64,
    expected: u64,
    lost: u64,
    duplicated: u64,
    unexpected: u64,
    gaps: u64,
    repeats: u64,
    clients_closed: usize,
    deliveries_per_s: f64,
    /// Acknowledged messages a second over the time from the first due to the last answer.
    achieved_rate: f64,
    /// The longest a message waited after its due time before its request started: the
    /// pacer's delay plus waiting for a free sender connection while all `--senders`
    /// wait for answers (a slow server shows here too).
    generator_lag_max_ms: f64,
    drain_s: f64,
    server_before: Sample,
    server_after: Sample,
    server_cpu_s: f64,
    server_cpu_share: f64,
    server_cpu_us_per_message: f64,
    server_cpu_us_per_delivery: f64,
    bench_cpu_s: f64,
    /// The machine's 1-minute load average at the end: other work on the machine shows here.
    load_average: f64,
    /// Parta's own account of where a send's time went (`/metrics`, the last minute).
    stages: Vec<crate::stages::Stage>,
}

/// One chat the generator posts to, with who posts there.
#[derive(Clone)]
struct Target {
    chat: i64,
    token: Arc<str>,
    kind: &'static str,
}

struct Plan {
    name: String,
    /// HTTP connections posting (default `--senders`).
    senders: Option<usize>,
    rate: f64,
    secs: f64,
    regular: Vec<Target>,
    channel: Option<Target>,
    channel_rate: f64,
}

struct Outcome {
    chat: i64,
    kind: &'static str,
    status: u16,
    ack_ns: u64,
    lag_ns: u64,
}

struct Job {
    number: u64,
    due: u64,
    target: Target,
}

/// One server's clients and senders.
struct Bench {
    kind: Kind,
    address: SocketAddr,
    pid: Option<u32>,
    swarm: Swarm,
    /// Client indexes per chat.
    members: HashMap<i64, Vec<usize>>,
    next_number: AtomicU64,
    senders: usize,
    /// Part of every `client_msg_id`, so runs against one database never reuse a key.
    run_id: u64,
}

impl Bench {
    fn new(
        kind: Kind,
        server: &Server,
        directory: &Directory,
        seats: &[Seat],
        epoch: Instant,
        senders: usize,
    ) -> Bench {
        let clients: Vec<Arc<Client>> = seats
            .iter()
            .map(|seat| {
                let token = match kind {
                    Kind::Parta => seat.token.clone(),
                    Kind::Floor => crate::floor::token(seat.user, &seat.chats),
                };
                Arc::new(Client::new(seat.user, token))
            })
            .collect();
        let mut members: HashMap<i64, Vec<usize>> = HashMap::new();
        for (index, seat) in seats.iter().enumerate() {
            for chat in &seat.chats {
                members.entry(*chat).or_default().push(index);
            }
        }
        let _ = directory;
        Bench {
            kind,
            address: server.address,
            pid: server.pid,
            swarm: Swarm::new(server.address, epoch, clients),
            members,
            next_number: AtomicU64::new(0),
            senders,
            run_id: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
        }
    }

    fn sample(&self) -> Sample {
        self.pid.and_then(procfs::sample).unwrap_or_default()
    }

    fn sender_token(&self, person: &crate::provision::Person, chats: &[i64]) -> Arc<str> {
        match self.kind {
            Kind::Parta => person.token.as_str().into(),
            Kind::Floor => crate::floor::token(person.id, chats).into(),
        }
    }

    fn class_targets(&self, directory: &Directory) -> Vec<Target> {
        let mut targets = Vec::new();
        for class in &directory.classes {
            let token = self.sender_token(&class.teacher, &[class.class_chat, class.parents_chat, directory.channel]);
            targets.push(Target { chat: class.class_chat, token: Arc::clone(&token), kind: "class" });
            if !class.parents.is_empty() {
                targets.push(Target { chat: class.parents_chat, token, kind: "parents" });
            }
        }
        targets
    }

    fn channel_target(&self, directory: &Directory) -> Target {
        Target {
            chat: directory.channel,
            token: self.sender_token(&directory.admin, &[directory.channel]),
            kind: "channel",
        }
    }

    async fn connect(&self, indexes: &[usize], in_flight: usize) -> anyhow::Result<ConnectResult> {
        let before = self.sample();
        let started = Instant::now();
        self.swarm.connect(indexes, false, in_flight).await?;
        let secs = started.elapsed().as_secs_f64();
        let result = ConnectResult {
            clients: indexes.len(),
            secs,
            per_second: indexes.len() as f64 / secs,
            server_cpu_secs: self.sample().cpu_secs - before.cpu_secs,
        };
        eprintln!(
            "  {:?}: {} clients connected in {:.1} s ({:.0}/s)",
            self.kind, result.clients, secs, result.per_second
        );
        Ok(result)
    }

    /// Sends a plan's messages open-loop and measures what reaches the online clients.
    async fn traffic(&self, plan: &Plan) -> anyhow::Result<Phase> {
        let online = self.swarm.online();
        let mut expected_per_chat: HashMap<i64, u64> = HashMap::new();
        for (chat, members) in &self.members {
            let n = members.iter().filter(|&&i| self.swarm.clients[i].ready.load(Ordering::Relaxed)).count();
            expected_per_chat.insert(*chat, n as u64);
        }
        for &i in &online {
            self.swarm.clients[i].take_stats();
        }
        let closes_before: Vec<u64> =
            online.iter().map(|&i| self.swarm.clients[i].closes.load(Ordering::Relaxed)).collect();
        let planned = total(plan.rate, plan.secs);
        let base = self.next_number.fetch_add(planned, Ordering::Relaxed);
        let outcomes: Arc<Mutex<Vec<Option<Outcome>>>> = Arc::new(Mutex::new((0..planned).map(|_| None).collect()));
        let server_before = self.sample();
        let bench_before = procfs::sample(std::process::id()).unwrap_or_default();
        let deliveries_before = self.swarm.deliveries.load(Ordering::Relaxed);

        let (jobs, receiver) = tokio::sync::mpsc::channel::<Job>(65_536);
        let receiver = Arc::new(tokio::sync::Mutex::new(receiver));
        let mut workers = Vec::new();
        for _ in 0..plan.senders.unwrap_or(self.senders) {
            let receiver = Arc::clone(&receiver);
            let outcomes = Arc::clone(&outcomes);
            let address = self.address;
            let epoch = self.swarm.epoch;
            let run_id = self.run_id;
            workers.push(tokio::spawn(async move {
                let mut conn = Conn::new(address);
                loop {
                    let job = { receiver.lock().await.recv().await };
                    let Some(job) = job else { break };
                    let started = epoch.elapsed().as_nanos() as u64;
                    let request = SendMessageRequest {
                        client_msg_id: format!("pb-{run_id}-{}", job.number),
                        body: body(job.number, job.due),
                        reply_to: None,
                        needs_ack: false,
                        attachments: Vec::new(),
                        urgent: false,
                        forward_of: None,
                    };
                    let path = format!("/api/v1/chats/{}/messages", job.target.chat);
                    let status = match conn.post(&path, Some(&job.target.token), &request).await {
                        Ok(reply) => reply.status.as_u16(),
                        Err(_) => 0,
                    };
                    let done = epoch.elapsed().as_nanos() as u64;
                    let outcome = Outcome {
                        chat: job.target.chat,
                        kind: job.target.kind,
                        status,
                        ack_ns: done.saturating_sub(job.due),
                        lag_ns: started.saturating_sub(job.due),
                    };
                    lock(&outcomes)[(job.number - base) as usize] = Some(outcome);
                }
            }));
        }

        let mix = Mix::new(plan.regular.len(), plan.rate, if plan.channel.is_some() { plan.channel_rate } else { 0.0 });
        let start_ns = self.swarm.now_ns() + 50_000_000;
        for i in 0..planned {
            let due = start_ns + due_ns(i, plan.rate);
            let now = self.swarm.now_ns();
            if due > now {
                tokio::time::sleep(Duration::from_nanos(due - now)).await;
            }
            let target = match mix.pick(i) {
                Pick::Regular(r) => plan.regular[r].clone(),
                Pick::Channel => plan.channel.clone().context("a channel pick without a channel")?,
            };
            jobs.send(Job { number: base + i, due, target }).await?;
        }
        drop(jobs);
        for worker in workers {
            worker.await?;
        }
        let send_end = Instant::now();
        let send_secs = (self.swarm.now_ns().saturating_sub(start_ns)) as f64 / 1e9;

        let outcomes: Vec<Option<Outcome>> = std::mem::take(&mut *lock(&outcomes));
        let acked_expected: u64 = outcomes
            .iter()
            .flatten()
            .filter(|o| o.status == 201)
            .map(|o| expected_per_chat.get(&o.chat).copied().unwrap_or(0))
            .sum();
        // Drain: until everything expected has come, or nothing has for 3 s (60 s at most).
        let mut last = self.swarm.deliveries.load(Ordering::Relaxed);
        let mut last_change = Instant::now();
        loop {
            let now = self.swarm.deliveries.load(Ordering::Relaxed);
            if now - deliveries_before >= acked_expected {
                break;
            }
            if now != last {
                last = now;
                last_change = Instant::now();
            }
            if last_change.elapsed() > Duration::from_secs(3) || send_end.elapsed() > Duration::from_secs(60) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let drain_s = send_end.elapsed().as_secs_f64();
        let server_after = self.sample();
        let bench_after = procfs::sample(std::process::id()).unwrap_or_default();

        // What arrived where.
        let mut got = vec![0_u64; planned as usize];
        let mut all = Latencies::default();
        let mut by_kind: BTreeMap<String, Latencies> = BTreeMap::new();
        let (mut duplicated, mut gaps, mut repeats) = (0, 0, 0);
        for &i in &online {
            let stats = self.swarm.clients[i].take_stats();
            duplicated += stats.duplicates;
            gaps += stats.gaps;
            repeats += stats.repeats;
            for (number, micros) in stats.samples {
                let Some(slot) = number.checked_sub(base).filter(|n| *n < planned) else { continue };
                got[slot as usize] += 1;
                all.record_us(micros);
                if let Some(Some(outcome)) = outcomes.get(slot as usize) {
                    by_kind.entry(outcome.kind.to_owned()).or_default().record_us(micros);
                }
            }
        }
        let mut errors: BTreeMap<String, u64> = BTreeMap::new();
        let mut ack = Latencies::default();
        let (mut acked, mut lost, mut unexpected, mut expected, mut lag_max) = (0, 0, 0, 0, 0);
        for (slot, outcome) in outcomes.iter().enumerate() {
            let Some(outcome) = outcome else {
                *errors.entry("not sent".into()).or_default() += 1;
                continue;
            };
            lag_max = lag_max.max(outcome.lag_ns);
            if outcome.status == 201 {
                acked += 1;
                ack.record_ns(outcome.ack_ns);
                let want = expected_per_chat.get(&outcome.chat).copied().unwrap_or(0);
                expected += want;
                lost += want.saturating_sub(got[slot]);
                unexpected += got[slot].saturating_sub(want);
            } else {
                *errors
                    .entry(if outcome.status == 0 { "connection".into() } else { outcome.status.to_string() })
                    .or_default() += 1;
                unexpected += got[slot];
            }
        }
        let deliveries = all.len() as u64;
        let clients_closed = online
            .iter()
            .zip(&closes_before)
            .filter(|&(&i, &before)| self.swarm.clients[i].closes.load(Ordering::Relaxed) > before)
            .count();
        let cpu = server_after.cpu_secs - server_before.cpu_secs;
        let wall = send_secs + drain_s;
        let phase = Phase {
            name: plan.name.clone(),
            rate: plan.rate,
            duration_s: plan.secs,
            clients_online: online.len(),
            planned,
            acked,
            errors,
            ack: ack.summary(),
            delivery: all.summary(),
            delivery_by_chat: by_kind.iter().map(|(k, v)| (k.clone(), v.summary())).collect(),
            deliveries,
            expected,
            lost,
            duplicated,
            unexpected,
            gaps,
            repeats,
            clients_closed,
            deliveries_per_s: deliveries as f64 / plan.secs.max(send_secs),
            achieved_rate: acked as f64 / send_secs.max(plan.secs),
            generator_lag_max_ms: lag_max as f64 / 1e6,
            drain_s,
            server_before,
            server_after,
            server_cpu_s: cpu,
            server_cpu_share: cpu / wall,
            server_cpu_us_per_message: if acked > 0 { cpu * 1e6 / acked as f64 } else { 0.0 },
            server_cpu_us_per_delivery: if deliveries > 0 { cpu * 1e6 / deliveries as f64 } else { 0.0 },
            bench_cpu_s: bench_after.cpu_secs - bench_before.cpu_secs,
            load_average: load_average(),
            stages: if self.kind == Kind::Parta { crate::stages::scrape(self.address).await? } else { Vec::new() },
        };
        eprintln!(
            "  {:?} {}: {:.0}/s × {:.0} s, {} clients: acked {}/{} ({:.0}/s achieved, errors {:?}), deliveries {} ({:.0}/s), lost {}, doubled {}, gaps {}; delivery {}; ack {}; server CPU {:.1} s ({:.0}%), bench CPU {:.1} s, load {:.1}",
            self.kind,
            phase.name,
            phase.rate,
            phase.duration_s,
            phase.clients_online,
            phase.acked,
            phase.planned,
            phase.achieved_rate,
            phase.errors,
            phase.deliveries,
            phase.deliveries_per_s,
            phase.lost,
            phase.duplicated,
            phase.gaps,
            phase.delivery.line(),
            phase.ack.line(),
            phase.server_cpu_s,
            phase.server_cpu_share * 100.0,
            phase.bench_cpu_s,
            phase.load_average,
        );
        if !phase.stages.is_empty() {
            eprintln!("    where a send's time went (server, last minute): {}", crate::stages::line(&phase.stages));
        }
        Ok(phase)
    }

    /// Waits a moment for the server to settle, then reads its resident memory.
    async fn settled_rss(&self) -> u64 {
        tokio::time::sleep(Duration::from_secs(3)).await;
        self.sample().rss_kib
    }
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0.0)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn workloads(
    args: &RunArgs,
    server: &Server,
    directory: &Directory,
    data: &Path,
    epoch: Instant,
) -> anyhow::Result<ServerResults> {
    let kind = server.kind;
    let mut seats = directory.seats();
    if let Some(n) = args.clients {
        seats.truncate(n);
    }
    let bench = Bench::new(kind, server, directory, &seats, epoch, args.senders);
    let mut results = ServerResults::default();
    let class_targets = bench.class_targets(directory);
    let channel = bench.channel_target(directory);

    if args.wants("e") {
        let plan = Plan {
            senders: None,
            name: "E: ingest, no sockets".into(),
            rate: args.rate,
            secs: args.ingest_duration,
            regular: class_targets.clone(),
            channel: None,
            channel_rate: 0.0,
        };
        results.phases.push(bench.traffic(&plan).await?);
    }

    if args.wants("d") {
        let database = data.join("parta.db");
        let sqlite = kind == Kind::Parta && args.database_url.is_none() && args.url.is_none();
        let wal = sqlite.then(|| crate::ingest::WalWatch::start(&database));
        // The floor answers faster than Parta stores: it is offered the same messages
        // five times as fast, so that it too runs flat out.
        let speed = if kind == Kind::Parta { 1.0 } else { 5.0 };
        let plan = Plan {
            senders: Some(args.d_senders),
            name: "D: durable ingest, flat out".into(),
            rate: args.d_rate * speed,
            secs: args.d_secs / speed,
            regular: class_targets.clone(),
            channel: None,
            channel_rate: 0.0,
        };
        let phase = bench.traffic(&plan).await?;
        let wal_max_bytes = match wal {
            Some(wal) => Some(wal.finish().await),
            None => None,
        };
        let floor = match (sqlite, directory.classes.first()) {
            (true, Some(class)) => {
                let shape =
                    crate::ingest::RowShape { org: directory.org, chat: class.class_chat, sender: class.teacher.id };
                let floor = crate::ingest::insert_floor(&database, phase.acked.max(1), &shape).await?;
                eprintln!(
                    "  insert floor: {} messages in batches of {} ({:.1} rows each): {:.0} messages/s, WAL peak {:.1} MiB",
                    floor.messages,
                    floor.batch,
                    floor.rows_per_message,
                    floor.messages_per_s,
                    floor.wal_max_bytes as f64 / 1048576.0
                );
                Some(floor)
            }
            _ => None,
        };
        results.ingest = Some(Ingest { acked_per_s: phase.achieved_rate, wal_max_bytes, floor });
        results.phases.push(phase);
    }

    let everyone: Vec<usize> = (0..seats.len()).collect();
    let rss_start = bench.settled_rss().await;
    let mut connected = 0;
    if args.wants("c") {
        let first = args.channel_members.min(seats.len());
        results.connect.push(bench.connect(&everyone[..first], args.connect_in_flight).await?);
        connected = first;
        let plan = Plan {
            senders: None,
            name: format!("C: channel, {first} online, 1 post/s"),
            rate: 1.0,
            secs: args.channel_duration,
            regular: Vec::new(),
            channel: Some(channel.clone()),
            channel_rate: 1.0,
        };
        results.phases.push(bench.traffic(&plan).await?);
    }
    if connected < seats.len() {
        results.connect.push(bench.connect(&everyone[connected..], args.connect_in_flight).await?);
    }
    let rss_all = bench.settled_rss().await;
    let memory = IdleMemory {
        rss_before_kib: rss_start,
        rss_after_kib: rss_all,
        clients: seats.len(),
        kib_per_connection: (rss_all as f64 - rss_start as f64) / seats.len() as f64,
    };
    eprintln!(
        "  {kind:?} F: RSS {} → {} MiB with {} idle sockets: {:.1} KiB per connection",
        rss_start / 1024,
        rss_all / 1024,
        memory.clients,
        memory.kib_per_connection
    );
    results.idle_memory = Some(memory);

    if args.wants("a") {
        let plan = Plan {
            senders: None,
            name: format!("A: {} msg/s, {} clients", args.rate, seats.len()),
            rate: args.rate,
            secs: args.duration,
            regular: class_targets.clone(),
            channel: Some(channel.clone()),
            channel_rate: args.channel_rate,
        };
        results.phases.push(bench.traffic(&plan).await?);
    }

    if args.wants("g") && kind == Kind::Parta {
        results.catch_up = Some(catch_up(args, &bench, directory, &seats).await?);
    }

    if args.wants("b") {
        let mut ramp = Ramp {
            p99_limit_ms: args.b_p99_ms,
            steps: Vec::new(),
            best_rate: None,
            best_deliveries_per_s: None,
            stopped_because: "all rates passed".into(),
        };
        for &rate in &args.b_rates {
            let plan = Plan {
                senders: None,
                name: format!("B: {rate} msg/s into class chats"),
                rate,
                secs: args.b_step,
                regular: class_targets.clone(),
                channel: None,
                channel_rate: 0.0,
            };
            let step = bench.traffic(&plan).await?;
            let failure = if step.delivery.p99_ms > args.b_p99_ms {
                Some(format!("p99 {:.1} ms at {rate} msg/s", step.delivery.p99_ms))
            } else if step.lost > 0 || !step.errors.is_empty() {
                Some(format!("{} lost, errors {:?} at {rate} msg/s", step.lost, step.errors))
            } else {
                None
            };
            if failure.is_none() {
                ramp.best_rate = Some(rate);
                ramp.best_deliveries_per_s = Some(step.deliveries_per_s);
            }
            ramp.steps.push(step);
            if let Some(reason) = failure {
                ramp.stopped_because = reason;
                break;
            }
        }
        results.ramp = Some(ramp);
    }
    bench.swarm.disconnect_all().await;
    Ok(results)
}

/// G: a student goes away, `--catch-up-messages` are said in their class chat, and they
/// come back with `resume` from the positions they kept.
async fn catch_up(args: &RunArgs, bench: &Bench, directory: &Directory, seats: &[Seat]) -> anyhow::Result<CatchUp> {
    let class = directory.classes.first().context("no class")?;
    let student = class.students.first().context("no student")?;
    let index = seats.iter().position(|s| s.user == student.id).context("the student is not among the clients")?;
    let client = Arc::clone(&bench.swarm.clients[index]);
    bench.swarm.disconnect(&[index]).await;
    // Positions of chats the client has seen nothing of yet come from the chat list
    // (nothing is said there now, so they are exact).
    let mut conn = Conn::new(bench.address);
    let chats: Vec<Chat> =
        conn.get(&format!("/api/v1/chats?org_id={}", directory.org), Some(&student.token)).await?.json(200)?;
    {
        let mut positions = lock(&client.positions);
        for chat in chats {
            positions.entry(chat.id.0).or_insert(chat.last_seq);
        }
    }
    client.take_stats();
    client.timeline.store(true, Ordering::Relaxed);
    let teacher = bench.sender_token(&class.teacher, &[]);
    let rate = 500.0;
    let plan = Plan {
        senders: None,
        name: format!("G: {} messages while one client is away", args.catch_up_messages),
        rate,
        secs: args.catch_up_messages as f64 / rate,
        regular: vec![Target { chat: class.class_chat, token: teacher, kind: "class" }],
        channel: None,
        channel_rate: 0.0,
    };
    let base = bench.next_number.load(Ordering::Relaxed);
    let sent = bench.traffic(&plan).await?;
    let numbers = base..base + sent.planned;
    let started = bench.swarm.now_ns();
    bench.swarm.connect(&[index], true, 1).await?;
    let ready_at = bench.swarm.now_ns();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let have = lock(&client.stats).received.iter().filter(|n| numbers.contains(n)).count() as u64;
        if have >= sent.acked || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    client.timeline.store(false, Ordering::Relaxed);
    let stats = client.take_stats();
    let last_arrival =
        stats.arrivals.iter().filter(|(n, _)| numbers.contains(n)).map(|(_, at)| *at).max().unwrap_or(started);
    let result = CatchUp {
        messages: args.catch_up_messages,
        acked: sent.acked as usize,
        received: stats.received.iter().filter(|n| numbers.contains(n)).count(),
        duplicates: stats.duplicates,
        gaps: stats.gaps,
        repeats: stats.repeats,
        send_secs: sent.duration_s,
        ready_after_ms: (ready_at - started) as f64 / 1e6,
        all_received_after_ms: last_arrival.saturating_sub(started) as f64 / 1e6,
    };
    eprintln!(
        "  G: {} of {} missed messages back in {:.0} ms (ready after {:.0} ms), {} doubled, {} gaps",
        result.received,
        result.acked,
        result.all_received_after_ms,
        result.ready_after_ms,
        result.duplicates,
        result.gaps
    );
    Ok(result)
}

#[derive(Serialize)]
struct Report<'a> {
    label: &'a str,
    date: String,
    machine: String,
    shape: Shape,
    clients: usize,
    provisioning: &'a [(String, f64)],
    provisioning_requests: u64,
    parta: Option<ServerResults>,
    floor: Option<ServerResults>,
}

pub(crate) fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| procfs_mem_total(&text))
        .map_or_else(String::new, |kib| format!(", {:.0} GiB", kib as f64 / 1024.0 / 1024.0));
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{cores} cores{memory}, Linux {}", kernel.trim())
}

fn procfs_mem_total(meminfo: &str) -> Option<u64> {
    meminfo.lines().find_map(|l| l.strip_prefix("MemTotal:")?.trim().strip_suffix("kB")?.trim().parse().ok())
}

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let epoch = Instant::now();
    let shape = Shape { classes: args.classes, students: args.students, parents: args.parents, extra_teachers: 0 };
    let data = match &args.data {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("parta-bench-{}-{}", std::process::id(), epoch.elapsed().as_nanos())),
    };
    std::fs::create_dir_all(&data)?;
    let directory_file = data.join("bench-directory.json");
    let mut parta_results = None;

    let directory = match Directory::load(&directory_file) {
        Ok(directory) if directory.shape == shape => {
            eprintln!("reusing the school provisioned in {}", data.display());
            directory
        }
        _ => {
            anyhow::ensure!(!args.only_floor, "--only-floor needs a provisioned directory in --data");
            let (address, _server, operator) = match &args.url {
                Some(url) => {
                    let address: SocketAddr = url.trim_start_matches("http://").trim_end_matches('/').parse()?;
                    let operator = Operator::Login {
                        login: args.operator_login.clone().context("--url needs --operator-login")?,
                        password: args.operator_password.clone().context("--url needs --operator-password")?,
                    };
                    (address, None, operator)
                }
                None => {
                    let server = start_parta(&args.launch(), &data, 0).await?;
                    let operator = create_operator(&args.launch(), &data)?;
                    (server.address, Some(server), operator)
                }
            };
            eprintln!(
                "provisioning {} classes × {} students (+{} parents each) on {address}",
                shape.classes, shape.students, shape.parents
            );
            let directory = provision(address, operator, shape).await?;
            directory.save(&directory_file)?;
            directory
        }
    };
    eprintln!(
        "school: {} people, provisioned with {} requests in {:.1} s",
        directory.users(),
        directory.requests,
        directory.timings.last().map_or(0.0, |t| t.1)
    );

    if !args.only_floor {
        // A fresh process for the measurements: provisioning's memory and CPU are not counted.
        let server = match &args.url {
            Some(url) => Server {
                kind: Kind::Parta,
                address: url.trim_start_matches("http://").trim_end_matches('/').parse()?,
                pid: args.server_pid,
                child: None,
            },
            None => start_parta(&args.launch(), &data, 1).await?,
        };
        eprintln!("Parta on {} (pid {:?})", server.address, server.pid);
        parta_results = Some(workloads(&args, &server, &directory, &data, epoch).await?);
    }
    let mut floor_results = None;
    if !args.no_floor {
        let server = start_floor(Some(args.floor_read_buffer)).await?;
        eprintln!("floor on {} (pid {:?})", server.address, server.pid);
        floor_results = Some(workloads(&args, &server, &directory, &data, epoch).await?);
    }
    let clients = args.clients.map_or(directory.users(), |n| n.min(directory.users()));
    let report = Report {
        label: &args.label,
        date: jiff::Timestamp::now().to_string(),
        machine: machine(),
        shape,
        clients,
        provisioning: &directory.timings,
        provisioning_requests: directory.requests,
        parta: parta_results,
        floor: floor_results,
    };
    print_summary(&report);
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
        eprintln!("results written to {}", path.display());
    }
    Ok(())
}

fn ratio(parta: f64, floor: f64) -> String {
    if floor > 0.0 { format!("×{:.1}", parta / floor) } else { "–".into() }
}

fn print_summary(report: &Report<'_>) {
    println!("\n== parta-bench: {} ({}), {} clients ==", report.label, report.machine, report.clients);
    let phases = |r: &Option<ServerResults>| r.as_ref().map(|r| r.phases.clone()).unwrap_or_default();
    let (parta, floor) = (phases(&report.parta), phases(&report.floor));
    for phase in parta.iter().chain(floor.iter().filter(|f| !parta.iter().any(|p| p.name == f.name))) {
        let twin = floor.iter().find(|f| f.name == phase.name);
        let mine = parta.iter().find(|p| p.name == phase.name);
        println!("{}", phase.name);
        for (who, p) in [("parta", mine), ("floor", twin)] {
            let Some(p) = p else { continue };
            println!(
                "  {who}: delivery p50 {:.1} p99 {:.1} p99.9 {:.1} max {:.1} ms; ack p99 {:.1} ms; {:.0} deliveries/s; lost {} doubled {}; errors {:?}; server CPU {:.0} µs/msg {:.1} µs/delivery",
                p.delivery.p50_ms,
                p.delivery.p99_ms,
                p.delivery.p999_ms,
                p.delivery.max_ms,
                p.ack.p99_ms,
                p.deliveries_per_s,
                p.lost,
                p.duplicated,
                p.errors,
                p.server_cpu_us_per_message,
                p.server_cpu_us_per_delivery
            );
        }
        if let (Some(p), Some(f)) = (mine, twin) {
            println!(
                "  parta/floor: p99 {}, p99.9 {}, CPU per delivery {}",
                ratio(p.delivery.p99_ms, f.delivery.p99_ms),
                ratio(p.delivery.p999_ms, f.delivery.p999_ms),
                ratio(p.server_cpu_us_per_delivery, f.server_cpu_us_per_delivery)
            );
        }
    }
    for (who, results) in [("parta", &report.parta), ("floor", &report.floor)] {
        let Some(results) = results else { continue };
        if let Some(m) = &results.idle_memory {
            println!(
                "F {who}: {:.1} KiB per idle connection ({} → {} MiB, {} sockets)",
                m.kib_per_connection,
                m.rss_before_kib / 1024,
                m.rss_after_kib / 1024,
                m.clients
            );
        }
        if let Some(d) = &results.ingest {
            let mib = |b: u64| b as f64 / 1048576.0;
            println!(
                "D {who}: {:.0} acknowledged messages/s; WAL peak {}; insert floor {}",
                d.acked_per_s,
                d.wal_max_bytes.map_or("–".into(), |b| format!("{:.1} MiB", mib(b))),
                d.floor.as_ref().map_or("–".into(), |f| format!(
                    "{:.0} messages/s (Parta ×{:.2})",
                    f.messages_per_s,
                    d.acked_per_s / f.messages_per_s
                ))
            );
        }
        if let (Some(d), Some(floor)) = (&results.ingest, report.floor.as_ref().and_then(|f| f.ingest.as_ref()))
            && who == "parta"
        {
            println!(
                "D parta: ×{:.2} of the request floor ({:.0} sends/s answered with nothing stored)",
                d.acked_per_s / floor.acked_per_s,
                floor.acked_per_s
            );
        }
        if let Some(r) = &results.ramp {
            println!(
                "B {who}: best {:?} msg/s = {:?} deliveries/s with p99 ≤ {} ms; stopped: {}",
                r.best_rate,
                r.best_deliveries_per_s.map(|d| d.round()),
                r.p99_limit_ms,
                r.stopped_because
            );
        }
        if let Some(g) = &results.catch_up {
            println!(
                "G {who}: {} of {} back in {:.0} ms (ready {:.0} ms), {} doubled, {} gaps",
                g.received, g.acked, g.all_received_after_ms, g.ready_after_ms, g.duplicates, g.gaps
            );
        }
    }
}
