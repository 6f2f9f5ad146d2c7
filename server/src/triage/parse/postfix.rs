//! Postfix mail log (`/var/log/maillog`), syslog-prefixed.
//!
//! Seed 001 (text lines ~597–606) shows the two lines that matter for
//! targeted mail, produced by `header_checks = /^From:/ WARN` and
//! `mime_header_checks = /^\s*Content-(Disposition|Type).*name\s*=.../ WARN`:
//!
//! ```text
//! Feb 16 11:43:32 mail-server postfix/cleanup[29597]: B1467845E2: warning: header From: "sample@example.co.jp" <attack@example.com> from unknown[192.168.1.20]; from=<root@example.com> to=<info@example.co.jp> proto=ESMTP helo=<[127.0.0.1]>
//! Feb 16 16:17:26 mail-server postfix/cleanup[6952]: 08C08845EF: warning: header Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;? name="=?Shift_JIS?B?gXmDfYOLlOmBeozai3GP7pXxgUkuZXhl=?=" from unknown[192.168.1.20]; from=<attacker@example.com> to=<sample@example.co.jp> proto=ESMTP helo=<[127.0.0.1]>
//! ```
//!
//! Postfix logs such a line as `QUEUEID: ACTION: header NAME: VALUE from
//! CLIENT; from=<SENDER> to=<RCPT> proto=… helo=<…>[: text]`, where ACTION
//! is `warning` for WARN (also `reject`, `hold`, …), VALUE is cut at 200
//! characters and control characters (a folded header's newline and tab)
//! are written as `?` — hence `;? name=` above. The same form comes from
//! mime_header_checks (MIME part headers are logged as `header` too).
//! Becomes [`MailEvent::HeaderFrom`] for `From:`, [`MailEvent::Attachment`]
//! for a `Content-Type`/`Content-Disposition` with a (file)name; other
//! headers are ignored.
//!
//! Envelope lines become [`MailEvent::Envelope`]:
//! `qmgr[…]: ID: from=<a@x>, size=1234, nrcpt=1 (queue active)`,
//! `smtp[…]: ID: to=<b@y>, relay=…, dsn=2.0.0, status=sent (250 OK)` (any
//! delivery agent: smtp, lmtp, local, virtual, pipe, error), and
//! `smtpd[…]: NOQUEUE: reject: RCPT from …; from=<a> to=<b> …` (status
//! `reject`). Other Postfix lines are ignored, other programs' lines are
//! counted as ignored, and lines without a syslog prefix are unparsed.

use crate::triage::record::{MailEvent, MailLine, Record};

use super::syslog::{self, YearTracker};
use super::util::{self, Needle};
use super::{LineParser, Options, Outcome, mime};

static TRAILER: Needle = Needle::new(b"; from=<");
static FROM_CLIENT: Needle = Needle::new(b" from ");
static FROM: Needle = Needle::new(b"from=<");
static TO: Needle = Needle::new(b" to=<");
static TO_START: Needle = Needle::new(b"to=<");
static STATUS: Needle = Needle::new(b"status=");

pub(crate) struct Parser {
    years: YearTracker,
    clock: util::Clock,
    offset: i32,
    /// The reusable record lent for each line (see [`Outcome::Record`]).
    slot: Record,
    /// The buffers of the envelope's `from`, `to` and `status` while they
    /// are `None`.
    spare: [String; 3],
}

impl Parser {
    pub(crate) fn new(opts: &Options) -> Self {
        Self {
            years: YearTracker::new(opts.year),
            clock: util::Clock::default(),
            offset: opts.utc_offset_minutes,
            slot: Record::Mail(MailLine {
                time: None,
                host: String::new(),
                queue_id: String::new(),
                event: MailEvent::Envelope {
                    from: None,
                    to: None,
                    status: None,
                },
            }),
            spare: Default::default(),
        }
    }
}

