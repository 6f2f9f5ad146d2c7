//! Observables (観測事象) and indicators: what a targeted attack leaves
//! behind, as seed 004 (Fujitsu, the proactive defence model) lists it —
//! the mail (sender address, sending server, subject, attachment), files
//! (names, hashes, what the malware writes), the host (registry keys,
//! processes), the network (C2 domains and addresses, URLs, protocol
//! features) and the attack's means (exploited CVEs, techniques).
//!
//! Pure rules: each type's STIX 2.1 mapping, the normal form a value is
//! stored and compared in, reading defanged notation, and reading a pasted
//! block line by line. The services store and match what these return.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::form::{Checker, ErrorCode, FieldError, Lines, clean};

crate::string_enum! {
    /// What an observable is, by seed 004's lists of the traces of a
    /// targeted attack.
    pub enum ObservableType {
        /// 送信元メールアドレス
        SenderEmail = "sender_email",
        /// 送信元メールサーバーのホスト名
        SenderHost = "sender_host",
        /// 送信元メールサーバーのIPアドレス
        SenderIp = "sender_ip",
        /// メールの件名
        MailSubject = "mail_subject",
        /// 添付ファイル名
        AttachmentName = "attachment_name",
        /// 添付ファイルの種類 (MIME type)
        AttachmentType = "attachment_type",
        /// ファイル名
        FileName = "file_name",
        /// ファイルのハッシュ値 (MD5)
        Md5 = "md5",
        /// ファイルのハッシュ値 (SHA-1)
        Sha1 = "sha1",
        /// ファイルのハッシュ値 (SHA-256)
        Sha256 = "sha256",
        /// マルウェアが作成したファイル (path)
        DroppedFile = "dropped_file",
        /// レジストリキー
        RegistryKey = "registry_key",
        /// プロセス
        Process = "process",
        /// C&Cサーバーのドメイン
        C2Domain = "c2_domain",
        /// C&CサーバーのIPアドレス (v4/v6)
        C2Ip = "c2_ip",
        /// URL
        Url = "url",
        /// 通信の特徴: User-Agent
        UserAgent = "user_agent",
        /// 通信の特徴: a header or another protocol trait
        ProtocolFeature = "protocol_feature",
        /// 悪用された脆弱性 (CVE)
        Cve = "cve",
        /// マルウェアの機能 (an ATT&CK technique id or free text)
        Technique = "technique",
    }
}

/// How a value is checked and normalised; also what two observables must
/// share to be the same thing (`MatchKey`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ValueKind {
    Email,
    Domain,
    Ip,
    Url,
    Md5,
    Sha1,
    Sha256,
    FileName,
    Path,
    RegistryKey,
    Cve,
    Technique,
    MimeType,
    /// A line of text (a subject, a process, a User-Agent).
    Text,
}

impl ObservableType {
    pub fn kind(self) -> ValueKind {
        use ObservableType::*;
        match self {
            SenderEmail => ValueKind::Email,
            SenderHost | C2Domain => ValueKind::Domain,
            SenderIp | C2Ip => ValueKind::Ip,
            Url => ValueKind::Url,
            Md5 => ValueKind::Md5,
            Sha1 => ValueKind::Sha1,
            Sha256 => ValueKind::Sha256,
            AttachmentName | FileName => ValueKind::FileName,
            DroppedFile => ValueKind::Path,
            RegistryKey => ValueKind::RegistryKey,
            Cve => ValueKind::Cve,
            Technique => ValueKind::Technique,
            AttachmentType => ValueKind::MimeType,
            MailSubject | Process | UserAgent | ProtocolFeature => ValueKind::Text,
        }
    }

