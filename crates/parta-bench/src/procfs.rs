//! A process's resident memory and CPU time, from /proc.

use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Sample {
    pub rss_kib: u64,
    /// User plus system CPU time, seconds.
    pub cpu_secs: f64,
}

/// Clock ticks per second of `/proc/<pid>/stat` (USER_HZ; 100 on Linux everywhere in practice).
fn ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// utime + stime in ticks, from the text of `/proc/<pid>/stat`.
pub fn cpu_ticks(stat: &str) -> Option<u64> {
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// VmRSS in KiB, from the text of `/proc/<pid>/status`.
pub fn rss_kib(status: &str) -> Option<u64> {
    status.lines().find_map(|line| line.strip_prefix("VmRSS:")?.trim().strip_suffix("kB")?.trim().parse().ok())
}

/// The process's memory and CPU now; `None` when it is gone (or /proc is not there).
pub fn sample(pid: u32) -> Option<Sample> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    Some(Sample { rss_kib: rss_kib(&status)?, cpu_secs: cpu_ticks(&stat)? as f64 / ticks_per_second() })
}

/// The `/proc` directory of the process's first thread named `name`.
fn thread_dir(pid: u32, name: &str) -> Option<std::path::PathBuf> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    tasks
        .flatten()
        .map(|task| task.path())
        .find(|path| std::fs::read_to_string(path.join("comm")).is_ok_and(|comm| comm.trim_end() == name))
}

/// The id of the process's first thread named `name`.
pub fn thread_id(pid: u32, name: &str) -> Option<u32> {
    thread_dir(pid, name)?.file_name()?.to_str()?.parse().ok()
}

/// CPU time (user + system, seconds) of the process's thread named `name`, the
/// first one of that name; `None` when there is none.
pub fn thread_cpu_secs(pid: u32, name: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(thread_dir(pid, name)?.join("stat")).ok()?;
    Some(cpu_ticks(&stat)? as f64 / ticks_per_second())
}

/// Seconds a thread ran and seconds it waited on a run queue, ready to run (the
/// scheduler's `schedstat`): of the process's thread named `name`, or of its main
/// thread when `name` is `None`.
pub fn thread_run_and_wait(pid: u32, name: Option<&str>) -> Option<(f64, f64)> {
    let dir = match name {
        Some(name) => thread_dir(pid, name)?,
        None => std::path::PathBuf::from(format!("/proc/{pid}/task/{pid}")),
    };
    run_and_wait(&std::fs::read_to_string(dir.join("schedstat")).ok()?)
}

/// (run, wait) in seconds from the text of a `schedstat` file: nanoseconds each.
pub fn run_and_wait(text: &str) -> Option<(f64, f64)> {
    let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().ok());
    let (run, wait) = (fields.next()??, fields.next()??);
    Some((run as f64 / 1e9, wait as f64 / 1e9))
}

/// Datagrams the kernel dropped (receive queue full) per local UDP port on 127.0.0.1,
/// from the text of `/proc/net/udp`.
pub fn udp_drops_by_port(text: &str) -> std::collections::HashMap<u16, u64> {
    let mut drops = std::collections::HashMap::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (Some(local), Some(dropped)) = (fields.get(1), fields.last()) else { continue };
        let Some(("0100007F", port)) = local.split_once(':') else { continue };
        if let (Ok(port), Ok(dropped)) = (u16::from_str_radix(port, 16), dropped.parse::<u64>()) {
            *drops.entry(port).or_insert(0) += dropped;
        }
    }
    drops
}

/// `udp_drops_by_port` of this network namespace now.
pub fn udp_drops() -> std::collections::HashMap<u16, u64> {
    udp_drops_by_port(&std::fs::read_to_string("/proc/net/udp").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cpu_time_past_a_name_with_spaces() {
        let stat = "4242 (parta (x) y) S 1 4242 4242 0 -1 4194560 1093 0 0 0 250 75 0 0 20 0 3 0 1 2 3";
        assert_eq!(cpu_ticks(stat), Some(325));
        assert_eq!(cpu_ticks("garbage"), None);
    }

    #[test]
    fn reads_resident_memory() {
        let status = "Name:\tparta\nVmPeak:\t  200 kB\nVmRSS:\t   23552 kB\nThreads:\t3\n";
        assert_eq!(rss_kib(status), Some(23_552));
        assert_eq!(rss_kib("Name:\tx\n"), None);
    }

    #[test]
    fn samples_this_process() {
        let me = sample(std::process::id()).expect("/proc is readable");
        assert!(me.rss_kib > 0);
    }

    #[test]
    fn reads_udp_drops_of_loopback_ports() {
        let text = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n\
  883: 0100007F:B2C5 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 294288 2 0000000080b60153 17\n\
 3376: 00000000:BC82 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 294289 2 0000000052028028 5\n";
        let drops = udp_drops_by_port(text);
        assert_eq!(drops.get(&0xB2C5), Some(&17));
        assert_eq!(drops.len(), 1, "only 127.0.0.1");
    }

    #[test]
    fn reads_run_and_wait_times() {
        assert_eq!(run_and_wait("1500000000 250000000 8596\n"), Some((1.5, 0.25)));
        assert_eq!(run_and_wait(""), None);
        assert!(thread_run_and_wait(std::process::id(), None).is_some());
    }

    #[test]
    fn finds_a_thread_by_name() {
        let pid = std::process::id();
        let main_name = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/comm")).expect("comm");
        assert!(thread_cpu_secs(pid, main_name.trim_end()).is_some());
        assert_eq!(thread_cpu_secs(pid, "no such thread here"), None);
    }
}