impl LineParser for Parser {
    fn parse_line(&mut self, line: &[u8]) -> Outcome<'_> {
        let Some(sl) = syslog::split(line) else {
            return Outcome::Unparsed;
        };
        if !sl.program.starts_with(b"postfix") {
            return Outcome::Other;
        }
        let Some((queue_id, rest)) = split_queue_id(sl.msg) else {
            return Outcome::Ignored;
        };
        let Some(event) = event(rest) else {
            return Outcome::Ignored;
        };
        let Record::Mail(m) = &mut self.slot else {
            unreachable!("the Postfix parser's slot only ever holds a mail line")
        };
        m.time = self.years.resolve(sl.stamp, self.offset, &mut self.clock);
        // Two short words of a long line: validating each is cheaper than
        // validating the line.
        util::set_string(&mut m.host, sl.host);
        util::set_string(&mut m.queue_id, queue_id);
        match event {
            Event::Envelope { from, to, status } => {
                // Most lines are envelope lines: their values are copied
                // into the slot's own buffers, not into new strings.
                if !matches!(m.event, MailEvent::Envelope { .. }) {
                    m.event = MailEvent::Envelope {
                        from: None,
                        to: None,
                        status: None,
                    };
                }
                let MailEvent::Envelope {
                    from: f,
                    to: t,
                    status: s,
                } = &mut m.event
                else {
                    unreachable!("made an envelope above")
                };
                let [spare_from, spare_to, spare_status] = &mut self.spare;
                set_opt(f, spare_from, from);
                set_opt(t, spare_to, to);
                set_opt(s, spare_status, status);
            }
            Event::Header(e) => m.event = e,
        }
        Outcome::Record(&self.slot)
    }
}

/// What a Postfix line says: an envelope line's values still in the line,
/// or a header event, built whole (rarer, and decoded anyway).
enum Event<'a> {
    Envelope {
        from: Option<&'a [u8]>,
        to: Option<&'a [u8]>,
        status: Option<&'a [u8]>,
    },
    Header(MailEvent),
}

/// Sets an optional field of the slot to `v`, its buffer kept in `spare`
/// while the field is `None`, so that an envelope line allocates nothing
/// once the buffers have grown to size.
fn set_opt(dst: &mut Option<String>, spare: &mut String, v: Option<&[u8]>) {
    match v {
        Some(v) => util::set_string(dst.get_or_insert_with(|| std::mem::take(spare)), v),
        None => {
            if let Some(s) = dst.take() {
                *spare = s;
            }
        }
    }
}

/// `4F9D1D4A: rest` → (`4F9D1D4A`, `rest`); also `NOQUEUE`.
fn split_queue_id(msg: &[u8]) -> Option<(&[u8], &[u8])> {
    // The id is the alphanumerics before the first other byte, which must
    // be the colon: one pass that stops at once on `connect from …`.
    let colon = msg
        .iter()
        .take(32)
        .position(|b| !b.is_ascii_alphanumeric())
        .filter(|&i| i > 0 && msg[i] == b':')?;
    let id = &msg[..colon];
    let rest = msg[colon + 1..].strip_prefix(b" ")?;
    Some((id, rest))
}

fn event(rest: &[u8]) -> Option<Event<'_>> {
    if rest.starts_with(b"from=<") {
        return Some(Event::Envelope {
            from: angle_value(rest, &FROM),
            to: None,
            status: field_value(rest, &STATUS),
        });
    }
    if rest.starts_with(b"to=<") {
        return Some(Event::Envelope {
            from: None,
            to: angle_value(rest, &TO_START),
            status: field_value(rest, &STATUS),
        });
    }
    // `ACTION: header NAME: VALUE …` or `reject: RCPT from …; from=<…>`.
    // Lower-case letters up to the colon, in one pass.
    let colon = rest
        .iter()
        .take(16)
        .position(|b| !b.is_ascii_lowercase())
        .filter(|&i| rest[i] == b':')?;
    let action = &rest[..colon];
    let body = rest[colon + 1..].strip_prefix(b" ")?;
    if let Some(h) = body.strip_prefix(b"header ") {
        return header_event(h).map(Event::Header);
    }
    if action == b"reject" || action == b"discard" || action == b"hold" {
        let t = TRAILER.rfind(body)?;
        let trailer = &body[t + 2..];
        return Some(Event::Envelope {
            from: angle_value(trailer, &FROM),
            to: angle_value(trailer, &TO),
            status: Some(action),
        });
    }
    None
}