    /// The STIX 2.1 object and property the value is, as a pattern names it
    /// (`domain-name:value`); `None` for what STIX models as a domain
    /// object rather than an observable (vulnerabilities, techniques).
    pub fn stix_path(self) -> Option<&'static str> {
        use ObservableType::*;
        Some(match self {
            SenderEmail => "email-addr:value",
            SenderHost | C2Domain => "domain-name:value",
            // Resolved per value: v4 or v6.
            SenderIp | C2Ip => "ipv4-addr:value",
            Url => "url:value",
            Md5 => "file:hashes.MD5",
            Sha1 => "file:hashes.'SHA-1'",
            Sha256 => "file:hashes.'SHA-256'",
            AttachmentName | FileName | DroppedFile => "file:name",
            AttachmentType => "file:mime_type",
            RegistryKey => "windows-registry-key:key",
            Process => "process:command_line",
            MailSubject => "email-message:subject",
            UserAgent => {
                "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'"
            }
            ProtocolFeature => return None,
            Cve | Technique => return None,
        })
    }

    /// What one line of a pasted block is taken for when it names no type.
    pub fn guess(value: &str) -> Option<ObservableType> {
        let v = refang(value.trim());
        let lower = v.to_ascii_lowercase();
        if lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("ftp://")
        {
            return Some(ObservableType::Url);
        }
        if v.parse::<IpAddr>().is_ok() {
            return Some(ObservableType::C2Ip);
        }
        if is_hex(&v) {
            return match v.len() {
                32 => Some(ObservableType::Md5),
                40 => Some(ObservableType::Sha1),
                64 => Some(ObservableType::Sha256),
                _ => None,
            };
        }
        if cve(&v).is_some() {
            return Some(ObservableType::Cve);
        }
        if technique_id(&v).is_some() {
            return Some(ObservableType::Technique);
        }
        if registry_key(&v).is_some() {
            return Some(ObservableType::RegistryKey);
        }
        if v.contains('@') && email(&v).is_some() {
            return Some(ObservableType::SenderEmail);
        }
        if is_windows_path(&v) || (v.starts_with('/') && v.len() > 1) {
            return Some(ObservableType::DroppedFile);
        }
        if domain(&v).is_some() {
            return Some(ObservableType::C2Domain);
        }
        None
    }
}

/// Reads defanged notation back: `hxxp://`, `hxxps://`, `fxp://`,
/// `example[.]com`, `example(.)com`, `example{.}com`, `example[dot]com`,
/// `1.2.3[.]4`, `[:]`, `user[@]example.com`, `user[at]example.com`.
pub fn refang(value: &str) -> String {
    let mut v = value.to_string();
    for (from, to) in [
        ("[.]", "."),
        ("(.)", "."),
        ("{.}", "."),
        ("[dot]", "."),
        ("(dot)", "."),
        ("[:]", ":"),
        ("[://]", "://"),
        ("[@]", "@"),
        ("[at]", "@"),
        ("(at)", "@"),
    ] {
        v = replace_ignore_case(&v, from, to);
    }
    let lower = v.to_ascii_lowercase();
    for (from, to) in [
        ("hxxps://", "https://"),
        ("hxxp://", "http://"),
        ("fxp://", "ftp://"),
    ] {
        if lower.starts_with(from) {
            v = format!("{to}{}", &v[from.len()..]);
            break;
        }
    }
    v
}

fn replace_ignore_case(haystack: &str, from: &str, to: &str) -> String {
    let lower = haystack.to_ascii_lowercase();
    let mut out = String::with_capacity(haystack.len());
    let mut i = 0;
    while let Some(pos) = lower[i..].find(from) {
        out.push_str(&haystack[i..i + pos]);
        out.push_str(to);
        i += pos + from.len();
    }
    out.push_str(&haystack[i..]);
    out
}

/// The longest value kept (a URL or a command line can be long).
pub const VALUE_MAX: usize = 2_048;

/// The value in the form it is stored and compared in, or why not.
pub fn normalise(kind: ValueKind, raw: &str) -> Result<String, ErrorCode> {
    let one_line = clean(&super::form::reveal_invisible(raw), Lines::One);
    let v = one_line.trim();
    if v.is_empty() {
        return Err(ErrorCode::Required);
    }
    if v.chars().count() > VALUE_MAX {
        return Err(ErrorCode::TooLong(VALUE_MAX));
    }
    let invalid = ErrorCode::InvalidObservable;
    let refanged = refang(v);
    match kind {
        ValueKind::Email => email(&refanged).ok_or(invalid),
        ValueKind::Domain => domain(&refanged).ok_or(invalid),
        ValueKind::Ip => refanged
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<IpAddr>()
            .map(|ip| ip.to_string())
            .map_err(|_| invalid),
        ValueKind::Url => url(&refanged).ok_or(invalid),
        ValueKind::Md5 => hash(&refanged, 32).ok_or(invalid),
        ValueKind::Sha1 => hash(&refanged, 40).ok_or(invalid),
        ValueKind::Sha256 => hash(&refanged, 64).ok_or(invalid),
        ValueKind::Cve => cve(&refanged).ok_or(invalid),
        ValueKind::Technique => Ok(technique_id(&refanged).unwrap_or_else(|| v.to_string())),
        ValueKind::RegistryKey => registry_key(v).ok_or(invalid),
        ValueKind::MimeType => mime(v).ok_or(invalid),
        // Names and paths are kept as written: a file system may be case
        // sensitive, and `.exe` hidden behind a right-to-left override is
        // exactly what must be seen (it reads `<U+202E>`).
        ValueKind::FileName | ValueKind::Path | ValueKind::Text => Ok(v.to_string()),
    }
}

