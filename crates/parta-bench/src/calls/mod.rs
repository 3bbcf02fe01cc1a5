//! `parta-bench calls`: calls' media under load. Starts Parta with its media unit on
//! a loopback UDP port, provisions a school through the API, and runs two workloads,
//! each against the unit and then against the floor (`relay.rs`: a plain UDP relay
//! doing the same fan-out with no WebRTC):
//!
//! - broadcast: one presenter sending video (one layer of `--video-frame-bytes` at
//!   30 fps) and audio in the school channel, to `--viewers` devices that send nothing;
//! - class: a class teacher's video and audio and every student's audio, in the class
//!   chat: the teacher and two students speaking, the other microphones open in a
//!   quiet room. Everyone receives the video and the voices the room hears (the three
//!   loudest, `parta_sfu::HEARD_VOICES`); the floor forwards the same.
//!
//! Every device runs in this process (`media.rs`: a WebSocket and a synthetic WebRTC
//! client per device, hundreds per runtime thread), so one clock stamps frames at the
//! sender and times them at each receiver. Frames are counted over a window of send
//! instants (`tally.rs`); the server's CPU time over the same window gives its cost
//! per forwarded frame and datagram.

mod media;
mod pin;
pub mod relay;
mod tally;

use std::io::BufRead;
use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use parta_protocol::Call;
use parta_sfu::client::{Sending, now_us};
use parta_sfu::{HEARD_VOICES, MediaKind};
use serde::Serialize;
use tokio::sync::{Semaphore, watch};

use crate::http::Conn;
use crate::procfs;
use crate::provision::{Directory, Shape, provision};
use crate::run::{Launch, create_operator, machine, start_parta_with};
use tally::{Counted, Tally, Window, tally};

#[derive(Debug, Args)]
pub struct CallsArgs {
    /// The `parta` binary; by default the one beside this binary.
    #[arg(long)]
    parta_bin: Option<PathBuf>,
    /// Data directory for the started server (default: a fresh temporary directory).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Workloads to run, in order: `broadcast`, `class`.
    #[arg(long, value_delimiter = ',', default_value = "broadcast,class")]
    workloads: Vec<String>,
    /// Receive-only devices watching the presenter.
    #[arg(long, default_value_t = 300)]
    viewers: usize,
    /// People in the class call, the teacher included.
    #[arg(long, default_value_t = 30)]
    class_size: usize,
    /// Bytes of one video frame (~1.5 Mbit/s at 30 fps: 6,000).
    #[arg(long, default_value_t = 6000)]
    video_frame_bytes: usize,
    /// Seconds of the measuring window (send instants counted), per side.
    #[arg(long, default_value_t = 15.0)]
    secs: f64,
    /// Seconds between everyone receiving and the window.
    #[arg(long, default_value_t = 2.0)]
    warmup_secs: f64,
    /// Seconds after the window for its last frames to arrive.
    #[arg(long, default_value_t = 1.0)]
    drain_secs: f64,
    /// Joins (WebSocket, call_join, ICE and DTLS) in flight at once.
    #[arg(long, default_value_t = 20)]
    join_in_flight: usize,
    /// The longest wait for every device to receive every sender.
    #[arg(long, default_value_t = 30.0)]
    join_timeout_secs: f64,
    /// Write `<workload>.json` here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Gives the forwarder (the unit's thread, or the floor's relay) this core of its
    /// own and keeps everything else — the devices, the rest of the server — on the
    /// other cores, as when the devices are elsewhere. Unset: the scheduler decides.
    #[arg(long)]
    forwarder_core: Option<usize>,
}

/// Voices' loudness in dBov (RFC 6464): the teacher, a student answering, an open
/// microphone in a quiet room, nothing.
const TEACHING: i8 = -20;
const SPEAKING: i8 = -30;
const ROOM_NOISE: i8 = -65;
const SILENT: i8 = -127;