/// The address in `key<…>` (key includes the `<`); `""` for `<>`.
fn angle_value<'a>(s: &'a [u8], key: &Needle) -> Option<&'a [u8]> {
    let start = key.find(s)? + key.len();
    let len = s[start..].iter().position(|&b| b == b'>')?;
    Some(&s[start..start + len])
}

/// The value of `key` up to `,`, space or the end.
fn field_value<'a>(s: &'a [u8], key: &Needle) -> Option<&'a [u8]> {
    let start = key.find(s)? + key.len();
    let v = &s[start..];
    let len = v
        .iter()
        .position(|&b| b == b',' || b == b' ')
        .unwrap_or(v.len());
    Some(&v[..len])
}

/// `NAME: VALUE from CLIENT; from=<…> to=<…> …`.
fn header_event(h: &[u8]) -> Option<MailEvent> {
    let (content, trailer) = match TRAILER.rfind(h) {
        Some(t) => (&h[..t], &h[t + 2..]),
        None => (h, &h[h.len()..]),
    };
    // Drop ` from CLIENT` (`unknown[192.0.2.1]`, `local`, `host[addr]`).
    let content = match FROM_CLIENT.rfind(content) {
        Some(i) => &content[..i],
        None => content,
    };
    let colon = content.iter().position(|&b| b == b':')?;
    let name = &content[..colon];
    let value = util::text_ja(util::trim(&content[colon + 1..]));
    let envelope_from = angle_value(trailer, &FROM)
        .map(util::string)
        .unwrap_or_default();
    let envelope_to = angle_value(trailer, &TO)
        .map(util::string)
        .unwrap_or_default();
    if name.eq_ignore_ascii_case(b"from") {
        let (display, address) = mime::split_address(&value);
        Some(MailEvent::HeaderFrom {
            value: mime::decode_words(&value).into_owned(),
            display,
            address,
            envelope_from,
            envelope_to,
        })
    } else if name.eq_ignore_ascii_case(b"content-type")
        || name.eq_ignore_ascii_case(b"content-disposition")
    {
        let name = mime::attachment_name(&value)?;
        Some(MailEvent::Attachment {
            name,
            envelope_from,
            envelope_to,
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn opts() -> Options {
        Options {
            format: Some(crate::triage::record::Format::Postfix),
            year: 2015,
            utc_offset_minutes: 540,
        }
    }

    /// What the line is: a record (cloned out of the parser), or else.
    enum Parsed {
        Mail(MailLine),
        Ignored,
        Other,
        Unparsed,
    }

    fn parse(line: &str) -> Parsed {
        match Parser::new(&opts()).parse_line(line.as_bytes()) {
            Outcome::Record(Record::Mail(m)) => Parsed::Mail(m.clone()),
            Outcome::Record(_) => unreachable!(),
            Outcome::Ignored => Parsed::Ignored,
            Outcome::Other => Parsed::Other,
            Outcome::Unparsed => Parsed::Unparsed,
        }
    }

    fn mail(line: &str) -> MailLine {
        match parse(line) {
            Parsed::Mail(m) => m,
            _ => panic!("not a mail record: {line}"),
        }
    }

    fn t(s: &str) -> Option<DateTime<Utc>> {
        Some(s.parse().unwrap())
    }

    /// Seed 001 line ~597, redactions filled in.
    const SEED_FROM: &str = "Feb 16 11:43:32 mail-server postfix/cleanup[29597]: B1467845E2: warning: header From: \"sample@example.co.jp\" <attack@example.com> from unknown[192.168.10.20]; from=<root@example.com> to=<info@example.co.jp> proto=ESMTP helo=<[127.0.0.1]>";
    /// Seed 001 line ~602, redactions filled in.
    const SEED_ATTACH: &str = "Feb 16 16:17:26 mail-server postfix/cleanup[6952]: 08C08845EF: warning: header Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;? name=\"=?Shift_JIS?B?gXmDfYOLlOmBeozai3GP7pXxgUkuZXhl=?=\" from unknown[192.168.10.20]; from=<attacker@example.com> to=<sample@example.co.jp> proto=ESMTP helo=<[127.0.0.1]>";

    #[test]
    fn seed_display_name_spoofing() {
        let m = mail(SEED_FROM);
        assert_eq!(m.time, t("2015-02-16T02:43:32Z"));
        assert_eq!(m.host, "mail-server");
        assert_eq!(m.queue_id, "B1467845E2");
        assert_eq!(
            m.event,
            MailEvent::HeaderFrom {
                value: "\"sample@example.co.jp\" <attack@example.com>".into(),
                display: Some("sample@example.co.jp".into()),
                address: "attack@example.com".into(),
                envelope_from: "root@example.com".into(),
                envelope_to: "info@example.co.jp".into(),
            }
        );
    }

    #[test]
    fn seed_executable_attachment() {
        let m = mail(SEED_ATTACH);
        assert_eq!(m.queue_id, "08C08845EF");
        assert_eq!(
            m.event,
            MailEvent::Attachment {
                name: "【マル秘】顧客情報！.exe".into(),
                envelope_from: "attacker@example.com".into(),
                envelope_to: "sample@example.co.jp".into(),
            }
        );
    }

    #[test]
    fn content_disposition_rfc2231_and_reject() {
        let m = mail(
            "Dec 16 01:03:55 mx01 postfix/cleanup[1234]: 4F9D1D4A: reject: header Content-Disposition: attachment;??filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8.scr from mail.example.net[198.51.100.7]; from=<x@example.net> to=<keiri@example.co.jp> proto=ESMTP helo=<mail.example.net>: 5.7.1 attachment rejected",
        );
        assert_eq!(
            m.event,
            MailEvent::Attachment {
                name: "請求書.scr".into(),
                envelope_from: "x@example.net".into(),
                envelope_to: "keiri@example.co.jp".into(),
            }
        );
        assert_eq!(m.time, t("2015-12-15T16:03:55Z"));
    }

    #[test]
    fn encoded_display_name() {
        let m = mail(
            "Dec 16 01:03:55 mx01 postfix/cleanup[1234]: 4F9D1D4A: warning: header From: =?ISO-2022-JP?B?GyRCP007dkl0GyhC?= <jinji@example.com> from unknown[192.0.2.1]; from=<attack@example.com> to=<user@example.co.jp> proto=ESMTP helo=<x>",
        );
        let MailEvent::HeaderFrom {
            value,
            display,
            address,
            ..
        } = m.event
        else {
            panic!()
        };
        assert_eq!(display.as_deref(), Some("人事部"));
        assert_eq!(value, "人事部 <jinji@example.com>");
        assert_eq!(address, "jinji@example.com");
    }

    #[test]
    fn local_submission_and_rfc3339_stamp() {
        let m = mail(
            "2014-12-16T01:03:55.123456+09:00 mail postfix/cleanup[99]: 3jQ5kX0Zz9z1: warning: header From: root <root@mail.example.jp> from local; from=<root@mail.example.jp> to=<admin@example.jp>",
        );
        assert_eq!(m.queue_id, "3jQ5kX0Zz9z1");
        assert_eq!(m.time, t("2014-12-15T16:03:55.123456Z"));
        assert!(matches!(
            m.event,
            MailEvent::HeaderFrom { ref display, ref envelope_to, .. }
                if display.as_deref() == Some("root") && envelope_to == "admin@example.jp"
        ));
    }

    #[test]
    fn envelopes() {
        let m = mail(
            "Dec 16 01:03:56 mx01 postfix/qmgr[812]: 4F9D1D4A: from=<attack@example.com>, size=48213, nrcpt=1 (queue active)",
        );
        assert_eq!(
            m.event,
            MailEvent::Envelope {
                from: Some("attack@example.com".into()),
                to: None,
                status: None
            }
        );
        let m = mail(
            "Dec 16 01:03:57 mx01 postfix/smtp[2301]: 4F9D1D4A: to=<user@example.co.jp>, relay=10.0.0.25[10.0.0.25]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 8A1B2C3D)",
        );
        assert_eq!(
            m.event,
            MailEvent::Envelope {
                from: None,
                to: Some("user@example.co.jp".into()),
                status: Some("sent".into())
            }
        );
        let m = mail(
            "Dec 16 01:03:58 mx01 postfix/qmgr[812]: 5A: from=<>, status=expired, returned to sender",
        );
        assert_eq!(
            m.event,
            MailEvent::Envelope {
                from: Some(String::new()),
                to: None,
                status: Some("expired".into())
            }
        );
        let m = mail(
            "Dec 16 01:04:00 mx01 postfix/smtpd[3001]: NOQUEUE: reject: RCPT from unknown[203.0.113.9]: 554 5.7.1 <x@example.org>: Relay access denied; from=<spam@example.net> to=<x@example.org> proto=ESMTP helo=<bad>",
        );
        assert_eq!(m.queue_id, "NOQUEUE");
        assert_eq!(
            m.event,
            MailEvent::Envelope {
                from: Some("spam@example.net".into()),
                to: Some("x@example.org".into()),
                status: Some("reject".into())
            }
        );
    }

    #[test]
    fn ignored_and_unparsed() {
        for l in [
            "Dec 16 01:03:55 mx01 postfix/smtpd[3001]: connect from unknown[203.0.113.9]",
            "Dec 16 01:03:55 mx01 postfix/cleanup[1234]: 4F9D1D4A: message-id=<abc@example.com>",
            "Dec 16 01:03:55 mx01 postfix/qmgr[812]: 4F9D1D4A: removed",
            "Dec 16 01:03:55 mx01 postfix/cleanup[1234]: 4F9D1D4A: warning: header Subject: hello from unknown[192.0.2.1]; from=<a@b> to=<c@d> proto=ESMTP helo=<x>",
            "Dec 16 01:03:55 mx01 postfix/cleanup[1234]: 4F9D1D4A: warning: header Content-Type: multipart/mixed; boundary=\"b1\" from unknown[192.0.2.1]; from=<a@b> to=<c@d> proto=ESMTP helo=<x>",
        ] {
            assert!(matches!(parse(l), Parsed::Ignored), "{l}");
        }
        assert!(matches!(
            parse("Dec 16 01:03:55 mx01 dovecot: imap-login: Login: user=<u>"),
            Parsed::Other
        ));
        assert!(matches!(parse("garbage line"), Parsed::Unparsed));
        assert!(matches!(parse("\u{0}\u{1}\u{2}"), Parsed::Unparsed));
    }

    #[test]
    fn raw_shift_jis_header_does_not_panic() {
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("\"総務部\" <soumu@example.jp>");
        let mut line =
            b"Dec 16 01:03:55 mx01 postfix/cleanup[1]: 4F9D1D4A: warning: header From: ".to_vec();
        line.extend_from_slice(&sjis);
        line.extend_from_slice(
            b" from unknown[192.0.2.1]; from=<a@b> to=<c@d> proto=ESMTP helo=<x>",
        );
        match Parser::new(&opts()).parse_line(&line) {
            Outcome::Record(Record::Mail(MailLine {
                event: MailEvent::HeaderFrom { display, .. },
                ..
            })) => assert_eq!(display.as_deref(), Some("総務部")),
            _ => panic!(),
        }
        // Broken bytes: lossy, no panic.
        let mut line = line.clone();
        line.insert(80, 0xff);
        let _ = Parser::new(&opts()).parse_line(&line);
    }
}