fn is_hex(v: &str) -> bool {
    !v.is_empty() && v.bytes().all(|b| b.is_ascii_hexdigit())
}

fn hash(v: &str, len: usize) -> Option<String> {
    (v.len() == len && is_hex(v)).then(|| v.to_ascii_lowercase())
}

/// A host name: labels of letters, digits and hyphens (not at either end),
/// at least two labels, the last not all digits; lower case, without the
/// trailing dot. Internationalised names are kept in their Unicode form,
/// lower-cased.
pub fn domain(v: &str) -> Option<String> {
    let v = v.trim().trim_end_matches('.').to_lowercase();
    if v.is_empty() || v.len() > 253 {
        return None;
    }
    let labels: Vec<&str> = v.split('.').collect();
    if labels.len() < 2 {
        return None;
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.chars().count() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    };
    if !labels.iter().all(|l| label_ok(l)) {
        return None;
    }
    let tld = labels[labels.len() - 1];
    if tld.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(v)
}

/// `local@domain`: the domain normalised like a host name, the local part
/// kept as written (it may be case sensitive).
pub fn email(v: &str) -> Option<String> {
    let v = v.trim().trim_start_matches("mailto:");
    let v = v.trim_matches(|c| c == '<' || c == '>');
    let (local, host) = v.rsplit_once('@')?;
    if local.is_empty()
        || local.len() > 64
        || local
            .chars()
            .any(|c| c.is_whitespace() || c == '@' || c == '<' || c == '>')
    {
        return None;
    }
    Some(format!("{local}@{}", domain(host)?))
}

/// A URL as the WHATWG parser normalises it: scheme and host lower-cased,
/// default port dropped, path percent-encoded; only http, https and ftp.
pub fn url(v: &str) -> Option<String> {
    let parsed = url::Url::parse(v.trim()).ok()?;
    if !matches!(parsed.scheme(), "http" | "https" | "ftp") || parsed.host_str().is_none() {
        return None;
    }
    Some(parsed.to_string())
}

/// `CVE-2017-11882`, any case, with a year and at least four digits.
pub fn cve(v: &str) -> Option<String> {
    let up = v.trim().to_ascii_uppercase();
    let rest = up.strip_prefix("CVE-")?;
    let (year, number) = rest.split_once('-')?;
    (year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && number.len() >= 4
        && number.bytes().all(|b| b.is_ascii_digit()))
    .then_some(up)
}

/// An ATT&CK technique id: `T1566` or a sub-technique `T1566.001`.
pub fn technique_id(v: &str) -> Option<String> {
    let up = v.trim().to_ascii_uppercase();
    let digits = up.strip_prefix('T')?;
    let (main, sub) = match digits.split_once('.') {
        Some((m, s)) => (m, Some(s)),
        None => (digits, None),
    };
    let all_digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    (all_digits(main, 4) && sub.is_none_or(|s| all_digits(s, 3))).then_some(up)
}

/// A registry key under one of the hives, with the hive's short name
/// spelled out (`HKLM\…` → `HKEY_LOCAL_MACHINE\…`); the rest as written.
pub fn registry_key(v: &str) -> Option<String> {
    let v = v.trim();
    let (hive, rest) = v.split_once('\\')?;
    let full = match hive.to_ascii_uppercase().as_str() {
        "HKLM" | "HKEY_LOCAL_MACHINE" => "HKEY_LOCAL_MACHINE",
        "HKCU" | "HKEY_CURRENT_USER" => "HKEY_CURRENT_USER",
        "HKCR" | "HKEY_CLASSES_ROOT" => "HKEY_CLASSES_ROOT",
        "HKU" | "HKEY_USERS" => "HKEY_USERS",
        "HKCC" | "HKEY_CURRENT_CONFIG" => "HKEY_CURRENT_CONFIG",
        _ => return None,
    };
    (!rest.is_empty()).then(|| format!("{full}\\{rest}"))
}

fn mime(v: &str) -> Option<String> {
    let v = v.trim().to_ascii_lowercase();
    let (top, sub) = v.split_once('/')?;
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    (token(top) && token(sub)).then_some(v)
}

