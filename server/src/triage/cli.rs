//! `hikeshi triage FILE [options]`: the same parsers and detectors as the
//! product, offline, for a responder on the log host and for scripts.

use std::io::Write;
use std::process::ExitCode;

use super::detect::{Config, Finding};
use super::parse::{Options, Summary};
use super::record::Format;

pub const USAGE: &str =
    "usage: hikeshi triage FILE [--format F] [--config FILE.toml] [--json] [--lang ja|en]
                      [--year YYYY] [--utc-offset MINUTES]
  FILE          a log file, plain or gzip (`-` for standard input)
  --format      postfix, netscreen, squid_native, squid_combined, bind, windows_csv,
                windows_xml, windows_evtx (detected from the content when not given)
  --config      the organisation's declarations as TOML: proxies, internal ranges and
                zones, standard user agents, business hours, maintenance windows,
                indicators, administrators and their usual hosts, thresholds
  --json        one JSON object per line: the summary, then each finding
  --year        the year of the first line, for syslog stamps without one (default: now)
  --utc-offset  the log's local time zone in minutes east of UTC (default 540, JST)
";

/// What the command line asked for.
#[derive(Debug, PartialEq)]
pub struct Args {
    pub file: String,
    pub format: Option<Format>,
    pub config: Option<String>,
    pub json: bool,
    pub lang: String,
    pub year: i32,
    pub utc_offset: i32,
}

pub fn parse_args(args: &[String], this_year: i32) -> Result<Args, String> {
    let mut out = Args {
        file: String::new(),
        format: None,
        config: None,
        json: false,
        lang: "en".into(),
        year: this_year,
        utc_offset: 540,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            "--format" => {
                let f = value("--format")?;
                out.format =
                    Some(super::parse_format(&f).ok_or_else(|| format!("unknown format `{f}`"))?);
            }
            "--config" => out.config = Some(value("--config")?),
            "--json" => out.json = true,
            "--lang" => {
                out.lang = value("--lang")?;
                if out.lang != "ja" && out.lang != "en" {
                    return Err("--lang is ja or en".into());
                }
            }
            "--year" => {
                out.year = value("--year")?
                    .parse()
                    .map_err(|_| "--year is a year, e.g. 2026".to_string())?
            }
            "--utc-offset" => {
                out.utc_offset = value("--utc-offset")?
                    .parse()
                    .ok()
                    .filter(|m: &i32| m.abs() <= 14 * 60)
                    .ok_or_else(|| "--utc-offset is minutes east of UTC, ±840".to_string())?
            }
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            file if out.file.is_empty() => out.file = file.to_string(),
            extra => return Err(format!("one file at a time (also got {extra})")),
        }
    }
    if out.file.is_empty() {
        return Err("which file?".into());
    }
    Ok(out)
}