/// One workload: who takes part (the first starts the call and joins first) and what each sends.
struct Plan {
    name: String,
    chat: i64,
    devices: Vec<(String, Sending)>,
}

impl Plan {
    fn sends(sending: &Sending) -> bool {
        sending.audio || sending.video
    }

    fn senders(&self) -> usize {
        self.devices.iter().filter(|(_, s)| Plan::sends(s)).count()
    }

    /// Whether device `index`'s voice is one the room hears: the unit forwards the
    /// `HEARD_VOICES` loudest (the earlier device first among equals).
    fn heard(&self, index: usize) -> bool {
        let me = &self.devices[index].1;
        me.audio
            && self
                .devices
                .iter()
                .enumerate()
                .filter(|(j, (_, s))| {
                    s.audio && (s.loudness > me.loudness || (s.loudness == me.loudness && *j < index))
                })
                .count()
                < HEARD_VOICES
    }

    /// Whether the others receive anything of device `index`.
    fn forwarded(&self, index: usize) -> bool {
        self.devices[index].1.video || self.heard(index)
    }

    /// Frames of one kind device `index` sends that reach the others: each of them.
    fn receivers_of(&self, index: usize, kind: MediaKind) -> u64 {
        let sending = &self.devices[index].1;
        let reaches = match kind {
            MediaKind::Audio => self.heard(index),
            MediaKind::Video => sending.video,
        };
        if reaches { self.devices.len() as u64 - 1 } else { 0 }
    }

    /// Senders whose streams device `index` is to receive.
    fn streams_for(&self, index: usize) -> usize {
        (0..self.devices.len()).filter(|&j| j != index && self.forwarded(j)).count()
    }

    /// Devices that receive at least one stream.
    fn receivers(&self) -> usize {
        (0..self.devices.len()).filter(|&i| self.streams_for(i) > 0).count()
    }

    /// Tracks forwarded to one device each: what mediasoup calls consumers. A voice the
    /// room does not hear is forwarded to nobody.
    fn consumers(&self) -> u64 {
        (0..self.devices.len())
            .map(|i| self.receivers_of(i, MediaKind::Audio) + self.receivers_of(i, MediaKind::Video))
            .sum()
    }
}