fn is_windows_path(v: &str) -> bool {
    let b = v.as_bytes();
    (b.len() > 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\')
        || v.starts_with("%")
        || v.starts_with("\\\\")
}

/// What two observables share when they are the same thing, whatever their
/// role in each incident: a C2 domain in one and a sending host in another
/// are one domain. Allow-list entries and imported indicators use it too.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MatchKey(pub String);

/// The class each kind of value is compared in; a file name and a path
/// are one class, as a file is one thing.
const CLASSES: [(ValueKind, &str); 14] = [
    (ValueKind::Email, "email"),
    (ValueKind::Domain, "domain"),
    (ValueKind::Ip, "ip"),
    (ValueKind::Url, "url"),
    (ValueKind::Md5, "md5"),
    (ValueKind::Sha1, "sha1"),
    (ValueKind::Sha256, "sha256"),
    (ValueKind::FileName, "file"),
    (ValueKind::Path, "file"),
    (ValueKind::RegistryKey, "registry"),
    (ValueKind::Cve, "cve"),
    (ValueKind::Technique, "technique"),
    (ValueKind::MimeType, "mime"),
    (ValueKind::Text, "text"),
];

impl MatchKey {
    pub fn of(kind: ValueKind, normalised: &str) -> MatchKey {
        let class = CLASSES
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or("text", |(_, c)| c);
        MatchKey(format!("{class}:{normalised}"))
    }

    /// The kind (the first of its class) and the value a key was made of.
    pub fn parts(&self) -> (ValueKind, &str) {
        let (class, value) = self.0.split_once(':').unwrap_or(("text", &self.0));
        let kind = CLASSES
            .iter()
            .find(|(_, c)| *c == class)
            .map_or(ValueKind::Text, |(k, _)| *k);
        (kind, value)
    }
}

/// An allow-list entry as the officer writes it — a domain (which covers
/// its subdomains), an e-mail address, an IP address or a CIDR range, a
/// URL, a hash — as its key and the normal form shown.
pub fn allow_entry(raw: &str) -> Result<(MatchKey, String), ErrorCode> {
    let v = refang(clean(raw, Lines::One).trim());
    if v.is_empty() {
        return Err(ErrorCode::Required);
    }
    if let Some((net, len)) = cidr(&v) {
        let shown = format!("{net}/{len}");
        return Ok((MatchKey(format!("cidr:{shown}")), shown));
    }
    let kind = ObservableType::guess(&v)
        .map(ObservableType::kind)
        .ok_or(ErrorCode::InvalidObservable)?;
    let value = normalise(kind, &v)?;
    Ok((MatchKey::of(kind, &value), value))
}

/// `10.0.0.0/8`, `2001:db8::/32`: the network (host bits cleared) and the
/// prefix length.
pub fn cidr(v: &str) -> Option<(IpAddr, u8)> {
    let (addr, len) = v.trim().split_once('/')?;
    let addr: IpAddr = addr.trim().parse().ok()?;
    let len: u8 = len.trim().parse().ok()?;
    network(addr, len).map(|n| (n, len))
}

fn network(addr: IpAddr, len: u8) -> Option<IpAddr> {
    match addr {
        IpAddr::V4(a) if len <= 32 => {
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            Some(IpAddr::V4((u32::from(a) & mask).into()))
        }
        IpAddr::V6(a) if len <= 128 => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            Some(IpAddr::V6((u128::from(a) & mask).into()))
        }
        _ => None,
    }
}

/// Every key under which an allow-list entry would cover this value: the
/// value itself, and what contains it — the parent domains of a name (and
/// of an address's or a URL's host), the networks around an IP address.
pub fn allow_candidates(kind: ValueKind, value: &str) -> Vec<MatchKey> {
    let mut keys = vec![MatchKey::of(kind, value)];
    let parents = |host: &str, keys: &mut Vec<MatchKey>| {
        if let Ok(ip) = host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<IpAddr>()
        {
            keys.extend(ip_keys(ip));
            return;
        }
        let labels: Vec<&str> = host.split('.').collect();
        for i in 0..labels.len().saturating_sub(1) {
            keys.push(MatchKey::of(ValueKind::Domain, &labels[i..].join(".")));
        }
    };
    match kind {
        ValueKind::Domain => parents(value, &mut keys),
        ValueKind::Email => {
            if let Some((_, host)) = value.rsplit_once('@') {
                parents(host, &mut keys);
            }
        }
        ValueKind::Url => {
            if let Some(host) = url::Url::parse(value)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
            {
                parents(&host, &mut keys);
            }
        }
        ValueKind::Ip => {
            if let Ok(ip) = value.parse::<IpAddr>() {
                keys.extend(ip_keys(ip));
            }
        }
        _ => {}
    }
    keys.sort();
    keys.dedup();
    keys
}

