//! Tests of the whole pipeline: detection, streaming, gzip, limits.

use std::io::{self, Read, Write};

use flate2::Compression;
use flate2::write::GzEncoder;

use super::windows::tests::{EVENT_VIEWER_CSV, POWERSHELL_CSV, WEVTUTIL_XML};
use super::*;
use crate::triage::record::{MailEvent, Record};

/// Seed 001's sample lines per format, redactions filled in.
const POSTFIX: &str = "Feb 16 11:43:32 mail-server postfix/cleanup[29597]: B1467845E2: warning: header From: \"sample@example.co.jp\" <attack@example.com> from unknown[192.168.10.20]; from=<root@example.com> to=<info@example.co.jp> proto=ESMTP helo=<[127.0.0.1]>
Feb 16 16:17:26 mail-server postfix/cleanup[6952]: 08C08845EF: warning: header Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;? name=\"=?Shift_JIS?B?gXmDfYOLlOmBeozai3GP7pXxgUkuZXhl=?=\" from unknown[192.168.10.20]; from=<attacker@example.com> to=<sample@example.co.jp> proto=ESMTP helo=<[127.0.0.1]>
";
const NETSCREEN: &str = "2014-12-16T01:02:01.258399+09:00 192.168.1.1 ns208-master: NetScreen device_id=ns208-master [Root]system-notification-00257(traffic): start_time=\"2014-12-16 00:11:15\" duration=0 policy_id=36 service=http proto=6 src zone=SHANAI dst zone=Untrust action=Deny sent=0 rcvd=0 src=192.168.100.21 dst=23.23.10.10 src_port=58461 dst_port=80 session_id=0
2014-12-16T01:01:55.711749+09:00 192.168.1.2 ns20x-master: NetScreen device_id=ns20x-master [Root]system-notification-00257(traffic): start_time=\"2014-12-16 00:11:10\" duration=0 policy_id=38 service=- proto=17 src zone=SHANAI dst zone=INTRA action=Deny sent=0 rcvd=0 src=192.168.100.21 dst=192.168.200.5 src_port=2562 dst_port=8089 session_id=0
";
const SQUID: &str = "1424221299.090 452 192.168.10.5 TCP_MISS/200 74769 GET http://apt.example.com/xxx/xxx/apt.zip - DEFAULT_PARENT/113.10.10.10 application/x-zip-compressed
1423528142.737 0 192.168.10.5 TCP_DENIED/403 3641 CONNECT 192.168.20.5:8089 - NONE/- text/html
1424227775.972 21 192.168.10.5 TCP_MISS/200 553 POST http://apt.example.com/blog/ - HIER_DIRECT/apt.example.com text/html
";
const COMBINED: &str = "192.168.10.5 - - [12/Feb/2015:13:53:00 +0900] \"POST http://apt.example.com/control/apt.zip HTTP/1.1\" 200 851 - \"Wget/1.12 (linux-gnu)\" TCP_MISS:DIRECT
";
const BIND: &str = "16-Dec-2014 01:03:55 client 192.168.100.5 #47197: query: apt.example.com IN A + (192.168.1.53)
16-Dec-2014 01:03:56.001 queries: info: client @0x7f1c2c0f4e30 192.168.100.5#47198 (www.example.com): query: www.example.com IN A +E(0)K (192.168.1.53)
";

fn opts(format: Option<Format>) -> Options {
    Options {
        format,
        year: 2015,
        utc_offset_minutes: 540,
    }
}

fn run(data: &[u8], format: Option<Format>) -> Result<(Summary, Vec<(At, Record)>), ParseError> {
    let mut got = Vec::new();
    let s = parse(data, &opts(format), |at, r| got.push((at, r)))?;
    Ok((s, got))
}

