//! `.evtx` reading (`triage/parse/evtx.rs`) on real logs: the events and
//! where they are, damaged and truncated copies, garbage, streaming, and the
//! detectors over the result. The samples and their licences are in
//! `tests/data/evtx/README.md`.

use std::collections::BTreeMap;
use std::io::{self, Read, Write as _};

use flate2::Compression;
use flate2::write::GzEncoder;
use server::triage::analyse;
use server::triage::detect::{Config, Severity};
use server::triage::parse::{At, Format, Options, ParseError, ReadFailure, Record, Summary, parse};
use server::triage::record::WinEvent;

/// 7 Security events of one machine, saved from a selection (one chunk).
const SHORT: &[u8] = include_bytes!("data/evtx/Security_short_selected.evtx");
/// 101 Security events around an RDP tunnel, starting with a 1102 (one chunk).
const RDP: &[u8] = include_bytes!("data/evtx/DE_RDP_Tunnel_5156.evtx");

const FILE_HEADER: usize = 4096;
const CHUNK: usize = 65536;

fn detect() -> Options {
    Options {
        format: None,
        year: 2019,
        utc_offset_minutes: 540,
    }
}

fn read(input: impl Read) -> (Summary, Vec<(At, WinEvent)>) {
    let mut got = Vec::new();
    let summary = parse(input, &detect(), |at, r| match r {
        Record::Windows(e) => got.push((at, e)),
        other => panic!("not a Windows event: {other:?}"),
    })
    .expect("parse");
    assert_eq!(summary.format, Format::WindowsEvtx);
    (summary, got)
}

fn counts(events: &[(At, WinEvent)]) -> BTreeMap<u32, usize> {
    let mut m = BTreeMap::new();
    for (_, e) in events {
        *m.entry(e.event_id).or_default() += 1;
    }
    m
}

fn time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    Some(s.parse().unwrap())
}

/// Every delivered event's offset is that of a record header (`**\0\0`)
/// in `file`, so the record can be carved again from where it is cited.
fn assert_offsets_are_records(file: &[u8], events: &[(At, WinEvent)]) {
    for (at, _) in events {
        let o = at.offset as usize;
        assert_eq!(&file[o..o + 4], b"\x2a\x2a\0\0", "{at:?}");
    }
}

fn texts(s: &Summary) -> Vec<&str> {
    s.samples.iter().map(|s| s.text.as_str()).collect()
}

#[test]
fn a_real_security_log_gives_its_events() {
    let (s, got) = read(SHORT);
    assert_eq!(
        (s.bytes, s.lines, s.parsed, s.unparsed, s.ignored, s.gzip),
        (69632, 7, 7, 0, 0, false)
    );
    assert!(s.samples.is_empty());
    assert_eq!(
        counts(&got),
        BTreeMap::from([
            (4611, 1),
            (4625, 1),
            (4673, 1),
            (4776, 1),
            (5152, 2),
            (5157, 1)
        ])
    );
    assert_offsets_are_records(SHORT, &got);
    assert!(got.iter().all(|(_, e)| e.computer == "temporal"));
    // The failed RDP logon (type 10) of Administrator from outside.
    let (at, e) = &got[3];
    assert_eq!(e.event_id, 4625);
    assert_eq!(e.time, time("2016-06-29T15:24:36.686Z"));
    assert_eq!(e.account.as_deref(), Some("Administrator"));
    assert_eq!(e.logon_type, Some(10));
    assert_eq!(e.source_host.as_deref(), Some("TEMPORAL"));
    assert_eq!(e.source_ip, Some("23.94.153.202".parse().unwrap()));
    assert_eq!(at.offset, 8264);
    // Saved from a selection: the record headers count from 1, the XML
    // keeps the original log's EventRecordID, which is what is cited.
    assert_eq!(
        u64::from_le_bytes(SHORT[8264 + 8..8264 + 16].try_into().unwrap()),
        4
    );
    assert!(at.line > 319_000_000, "{at:?}");
    assert!(got.windows(2).all(|w| w[0].0.line < w[1].0.line));
    let (_, e) = &got[2];
    assert_eq!(
        (e.event_id, e.account.as_deref()),
        (4776, Some("Administrator"))
    );
}

#[test]
fn a_log_with_a_cleared_audit_log_and_logons() {
    let (s, got) = read(RDP);
    assert_eq!((s.lines, s.parsed, s.unparsed), (101, 101, 0));
    assert_eq!(
        counts(&got),
        BTreeMap::from([
            (1102, 1),
            (4624, 5),
            (4648, 3),
            (4672, 3),
            (4688, 17),
            (5156, 63),
            (5158, 9)
        ])
    );
    assert_offsets_are_records(RDP, &got);
    let (at, e) = &got[0];
    assert_eq!(
        *at,
        At {
            line: 227693,
            offset: 4608
        }
    );
    assert_eq!(e.event_id, 1102);
    assert_eq!(e.time, time("2019-02-13T18:01:41.59383Z"));
    assert_eq!(e.computer, "PC01.example.corp");
    // 1102 names who cleared the log in UserData, not EventData.
    assert_eq!(e.account.as_deref(), Some("admin01"));
    let network: Vec<_> = got
        .iter()
        .filter(|(_, e)| e.event_id == 4624 && e.logon_type == Some(3))
        .map(|(at, e)| (at.line, e.account.as_deref(), e.source_host.as_deref()))
        .collect();
    assert_eq!(
        network,
        [
            (227740, Some("admin01"), Some("PC02")),
            (227747, Some("admin01"), Some("PC02"))
        ]
    );
}

