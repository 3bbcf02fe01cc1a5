//! `parta-bench probe logins`: password guessing against a demo Parta of its own, in
//! three rounds, each on a fresh server (see README.md, "Security notes"):
//!
//! - **limit**: 100 guesses at the director's account at once, the right password
//!   among them: at most 10 may be checked, the rest refused (429);
//! - **memory**: 100 logins at once for accounts that do not exist: the server's
//!   resident memory may grow by at most `--memory-goal-mib` over idle;
//! - **flood**: the director logs in once from a browser, then 1,000 failed logins
//!   come from the same address; the director's correct login from that browser
//!   still gets in, while the same login from a browser never used is refused.
//!
//! Requests are written by hand (HTTP/1.1, one connection each) so the device cookie
//! can be sent and read back.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::probe::{DEMO_PASSWORD, DemoServer, RssSampler, finish_sampling, settled_rss_mib};

/// The demo school's director.
const DIRECTOR: &str = "director@demo.parta.local";

#[derive(Debug, Args)]
pub struct LoginsArgs {
    /// Guesses at one account sent at once (round "limit").
    #[arg(long, default_value_t = 100)]
    guesses: usize,
    /// Logins for unknown accounts sent at once (round "memory").
    #[arg(long, default_value_t = 100)]
    concurrent: usize,
    /// Most resident memory the server may gain over idle in round "memory", MiB.
    #[arg(long, default_value_t = 200)]
    memory_goal_mib: u64,
    /// Failed logins from the one address before the director's (round "flood").
    #[arg(long, default_value_t = 1000)]
    flood: usize,
    /// Which rounds to run.
    #[arg(long, value_delimiter = ',', default_value = "limit,memory,flood")]
    rounds: Vec<String>,
}

/// A login's status and the device cookie it set, if any.
struct Answer {
    status: u16,
    device: Option<String>,
}

async fn login(address: SocketAddr, login: &str, password: &str, device: Option<&str>) -> anyhow::Result<Answer> {
    let body = serde_json::json!({ "login": login, "password": password }).to_string();
    let cookie = device.map(|d| format!("Cookie: parta_device={d}\r\n")).unwrap_or_default();
    let request = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n{cookie}\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(address).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let text = String::from_utf8_lossy(&response);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).context("no status line")?;
    let device = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        let value = value.trim().strip_prefix("parta_device=")?;
        name.eq_ignore_ascii_case("set-cookie").then(|| value.split(';').next().unwrap_or_default().to_owned())
    });
    Ok(Answer { status, device })
}

/// Sends `count` logins at once (released together by a barrier); their statuses.
async fn burst(
    address: SocketAddr,
    count: usize,
    make: impl Fn(usize) -> (String, String),
) -> anyhow::Result<Vec<u16>> {
    let start = Arc::new(tokio::sync::Barrier::new(count));
    let tasks: Vec<_> = (0..count)
        .map(|n| {
            let (name, password) = make(n);
            let start = start.clone();
            tokio::spawn(async move {
                start.wait().await;
                login(address, &name, &password, None).await.map(|a| a.status)
            })
        })
        .collect();
    let mut statuses = Vec::with_capacity(count);
    for task in tasks {
        statuses.push(task.await??);
    }
    Ok(statuses)
}

fn tally(statuses: &[u16]) -> String {
    let mut counts = std::collections::BTreeMap::new();
    for status in statuses {
        *counts.entry(*status).or_insert(0) += 1;
    }
    counts.iter().map(|(status, n)| format!("{n}× {status}")).collect::<Vec<_>>().join(", ")
}

pub async fn logins(parta_bin: &Path, args: &LoginsArgs) -> anyhow::Result<()> {
    let runs = |round: &str| args.rounds.iter().any(|r| r == round);
    if runs("limit") {
        limit(parta_bin, args).await?;
    }
    if runs("memory") {
        memory(parta_bin, args).await?;
    }
    if runs("flood") {
        flood(parta_bin, args).await?;
    }
    Ok(())
}

async fn limit(parta_bin: &Path, args: &LoginsArgs) -> anyhow::Result<()> {
    let server = DemoServer::start(parta_bin, &[]).await?;
    let last = args.guesses - 1;
    let statuses = burst(server.address, args.guesses, |n| {
        let password = if n == last { DEMO_PASSWORD.to_owned() } else { format!("guess {n}") };
        (DIRECTOR.to_owned(), password)
    })
    .await?;
    let checked = statuses.iter().filter(|s| **s != 429).count();
    println!("limit: {} guesses at once at one account: {} — {checked} checked", args.guesses, tally(&statuses));
    anyhow::ensure!(checked <= 10, "{checked} guesses were checked, more than the limit of 10");
    Ok(())
}

async fn memory(parta_bin: &Path, args: &LoginsArgs) -> anyhow::Result<()> {
    let server = DemoServer::start(parta_bin, &[]).await?;
    let idle_mib = settled_rss_mib(&server).await?;
    let sampler = RssSampler::start(server.pid);
    let started = Instant::now();
    let statuses =
        burst(server.address, args.concurrent, |n| (format!("nobody{n}@example.ru"), "a guess".to_owned())).await?;
    let elapsed = started.elapsed();
    let memory = finish_sampling(&server, sampler, idle_mib, args.memory_goal_mib).await?;
    println!(
        "memory: {} logins at once for unknown accounts in {:.2} s: {}",
        args.concurrent,
        elapsed.as_secs_f64(),
        tally(&statuses)
    );
    println!("memory: {memory}");
    anyhow::ensure!(statuses.iter().all(|s| matches!(s, 401 | 429 | 503)), "unexpected answers");
    anyhow::ensure!(memory.met(), "peak memory {:.1} MiB above idle, over the goal", memory.above_idle_mib());
    Ok(())
}

async fn flood(parta_bin: &Path, args: &LoginsArgs) -> anyhow::Result<()> {
    let server = DemoServer::start(parta_bin, &[]).await?;
    let first = login(server.address, DIRECTOR, DEMO_PASSWORD, None).await?;
    anyhow::ensure!(first.status == 200, "the director's first login answered {}", first.status);
    let device = first.device.context("the first login set no device cookie")?;
    let started = Instant::now();
    let mut statuses = Vec::with_capacity(args.flood);
    for batch in 0..args.flood.div_ceil(50) {
        let size = 50.min(args.flood - batch * 50);
        let round = burst(server.address, size, |n| (format!("flood{batch}-{n}@example.ru"), "a guess".to_owned()));
        statuses.extend(round.await?);
    }
    println!(
        "flood: {} failed logins from one address in {:.1} s: {}",
        args.flood,
        started.elapsed().as_secs_f64(),
        tally(&statuses)
    );
    let fresh = login(server.address, DIRECTOR, DEMO_PASSWORD, None).await?.status;
    let known = login(server.address, DIRECTOR, DEMO_PASSWORD, Some(&device)).await?.status;
    println!("flood: the director's right password from a new browser: {fresh}; from the browser used before: {known}");
    anyhow::ensure!(known == 200, "the known device was refused ({known})");
    anyhow::ensure!(fresh == 429, "a new device got {fresh} during the flood, not 429");
    Ok(())
}