fn ip_keys(ip: IpAddr) -> Vec<MatchKey> {
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let mut keys = vec![MatchKey::of(ValueKind::Ip, &ip.to_string())];
    for len in 0..=max {
        if let Some(net) = network(ip, len) {
            keys.push(MatchKey(format!("cidr:{net}/{len}")));
        }
    }
    keys
}

/// One line of a pasted block, read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastedLine {
    /// 1-based, as the reader counts.
    pub line: usize,
    pub raw: String,
    pub kind: Option<ObservableType>,
    pub value: Result<String, ErrorCode>,
}

/// The most lines one paste may hold.
pub const PASTE_MAX_LINES: usize = 1_000;

/// Reads a block, one observable per line. A line may name its type first
/// (`user_agent: Mozilla/4.0 (compatible; MSIE 7.0)`, `md5 d41d8c…`);
/// otherwise the type is guessed from the value. Empty lines and `#`
/// comments are skipped; every other line comes back with its value or the
/// reason it is not one.
pub fn read_block(block: &str) -> Vec<PastedLine> {
    block
        .lines()
        .enumerate()
        .filter_map(|(i, raw)| {
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                return None;
            }
            let (named, value) = named_type(trimmed);
            let kind = named.or_else(|| ObservableType::guess(value));
            let value = match kind {
                Some(k) => normalise(k.kind(), value),
                None => Err(ErrorCode::UnknownObservableType),
            };
            Some(PastedLine {
                line: i + 1,
                raw: raw.to_string(),
                kind,
                value,
            })
        })
        .take(PASTE_MAX_LINES + 1)
        .collect()
}

/// `type: value`, `type,value` or `type<TAB>value` with a known type id.
fn named_type(line: &str) -> (Option<ObservableType>, &str) {
    for sep in [':', ',', '\t', ' '] {
        if let Some((head, rest)) = line.split_once(sep) {
            // `http://…` is a URL, not a type named `http`.
            if sep == ':' && rest.starts_with("//") {
                continue;
            }
            if let Some(t) = ObservableType::from_id(head.trim()) {
                return (Some(t), rest.trim());
            }
        }
    }
    (None, line)
}

/// The flags and context of an observable, as a form gives them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservableForm {
    pub kind: String,
    pub value: String,
    pub tlp: String,
    pub pap: String,
    #[serde(default)]
    pub indicator: Option<String>,
    #[serde(default)]
    pub sighted: Option<String>,
    #[serde(default)]
    pub confidence: String,
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub note: String,
}

crate::string_enum! {
    /// Permissible Actions Protocol: what a recipient may do with it.
    pub enum Pap {
        Clear = "clear",
        Green = "green",
        Amber = "amber",
        Red = "red",
    }
}

/// An observable's attributes once checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidObservable {
    pub kind: ObservableType,
    pub value: String,
    pub tlp: super::classification::Tlp,
    pub pap: Pap,
    pub indicator: bool,
    pub sighted: bool,
    pub confidence: Option<u8>,
    pub tags: Vec<String>,
    pub source: String,
    pub note: String,
}

pub const NOTE_MAX: usize = 2_000;
pub const SOURCE_MAX: usize = 200;
pub const TAG_MAX: usize = 40;
pub const TAGS_MAX: usize = 20;

impl ObservableForm {
    pub fn validate(&self) -> Result<ValidObservable, Vec<FieldError>> {
        let mut c = Checker::default();
        let kind = c.choice("kind", &self.kind, ObservableType::from_id);
        let value = kind.and_then(|k| match normalise(k.kind(), &self.value) {
            Ok(v) => Some(v),
            Err(code) => {
                c.fail("value", code);
                None
            }
        });
        let tlp = c.choice("tlp", &self.tlp, super::classification::Tlp::from_id);
        let pap = c.choice("pap", &self.pap, Pap::from_id);
        let confidence = match self.confidence.trim() {
            "" => None,
            n => match n.parse::<u8>() {
                Ok(n) if n <= 100 => Some(n),
                _ => {
                    c.fail("confidence", ErrorCode::InvalidChoice);
                    None
                }
            },
        };
        let (tags, source) = tags_and_source(&mut c, &self.tags, &self.source);
        let note = c.optional_text("note", &self.note, NOTE_MAX);
        let indicator = checked(&self.indicator);
        let sighted = checked(&self.sighted);
        c.finish(|| ValidObservable {
            kind: kind.expect("checked"),
            value: value.expect("checked"),
            tlp: tlp.expect("checked"),
            pap: pap.expect("checked"),
            indicator,
            sighted,
            confidence,
            tags,
            source: source.unwrap_or_default(),
            note: note.unwrap_or_default(),
        })
    }
}

