//! Windows event logs exported as CSV or XML (the binary `.evtx` is not
//! read here).
//!
//! Seed 001 (text lines ~900–990) lists the Active Directory events to
//! look for — logons (4624/4625), Kerberos (4768/4769), special logons
//! (4672), audit policy changes (4719), SID history (4765/4766), log
//! clearing (1102), … — but shows no raw lines; the forms below are those
//! Windows itself writes.
//!
//! **CSV** ([`Format::WindowsCsv`](crate::triage::record::Format::WindowsCsv)):
//!
//! * Event Viewer "Save All Events As… → CSV": a header
//!   `Level,Date and Time,Source,Event ID,Task Category` (Japanese Windows:
//!   `レベル,日付と時刻,ソース,イベント ID,タスクのカテゴリ`) and rows with one
//!   more, unnamed column: the quoted, multi-line message.
//! * PowerShell `Get-WinEvent | Select TimeCreated,Id,MachineName,Message |
//!   Export-Csv` (optionally after a `#TYPE …` line), or any other column
//!   set with those names; `Get-EventLog | Export-Csv`'s `EventID`,
//!   `TimeGenerated` work too.
//!
//! A record's quoted fields may hold newlines, so a record spans physical
//! lines until its quotes balance; its [`At`] is that of its first line.
//! The message's `Label:  value` lines give the account (the `Account
//! Name:` outside the `Subject:` section, i.e. the target, else the
//! subject's), `Logon Type:`, `Workstation Name:`, `Source Network
//! Address:` / `Client Address:`, and `Service Name:` (the target); the
//! Japanese labels (`アカウント名:`, `ログオン タイプ:`, …) too. Times are
//! in the exporting machine's local zone and culture (`2014/12/16
//! 1:03:55`, `12/16/2014 1:03:55 AM`, ISO 8601). Event Viewer's CSV has no
//! computer column; `computer` is then empty.
//!
//! **XML** ([`Format::WindowsXml`](crate::triage::record::Format::WindowsXml)):
//! `wevtutil qe Security /f:xml` (one `<Event>` per line), Event Viewer's
//! "Save as XML" and `(Get-WinEvent …).ToXml()` (events spread over
//! lines, inside `<Events>`). From `<System>`: `EventID`, `TimeCreated
//! SystemTime` (UTC) and `Computer`; from `<EventData>` the `Data` named
//! `TargetUserName`/`SubjectUserName`, `LogonType`, `WorkstationName`,
//! `IpAddress`, `ServiceName` (and a few more, see [`Fields`]); `UserData`
//! elements of the same names (e.g. 1102's `SubjectUserName`) too.
//!
//! Both: an event of more than 1 MiB is unparsed; UTF-16 files are
//! transcoded by the reader; non-UTF-8 bytes are read as CP932, else
//! lossily.

use std::borrow::Cow;
use std::net::IpAddr;

use chrono::{DateTime, Utc};

use crate::triage::record::{At, Record, WinEvent};

use super::reader::MAX_LINE;
use super::util::{self, Civil, find};
use super::{Lines, Options, Out};

/// The fields taken from an event, whatever its form (`evtx.rs` fills
/// them from the binary log).
#[derive(Default, Debug)]
pub(super) struct Fields {
    pub(super) target_account: Option<String>,
    pub(super) subject_account: Option<String>,
    pub(super) logon_type: Option<u32>,
    pub(super) source_host: Option<String>,
    pub(super) source_ip: Option<IpAddr>,
    /// Service name (best), then target server, then object / group.
    pub(super) target: Option<String>,
    pub(super) target_fallback: Option<String>,
}

impl Fields {
    pub(super) fn into_event(
        self,
        time: Option<DateTime<Utc>>,
        event_id: u32,
        computer: String,
    ) -> WinEvent {
        WinEvent {
            time,
            event_id,
            computer,
            account: self.target_account.or(self.subject_account),
            logon_type: self.logon_type,
            source_host: self.source_host,
            source_ip: self.source_ip,
            target: self.target.or(self.target_fallback),
        }
    }
}

/// `None` for the placeholders Windows writes for "nothing".
pub(super) fn meaningful(v: &str) -> Option<&str> {
    let v = v.trim();
    (!v.is_empty() && v != "-" && v != "NULL SID" && v != "NULL").then_some(v)
}

