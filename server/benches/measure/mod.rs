//! What the benches share: timing (best of three runs, wall and per
//! CPU-second, this thread's CPU time from Linux `schedstat`, so that a
//! machine shared with other work still gives a per-core figure) and a
//! deterministic random source for generated data. Each bench uses part
//! of it.
#![allow(dead_code)]

use std::time::Instant;

fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}

/// Runs `f` three times: the last result, and `"<wall> MB/s wall, <cpu>
/// MB/s per CPU-second"` of the best times for `bytes(result)` bytes.
pub fn best_of_three<T>(mut f: impl FnMut() -> T, bytes: impl Fn(&T) -> u64) -> (T, f64, String) {
    let (mut wall, mut cpu) = (f64::MAX, f64::MAX);
    let mut last = None;
    for _ in 0..3 {
        let (start, cpu_start) = (Instant::now(), cpu_seconds());
        last = Some(f());
        wall = wall.min(start.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu_start, cpu_seconds()) {
            cpu = cpu.min(b - a);
        }
    }
    let last = last.expect("ran");
    let mb = bytes(&last) as f64 / 1e6;
    let per_cpu = if cpu < f64::MAX {
        format!(", {:>6.1} MB/s per CPU-second", mb / cpu)
    } else {
        String::new()
    };
    let rates = format!("{:>6.1} MB/s wall{per_cpu}", mb / wall);
    (last, mb, rates)
}

/// xorshift64*: deterministic and cheap.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}
