//! Which cores a process or thread may run on, through util-linux's `taskset`: the
//! bench only moves its own processes, once, before a measurement.

use std::process::Command;

use anyhow::Context;

fn taskset(args: &[&str]) -> anyhow::Result<()> {
    let status =
        Command::new("taskset").args(args).stdout(std::process::Stdio::null()).status().context("running taskset")?;
    anyhow::ensure!(status.success(), "taskset {args:?} failed: {status}");
    Ok(())
}

/// Every core of this machine but `core`, as a `taskset` list.
pub fn all_but(core: usize) -> anyhow::Result<String> {
    let cores = std::thread::available_parallelism()?.get();
    anyhow::ensure!(core < cores && cores > 1, "core {core} of {cores}: one core must stay for the rest");
    Ok((0..cores).filter(|c| *c != core).map(|c| c.to_string()).collect::<Vec<_>>().join(","))
}

/// Every thread of `pid` (and those it starts later) onto `cores`.
pub fn process(pid: u32, cores: &str) -> anyhow::Result<()> {
    taskset(&["-a", "-p", "-c", cores, &pid.to_string()])
}

/// One thread onto `cores`.
pub fn thread(tid: u32, cores: &str) -> anyhow::Result<()> {
    taskset(&["-p", "-c", cores, &tid.to_string()])
}