pub(super) fn ip_of(v: &str) -> Option<IpAddr> {
    util::parse_ip(meaningful(v)?.as_bytes())
}

// ---------------------------------------------------------------- CSV ---

/// Which columns hold what.
#[derive(Clone, Copy, Debug)]
struct Columns {
    time: usize,
    id: usize,
    computer: Option<usize>,
    message: usize,
}

/// Event Viewer's layout, used when there is no header.
const EVENT_VIEWER: Columns = Columns {
    time: 1,
    id: 3,
    computer: None,
    message: 5,
};

/// The CSV reader; see the module docs.
pub(crate) struct Csv {
    offset: i32,
    columns: Option<Columns>,
    record: Vec<u8>,
    at: At,
    started: bool,
    in_quotes: bool,
    broken: bool,
}

impl Csv {
    pub(crate) fn new(opts: &Options) -> Self {
        Self {
            offset: opts.utc_offset_minutes,
            columns: None,
            record: Vec::new(),
            at: At { line: 0, offset: 0 },
            started: false,
            in_quotes: false,
            broken: false,
        }
    }

    fn end_record(&mut self, out: &mut Out<'_>) {
        if self.broken {
            out.unparsed(self.at, &self.record);
        } else {
            self.parse_record(out);
        }
        self.record.clear();
        self.started = false;
        self.in_quotes = false;
        self.broken = false;
    }

    fn parse_record(&mut self, out: &mut Out<'_>) {
        let fields = csv_fields(&self.record);
        if self.columns.is_none()
            && let Some(c) = header(&fields)
        {
            self.columns = Some(c);
            out.ignored();
            return;
        }
        let cols = self.columns.unwrap_or(EVENT_VIEWER);
        let get = |i: usize| fields.get(i).map(|f| util::text_ja(f));
        let Some(event_id) = get(cols.id).and_then(|v| v.trim().parse::<u32>().ok()) else {
            out.unparsed(self.at, &self.record);
            return;
        };
        let time = get(cols.time).and_then(|t| win_time(&t, self.offset));
        let computer = cols
            .computer
            .and_then(get)
            .map(|c| c.trim().to_owned())
            .unwrap_or_default();
        let fields_of = get(cols.message)
            .map(|m| message_fields(&m))
            .unwrap_or_default();
        out.record(
            self.at,
            Record::Windows(fields_of.into_event(time, event_id, computer)),
        );
    }
}

impl Lines for Csv {
    fn line(&mut self, at: At, line: &[u8], out: &mut Out<'_>) {
        if !self.started {
            if line.trim_ascii().is_empty() {
                return;
            }
            if line.starts_with(b"#TYPE") || line.starts_with(b"#Fields") {
                out.ignored();
                return;
            }
            self.started = true;
            self.at = at;
        } else if !self.broken {
            self.record.push(b'\n');
        }
        if !self.broken {
            if self.record.len() + line.len() > MAX_LINE {
                self.broken = true;
            } else {
                self.record.extend_from_slice(line);
            }
        }
        if memchr::memchr_iter(b'"', line).count() % 2 == 1 {
            self.in_quotes = !self.in_quotes;
        }
        if !self.in_quotes {
            self.end_record(out);
        }
    }

    fn too_long(&mut self, _at: At, out: &mut Out<'_>) {
        // The skipped line's quotes are unknown: end the record here.
        if self.started {
            self.broken = true;
            self.end_record(out);
        }
    }

    fn finish(&mut self, out: &mut Out<'_>) {
        if self.started {
            self.end_record(out);
        }
    }
}

/// Splits a CSV record (RFC 4180: `"` quoting, `""` for a quote).
fn csv_fields(rec: &[u8]) -> Vec<Cow<'_, [u8]>> {
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        if rec.get(i) == Some(&b'"') {
            i += 1;
            let mut val = Vec::new();
            loop {
                match memchr::memchr(b'"', &rec[i..]) {
                    Some(q) => {
                        val.extend_from_slice(&rec[i..i + q]);
                        i += q + 1;
                        if rec.get(i) == Some(&b'"') {
                            val.push(b'"');
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    None => {
                        val.extend_from_slice(&rec[i..]);
                        i = rec.len();
                        break;
                    }
                }
            }
            out.push(Cow::Owned(val));
            match memchr::memchr(b',', &rec[i..]) {
                Some(c) => i += c + 1,
                None => break,
            }
        } else {
            match memchr::memchr(b',', &rec[i..]) {
                Some(c) => {
                    out.push(Cow::Borrowed(&rec[i..i + c]));
                    i += c + 1;
                }
                None => {
                    out.push(Cow::Borrowed(&rec[i..]));
                    break;
                }
            }
        }
    }
    out
}