pub fn main(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let args = match parse_args(args, chrono::Datelike::year(&chrono::Utc::now())) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("hikeshi triage: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args, &mut std::io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hikeshi triage: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Reads, analyses and prints. Errors are for the person at the terminal.
pub fn run(args: &Args, out: &mut impl Write) -> Result<(), String> {
    let config: Config = match &args.config {
        None => Config::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            let model = playbooks::HandlingModel::builtin();
            Config::from_settings(&model.thresholds, &text).map_err(|e| format!("{path}: {e}"))?
        }
    };
    let options = Options {
        format: args.format,
        year: args.year,
        utc_offset_minutes: args.utc_offset,
    };
    let result = if args.file == "-" {
        super::analyse(std::io::stdin().lock(), &options, config)
    } else {
        let f = std::fs::File::open(&args.file).map_err(|e| format!("{}: {e}", args.file))?;
        super::analyse(f, &options, config)
    };
    let (summary, findings) = result.map_err(|e| format!("{}: {e}", args.file))?;
    let w = |out: &mut dyn Write, s: String| writeln!(out, "{s}").map_err(|e| e.to_string());
    if args.json {
        let line = serde_json::json!({ "summary": summary });
        w(out, line.to_string())?;
        for f in &findings {
            w(out, serde_json::to_string(f).map_err(|e| e.to_string())?)?;
        }
        return Ok(());
    }
    w(out, describe(&summary))?;
    for s in &summary.samples {
        w(
            out,
            format!(
                "  unparsed line {} (offset {}): {}",
                s.at.line, s.at.offset, s.text
            ),
        )?;
    }
    if findings.is_empty() {
        w(out, "no findings".into())?;
    }
    for f in &findings {
        w(out, String::new())?;
        w(out, finding_text(f, &args.lang))?;
    }
    Ok(())
}

fn describe(s: &Summary) -> String {
    format!(
        "{} log{}: {} lines, {} bytes: {} records, {} ignored, {} unparsed, {} too long",
        super::id_of(s.format),
        if s.gzip { " (gzip)" } else { "" },
        s.lines,
        s.bytes,
        s.parsed,
        s.ignored,
        s.unparsed,
        s.too_long
    )
}

fn finding_text(f: &Finding, lang: &str) -> String {
    let pick = |l: &super::detect::Label| {
        if lang == "ja" {
            l.ja.clone()
        } else {
            l.en.clone()
        }
    };
    let severity = super::id_of(f.severity);
    let mut s = format!(
        "[{severity}] {} — {}\n  {}",
        f.detector,
        pick(&f.title),
        pick(&f.explanation)
    );
    let lines: Vec<String> = f
        .lines
        .iter()
        .map(|a| format!("{}@{}", a.line, a.offset))
        .collect();
    s.push_str(&format!(
        "\n  lines ({} in all; line@byte offset): {}",
        f.line_count,
        lines.join(", ")
    ));
    if !f.observables.is_empty() {
        let obs: Vec<String> = f
            .observables
            .iter()
            .map(|o| format!("{} {}", super::id_of(o.kind), o.value))
            .collect();
        s.push_str(&format!("\n  observables: {}", obs.join(", ")));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Result<Args, String> {
        parse_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>(), 2026)
    }

    #[test]
    fn the_command_line_is_checked() {
        let a = args(&[
            "mail.log", "--format", "postfix", "--json", "--year", "2014",
        ])
        .unwrap();
        assert_eq!(a.format, Some(Format::Postfix));
        assert!(a.json);
        assert_eq!(a.year, 2014);
        assert_eq!(a.utc_offset, 540);
        assert!(
            args(&["--format", "syslog", "x"])
                .unwrap_err()
                .contains("syslog")
        );
        assert!(args(&[]).is_err());
        assert!(args(&["a", "b"]).is_err());
        assert!(args(&["a", "--utc-offset", "9999"]).is_err());
        assert!(args(&["a", "--bogus"]).is_err());
    }

    #[test]
    fn a_seed_mail_log_gives_its_findings_as_text_and_as_json() {
        let dir = std::env::temp_dir().join(format!("hikeshi-triage-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("maillog");
        // Seed 001's example: a display name that is another address, and
        // an attachment whose Shift_JIS name ends in .exe.
        std::fs::write(
            &path,
            "Dec 16 01:03:55 mail postfix/cleanup[1234]: 4F9D1D4A: warning: header From: \"sample@example.co.jp\" <attack@example.com> from unknown[192.0.2.1]; from=<attack@example.com> to=<user@example.co.jp> proto=ESMTP helo=<x>\n\
             Dec 16 01:03:55 mail postfix/cleanup[1234]: 4F9D1D4A: warning: header Content-Type: application/octet-stream; name=\"=?Shift_JIS?B?gXmDfYOLlOmBeozai3GP7pXxgUkuZXhl?=\" from unknown[192.0.2.1]; from=<attack@example.com> to=<user@example.co.jp> proto=ESMTP helo=<x>\n",
        )
        .unwrap();
        let a = args(&[path.to_str().unwrap(), "--year", "2014"]).unwrap();
        let mut out = Vec::new();
        run(&a, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("postfix log: 2 lines"), "{text}");
        assert!(text.contains("mail.display_name_spoof"), "{text}");
        assert!(text.contains("mail.executable_attachment"), "{text}");
        assert!(text.contains("【マル秘】顧客情報！.exe"), "{text}");
        let a = Args { json: true, ..a };
        let mut out = Vec::new();
        run(&a, &mut out).unwrap();
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["summary"]["format"], "postfix");
        assert_eq!(lines.len(), 3);
        assert!(
            lines[1..]
                .iter()
                .all(|f| f["lines"][0]["line"].as_u64().is_some())
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