/// One side of a workload: the unit, or the floor.
#[derive(Debug, Serialize)]
struct Side {
    label: String,
    devices: usize,
    senders: usize,
    receivers: usize,
    consumers: u64,
    /// Devices whose media came up.
    joined: usize,
    /// Devices that received every sender before the window.
    flowing: usize,
    join_secs: f64,
    window_secs: f64,
    frames: Tally,
    /// Datagrams read by the devices in the window (media, RTCP, STUN).
    datagrams: u64,
    /// Datagrams the kernel dropped in the window, its receive queue full: at the
    /// server's (relay's) socket, and at the devices' sockets.
    server_socket_drops: u64,
    device_socket_drops: u64,
    frames_per_sec: f64,
    datagrams_per_sec: f64,
    /// The server's (or relay's) user + system CPU over the window.
    server_cpu_secs: f64,
    /// Of it, the media unit's thread.
    unit_thread_cpu_secs: Option<f64>,
    /// Seconds the forwarding thread (the unit's, the relay's) was ready to run but
    /// waited for a core: the machine's other work, and the devices in this process.
    forwarder_runqueue_wait_secs: Option<f64>,
    /// This process's (the devices') CPU over the window.
    generator_cpu_secs: f64,
    server_cores: f64,
    cpu_per_frame_us: f64,
    cpu_per_datagram_us: f64,
    /// Receivers served in full per core of the server's: the receivers × the share
    /// of their frames that arrived ÷ the cores used.
    receivers_per_core: f64,
    consumers_per_core: f64,
    load_before: f64,
    load_after: f64,
    errors: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Ratios {
    cpu_per_frame: f64,
    cpu_per_datagram: f64,
    delay_p50: f64,
    delay_p99: f64,
    receivers_per_core: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    workload: String,
    /// Panics in the server's log since it started (a dead unit thread ends every call).
    server_panics: Vec<String>,
    date: String,
    machine: String,
    video_frame_bytes: usize,
    sfu: Side,
    floor: Side,
    /// The unit's figure over the floor's.
    ratios: Ratios,
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

fn cpu_of(pid: u32) -> f64 {
    procfs::sample(pid).map_or(0.0, |s| s.cpu_secs)
}

/// CPU, datagrams and load at one edge of the window.
#[derive(Clone, Copy)]
struct Edge {
    at_us: u64,
    server: f64,
    unit: Option<f64>,
    /// The forwarding thread's (the unit's, or the relay's) seconds waiting to run.
    forwarder_wait: Option<f64>,
    generator: f64,
    datagrams: u64,
    load: f64,
    /// Datagrams the kernel dropped at the server's (or relay's) socket, and at the devices'.
    server_drops: u64,
    device_drops: u64,
}

/// Whose UDP ports are whose, for the kernel's drop counts.
struct Ports<'a> {
    server: u16,
    devices: &'a Mutex<Vec<u16>>,
}

fn edge(server_pid: u32, unit_thread: bool, datagrams: &AtomicU64, ports: &Ports<'_>) -> Edge {
    let drops = procfs::udp_drops();
    let devices = ports.devices.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    Edge {
        server_drops: drops.get(&ports.server).copied().unwrap_or(0),
        device_drops: devices.iter().map(|p| drops.get(p).copied().unwrap_or(0)).sum(),
        at_us: now_us(),
        server: cpu_of(server_pid),
        unit: if unit_thread { procfs::thread_cpu_secs(server_pid, "parta-sfu") } else { None },
        forwarder_wait: procfs::thread_run_and_wait(server_pid, unit_thread.then_some("parta-sfu")).map(|(_, w)| w),
        generator: cpu_of(std::process::id()),
        datagrams: datagrams.load(Ordering::Relaxed),
        load: load_average(),
    }
}

struct Measured {
    start: Edge,
    end: Edge,
}

/// Waits `warmup`, measures for `secs`, then `drain` for the window's last frames.
async fn window(
    args: &CallsArgs,
    server_pid: u32,
    unit_thread: bool,
    datagrams: &AtomicU64,
    ports: &Ports<'_>,
) -> Measured {
    tokio::time::sleep(Duration::from_secs_f64(args.warmup_secs)).await;
    let start = edge(server_pid, unit_thread, datagrams, ports);
    tokio::time::sleep(Duration::from_secs_f64(args.secs)).await;
    let end = edge(server_pid, unit_thread, datagrams, ports);
    tokio::time::sleep(Duration::from_secs_f64(args.drain_secs)).await;
    Measured { start, end }
}

#[allow(clippy::too_many_arguments)]
fn side(
    label: &str,
    plan: &Plan,
    joined: usize,
    flowing: usize,
    join_secs: f64,
    measured: &Measured,
    frames: Tally,
    errors: Vec<String>,
) -> Side {
    let (s, e) = (measured.start, measured.end);
    let window_secs = (e.at_us - s.at_us) as f64 / 1e6;
    let server_cpu_secs = e.server - s.server;
    let datagrams = e.datagrams - s.datagrams;
    let server_cores = server_cpu_secs / window_secs;
    let per = |n: u64| if n == 0 { 0.0 } else { server_cpu_secs / n as f64 * 1e6 };
    // Receivers (consumers) served in full per core: those of the plan, scaled by the
    // share of their frames that arrived, over the cores the server used.
    let delivered = 1.0 - frames.all.loss;
    let per_core = |n: f64| if server_cores > 0.0 { n * delivered / server_cores } else { 0.0 };
    Side {
        label: label.to_owned(),
        devices: plan.devices.len(),
        senders: plan.senders(),
        receivers: plan.receivers(),
        consumers: plan.consumers(),
        joined,
        flowing,
        join_secs,
        window_secs,
        frames_per_sec: frames.all.received as f64 / window_secs,
        datagrams,
        server_socket_drops: e.server_drops.saturating_sub(s.server_drops),
        device_socket_drops: e.device_drops.saturating_sub(s.device_drops),
        datagrams_per_sec: datagrams as f64 / window_secs,
        server_cpu_secs,
        unit_thread_cpu_secs: e.unit.zip(s.unit).map(|(e, s)| e - s),
        forwarder_runqueue_wait_secs: e.forwarder_wait.zip(s.forwarder_wait).map(|(e, s)| e - s),
        generator_cpu_secs: e.generator - s.generator,
        server_cores,
        cpu_per_frame_us: per(frames.all.received),
        cpu_per_datagram_us: per(datagrams),
        receivers_per_core: per_core(plan.receivers() as f64),
        consumers_per_core: per_core(plan.consumers() as f64),
        load_before: s.load,
        load_after: e.load,
        frames,
        errors,
    }
}

/// Waits until `done` or `limit` passed; true when done.
async fn wait_for(limit: Duration, done: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while !done() {
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    true
}

/// The workload on Parta's media unit.
async fn on_unit(
    args: &CallsArgs,
    address: SocketAddr,
    server_pid: u32,
    udp_port: u16,
    plan: &Plan,
) -> anyhow::Result<Side> {
    let host = &plan.devices[0].0;
    let mut conn = Conn::new(address);
    let call: Call = conn
        .post(&format!("/api/v1/chats/{}/calls", plan.chat), Some(host), &serde_json::json!({}))
        .await?
        .json(201)?;
    let n = plan.devices.len();
    let progress = Arc::new(media::Progress::new(n));
    let (stop, stopped) = watch::channel(false);
    let in_flight = Arc::new(Semaphore::new(args.join_in_flight.max(1)));
    let started = Instant::now();
    let limit = Duration::from_secs_f64(args.join_timeout_secs);
    let mut handles = Vec::with_capacity(n);
    for (index, (token, sending)) in plan.devices.iter().enumerate() {
        let permit = in_flight.clone().acquire_owned().await?;
        handles.push(tokio::spawn(media::device(
            address,
            token.clone(),
            call.id.0,
            *sending,
            index,
            progress.clone(),
            permit,
            stopped.clone(),
        )));
        if index == 0 {
            // The host's tracks first: everyone after is offered them when joining.
            wait_for(limit, || progress.connected.load(Ordering::Relaxed) > 0 || handles[0].is_finished()).await;
        }
    }
    let everyone = wait_for(limit.saturating_sub(started.elapsed()), || {
        (0..n).all(|i| progress.streams[i].load(Ordering::Relaxed) >= plan.streams_for(i))
            || handles.iter().all(|h| h.is_finished())
    })
    .await;
    let join_secs = started.elapsed().as_secs_f64();
    let joined = progress.connected.load(Ordering::Relaxed);
    let flowing = (0..n).filter(|&i| progress.streams[i].load(Ordering::Relaxed) >= plan.streams_for(i)).count();
    eprintln!(
        "  {}: {joined} of {n} devices connected, {flowing} receiving every sender, in {join_secs:.1} s{}",
        plan.name,
        if everyone { "" } else { " (gave up waiting)" }
    );
    if let Some(core) = args.forwarder_core {
        let unit = procfs::thread_id(server_pid, "parta-sfu").context("the unit's thread")?;
        pin::thread(unit, &core.to_string())?;
    }
    let ports = Ports { server: udp_port, devices: &progress.ports };
    let measured = window(args, server_pid, true, &progress.datagrams_in, &ports).await;
    let _ = stop.send(true);
    let mut outcomes = Vec::with_capacity(n);
    let mut errors = Vec::new();
    for handle in handles {
        match handle.await {
            Ok(Ok(outcome)) => outcomes.push(outcome),
            Ok(Err(error)) => errors.push(format!("{error:#}")),
            Err(error) => errors.push(error.to_string()),
        }
    }
    // Everyone left with their sockets; the host ends it for good.
    let _ = conn.post(&format!("/api/v1/calls/{}/end", call.id.0), Some(host), &serde_json::json!({})).await;
    let counted: Vec<Counted<'_>> =
        outcomes.iter().map(|o| Counted { id: o.peer_id, sent: &o.sent, arrivals: &o.arrivals }).collect();
    let device_of = |peer: u64| outcomes.iter().find(|o| o.peer_id == peer).map(|o| o.index);
    let frames = tally(Window { from_us: measured.start.at_us, to_us: measured.end.at_us }, &counted, |peer, kind| {
        device_of(peer).map_or(0, |index| plan.receivers_of(index, kind))
    });
    Ok(side("parta-sfu", plan, joined, flowing, join_secs, &measured, frames, errors))
}

/// The relay process, killed when dropped.
struct Relay {
    child: Child,
    address: SocketAddr,
}

impl Relay {
    fn start() -> anyhow::Result<Relay> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["udp-relay", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting the UDP relay")?;
        let stdout = child.stdout.take().context("the relay's output")?;
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line)?;
        let address = line.trim().parse().with_context(|| format!("the relay said {line:?}"))?;
        Ok(Relay { child, address })
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The same workload on the floor: the same devices' sends through a plain UDP relay.
async fn on_floor(args: &CallsArgs, plan: &Plan) -> anyhow::Result<Side> {
    let relay = Relay::start()?;
    if let Some(core) = args.forwarder_core {
        pin::process(relay.child.id(), &core.to_string())?;
    }
    let n = plan.devices.len();
    let joined = Arc::new(AtomicUsize::new(0));
    let datagrams = Arc::new(AtomicU64::new(0));
    let ports = Arc::new(Mutex::new(Vec::new()));
    let (stop, stopped) = watch::channel(false);
    let started = Instant::now();
    let handles: Vec<_> = plan
        .devices
        .iter()
        .enumerate()
        .map(|(index, (_, sending))| {
            tokio::spawn(relay::participant(
                relay.address,
                relay::Member { id: index as u32 + 1, sending: *sending, heard: plan.heard(index) },
                joined.clone(),
                datagrams.clone(),
                ports.clone(),
                stopped.clone(),
            ))
        })
        .collect();
    wait_for(Duration::from_secs_f64(args.join_timeout_secs), || joined.load(Ordering::Relaxed) == n).await;
    let join_secs = started.elapsed().as_secs_f64();
    let joined = joined.load(Ordering::Relaxed);
    let measured =
        window(args, relay.child.id(), false, &datagrams, &Ports { server: relay.address.port(), devices: &ports })
            .await;
    let _ = stop.send(true);
    let mut outcomes = Vec::with_capacity(n);
    let mut errors = Vec::new();
    for handle in handles {
        match handle.await {
            Ok(Ok(outcome)) => outcomes.push(outcome),
            Ok(Err(error)) => errors.push(format!("{error:#}")),
            Err(error) => errors.push(error.to_string()),
        }
    }
    drop(relay);
    let counted: Vec<Counted<'_>> =
        outcomes.iter().map(|o| Counted { id: o.id, sent: &o.sent, arrivals: &o.arrivals }).collect();
    // The floor's participant ids are the devices' indices + 1.
    let frames = tally(Window { from_us: measured.start.at_us, to_us: measured.end.at_us }, &counted, |id, kind| {
        plan.receivers_of(id as usize - 1, kind)
    });
    Ok(side("udp floor", plan, joined, joined, join_secs, &measured, frames, errors))
}

/// The panic lines of a server log, with the line after each (the message).
fn panics(log: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.contains("panicked at"))
        .map(|(i, line)| format!("{} {}", line.trim(), lines.get(i + 1).map_or("", |l| l.trim())))
        .collect()
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

fn print_side(s: &Side) {
    let f = &s.frames;
    println!(
        "  {:<10} {} devices ({} senders, {} receivers, {} consumers), {} connected, {} flowing",
        s.label, s.devices, s.senders, s.receivers, s.consumers, s.joined, s.flowing
    );
    println!(
        "    frames: {} sent, {} expected, {} received, loss {:.3}% (audio {:.3}%, video {:.3}%); {:.0} frames/s, {:.0} datagrams/s",
        f.all.sent,
        f.all.expected,
        f.all.received,
        f.all.loss * 100.0,
        f.audio.loss * 100.0,
        f.video.loss * 100.0,
        s.frames_per_sec,
        s.datagrams_per_sec
    );
    println!(
        "    kernel drops (receive queue full): {} at the server's socket, {} at the devices'",
        s.server_socket_drops, s.device_socket_drops
    );
    println!(
        "    delay: {}  (audio p99 {:.2}, video p99 {:.2} ms)",
        f.delay.line(),
        f.delay_audio.p99_ms,
        f.delay_video.p99_ms
    );
    println!(
        "    server CPU {:.2} s over {:.1} s = {:.2} cores (unit thread {}, {} waiting for a core); {:.2} µs/frame, {:.2} µs/datagram; {:.0} receivers/core, {:.0} consumers/core; generator CPU {:.2} s; load {:.1}→{:.1}",
        s.server_cpu_secs,
        s.window_secs,
        s.server_cores,
        s.unit_thread_cpu_secs.map_or("-".into(), |c| format!("{c:.2} s")),
        s.forwarder_runqueue_wait_secs.map_or("-".into(), |c| format!("{c:.2} s")),
        s.cpu_per_frame_us,
        s.cpu_per_datagram_us,
        s.receivers_per_core,
        s.consumers_per_core,
        s.generator_cpu_secs,
        s.load_before,
        s.load_after
    );
    for error in s.errors.iter().take(5) {
        println!("    error: {error}");
    }
    if s.errors.len() > 5 {
        println!("    … {} errors in all", s.errors.len());
    }
}

pub async fn calls(args: CallsArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.viewers > 0 && args.class_size > 1, "at least one viewer and two in the class");
    let data = match &args.data {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("parta-bench-calls-{}", std::process::id())),
    };
    std::fs::create_dir_all(&data)?;
    if let Some(out) = &args.out {
        std::fs::create_dir_all(out)?;
    }
    let launch = Launch { parta_bin: args.parta_bin.as_deref(), database_url: None };
    let udp = UdpSocket::bind("127.0.0.1:0")?.local_addr()?;
    let server = start_parta_with(&launch, &data, 0, &["--calls-udp".to_owned(), udp.to_string()]).await?;
    let address = server.address;
    let server_pid = server.pid.context("the server's pid")?;
    eprintln!("Parta on {address}, media on udp {udp} (pid {server_pid}), data in {}", data.display());
    if let Some(core) = args.forwarder_core {
        // Everything of both processes off the forwarder's core; the unit's thread goes
        // onto it once the first call has started it.
        let others = pin::all_but(core)?;
        pin::process(std::process::id(), &others)?;
        pin::process(server_pid, &others)?;
        eprintln!("the devices and the server on cores {others}, the forwarder alone on core {core}");
    }

    let per_class = (args.class_size - 1).max(30);
    let shape =
        Shape { classes: args.viewers.div_ceil(per_class).max(1), students: per_class, parents: 0, extra_teachers: 0 };
    let operator = create_operator(&launch, &data)?;
    eprintln!("provisioning {} classes × {} students", shape.classes, shape.students);
    let directory: Directory = provision(address, operator, shape).await?;

    let presenting = Sending {
        audio: true,
        loudness: TEACHING,
        video: true,
        video_frame_bytes: args.video_frame_bytes,
        simulcast: true,
    };
    for workload in &args.workloads {
        let plan = match workload.as_str() {
            "broadcast" => {
                let viewing =
                    Sending { audio: false, loudness: SILENT, video: false, video_frame_bytes: 0, simulcast: false };
                let mut devices = vec![(directory.admin.token.clone(), presenting)];
                let students = directory.classes.iter().flat_map(|c| c.students.iter());
                devices.extend(students.take(args.viewers).map(|s| (s.token.clone(), viewing)));
                Plan { name: "broadcast".into(), chat: directory.channel, devices }
            }
            "class" => {
                let class = &directory.classes[0];
                // Every microphone is open: the teacher speaks, two students answer,
                // the others' microphones pick up the room.
                let talking =
                    Sending { audio: true, loudness: SPEAKING, video: false, video_frame_bytes: 0, simulcast: false };
                let listening = Sending { loudness: ROOM_NOISE, ..talking };
                let mut devices = vec![(class.teacher.token.clone(), presenting)];
                let students = class.students.iter().take(args.class_size - 1).enumerate();
                devices.extend(students.map(|(i, s)| (s.token.clone(), if i < 2 { talking } else { listening })));
                Plan { name: "class".into(), chat: class.class_chat, devices }
            }
            other => anyhow::bail!("no workload {other:?}: broadcast or class"),
        };
        eprintln!("{}: {} devices, {} senders", plan.name, plan.devices.len(), plan.senders());
        let sfu = on_unit(&args, address, server_pid, udp.port(), &plan).await?;
        let floor = on_floor(&args, &plan).await?;
        let ratios = Ratios {
            cpu_per_frame: ratio(sfu.cpu_per_frame_us, floor.cpu_per_frame_us),
            cpu_per_datagram: ratio(sfu.cpu_per_datagram_us, floor.cpu_per_datagram_us),
            delay_p50: ratio(sfu.frames.delay.p50_ms, floor.frames.delay.p50_ms),
            delay_p99: ratio(sfu.frames.delay.p99_ms, floor.frames.delay.p99_ms),
            receivers_per_core: ratio(sfu.receivers_per_core, floor.receivers_per_core),
        };
        let server_panics = panics(&data.join("parta-0.log"));
        let report = Report {
            server_panics,
            workload: plan.name.clone(),
            date: jiff::Timestamp::now().to_string(),
            machine: machine(),
            video_frame_bytes: args.video_frame_bytes,
            sfu,
            floor,
            ratios,
        };
        println!("== calls: {}, {} on {}", report.workload, report.date, report.machine);
        print_side(&report.sfu);
        print_side(&report.floor);
        let r = &report.ratios;
        println!(
            "  unit / floor: CPU per frame ×{:.1}, per datagram ×{:.1}, delay p50 ×{:.1}, p99 ×{:.1}; receivers per core ×{:.2}",
            r.cpu_per_frame, r.cpu_per_datagram, r.delay_p50, r.delay_p99, r.receivers_per_core
        );
        for panic in &report.server_panics {
            println!("  THE SERVER PANICKED: {panic}");
        }
        let p99 = report.sfu.frames.delay.p99_ms;
        println!(
            "  goals: delay p99 {p99:.2} ms [{} ≤ 5 ms]; loss {:.3}% (floor {:.3}%); {:.0} consumers per core [{} > 500]",
            if p99 <= 5.0 { "meets" } else { "MISSES" },
            report.sfu.frames.all.loss * 100.0,
            report.floor.frames.all.loss * 100.0,
            report.sfu.consumers_per_core,
            if report.sfu.consumers_per_core > 500.0 { "meets" } else { "MISSES" },
        );
        if let Some(out) = &args.out {
            let path = out.join(format!("{}.json", report.workload));
            std::fs::write(&path, serde_json::to_vec_pretty(&report)?)?;
            eprintln!("results written to {}", path.display());
        }
    }
    drop(server);
    Ok(())
}
