//! Log triage memory (issue 13's budget: a 2 GB log under 300 MB peak RSS,
//! memory bounded by the distinct (client, destination) pairs, not by the
//! file). Two inputs, generated as they are read so that only the analysis
//! itself holds memory: 2 GB of one line without a newline, then 2 GB of
//! Squid native lines from 2,000 clients to 100 hosts (at most 200,000
//! pairs), through the parsers and every detector. Prints the peak resident
//! set (VmHWM) after each.
//!
//! `cargo bench -p server --bench triage_memory [-- MB]` (default 2000 MB).

use std::io::{self, Read};
use std::time::Instant;

use server::triage::detect::Config;
use server::triage::parse::Options;
use server::triage::record::Format;

/// The process's peak resident set in MiB (Linux).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// `n` bytes of `z`, never a newline.
struct OneLine(u64);

impl Read for OneLine {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = (buf.len() as u64).min(self.0) as usize;
        buf[..n].fill(b'z');
        self.0 -= n as u64;
        Ok(n)
    }
}

/// Squid native lines made on demand until `left` bytes have been given.
struct Squid {
    left: u64,
    line: Vec<u8>,
    at: usize,
    n: u64,
    state: u64,
}

impl Squid {
    fn new(bytes: u64) -> Self {
        Self {
            left: bytes,
            line: Vec::with_capacity(256),
            at: 0,
            n: 0,
            state: 0x9e37_79b9_7f4a_7c15,
        }
    }

    fn next_line(&mut self) {
        use std::io::Write as _;
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        let r = self.state.wrapping_mul(0x2545_f491_4f6c_dd1d);
        self.n += 1;
        // About 200 lines a second of log time, so a 2 GB log spans days.
        let ts = 1_767_600_000 + self.n / 200;
        let client = r % 2_000;
        let host = (r >> 16) % 100;
        self.line.clear();
        let _ = writeln!(
            self.line,
            "{ts}.{:03} {:>6} 10.{}.{}.{} TCP_MISS/200 {} GET http://host{host}.example.com/path/{}/index.html - HIER_DIRECT/203.0.113.{} text/html",
            r % 1000,
            (r >> 8) % 5000,
            client / 250,
            (client / 25) % 10,
            client % 25 + 1,
            (r >> 24) % 60_000,
            (r >> 40) % 1000,
            host + 1,
        );
        self.at = 0;
    }
}

impl Read for Squid {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut done = 0;
        while done < buf.len() && self.left > 0 {
            if self.at == self.line.len() {
                self.next_line();
            }
            let n = (self.line.len() - self.at)
                .min(buf.len() - done)
                .min(self.left as usize);
            buf[done..done + n].copy_from_slice(&self.line[self.at..self.at + n]);
            self.at += n;
            done += n;
            self.left -= n as u64;
        }
        Ok(done)
    }
}

fn options() -> Options {
    Options {
        format: Some(Format::SquidNative),
        year: 2026,
        utc_offset_minutes: 540,
    }
}

fn main() {
    let mb: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2_000);
    let bytes = mb * 1_000_000;
    println!(
        "triage memory, {mb} MB inputs (budget: peak RSS < 300 MiB); at start {:.1} MiB",
        peak_rss_mib()
    );

    let start = Instant::now();
    let (s, findings) =
        server::triage::analyse(OneLine(bytes), &options(), Config::default()).expect("parsed");
    println!(
        "  one {mb} MB line without newline: {} too long, {} findings, {:.1} s, peak RSS {:.1} MiB",
        s.too_long,
        findings.len(),
        start.elapsed().as_secs_f64(),
        peak_rss_mib()
    );

    let start = Instant::now();
    let (s, findings) =
        server::triage::analyse(Squid::new(bytes), &options(), Config::default()).expect("parsed");
    println!(
        "  squid native, {} lines from 2,000 clients to 100 hosts: {} findings, {:.1} s, peak RSS {:.1} MiB",
        s.lines,
        findings.len(),
        start.elapsed().as_secs_f64(),
        peak_rss_mib()
    );
}