/// A label or column name without blanks (ASCII or ideographic), lower-case.
fn norm(s: &str) -> String {
    s.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The column map if `fields` is a header row.
fn header(fields: &[Cow<'_, [u8]>]) -> Option<Columns> {
    let (mut time, mut id, mut computer, mut message) = (None, None, None, None);
    for (i, f) in fields.iter().enumerate() {
        match norm(&util::text_ja(f)).as_str() {
            "dateandtime" | "timecreated" | "timegenerated" | "日付と時刻" | "日付/時刻" =>
            {
                time.get_or_insert(i);
            }
            "eventid" | "id" | "イベントid" => {
                id.get_or_insert(i);
            }
            "machinename"
            | "computer"
            | "computername"
            | "コンピューター"
            | "コンピュータ"
            | "コンピューター名" => {
                computer.get_or_insert(i);
            }
            "message" | "メッセージ" | "description" | "説明" => {
                message.get_or_insert(i);
            }
            _ => {}
        }
    }
    Some(Columns {
        time: time?,
        id: id?,
        computer,
        // Event Viewer leaves the message column unnamed, after the rest.
        message: message.unwrap_or(fields.len()),
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Subject,
    Other,
}

/// The fields in a rendered event message (English or Japanese labels).
fn message_fields(msg: &str) -> Fields {
    let mut f = Fields::default();
    let mut section = Section::Other;
    for line in msg.lines() {
        let line = line.trim();
        let Some((key, value)) = line.split_once([':', '：']) else {
            continue;
        };
        let key = norm(key);
        let value = value.trim();
        if value.is_empty() {
            section = if key == "subject" || key == "サブジェクト" {
                Section::Subject
            } else {
                Section::Other
            };
            continue;
        }
        let Some(v) = meaningful(value) else {
            continue;
        };
        match key.as_str() {
            "accountname" | "アカウント名" | "logonaccount" | "ログオンアカウント" =>
            {
                let slot = if section == Section::Subject && !key.starts_with("logon") {
                    &mut f.subject_account
                } else {
                    &mut f.target_account
                };
                slot.get_or_insert_with(|| v.to_owned());
            }
            "logontype" | "ログオンタイプ" => f.logon_type = f.logon_type.or(v.parse().ok()),
            "workstationname"
            | "ワークステーション名"
            | "sourceworkstation"
            | "ソースワークステーション" => {
                f.source_host.get_or_insert_with(|| v.to_owned());
            }
            "sourcenetworkaddress"
            | "ソースネットワークアドレス"
            | "clientaddress"
            | "クライアントアドレス"
            | "networkaddress"
            | "ネットワークアドレス" => f.source_ip = f.source_ip.or(ip_of(v)),
            "servicename" | "サービス名" => {
                f.target.get_or_insert_with(|| v.to_owned());
            }
            "targetservername"
            | "ターゲットサーバー名"
            | "objectname"
            | "オブジェクト名"
            | "groupname"
            | "グループ名" => {
                f.target_fallback.get_or_insert_with(|| v.to_owned());
            }
            _ => {}
        }
    }
    f
}

/// A Windows export's local time in any common culture: ISO 8601 (with
/// or without offset), `2014/12/16 1:03:55`, `2014年12月16日 1:03:55`,
/// `12/16/2014 1:03:55 AM` (month first unless the first number exceeds
/// 12), `16.12.2014 01:03:55` (day first).
fn win_time(s: &str, offset: i32) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Some(t) = util::parse_rfc3339(s.as_bytes()) {
        return Some(t);
    }
    let mut nums: [u32; 6] = [0; 6];
    let mut lens: [usize; 6] = [0; 6];
    let mut n = 0;
    let mut first_sep = None;
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && n < 6 {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            nums[n] = util::parse_u32(&b[start..i])?;
            lens[n] = i - start;
            n += 1;
        } else {
            if n == 1 && first_sep.is_none() {
                first_sep = Some(b[i]);
            }
            i += 1;
        }
    }
    if n < 5 {
        return None;
    }
    let (year, month, day) = if lens[0] == 4 {
        (nums[0], nums[1], nums[2])
    } else if first_sep == Some(b'.') || nums[0] > 12 {
        (nums[2], nums[1], nums[0])
    } else {
        (nums[2], nums[0], nums[1])
    };
    let mut hour = nums[3];
    let upper = s.to_ascii_uppercase();
    if (upper.contains("PM") || s.contains("午後")) && hour < 12 {
        hour += 12;
    } else if (upper.contains("AM") || s.contains("午前")) && hour == 12 {
        hour = 0;
    }
    Civil {
        year: year as i32,
        month,
        day,
        hour,
        minute: nums[4],
        second: nums[5],
        nanos: 0,
    }
    .to_utc(offset)
}

// ---------------------------------------------------------------- XML ---

/// The XML reader; see the module docs.
pub(crate) struct Xml {
    event: Vec<u8>,
    at: At,
    in_event: bool,
    broken: bool,
}

impl Xml {
    pub(crate) fn new() -> Self {
        Self {
            event: Vec::new(),
            at: At { line: 0, offset: 0 },
            in_event: false,
            broken: false,
        }
    }

    fn push(&mut self, part: &[u8]) {
        if self.broken {
            return;
        }
        if self.event.len() + part.len() > MAX_LINE {
            self.broken = true;
            self.event.truncate(256);
        } else {
            self.event.extend_from_slice(part);
        }
    }

    fn end_event(&mut self, out: &mut Out<'_>) {
        match (!self.broken).then(|| xml_event(&self.event)).flatten() {
            Some(e) => out.record(self.at, Record::Windows(e)),
            None => out.unparsed(self.at, &self.event),
        }
        self.event.clear();
        self.in_event = false;
        self.broken = false;
    }
}

/// Where `<Event` (the element, not `<Events>`/`<EventID>`/…) starts.
fn event_start(s: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = find(&s[from..], b"<Event") {
        let at = from + i;
        match s.get(at + 6) {
            None | Some(b' ' | b'>' | b'\t' | b'\r' | b'\n') => return Some(at),
            _ => from = at + 6,
        }
    }
    None
}

impl Lines for Xml {
    fn line(&mut self, at: At, line: &[u8], out: &mut Out<'_>) {
        let mut rest = line;
        let mut any = self.in_event;
        loop {
            if !self.in_event {
                let Some(i) = event_start(rest) else {
                    let t = rest.trim_ascii();
                    if !any && !t.is_empty() && t[0] != b'<' {
                        out.unparsed(at, line);
                    }
                    return;
                };
                out.evidence();
                self.in_event = true;
                self.at = at;
                rest = &rest[i..];
                any = true;
            }
            match find(rest, b"</Event>") {
                Some(e) => {
                    self.push(&rest[..e + 8]);
                    self.end_event(out);
                    rest = &rest[e + 8..];
                }
                None => {
                    self.push(rest);
                    self.push(b"\n");
                    return;
                }
            }
        }
    }

    fn too_long(&mut self, _at: At, _out: &mut Out<'_>) {
        if self.in_event {
            self.broken = true;
        }
    }

    fn finish(&mut self, out: &mut Out<'_>) {
        if self.in_event {
            self.broken = true;
            self.end_event(out);
        }
    }
}

/// The text of the first `<name …>text</name>`.
fn element<'a>(x: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let open = format!("<{name}");
    let mut from = 0;
    loop {
        let at = from + find(&x[from..], open.as_bytes())?;
        let after = at + open.len();
        match x.get(after) {
            Some(b'>' | b' ' | b'\t' | b'\r' | b'\n') => {
                let gt = after + x[after..].iter().position(|&b| b == b'>')?;
                if x[gt - 1] == b'/' {
                    return Some(b"");
                }
                let text = &x[gt + 1..];
                let end = text.iter().position(|&b| b == b'<').unwrap_or(text.len());
                return Some(&text[..end]);
            }
            _ => from = after,
        }
    }
}

/// The value of attribute `name` in the tag starting at `x[0]`.
fn attribute<'a>(tag: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let end = tag.iter().position(|&b| b == b'>').unwrap_or(tag.len());
    let tag = &tag[..end];
    let mut from = 0;
    loop {
        let at = from + find(&tag[from..], name)?;
        from = at + name.len();
        if at > 0 && !tag[at - 1].is_ascii_whitespace() {
            continue;
        }
        let rest = util::trim_start(&tag[from..]);
        let Some(rest) = rest.strip_prefix(b"=") else {
            continue;
        };
        let rest = util::trim_start(rest);
        let q = *rest.first()?;
        if q != b'\'' && q != b'"' {
            continue;
        }
        let len = rest[1..].iter().position(|&b| b == q)?;
        return Some(&rest[1..1 + len]);
    }
}