/// The tags and the source of a form, checked: at most `TAGS_MAX` tags of
/// `TAG_MAX` characters, a source of one line.
fn tags_and_source(c: &mut Checker, raw_tags: &str, source: &str) -> (Vec<String>, Option<String>) {
    let tags = tags(raw_tags);
    if tags.len() > TAGS_MAX || tags.iter().any(|t| t.chars().count() > TAG_MAX) {
        c.fail("tags", ErrorCode::TooLong(TAG_MAX));
    }
    (tags, c.optional_line("source", source, SOURCE_MAX))
}

/// Tags as typed: comma separated, trimmed, lower-cased, without repeats.
pub fn tags(v: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in v.split(',') {
        let t = clean(t, Lines::One).trim().to_lowercase();
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// A block pasted with the TLP, PAP and flags every line gets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasteForm {
    pub block: String,
    pub tlp: String,
    pub pap: String,
    #[serde(default)]
    pub indicator: Option<String>,
    #[serde(default)]
    pub sighted: Option<String>,
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidPaste {
    pub block: String,
    pub tlp: super::classification::Tlp,
    pub pap: Pap,
    pub indicator: bool,
    pub sighted: bool,
    pub tags: Vec<String>,
    pub source: String,
}

/// The most a pasted block may hold, in bytes.
pub const BLOCK_MAX: usize = 256 * 1024;

impl PasteForm {
    /// The block's attributes; its lines are read by the service, which
    /// names each bad one.
    pub fn validate(&self) -> Result<ValidPaste, Vec<FieldError>> {
        let mut c = Checker::default();
        if self.block.trim().is_empty() {
            c.fail("block", ErrorCode::Required);
        } else if self.block.len() > BLOCK_MAX {
            c.fail("block", ErrorCode::TooLong(BLOCK_MAX));
        }
        let tlp = c.choice("tlp", &self.tlp, super::classification::Tlp::from_id);
        let pap = c.choice("pap", &self.pap, Pap::from_id);
        let (tags, source) = tags_and_source(&mut c, &self.tags, &self.source);
        c.finish(|| ValidPaste {
            block: self.block.clone(),
            tlp: tlp.expect("checked"),
            pap: pap.expect("checked"),
            indicator: checked(&self.indicator),
            sighted: checked(&self.sighted),
            tags,
            source: source.unwrap_or_default(),
        })
    }
}

/// A checkbox as a form sends it: present and not "false".
pub fn checked(flag: &Option<String>) -> bool {
    flag.as_deref()
        .is_some_and(|v| !v.is_empty() && v != "false")
}

/// The flags of an observable as the page edits them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservableChange {
    pub tlp: super::classification::Tlp,
    pub pap: Pap,
    pub indicator: bool,
    pub sighted: bool,
    pub note: String,
}

/// Another incident that shares a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenIn {
    pub human_id: String,
    pub title: String,
}

/// An observable on the incident page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservableView {
    pub id: uuid::Uuid,
    pub kind: ObservableType,
    pub value: String,
    pub tlp: super::classification::Tlp,
    pub pap: Pap,
    pub indicator: bool,
    pub sighted: bool,
    pub confidence: Option<u8>,
    pub tags: Vec<String>,
    pub source: String,
    pub note: String,
    /// The incident's phase when it was recorded.
    pub phase: super::Phase,
    pub first_seen: Option<chrono::DateTime<chrono::Utc>>,
    pub last_seen: Option<chrono::DateTime<chrono::Utc>>,
    /// On the allow-list: not flagged, not correlated.
    pub allowlisted: bool,
    /// The other incidents the reader may see that share the value.
    pub also_in: Vec<SeenIn>,
    /// The indicators in force in the threat-intelligence store that
    /// match it.
    #[serde(default)]
    pub known: Vec<super::intel::Known>,
    /// Shared with partners through the TAXII collections.
    #[serde(default)]
    pub shared: bool,
}

