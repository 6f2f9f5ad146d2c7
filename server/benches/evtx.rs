//! `.evtx` throughput (budget: ≥ 50 MB/s per core), on a real log's chunks
//! repeated in memory: by default the RDP-tunnel sample of `tests/data/evtx`
//! (one chunk, 101 Security events), or the `.evtx` file given. Prints MB/s
//! of parsing alone, with every detector (`triage::analyse`), from gzip,
//! and of the `evtx` crate's XML and JSON rendering alone, the floor of
//! either way of mapping records (`evtx.rs` reads the JSON: the XML
//! export's extractor on the rendered XML took as long again as rendering,
//! see the module docs). Best of three runs on one thread, wall and per
//! CPU-second (the machine may be shared).
//!
//! `cargo bench --bench evtx [-- MB] [FILE.evtx]` (default 64 MB).

use std::hint::black_box;
use std::io::Write as _;
use std::sync::Arc;

mod measure;

use evtx::{EvtxChunkData, ParserSettings};
use flate2::Compression;
use flate2::write::GzEncoder;
use server::triage::detect::Config;
use server::triage::parse::{Options, parse};

const FILE_HEADER: usize = 4096;
const CHUNK: usize = 65536;

/// Runs `f` three times (`f` gives the number of records); prints the
/// best, in MB/s of `bytes`.
fn run(what: &str, bytes: usize, f: impl FnMut() -> usize) {
    let (records, mb, rates) = measure::best_of_three(f, |_| bytes as u64);
    println!("evtx {what:<34} {mb:>6.1} MB {records:>8} records {rates}");
}

/// Renders every record of every chunk with `render`, as the `evtx` crate
/// alone would; the number of records.
fn render_only(log: &[u8], render: impl Fn(evtx::EvtxRecord<'_>) -> usize) -> usize {
    let settings = Arc::new(ParserSettings::new().indent(false));
    let mut n = 0;
    for chunk in log[FILE_HEADER..].chunks(CHUNK) {
        let mut data = EvtxChunkData::new(chunk.to_vec(), false).expect("chunk");
        let mut parsed = data.parse(settings.clone()).expect("chunk");
        for record in parsed.iter() {
            n += render(record.expect("record"));
        }
    }
    n
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mb: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(64);
    let sample = match args.iter().find(|a| a.ends_with(".evtx")) {
        Some(path) => std::fs::read(path).expect("read the .evtx file"),
        None => include_bytes!("../tests/data/evtx/DE_RDP_Tunnel_5156.evtx").to_vec(),
    };
    // Chunks Windows never wrote are skipped unread: leave them out, so
    // that the figure is that of real records.
    let chunks: Vec<&[u8]> = sample[FILE_HEADER..]
        .chunks_exact(CHUNK)
        .filter(|c| c.starts_with(b"ElfChnk\0"))
        .collect();
    let mut log = sample[..FILE_HEADER].to_vec();
    while log.len() < mb * 1_000_000 {
        for c in &chunks {
            log.extend_from_slice(c);
        }
    }
    let opts = Options {
        format: None,
        year: 2019,
        utc_offset_minutes: 540,
    };
    run("parse", log.len(), || {
        let s = parse(log.as_slice(), &opts, |at, r| {
            black_box((at, r));
        })
        .expect("parse");
        assert_eq!(s.unparsed, 0);
        s.parsed as usize
    });
    run("parse + detectors", log.len(), || {
        let (s, findings) =
            server::triage::analyse(log.as_slice(), &opts, Config::default()).expect("analyse");
        black_box(findings);
        s.parsed as usize
    });
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(&log).unwrap();
    let gz = gz.finish().unwrap();
    run("parse, gzip", log.len(), || {
        let s = parse(gz.as_slice(), &opts, |at, r| {
            black_box((at, r));
        })
        .expect("parse");
        s.parsed as usize
    });
    run("evtx crate: XML rendering only", log.len(), || {
        render_only(&log, |r| {
            black_box(r.into_xml_bytes().expect("xml"))
                .data
                .len()
                .min(1)
        })
    });
    run("evtx crate: JSON rendering only", log.len(), || {
        render_only(&log, |r| {
            black_box(r.into_json_bytes().expect("json"))
                .data
                .len()
                .min(1)
        })
    });
}