#[test]
fn gzip_and_the_format_given_read_the_same() {
    let (_, plain) = read(RDP);
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(RDP).unwrap();
    let (s, zipped) = read(gz.finish().unwrap().as_slice());
    assert!(s.gzip);
    assert_eq!(s.bytes, RDP.len() as u64);
    assert_eq!(zipped, plain);
    let given = Options {
        format: Some(Format::WindowsEvtx),
        ..detect()
    };
    let s = parse(RDP, &given, |_, _| {}).unwrap();
    assert_eq!(s.parsed, 101);
}

#[test]
fn a_truncated_copy_ends_cleanly_with_what_was_read() {
    let (_, full) = read(RDP);
    let cut = FILE_HEADER + 30_000;
    let (s, got) = read(&RDP[..cut]);
    // Records are back to back: one is whole when the next starts by the cut.
    let whole = full
        .windows(2)
        .filter(|w| w[1].0.offset <= cut as u64)
        .count();
    assert_eq!(got, full[..whole]);
    assert_eq!(s.bytes, cut as u64);
    assert_eq!((s.parsed, s.unparsed), (whole as u64, 2));
    let t = texts(&s);
    assert!(t[0].contains("cut short by the end of the file"), "{t:?}");
    assert_eq!(s.samples[0].at.offset, full[whole].0.offset);
    assert_eq!(
        t[1],
        "chunk 0 at offset 4096: the file ends after 30000 of its 65536 bytes"
    );

    let (s, got) = read(&RDP[..FILE_HEADER + 100]);
    assert!(got.is_empty());
    assert_eq!(
        texts(&s),
        ["chunk 0 at offset 4096: the file ends inside its header"]
    );
    let (s, _) = read(&RDP[..1000]);
    assert_eq!(
        texts(&s),
        ["file header: the file ends after 1000 of its 4096 bytes"]
    );
    // Cut where a chunk ends: nothing is missing.
    let (s, _) = read(&RDP[..FILE_HEADER + CHUNK]);
    assert_eq!((s.parsed, s.unparsed), (101, 0));
}

/// The file header of `RDP` and its chunk, the short log's and its own
/// again: three chunks, as a longer log has.
fn three_chunks() -> Vec<u8> {
    let mut file = RDP.to_vec();
    file.extend_from_slice(&SHORT[FILE_HEADER..]);
    file.extend_from_slice(&RDP[FILE_HEADER..]);
    file
}

#[test]
fn a_chunk_without_its_magic_is_skipped_and_the_others_are_read() {
    let mut file = three_chunks();
    file[FILE_HEADER + CHUNK] = b'X';
    let (s, got) = read(file.as_slice());
    assert_eq!((s.lines, s.parsed, s.unparsed), (202, 202, 1));
    let t = texts(&s);
    assert!(
        t[0].starts_with("chunk 1 at offset 69632: Invalid EVTX chunk header magic"),
        "{t:?}"
    );
    assert_eq!(
        s.samples[0].at,
        At {
            line: 0,
            offset: 69632
        }
    );
    // The third chunk's records are cited where they are in this file.
    assert_eq!(got[101].0.offset, (FILE_HEADER + 2 * CHUNK + 512) as u64);
    assert_offsets_are_records(&file, &got);
}

#[test]
fn a_chunk_failing_its_checksum_is_counted_and_its_records_read() {
    let mut file = three_chunks();
    // Tamper with who cleared the log: "admin01" becomes "bdmin01".
    let name: Vec<u8> = "admin01"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let at = memchr::memmem::find(&file[FILE_HEADER..FILE_HEADER + CHUNK], &name).unwrap();
    file[FILE_HEADER + at] = b'b';
    let (s, got) = read(file.as_slice());
    assert_eq!((s.parsed, s.unparsed), (7 + 2 * 101, 1));
    assert_eq!(
        texts(&s),
        ["chunk 0 at offset 4096: bad checksum of its records (CRC32); its records were read"]
    );
    assert_eq!(got[0].1.event_id, 1102);
    assert_eq!(got[0].1.account.as_deref(), Some("bdmin01"));
    // A damaged chunk header is caught by its own CRC.
    let mut file = three_chunks();
    file[FILE_HEADER + CHUNK + 24] ^= 1;
    let (s, _) = read(file.as_slice());
    assert_eq!(
        texts(&s),
        ["chunk 1 at offset 69632: bad checksum of its header (CRC32); its records were read"]
    );
}

