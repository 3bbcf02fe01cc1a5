//! `parta-bench`: provisions a school on Parta through its API, opens thousands of
//! WebSocket clients, sends paced messages and measures what reaches whom and when;
//! then does the same against the floor (`parta-bench floor`), the least server
//! that does the same fan-out, so each figure has a ratio; and probes hostile input
//! (`parta-bench probe`) while watching the server's memory; and measures the
//! e-journal on a school with a year of lessons (`parta-bench journal`); and calls'
//! media, hundreds of synthetic WebRTC devices against the unit and against a plain
//! UDP relay (`parta-bench calls`, `parta-bench udp-relay`); and the new school year of a
//! whole school (`parta-bench year-transition`); and a school's statistics over a year
//! of history (`parta-bench statistics`); and a school's OneRoster import (`parta-bench
//! roster`); and a chat's history imported from a Telegram export (`parta-bench
//! chat-import`). See BENCHMARKS.md.

mod calls;
mod chat_import;
mod floor;
mod http;
mod ingest;
mod journal;
mod pace;
mod probe;
mod probe_logins;
mod procfs;
mod provision;
mod roster;
mod run;
mod stages;
mod statistics;
mod stats;
mod swarm;
mod year_transition;

use std::net::SocketAddr;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(name = "parta-bench", about = "Load generator for Parta's WebSocket fan-out, and its in-memory floor")]
enum Cli {
    /// Provision a school on Parta and run the workloads against it, then against the floor.
    Run(Box<run::RunArgs>),
    /// Serve the floor: in-memory rooms, no authentication, no storage.
    Floor {
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: SocketAddr,
        /// WebSocket read buffer per connection, bytes (default: the library's, 128 KiB).
        #[arg(long)]
        read_buffer_size: Option<usize>,
    },
    /// Start a demo Parta and send it hostile input, watching its memory.
    Probe(probe::ProbeArgs),
    /// Provision a school with a year of lessons and measure the journal, the diary, the morning rush and the exports.
    Journal(Box<journal::JournalArgs>),
    /// Start Parta with its media unit, provision a school, and measure a broadcast and a class call, then the same on a plain UDP relay.
    Calls(Box<calls::CallsArgs>),
    /// Time the new school year of a school `journal --prepare-only` left in `--data`: the preview and the transition.
    YearTransition(year_transition::YearTransitionArgs),
    /// Time a school's statistics dashboard over a year of history (added once to the school `journal --prepare-only` left in `--data`), and its authority's comparison.
    Statistics(statistics::StatisticsArgs),
    /// Time a OneRoster bundle of a whole school imported into a fresh demo Parta: the dry run, the import, the same again, the export.
    Roster(roster::RosterArgs),
    /// Time a Telegram export of a chat's history imported into a fresh demo Parta: the upload with its dry run, the import, the same again.
    ChatImport(chat_import::ChatImportArgs),
    /// Serve the calls' floor: a UDP relay with no WebRTC (prints its address, runs until killed).
    UdpRelay {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Cli::UdpRelay { listen } = cli {
        return calls::relay::serve(listen);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match cli {
        Cli::Run(args) => runtime.block_on(run::run(*args)),
        Cli::Floor { listen, read_buffer_size } => runtime.block_on(floor::serve(listen, read_buffer_size)),
        Cli::Probe(args) => runtime.block_on(probe::probe(args)),
        Cli::Journal(args) => runtime.block_on(journal::journal(*args)),
        Cli::Calls(args) => runtime.block_on(calls::calls(*args)),
        Cli::YearTransition(args) => runtime.block_on(year_transition::year_transition(args)),
        Cli::Statistics(args) => runtime.block_on(statistics::statistics(args)),
        Cli::Roster(args) => runtime.block_on(roster::roster(args)),
        Cli::ChatImport(args) => runtime.block_on(chat_import::chat_import(args)),
        Cli::UdpRelay { .. } => Ok(()),
    }
}