fn lines(s: &str) -> Vec<&[u8]> {
    s.lines().map(str::as_bytes).collect()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Deterministic pseudo-random bytes.
fn noise(n: usize, mut seed: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

#[test]
fn detects_each_seed_format() {
    assert_eq!(detect(&lines(POSTFIX)), Some(Format::Postfix));
    assert_eq!(detect(&lines(NETSCREEN)), Some(Format::Netscreen));
    assert_eq!(detect(&lines(SQUID)), Some(Format::SquidNative));
    assert_eq!(detect(&lines(COMBINED)), Some(Format::SquidCombined));
    assert_eq!(detect(&lines(BIND)), Some(Format::Bind));
    assert_eq!(detect(&lines(EVENT_VIEWER_CSV)), Some(Format::WindowsCsv));
    assert_eq!(detect(&lines(POWERSHELL_CSV)), Some(Format::WindowsCsv));
    assert_eq!(detect(&lines(WEVTUTIL_XML)), Some(Format::WindowsXml));
}

#[test]
fn detection_rejects_garbage() {
    assert_eq!(detect(&[]), None);
    assert_eq!(detect(&[b"", b"   "]), None);
    assert_eq!(
        detect(&lines("hello world\nthis is not a log\n12345\n")),
        None
    );
    // A syslog file without Postfix or named lines.
    assert_eq!(
        detect(&lines(
            "Dec 16 01:03:55 host sshd[1]: Accepted publickey for root\nDec 16 01:03:56 host CRON[2]: (root) CMD (true)\n"
        )),
        None
    );
    let n = noise(64 * 1024, 7);
    let ls: Vec<&[u8]> = n.split(|&b| b == b'\n').collect();
    assert_eq!(detect(&ls), None);
}

#[test]
fn detection_tolerates_noise_and_looks_only_at_the_start() {
    // Mostly Postfix with some other programs' lines.
    let text = format!(
        "Dec 16 01:03:55 mx dovecot: imap-login: Login\n{POSTFIX}Dec 16 01:03:55 mx dovecot: pop3\n"
    );
    assert_eq!(detect(&lines(&text)), Some(Format::Postfix));
    // BOM and blank lines first.
    let text = format!("\u{feff}\n\n{SQUID}");
    assert_eq!(detect(&lines(&text)), Some(Format::SquidNative));
    // Squid after 60 lines of garbage is not looked at.
    let text = format!("{}{SQUID}", "junk\n".repeat(60));
    assert_eq!(detect(&lines(&text)), None);
}

#[test]
fn parse_detects_and_parses_each_format() {
    for (text, format, records) in [
        (POSTFIX, Format::Postfix, 2),
        (NETSCREEN, Format::Netscreen, 2),
        (SQUID, Format::SquidNative, 3),
        (COMBINED, Format::SquidCombined, 1),
        (BIND, Format::Bind, 2),
        (EVENT_VIEWER_CSV, Format::WindowsCsv, 3),
        (POWERSHELL_CSV, Format::WindowsCsv, 2),
        (WEVTUTIL_XML, Format::WindowsXml, 2),
    ] {
        let (s, got) = run(text.as_bytes(), None).unwrap();
        assert_eq!(s.format, format);
        assert_eq!(s.parsed, records, "{format:?}");
        assert_eq!(got.len(), records as usize);
        assert_eq!(s.unparsed, 0, "{format:?}: {:?}", s.samples);
        assert_eq!(s.bytes, text.len() as u64);
        assert_eq!(s.lines, text.lines().count() as u64);
        assert!(!s.gzip);
    }
}

/// The lent records are the given ones: the parsers' reusable records
/// carry nothing over from one line to the next (a user, a user agent, a
/// port or a Postfix event of an earlier line).
#[test]
fn borrowed_records_equal_owned_ones() {
    let squid = "1424221299.090 452 192.168.10.5 TCP_MISS/200 74769 GET http://apt.example.com/a taro HIER_DIRECT/x text/html
1424221300.000 1 192.168.10.6 TCP_DENIED/403 3641 CONNECT 192.168.20.5:8089 - NONE/- text/html
1424221301.5 2 ::1 NONE/400 0 NONE error:invalid-request
1424221302.001 3 10.0.0.1 TCP_MISS/200 1 GET https://WWW.Example.COM/b hanako HIER_DIRECT/y -
";
    let combined = format!(
        "{COMBINED}10.1.2.3 - - [16/Dec/2014:01:03:55 -0500] \"GET https://example.com/ HTTP/1.1\" 304 - \"-\" \"-\"\n"
    );
    let postfix = format!(
        "{POSTFIX}Dec 16 01:03:56 mx01 postfix/qmgr[812]: 4F9D1D4A: from=<attack@example.com>, size=48213, nrcpt=1 (queue active)\n\
         Dec 16 01:03:57 mx01 postfix/smtp[2301]: 4F9D1D4A: to=<user@example.co.jp>, relay=x, status=sent (250 Ok)\n{POSTFIX}"
    );
    for text in [squid, &combined, &postfix, NETSCREEN, BIND] {
        let (owned_summary, owned) = run(text.as_bytes(), None).unwrap();
        let mut lent = Vec::new();
        let lent_summary = parse_borrowed(text.as_bytes(), &opts(None), |at, r| {
            lent.push((at, r.clone()))
        })
        .unwrap();
        assert_eq!(lent_summary, owned_summary);
        assert_eq!(lent, owned);
        assert!(owned.len() >= 2, "{text}");
    }
    let (_, got) = run(squid.as_bytes(), Some(Format::SquidNative)).unwrap();
    let users: Vec<Option<&str>> = got
        .iter()
        .map(|(_, r)| match r {
            Record::Proxy(r) => r.user.as_deref(),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(users, [Some("taro"), None, None, Some("hanako")]);
}

#[test]
fn seed_shift_jis_name_through_parse() {
    let (_, got) = run(POSTFIX.as_bytes(), None).unwrap();
    let (at, Record::Mail(m)) = &got[1] else {
        panic!()
    };
    assert_eq!(at.line, 2);
    assert_eq!(at.offset, POSTFIX.find("\nFeb 16 16").unwrap() as u64 + 1);
    assert!(
        matches!(&m.event, MailEvent::Attachment { name, .. } if name == "【マル秘】顧客情報！.exe")
    );
}

#[test]
fn offsets_point_at_line_starts() {
    let text = format!("{SQUID}\r\n\r\n{SQUID}");
    let text = text.replace('\n', "\r\n").replace("\r\r\n", "\r\n");
    let (s, got) = run(text.as_bytes(), None).unwrap();
    assert_eq!(s.parsed, 6);
    for (at, _) in &got {
        let line = text.lines().nth(at.line as usize - 1).unwrap();
        assert!(text[at.offset as usize..].starts_with(line));
    }
}

#[test]
fn gzip_is_transparent_including_multiple_members() {
    let mut data = gzip(SQUID.as_bytes());
    data.extend(gzip(SQUID.as_bytes()));
    let (s, got) = run(&data, None).unwrap();
    assert!(s.gzip);
    assert_eq!(s.format, Format::SquidNative);
    assert_eq!(s.parsed, 6);
    assert_eq!(s.bytes, 2 * SQUID.len() as u64);
    assert_eq!(got[3].0.offset, SQUID.len() as u64);
}

#[test]
fn truncated_gzip_is_an_io_error_saying_how_far_it_got() {
    let text = SQUID.repeat(20_000);
    let full = gzip(text.as_bytes());
    let cut = &full[..full.len() / 2];
    let mut delivered = 0;
    let err = parse(cut, &opts(None), |_, _| delivered += 1).unwrap_err();
    let ParseError::Io(e) = &err else {
        panic!("{err:?}")
    };
    let f = e
        .get_ref()
        .and_then(|i| i.downcast_ref::<ReadFailure>())
        .expect("ReadFailure inside");
    assert!(f.gzip);
    assert!(f.lines > 0 && f.bytes > 0);
    assert_eq!(f.parsed, delivered);
    assert!(delivered > 0);
    let msg = err.to_string();
    assert!(msg.contains("gzip") && msg.contains("lines"), "{msg}");
    // Cut inside the header: still an error, not a panic.
    assert!(matches!(run(&full[..5], None), Err(ParseError::Io(_))));
}

#[test]
fn binary_garbage() {
    let data = noise(1 << 20, 42);
    match run(&data, None) {
        Err(ParseError::UnknownFormat { samples }) => {
            assert!(!samples.is_empty() && samples.len() <= 5);
            assert!(samples.iter().all(|s| s.text.chars().count() <= 200));
        }
        other => panic!("{other:?}"),
    }
    for format in ALL {
        let (s, got) = run(&data, Some(format)).unwrap();
        assert!(got.is_empty(), "{format:?}");
        assert_eq!(s.parsed, 0);
        assert!(s.unparsed > 0, "{format:?}");
        assert!(s.samples.len() <= 5);
        assert!(s.samples.iter().all(|x| x.text.chars().count() <= 200));
    }
    // Gzip magic followed by garbage.
    let mut fake = vec![0x1f, 0x8b];
    fake.extend(noise(1000, 3));
    assert!(matches!(run(&fake, None), Err(ParseError::Io(_))));
}

#[test]
fn empty_input() {
    assert!(matches!(
        run(b"", None),
        Err(ParseError::UnknownFormat { samples }) if samples.is_empty()
    ));
    let (s, _) = run(b"", Some(Format::Bind)).unwrap();
    assert_eq!((s.lines, s.bytes, s.parsed), (0, 0, 0));
}

#[test]
fn unparsed_lines_are_counted_and_sampled() {
    let mut text = String::from(SQUID);
    for i in 0..8 {
        text.push_str(&format!("broken line {i} {}\n", "x".repeat(300)));
    }
    text.push_str(SQUID);
    let (s, _) = run(text.as_bytes(), None).unwrap();
    assert_eq!((s.parsed, s.unparsed), (6, 8));
    assert_eq!(s.samples.len(), 5);
    assert_eq!(s.samples[0].at.line, 4);
    assert!(s.samples[0].text.starts_with("broken line 0"));
    assert_eq!(s.samples[0].text.chars().count(), 200);
}

#[test]
fn five_mib_line_is_skipped() {
    let mut data = SQUID.as_bytes().to_vec();
    data.extend(std::iter::repeat_n(b'x', 5 << 20));
    data.push(b'\n');
    data.extend_from_slice(SQUID.as_bytes());
    // And one more at the very end, without a newline.
    data.extend(std::iter::repeat_n(b'y', 5 << 20));
    let (s, got) = run(&data, None).unwrap();
    assert_eq!(s.too_long, 2);
    assert_eq!(s.parsed, 6);
    assert_eq!(s.unparsed, 0);
    assert_eq!(s.lines, 8);
    assert_eq!(s.bytes, data.len() as u64);
    assert_eq!(got[3].0.line, 5);
    assert_eq!(got[3].0.offset, (SQUID.len() + (5 << 20) + 1) as u64);
}

/// An endless-looking input made on the fly: `n` bytes without a newline.
struct NoNewline(u64);

impl Read for NoNewline {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = (buf.len() as u64).min(self.0) as usize;
        buf[..n].fill(b'z');
        self.0 -= n as u64;
        Ok(n)
    }
}

#[test]
fn huge_input_without_newline_streams() {
    // 64 MiB generated lazily: never in memory; the reader's buffer is
    // capped at MAX_LINE + CHUNK.
    let n = 64 << 20;
    let s = parse(NoNewline(n), &opts(Some(Format::SquidNative)), |_, _| {}).unwrap();
    assert_eq!((s.too_long, s.lines, s.bytes), (1, 1, n));
    // Detection on it: nothing to detect.
    assert!(matches!(
        parse(NoNewline(n), &opts(None), |_, _| {}),
        Err(ParseError::UnknownFormat { .. })
    ));
}

#[test]
fn mixed_encodings_do_not_panic() {
    let mut data = POSTFIX.as_bytes().to_vec();
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("【重要】請求書.exe");
    data.extend_from_slice(
        b"Feb 16 16:17:27 mail-server postfix/cleanup[6952]: 08C08845F0: warning: header Content-Disposition: attachment; filename=\"",
    );
    data.extend_from_slice(&sjis);
    data.extend_from_slice(b"\" from unknown[192.168.10.20]; from=<a@example.com> to=<b@example.co.jp> proto=ESMTP helo=<x>\n");
    data.extend_from_slice(b"Feb 16 16:17:28 mail-server postfix/cleanup[6952]: 08C08845F1: warning: header From: \xff\xfe\x80 <c@example.com> from local; from=<c@example.com> to=<d@example.co.jp>\n");
    data.extend_from_slice(b"\x82\xa0\x82\xa2 \xe3\x81 not a log line\n");
    let (s, got) = run(&data, None).unwrap();
    assert_eq!(s.format, Format::Postfix);
    assert_eq!((s.parsed, s.unparsed), (4, 1));
    assert!(matches!(&got[2].1, Record::Mail(m)
        if matches!(&m.event, MailEvent::Attachment { name, .. } if name == "【重要】請求書.exe")));
    assert!(s.samples[0].text.contains("not a log line"));
}

#[test]
fn utf16_windows_export() {
    let mut data = vec![0xff, 0xfe];
    for u in EVENT_VIEWER_CSV.encode_utf16() {
        data.extend_from_slice(&u.to_le_bytes());
    }
    let (s, got) = run(&gzip(&data), None).unwrap();
    assert_eq!(s.format, Format::WindowsCsv);
    assert_eq!(s.parsed, 3);
    assert!(s.gzip);
    let Record::Windows(e) = &got[0].1 else {
        panic!()
    };
    assert_eq!(e.account.as_deref(), Some("Administrator"));
}

#[test]
fn forced_format_on_another_format() {
    let (s, got) = run(SQUID.as_bytes(), Some(Format::Bind)).unwrap();
    assert!(got.is_empty());
    assert_eq!(s.unparsed, 3);
    assert_eq!(s.format, Format::Bind);
}

#[test]
fn syslog_year_rolls_over_through_parse() {
    let text = "Dec 31 23:59:59 mx postfix/qmgr[1]: A1: from=<a@b>, size=1, nrcpt=1 (queue active)\nJan  1 00:00:01 mx postfix/qmgr[1]: A2: from=<a@b>, size=1, nrcpt=1 (queue active)\n";
    let mut times = Vec::new();
    let o = Options {
        format: None,
        year: 2014,
        utc_offset_minutes: 0,
    };
    parse(text.as_bytes(), &o, |_, r| {
        if let Record::Mail(m) = r {
            times.push(m.time.unwrap().to_rfc3339());
        }
    })
    .unwrap();
    assert_eq!(
        times,
        ["2014-12-31T23:59:59+00:00", "2015-01-01T00:00:01+00:00"]
    );
}

#[test]
fn summary_serialises() {
    let (s, _) = run(SQUID.as_bytes(), None).unwrap();
    let j = serde_json::to_string(&s).unwrap();
    assert!(j.contains("\"format\":\"squid_native\""), "{j}");
}

#[test]
fn no_panic_on_cut_or_mutated_lines() {
    let extra = "Dec 16 01:03:55 mx postfix/cleanup[1]: 4F9D1D4A: warning: header From: \"総務部 =?UTF-8?B?5Lq65LqL?=\" <soumu@example.jp> from local; from=<a@b> to=<c@d>
Dec 16 01:03:55 mx postfix/cleanup[1]: 4F9D1D4A: warning: header Content-Disposition: attachment; filename*0*=UTF-8''%E8%AB; filename*1*=%8B.exe; name=\"=?ISO-2022-JP?Q?=1B$B?=\" from x; from=<a@b> to=<c@d>
10.1.2.3 - ユーザー [16/Dec/2014:01:03:55 +0900] \"GET http://[::1]:8080/テスト HTTP/1.1\" 200 1 \"-\" \"UA \\\" x\" TCP_MISS:HIER_DIRECT
";
    let corpus = [
        POSTFIX,
        NETSCREEN,
        SQUID,
        COMBINED,
        BIND,
        EVENT_VIEWER_CSV,
        POWERSHELL_CSV,
        WEVTUTIL_XML,
        extra,
    ]
    .concat();
    const SPICE: &[u8] = b"\"<>=?:#;/@[]% \t\\'&\xe3\x81\xff";
    let mut seed = 0x1234_5678_9abc_def0u64;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let at = At { line: 1, offset: 0 };
    for format in ALL {
        let mut sink = Discard;
        let mut out = Out::new(&mut sink);
        let mut reader = reader_for(format, &opts(None));
        for line in corpus.lines() {
            let b = line.as_bytes();
            for cut in 0..=b.len() {
                reader.line(at, &b[..cut], &mut out);
                reader.line(at, &b[cut..], &mut out);
            }
            for _ in 0..200 {
                let mut m = b.to_vec();
                for _ in 0..1 + rand() % 4 {
                    if m.is_empty() {
                        break;
                    }
                    let i = (rand() as usize) % m.len();
                    m[i] = SPICE[(rand() as usize) % SPICE.len()];
                }
                reader.line(at, &m, &mut out);
            }
        }
        reader.finish(&mut out);
    }
}