#[test]
fn garbage_behind_the_magic_gives_a_clear_result() {
    let mut rng = fastrand::Rng::with_seed(1102);
    let mut file = b"ElfFile\0".to_vec();
    file.extend((0..200_000).map(|_| rng.u8(..)));
    let (s, got) = read(file.as_slice());
    assert!(got.is_empty());
    assert_eq!((s.bytes, s.lines, s.parsed), (200_008, 0, 0));
    // The header, two whole chunks and the part of a third.
    assert_eq!(s.unparsed, 4, "{:?}", s.samples);
    let t = texts(&s);
    assert!(t[0].starts_with("file header: not the layout"), "{t:?}");
    for (i, offset) in [(1, 4096), (2, 69632), (3, 135168)] {
        let want = format!(
            "chunk {} at offset {offset}: Invalid EVTX chunk header magic",
            i - 1
        );
        assert!(t[i].starts_with(&want), "{t:?}");
    }
    let (s, _) = read(&b"ElfFile\0"[..]);
    assert_eq!(
        texts(&s),
        ["file header: the file ends after 8 of its 4096 bytes"]
    );
    // Only the magic makes it .evtx: text that merely mentions it is not.
    let err = parse(&b"ElfChnk\0 and more\n"[..], &detect(), |_, _| {}).unwrap_err();
    assert!(matches!(err, ParseError::UnknownFormat { .. }));
}

/// A log of `n` copies of `RDP`'s chunk, made as it is read, so the test
/// shows the reader never needs the whole file (nor to seek in it).
struct Generated {
    n: usize,
    pos: usize,
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let end = FILE_HEADER + self.n * CHUNK;
        // Odd sizes, so chunks arrive in pieces.
        let k = buf.len().min(end - self.pos).min(7919);
        for (i, b) in buf[..k].iter_mut().enumerate() {
            let p = self.pos + i;
            *b = if p < FILE_HEADER {
                RDP[p]
            } else {
                RDP[FILE_HEADER + (p - FILE_HEADER) % CHUNK]
            };
        }
        self.pos += k;
        Ok(k)
    }
}

#[test]
fn a_long_log_streams_chunk_by_chunk() {
    let (s, got) = read(Generated { n: 40, pos: 0 });
    assert_eq!(s.bytes, (FILE_HEADER + 40 * CHUNK) as u64);
    assert_eq!((s.parsed, s.unparsed), (40 * 101, 0));
    let last = &got[got.len() - 1].0;
    assert_eq!(
        last.offset,
        (FILE_HEADER + 39 * CHUNK) as u64 + got[100].0.offset - FILE_HEADER as u64
    );
}

/// Fails after `left` bytes, as a cancelled or broken upload does.
struct Failing<'a> {
    data: &'a [u8],
    left: usize,
}

impl Read for Failing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::other("cancelled"));
        }
        let k = buf.len().min(self.left).min(self.data.len());
        buf[..k].copy_from_slice(&self.data[..k]);
        self.data = &self.data[k..];
        self.left -= k;
        Ok(k)
    }
}

#[test]
fn a_read_error_stops_with_what_was_delivered() {
    let file = three_chunks();
    let mut delivered = 0;
    let input = Failing {
        data: &file,
        left: FILE_HEADER + CHUNK + 1000,
    };
    let err = parse(input, &detect(), |_, _| delivered += 1).unwrap_err();
    let ParseError::Io(e) = err else {
        panic!("{err:?}")
    };
    let failure = e.get_ref().unwrap().downcast_ref::<ReadFailure>().unwrap();
    assert_eq!((failure.parsed, delivered), (101, 101));
    assert_eq!(failure.bytes, (FILE_HEADER + CHUNK + 1000) as u64);
    assert_eq!(failure.source.to_string(), "cancelled");
}

#[test]
fn the_detectors_read_the_events() {
    let config = Config {
        admin_accounts: vec!["admin01".into()],
        admin_hosts: vec![("admin01".into(), vec!["PC01".into()])],
        ..Config::default()
    };
    let (summary, findings) = analyse(RDP, &detect(), config).unwrap();
    assert_eq!(summary.parsed, 101);
    let cleared = findings
        .iter()
        .find(|f| f.detector == "directory.critical_event")
        .expect("the 1102 is reported");
    assert_eq!(cleared.severity, Severity::Medium);
    assert!(cleared.title.en.contains("1102"), "{:?}", cleared.title);
    assert_eq!(
        cleared.lines,
        [At {
            line: 227693,
            offset: 4608
        }]
    );
    assert_eq!(cleared.first_seen, time("2019-02-13T18:01:41.593Z"));
    let unusual = findings
        .iter()
        .find(|f| f.detector == "directory.admin_unusual_host")
        .expect("admin01 from PC02");
    assert!(
        unusual.explanation.en.contains("PC02"),
        "{:?}",
        unusual.explanation
    );
    let lines: Vec<u64> = unusual.lines.iter().map(|at| at.line).collect();
    assert_eq!(lines, [227740, 227747]);
}