/// One entry of the allow-list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowEntryView {
    pub id: uuid::Uuid,
    pub value: String,
    pub note: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defanged_notation_is_read_back() {
        assert_eq!(
            refang("hxxp://evil[.]example[.]com/a"),
            "http://evil.example.com/a"
        );
        assert_eq!(refang("HXXPS://x(.)jp"), "https://x.jp");
        assert_eq!(refang("1.2.3[.]4"), "1.2.3.4");
        assert_eq!(refang("attacker[@]example[dot]com"), "attacker@example.com");
        assert_eq!(refang("a[AT]b[DOT]jp"), "a@b.jp");
        assert_eq!(
            refang("fxp://files{.}example.org"),
            "ftp://files.example.org"
        );
        assert_eq!(refang("2001:db8[:]1"), "2001:db8:1");
    }

    #[test]
    fn values_are_stored_in_one_form_per_kind() {
        use ValueKind::*;
        assert_eq!(
            normalise(Domain, "Evil.EXAMPLE.com."),
            Ok("evil.example.com".into())
        );
        assert_eq!(
            normalise(Domain, "example[.]co[.]jp"),
            Ok("example.co.jp".into())
        );
        assert_eq!(normalise(Domain, "例え.テスト"), Ok("例え.テスト".into()));
        assert_eq!(
            normalise(Domain, "localhost"),
            Err(ErrorCode::InvalidObservable)
        );
        assert_eq!(
            normalise(Domain, "-bad.example"),
            Err(ErrorCode::InvalidObservable)
        );
        assert_eq!(
            normalise(Domain, "1.2.3.4"),
            Err(ErrorCode::InvalidObservable)
        );
        assert_eq!(
            normalise(Email, "Sample@EXAMPLE.CO.JP"),
            Ok("Sample@example.co.jp".into())
        );
        assert_eq!(
            normalise(Email, "<attack@example.com>"),
            Ok("attack@example.com".into())
        );
        assert_eq!(
            normalise(Email, "no at sign"),
            Err(ErrorCode::InvalidObservable)
        );
        assert_eq!(
            normalise(Ip, "2001:0DB8:0000:0000:0000:0000:0000:0001"),
            Ok("2001:db8::1".into())
        );
        assert_eq!(normalise(Ip, "192.0.2[.]10"), Ok("192.0.2.10".into()));
        assert_eq!(
            normalise(Ip, "192.0.2.256"),
            Err(ErrorCode::InvalidObservable)
        );
        assert_eq!(
            normalise(Url, "hxxp://EVIL.example.com:80/a b?x=1"),
            Ok("http://evil.example.com/a%20b?x=1".into())
        );
        assert_eq!(
            normalise(Url, "javascript:alert(1)"),
            Err(ErrorCode::InvalidObservable)
        );
        assert_eq!(
            normalise(Md5, "D41D8CD98F00B204E9800998ECF8427E"),
            Ok("d41d8cd98f00b204e9800998ecf8427e".into())
        );
        assert_eq!(normalise(Sha1, "abc"), Err(ErrorCode::InvalidObservable));
        assert_eq!(
            normalise(Cve, "cve-2017-11882"),
            Ok("CVE-2017-11882".into())
        );
        assert_eq!(normalise(Technique, "t1566.001"), Ok("T1566.001".into()));
        assert_eq!(
            normalise(Technique, "keylogging via hooks"),
            Ok("keylogging via hooks".into())
        );
        assert_eq!(
            normalise(
                RegistryKey,
                r"hklm\Software\Microsoft\Windows\CurrentVersion\Run"
            ),
            Ok(r"HKEY_LOCAL_MACHINE\Software\Microsoft\Windows\CurrentVersion\Run".into())
        );
        assert_eq!(
            normalise(MimeType, "Application/X-MSDownload"),
            Ok("application/x-msdownload".into())
        );
        assert_eq!(normalise(Text, "  \n "), Err(ErrorCode::Required));
        // A right-to-left override in a name is the evidence: it is kept,
        // as visible text that cannot reorder the page.
        assert_eq!(
            normalise(FileName, "invoice\u{202e}fdp.exe"),
            Ok("invoice<U+202E>fdp.exe".into())
        );
        assert_eq!(
            normalise(Domain, "evil\u{200b}.example"),
            Err(ErrorCode::InvalidObservable)
        );
    }

    #[test]
    fn a_pasted_block_is_read_line_by_line_with_each_bad_line_named() {
        let block = "\
# from the proxy log
hxxp://update-check[.]example[.]net/gate.php
198.51.100[.]7
d41d8cd98f00b204e9800998ecf8427e
attacker[@]example.com
user_agent: Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1)
CVE-2017-0199

