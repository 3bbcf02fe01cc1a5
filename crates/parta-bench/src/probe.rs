//! `parta-bench probe <scenario>`: a hostile workload against a Parta started for the
//! purpose, with the server's resident memory watched throughout. The harness — start
//! a demo server, log in, sample its memory, report — is shared by the scenarios.
//!
//! - **images**: one student uploads `--count` decompression bombs at once (PNGs of
//!   `--width` × `--height` black pixels, a few hundred KB each). Every upload must
//!   succeed, and the server's peak memory must stay within `--goal-mib` of idle.
//! - **logins**: password guessing (`probe_logins.rs`).

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use clap::{Args, Subcommand};
use hyper::Method;
use parta_protocol::{Chat, FileInfo, LoginRequest, SessionCreated};

use crate::http::{Conn, wait_ready};
use crate::procfs;

mod png_bomb {
    include!("../../parta-server/tests/api/png_bomb.rs");
}

/// Every account of `parta serve --demo` has this password.
pub const DEMO_PASSWORD: &str = "demo-parta-2026";
/// A student of the demo school (5А), who sits in their class chat.
pub const DEMO_STUDENT: &str = "student.5a@demo.parta.local";
const MIB: f64 = 1024.0 * 1024.0;

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The `parta` binary to probe; by default the one beside this binary.
    #[arg(long, global = true)]
    parta_bin: Option<PathBuf>,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Debug, Subcommand)]
enum Scenario {
    /// One student uploads decompression bombs (huge black PNGs) at once.
    Images(ImagesArgs),
    /// Password guessing: concurrent guesses at one account, memory under concurrent
    /// logins, and a known device's login through a flood from its own address.
    Logins(crate::probe_logins::LoginsArgs),
}

#[derive(Debug, Args)]
struct ImagesArgs {
    /// Uploads sent at once.
    #[arg(long, default_value_t = 20)]
    count: usize,
    /// The images' width in pixels (the security issue's image: 12000 × 7400).
    #[arg(long, default_value_t = 12_000)]
    width: u32,
    #[arg(long, default_value_t = 7_400)]
    height: u32,
    /// Most resident memory the server may gain over idle, MiB.
    #[arg(long, default_value_t = 300)]
    goal_mib: u64,
}

pub async fn probe(args: ProbeArgs) -> anyhow::Result<()> {
    let parta_bin = parta_bin(args.parta_bin.as_deref())?;
    match args.scenario {
        Scenario::Images(images) => hostile_images(&parta_bin, &images).await,
        Scenario::Logins(logins) => crate::probe_logins::logins(&parta_bin, &logins).await,
    }
}

fn parta_bin(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(bin) = given {
        return Ok(bin.to_owned());
    }
    let beside = std::env::current_exe()?.with_file_name("parta");
    anyhow::ensure!(beside.exists(), "no `parta` binary beside this one at {}: give --parta-bin", beside.display());
    Ok(beside)
}

/// A `parta serve --demo` of its own, on a fresh data directory and a free port;
/// killed, and its directory removed, when dropped.
pub struct DemoServer {
    child: Child,
    pub address: SocketAddr,
    pub pid: u32,
    data: PathBuf,
}

impl DemoServer {
    /// Starts the server with `extra` flags and waits until `/readyz` answers.
    pub async fn start(parta_bin: &Path, extra: &[&str]) -> anyhow::Result<DemoServer> {
        let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let data = std::env::temp_dir().join(format!("parta-probe-{}-{stamp}", std::process::id()));
        std::fs::create_dir_all(&data)?;
        let address = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let log = std::fs::File::create(data.join("parta.log"))?;
        let child = Command::new(parta_bin)
            .args(["serve", "--demo", "--data", &data.display().to_string(), "--listen", &address.to_string()])
            .args(extra)
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", parta_bin.display()))?;
        let server = DemoServer { pid: child.id(), child, address, data };
        wait_ready(address, Duration::from_secs(60)).await?;
        Ok(server)
    }

    /// The server's resident memory now, MiB.
    pub fn rss_mib(&self) -> anyhow::Result<f64> {
        let sample = procfs::sample(self.pid).context("the server's /proc entry is gone")?;
        Ok(sample.rss_kib as f64 / 1024.0)
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// Logs in through `POST /api/v1/auth/login`; the bearer token.
pub async fn login(address: SocketAddr, login: &str, password: &str) -> anyhow::Result<String> {
    let request = LoginRequest { login: login.to_owned(), password: password.to_owned() };
    let session: SessionCreated = Conn::new(address).post("/api/v1/auth/login", None, &request).await?.json(200)?;
    Ok(session.token)
}

/// A process's resident memory sampled every 20 ms on a thread of its own (so a busy
/// runtime does not skip samples), until `stop`.
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<u64>,
}

impl RssSampler {
    pub fn start(pid: u32) -> RssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::spawn({
            let stop = stop.clone();
            move || {
                let mut peak_kib = 0;
                loop {
                    if let Some(sample) = procfs::sample(pid) {
                        peak_kib = peak_kib.max(sample.rss_kib);
                    }
                    if stop.load(Ordering::Relaxed) {
                        return peak_kib;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        });
        RssSampler { stop, thread }
    }

    /// Stops sampling (after one last sample); the peak, MiB.
    pub fn stop(self) -> f64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().map_or(0.0, |kib| kib as f64 / 1024.0)
    }
}

/// Resident memory of a probe (idle, peak, and a second after the load), and whether
/// the peak met its goal.
pub struct MemoryReport {
    pub idle_mib: f64,
    pub peak_mib: f64,
    pub after_mib: f64,
    pub goal_mib: u64,
}

impl MemoryReport {
    pub fn above_idle_mib(&self) -> f64 {
        self.peak_mib - self.idle_mib
    }