/// XML entity decoding (`&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&#…;`).
fn unescape(s: &[u8]) -> String {
    let t = util::text_ja(s);
    if !t.contains('&') {
        return t.into_owned();
    }
    let mut out = String::with_capacity(t.len());
    let mut rest = &*t;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|&i| i <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..semi];
        let c = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => ent
                .strip_prefix("#x")
                .or_else(|| ent.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `<Data Name='X'>v</Data>` pairs.
fn data_pairs(x: &[u8]) -> Vec<(&[u8], String)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = find(&x[from..], b"<Data") {
        let at = from + i;
        from = at + 5;
        if !matches!(x.get(from), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            continue;
        }
        let Some(name) = attribute(&x[at..], b"Name") else {
            continue;
        };
        let Some(gt) = x[at..].iter().position(|&b| b == b'>') else {
            break;
        };
        let gt = at + gt;
        let value = if x[gt - 1] == b'/' {
            String::new()
        } else {
            let text = &x[gt + 1..];
            let end = find(text, b"</Data>").unwrap_or(text.len());
            unescape(&text[..end])
        };
        out.push((name, value));
        from = gt;
    }
    out
}

/// One `<Event>` as a [`WinEvent`] (what `evtx.rs`'s mapping is tested against).
pub(super) fn xml_event(x: &[u8]) -> Option<WinEvent> {
    let event_id = util::parse_u32(util::trim(element(x, "EventID")?))?;
    let computer = element(x, "Computer").map(unescape).unwrap_or_default();
    let time = find(x, b"<TimeCreated")
        .and_then(|i| attribute(&x[i..], b"SystemTime"))
        .and_then(util::parse_rfc3339);
    let data = data_pairs(x);
    let get = |name: &str| -> Option<String> {
        let v = match data.iter().find(|(n, _)| *n == name.as_bytes()) {
            Some((_, v)) => v.clone(),
            None => unescape(element(x, name)?),
        };
        meaningful(&v).map(str::to_owned)
    };
    let f = Fields {
        target_account: get("TargetUserName"),
        subject_account: get("SubjectUserName"),
        logon_type: get("LogonType").and_then(|v| v.parse().ok()),
        source_host: get("WorkstationName").or_else(|| get("Workstation")),
        source_ip: get("IpAddress").and_then(|v| ip_of(&v)),
        target: get("ServiceName"),
        target_fallback: get("TargetServerName").or_else(|| get("ObjectName")),
    };
    Some(f.into_event(time, event_id, computer))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn run(reader: &mut dyn Lines, text: &str) -> (Vec<(At, WinEvent)>, u64, u64) {
        let mut got = Vec::new();
        let mut sink = crate::triage::parse::Owning(|at: At, r: Record| {
            if let Record::Windows(w) = r {
                got.push((at, w));
            }
        });
        let mut out = Out::new(&mut sink);
        let mut offset = 0;
        for (i, l) in text.split('\n').enumerate() {
            let at = At {
                line: i as u64 + 1,
                offset,
            };
            offset += l.len() as u64 + 1;
            reader.line(at, l.strip_suffix('\r').unwrap_or(l).as_bytes(), &mut out);
        }
        reader.finish(&mut out);
        let (u, ig) = (out.unparsed, out.ignored);
        drop(out);
        (got, u, ig)
    }

    fn opts() -> Options {
        Options {
            format: None,
            year: 2014,
            utc_offset_minutes: 540,
        }
    }

    pub(crate) const EVENT_VIEWER_CSV: &str = "Level,Date and Time,Source,Event ID,Task Category\r
Information,12/16/2014 1:03:55 AM,Microsoft-Windows-Security-Auditing,4624,Logon,\"An account was successfully logged on.\r
\r
Subject:\r
\tSecurity ID:\t\tS-1-5-18\r
\tAccount Name:\t\tDC01$\r
\tAccount Domain:\t\tEXAMPLE\r
\tLogon ID:\t\t0x3E7\r
\r
Logon Type:\t\t\t3\r
\r
New Logon:\r
\tSecurity ID:\t\tS-1-5-21-1004336348-1177238915-682003330-500\r
\tAccount Name:\t\tAdministrator\r
\tAccount Domain:\t\tEXAMPLE\r
\r
Network Information:\r
\tWorkstation Name:\tPC-0042\r
\tSource Network Address:\t192.168.100.42\r
\tSource Port:\t\t49227\r
\r
Detailed Authentication Information:\r
\tLogon Process:\t\tNtLmSsp \r
\tAuthentication Package:\tNTLM\"\r
Information,12/16/2014 1:04:10 PM,Microsoft-Windows-Security-Auditing,4769,Kerberos Service Ticket Operations,\"A Kerberos service ticket was requested.\r
\r
Account Information:\r
\tAccount Name:\t\ttaro@EXAMPLE.LOCAL\r
\tAccount Domain:\t\tEXAMPLE.LOCAL\r
\r
Service Information:\r
\tService Name:\t\tFS01$\r
\r
Network Information:\r
\tClient Address:\t\t::ffff:192.168.100.42\r
\tClient Port:\t\t50123\"\r
Information,12/16/2014 2:00:00 AM,Microsoft-Windows-Eventlog,1102,Log clear,\"The audit log was cleared.\r
Subject:\r
\tSecurity ID:\tS-1-5-21-1-2-3-500\r
\tAccount Name:\tAdministrator\"\r
";

    #[test]
    fn event_viewer_csv() {
        let (got, unparsed, ignored) = run(&mut Csv::new(&opts()), EVENT_VIEWER_CSV);
        assert_eq!((unparsed, ignored), (0, 1));
        assert_eq!(got.len(), 3);
        let (at, e) = &got[0];
        assert_eq!(at.line, 2);
        assert_eq!(e.event_id, 4624);
        assert_eq!(e.time, Some("2014-12-15T16:03:55Z".parse().unwrap()));
        assert_eq!(e.account.as_deref(), Some("Administrator"));
        assert_eq!(e.logon_type, Some(3));
        assert_eq!(e.source_host.as_deref(), Some("PC-0042"));
        assert_eq!(e.source_ip, Some("192.168.100.42".parse().unwrap()));
        assert_eq!(e.computer, "");
        let (at, e) = &got[1];
        assert_eq!(at.line, 25);
        assert_eq!(e.event_id, 4769);
        assert_eq!(e.time, Some("2014-12-16T04:04:10Z".parse().unwrap()));
        assert_eq!(e.account.as_deref(), Some("taro@EXAMPLE.LOCAL"));
        assert_eq!(e.target.as_deref(), Some("FS01$"));
        assert_eq!(e.source_ip, Some("192.168.100.42".parse().unwrap()));
        let (_, e) = &got[2];
        assert_eq!(e.event_id, 1102);
        assert_eq!(e.account.as_deref(), Some("Administrator"));
    }

    #[test]
    fn japanese_event_viewer_csv() {
        let text = "レベル,日付と時刻,ソース,イベント ID,タスクのカテゴリ
情報,2014/12/16 1:03:55,Microsoft-Windows-Security-Auditing,4625,ログオン,\"アカウントがログオンに失敗しました。

サブジェクト:
\tセキュリティ ID:\t\tS-1-0-0
\tアカウント名:\t\t-

ログオン タイプ:\t\t\t10

ログオンに失敗したアカウント:
\tセキュリティ ID:\t\tS-1-0-0
\tアカウント名:\t\tadmin

ネットワーク情報:
\tワークステーション名:\tATTACKER-PC
\tソース ネットワーク アドレス:\t203.0.113.50
\tソース ポート:\t\t0\"
";
        let (got, unparsed, _) = run(&mut Csv::new(&opts()), text);
        assert_eq!(unparsed, 0);
        let (_, e) = &got[0];
        assert_eq!(e.event_id, 4625);
        assert_eq!(e.time, Some("2014-12-15T16:03:55Z".parse().unwrap()));
        assert_eq!(e.account.as_deref(), Some("admin"));
        assert_eq!(e.logon_type, Some(10));
        assert_eq!(e.source_host.as_deref(), Some("ATTACKER-PC"));
        assert_eq!(e.source_ip, Some("203.0.113.50".parse().unwrap()));
    }

    pub(crate) const POWERSHELL_CSV: &str =
        "#TYPE Selected.System.Diagnostics.Eventing.Reader.EventLogRecord
\"TimeCreated\",\"Id\",\"MachineName\",\"Message\"
\"2014/12/16 1:03:55\",\"4672\",\"DC01.example.local\",\"Special privileges assigned to new logon.

Subject:
\tSecurity ID:\t\tS-1-5-21-1-2-3-500
\tAccount Name:\t\tAdministrator
\tAccount Domain:\t\tEXAMPLE

Privileges:\t\tSeSecurityPrivilege
\t\t\tSeDebugPrivilege\"
\"2014/12/16 1:05:00\",\"7045\",\"DC01.example.local\",\"A service was installed in the system.

Service Name:  PSEXESVC
Service File Name:  %SystemRoot%\\PSEXESVC.exe
Service Type:  user mode service
Service Start Type:  demand start
Service Account:  LocalSystem\"
";

    #[test]
    fn powershell_csv() {
        let (got, unparsed, ignored) = run(&mut Csv::new(&opts()), POWERSHELL_CSV);
        assert_eq!((unparsed, ignored), (0, 2));
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0.line, 3);
        let e = &got[0].1;
        assert_eq!(
            (e.event_id, e.computer.as_str()),
            (4672, "DC01.example.local")
        );
        assert_eq!(e.account.as_deref(), Some("Administrator"));
        let e = &got[1].1;
        assert_eq!(e.event_id, 7045);
        assert_eq!(e.target.as_deref(), Some("PSEXESVC"));
        assert_eq!(got[1].0.line, 12);
    }

    #[test]
    fn csv_quotes_and_garbage() {
        let text = "\"TimeCreated\",\"Id\",\"Message\"
\"2014-12-16T01:03:55+09:00\",\"4720\",\"A user account was created.
New Account:
\tAccount Name:\t\t\"\"bad\"\"user\"
not,an,event
\"unterminated,\"4624\",\"x";
        let (got, unparsed, _) = run(&mut Csv::new(&opts()), text);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1.account.as_deref(), Some("\"bad\"user"));
        assert_eq!(got[0].1.time, Some("2014-12-15T16:03:55Z".parse().unwrap()));
        assert_eq!(unparsed, 2);
    }

    #[test]
    fn times() {
        let t = |s| win_time(s, 540).map(|t| t.to_rfc3339());
        let want = Some("2014-12-15T16:03:55+00:00".to_owned());
        assert_eq!(t("12/16/2014 1:03:55 AM"), want);
        assert_eq!(t("2014/12/16 1:03:55"), want);
        assert_eq!(t("2014-12-16 01:03:55"), want);
        assert_eq!(t("16/12/2014 01:03:55"), want);
        assert_eq!(t("16.12.2014 01:03:55"), want);
        assert_eq!(t("2014年12月16日 1:03:55"), want);
        assert_eq!(t("2014/12/16 午前 1:03:55"), want);
        assert_eq!(
            t("12/16/2014 12:03:55 AM"),
            Some("2014-12-15T15:03:55+00:00".to_owned())
        );
        assert_eq!(
            t("12/16/2014 1:03:55 PM"),
            Some("2014-12-16T04:03:55+00:00".to_owned())
        );
        assert_eq!(t("garbage"), None);
        assert_eq!(t("99/99/2014 1:03:55"), None);
    }

    pub(crate) const WEVTUTIL_XML: &str = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-A5BA-3E3B0328C30D}'/><EventID>4624</EventID><Version>1</Version><Level>0</Level><Task>12544</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime='2014-12-15T16:03:55.123456700Z'/><EventRecordID>123456</EventRecordID><Correlation/><Execution ProcessID='512' ThreadID='2048'/><Channel>Security</Channel><Computer>dc01.example.local</Computer><Security/></System><EventData><Data Name='SubjectUserSid'>S-1-5-18</Data><Data Name='SubjectUserName'>DC01$</Data><Data Name='SubjectDomainName'>EXAMPLE</Data><Data Name='TargetUserSid'>S-1-5-21-1-2-3-500</Data><Data Name='TargetUserName'>admin</Data><Data Name='TargetDomainName'>EXAMPLE</Data><Data Name='LogonType'>3</Data><Data Name='LogonProcessName'>NtLmSsp </Data><Data Name='AuthenticationPackageName'>NTLM</Data><Data Name='WorkstationName'>PC-0042</Data><Data Name='LogonGuid'>{00000000-0000-0000-0000-000000000000}</Data><Data Name='TransmittedServices'>-</Data><Data Name='LmPackageName'>NTLM V2</Data><Data Name='KeyLength'>128</Data><Data Name='ProcessId'>0x0</Data><Data Name='ProcessName'>-</Data><Data Name='IpAddress'>192.168.100.42</Data><Data Name='IpPort'>49227</Data></EventData></Event>