not a thing at all
c2_domain, bad..domain
";
        let lines = read_block(block);
        let got: Vec<(usize, Option<ObservableType>, Result<&str, ErrorCode>)> = lines
            .iter()
            .map(|l| (l.line, l.kind, l.value.as_deref().map_err(Clone::clone)))
            .collect();
        use ObservableType::*;
        assert_eq!(
            got,
            vec![
                (2, Some(Url), Ok("http://update-check.example.net/gate.php")),
                (3, Some(C2Ip), Ok("198.51.100.7")),
                (4, Some(Md5), Ok("d41d8cd98f00b204e9800998ecf8427e")),
                (5, Some(SenderEmail), Ok("attacker@example.com")),
                (
                    6,
                    Some(UserAgent),
                    Ok("Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1)")
                ),
                (7, Some(Cve), Ok("CVE-2017-0199")),
                (9, None, Err(ErrorCode::UnknownObservableType)),
                (10, Some(C2Domain), Err(ErrorCode::InvalidObservable)),
            ]
        );
    }

    #[test]
    fn a_match_key_gives_back_its_kind_and_value() {
        for (kind, _) in CLASSES {
            let key = MatchKey::of(kind, "a:b");
            let (back, value) = key.parts();
            assert_eq!(value, "a:b");
            assert_eq!(MatchKey::of(back, value), key, "{kind:?}");
        }
    }

    #[test]
    fn the_same_thing_in_two_roles_has_one_match_key() {
        let a = MatchKey::of(ObservableType::C2Domain.kind(), "evil.example");
        let b = MatchKey::of(ObservableType::SenderHost.kind(), "evil.example");
        assert_eq!(a, b);
        assert_ne!(a, MatchKey::of(ValueKind::Text, "evil.example"));
    }

    #[test]
    fn a_form_is_checked_field_by_field() {
        let form = ObservableForm {
            kind: "c2_domain".into(),
            value: "evil[.]example".into(),
            tlp: "amber".into(),
            pap: "green".into(),
            indicator: Some("on".into()),
            confidence: "80".into(),
            tags: "APT, c2 ,apt".into(),
            ..Default::default()
        };
        let v = form.validate().unwrap();
        assert_eq!(v.value, "evil.example");
        assert!(v.indicator && !v.sighted);
        assert_eq!(v.confidence, Some(80));
        assert_eq!(v.tags, ["apt", "c2"]);
        let bad = ObservableForm {
            kind: "nonsense".into(),
            tlp: "white".into(),
            pap: "".into(),
            confidence: "101".into(),
            ..Default::default()
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["kind", "tlp", "pap", "confidence"]);
    }
    #[test]
    fn the_allow_list_covers_subdomains_and_networks() {
        let (key, shown) = allow_entry("example[.]co.jp").unwrap();
        assert_eq!(shown, "example.co.jp");
        let c = allow_candidates(ValueKind::Domain, "mail.example.co.jp");
        assert!(c.contains(&key));
        assert!(allow_candidates(ValueKind::Email, "k.tanaka@example.co.jp").contains(&key));
        assert!(allow_candidates(ValueKind::Url, "https://www.example.co.jp/a").contains(&key));
        assert!(!allow_candidates(ValueKind::Domain, "example.com").contains(&key));
        assert!(!allow_candidates(ValueKind::Domain, "notexample.co.jp").contains(&key));
        let (net, shown) = allow_entry("10.1.2.3/15").unwrap();
        assert_eq!(shown, "10.0.0.0/15");
        assert!(allow_candidates(ValueKind::Ip, "10.1.255.1").contains(&net));
        assert!(!allow_candidates(ValueKind::Ip, "10.2.0.1").contains(&net));
        assert!(allow_candidates(ValueKind::Url, "http://10.0.0.9/x").contains(&net));
        let (v6, _) = allow_entry("2001:db8::/32").unwrap();
        assert!(allow_candidates(ValueKind::Ip, "2001:db8:1::5").contains(&v6));
        let (proxy, _) = allow_entry("192.0.2.8").unwrap();
        assert!(allow_candidates(ValueKind::Ip, "192.0.2.8").contains(&proxy));
        assert_eq!(allow_entry("  "), Err(ErrorCode::Required));
        assert_eq!(
            allow_entry("what is this"),
            Err(ErrorCode::InvalidObservable)
        );
        assert_eq!(
            allow_entry("10.0.0.0/33"),
            Err(ErrorCode::InvalidObservable)
        );
    }
}