    pub fn met(&self) -> bool {
        self.above_idle_mib() <= self.goal_mib as f64
    }
}

impl std::fmt::Display for MemoryReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "server RSS: idle {:.1} MiB, peak {:.1} MiB, peak − idle {:.1} MiB (goal ≤ {} MiB: {}); \
             1 s after the load {:.1} MiB",
            self.idle_mib,
            self.peak_mib,
            self.above_idle_mib(),
            self.goal_mib,
            if self.met() { "met" } else { "MISSED" },
            self.after_mib
        )
    }
}

/// The idle figure: the server's memory after it has settled, just before the load.
pub async fn settled_rss_mib(server: &DemoServer) -> anyhow::Result<f64> {
    tokio::time::sleep(Duration::from_millis(500)).await;
    server.rss_mib()
}

/// Stops `sampler` a moment after the load (so work that outlived its request shows),
/// and reads the memory once more a second later.
pub async fn finish_sampling(
    server: &DemoServer,
    sampler: RssSampler,
    idle_mib: f64,
    goal_mib: u64,
) -> anyhow::Result<MemoryReport> {
    tokio::time::sleep(Duration::from_millis(200)).await;
    let peak_mib = sampler.stop();
    tokio::time::sleep(Duration::from_secs(1)).await;
    Ok(MemoryReport { idle_mib, peak_mib, after_mib: server.rss_mib()?, goal_mib })
}

async fn hostile_images(parta_bin: &Path, args: &ImagesArgs) -> anyhow::Result<()> {
    // Uploads share the per-minute send limit; this probe is about memory.
    let server = DemoServer::start(parta_bin, &["--messages-per-minute", "0"]).await?;
    let token = login(server.address, DEMO_STUDENT, DEMO_PASSWORD).await?;
    let chats: Vec<Chat> = Conn::new(server.address).get("/api/v1/chats", Some(&token)).await?.json(200)?;
    let chat = chats.iter().find(|c| c.abilities.post).context("the demo student can post nowhere")?.id.0;
    let image = png_bomb::png_bomb(args.width, args.height);
    let decoded_mib = (1 + 3 * u64::from(args.width)) as f64 * f64::from(args.height) / MIB;
    println!(
        "{} uploads at once of a {} × {} PNG: {} KB, {decoded_mib:.0} MiB decoded",
        args.count,
        args.width,
        args.height,
        image.len() / 1000
    );
    let boundary = "parta-probe-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bomb.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&image);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let body = Bytes::from(body);
    let content_type = format!("multipart/form-data; boundary={boundary}");

    let idle_mib = settled_rss_mib(&server).await?;
    let sampler = RssSampler::start(server.pid);
    let start = Arc::new(tokio::sync::Barrier::new(args.count));
    let started = Instant::now();
    let uploads: Vec<_> = (0..args.count)
        .map(|_| {
            let (start, body, token, content_type) = (start.clone(), body.clone(), token.clone(), content_type.clone());
            let path = format!("/api/v1/chats/{chat}/files");
            let mut conn = Conn::new(server.address);
            tokio::spawn(async move {
                start.wait().await;
                conn.request(Method::POST, &path, Some(&token), Some(&content_type), body).await
            })
        })
        .collect();
    let mut failures = Vec::new();
    let mut previews = 0;
    for upload in uploads {
        let reply = upload.await?;
        match reply.as_ref().map(|r| (r.status.as_u16(), r.json::<FileInfo>(201))) {
            Ok((_, Ok(file))) => previews += usize::from(file.has_thumbnail),
            Ok((status, Err(error))) => failures.push(format!("{status}: {error:#}")),
            Err(error) => failures.push(format!("no answer: {error:#}")),
        }
    }
    let elapsed = started.elapsed();
    let memory = finish_sampling(&server, sampler, idle_mib, args.goal_mib).await?;
    println!(
        "uploads: {} of {} stored (201) in {:.2} s, {previews} with a preview",
        args.count - failures.len(),
        args.count,
        elapsed.as_secs_f64()
    );
    for failure in &failures {
        println!("  failed: {failure}");
    }
    println!("{memory}");
    anyhow::ensure!(failures.is_empty(), "{} of {} uploads failed", failures.len(), args.count);
    anyhow::ensure!(memory.met(), "peak memory {:.1} MiB above idle, over the goal", memory.above_idle_mib());
    Ok(())
}