<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-A5BA-3E3B0328C30D}'/><EventID>4769</EventID><TimeCreated SystemTime='2014-12-15T16:04:10.000000000Z'/><Computer>dc01.example.local</Computer></System><EventData><Data Name='TargetUserName'>taro@EXAMPLE.LOCAL</Data><Data Name='TargetDomainName'>EXAMPLE.LOCAL</Data><Data Name='ServiceName'>FS01$</Data><Data Name='ServiceSid'>S-1-5-21-1-2-3-1105</Data><Data Name='TicketOptions'>0x40810000</Data><Data Name='TicketEncryptionType'>0x17</Data><Data Name='IpAddress'>::ffff:192.168.100.42</Data><Data Name='IpPort'>50123</Data><Data Name='Status'>0x0</Data></EventData></Event>
";

    #[test]
    fn wevtutil_xml() {
        let (got, unparsed, _) = run(&mut Xml::new(), WEVTUTIL_XML);
        assert_eq!(unparsed, 0);
        assert_eq!(got.len(), 2);
        let (at, e) = &got[0];
        assert_eq!(at.line, 1);
        assert_eq!(e.event_id, 4624);
        assert_eq!(
            e.time,
            Some("2014-12-15T16:03:55.1234567Z".parse().unwrap())
        );
        assert_eq!(e.computer, "dc01.example.local");
        assert_eq!(e.account.as_deref(), Some("admin"));
        assert_eq!(e.logon_type, Some(3));
        assert_eq!(e.source_host.as_deref(), Some("PC-0042"));
        assert_eq!(e.source_ip, Some("192.168.100.42".parse().unwrap()));
        let (at, e) = &got[1];
        assert_eq!(at.line, 2);
        assert_eq!(e.event_id, 4769);
        assert_eq!(e.target.as_deref(), Some("FS01$"));
        assert_eq!(e.account.as_deref(), Some("taro@EXAMPLE.LOCAL"));
        assert_eq!(e.source_ip, Some("192.168.100.42".parse().unwrap()));
    }

    #[test]
    fn pretty_xml_with_userdata_and_entities() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<Events>
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
  <System>
    <Provider Name="Microsoft-Windows-Eventlog" Guid="{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}" />
    <EventID>1102</EventID>
    <TimeCreated SystemTime="2014-12-15T17:00:00.000Z" />
    <Computer>dc01.example.local</Computer>
  </System>
  <UserData>
    <LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog">
      <SubjectUserSid>S-1-5-21-1-2-3-500</SubjectUserSid>
      <SubjectUserName>Administrator</SubjectUserName>
    </LogFileCleared>
  </UserData>
</Event><Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><EventID Qualifiers="16384">7045</EventID><Computer>ws01</Computer></System><EventData><Data Name="ServiceName">Evil &amp; &#x30B5;ービス</Data><Data Name="ImagePath">C:\x.exe</Data><Data Name="Empty"/></EventData></Event>
</Events>"#;
        let (got, unparsed, _) = run(&mut Xml::new(), text);
        assert_eq!(unparsed, 0);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0.line, 3);
        assert_eq!(got[0].1.event_id, 1102);
        assert_eq!(got[0].1.account.as_deref(), Some("Administrator"));
        assert_eq!(got[1].0.line, 16);
        assert_eq!(got[1].1.event_id, 7045);
        assert_eq!(got[1].1.target.as_deref(), Some("Evil & サービス"));
        assert_eq!(got[1].1.time, None);
    }

    #[test]
    fn broken_xml() {
        let text =
            "garbage line\n<Event><System><EventID>x</EventID></System></Event>\n<Event><System>\n";
        let (got, unparsed, _) = run(&mut Xml::new(), text);
        assert!(got.is_empty());
        assert_eq!(unparsed, 3);
    }
}
