//! Log triage (seed 001, JPCERT/CC 「高度サイバー攻撃への対処におけるログの
//! 活用と分析方法」): parse a preserved log file line by line ([`parse`]),
//! run the seed's detection heuristics over its records ([`detect`]) and
//! get findings that cite the lines they rest on by line number and byte
//! offset, so anyone can re-read them from the registered, hashed file.
//!
//! Both halves stream: memory grows with the distinct (client,
//! destination) pairs and accounts seen, never with the file's size.

pub mod cli;
pub mod detect;
pub mod parse;
pub mod record;

use std::io::Read;

/// Parses `input` and runs every detector over it: the parse summary and
/// the findings, most severe first.
pub fn analyse<R: Read>(
    input: R,
    options: &parse::Options,
    config: detect::Config,
) -> Result<(parse::Summary, Vec<detect::Finding>), parse::ParseError> {
    let mut detectors = detect::Detectors::new(config);
    let summary = parse::parse_borrowed(input, options, |at, record| detectors.feed(at, record))?;
    Ok((summary, detectors.finish()))
}

/// The snake_case name serde gives a unit variant (`squid_native`,
/// `high`, `user_agent`): how formats, severities and observable kinds are
/// stored and printed.
pub fn id_of(v: impl serde::Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A format by its name (`squid_native`), as `--format` and the page give it.
pub fn parse_format(id: &str) -> Option<record::Format> {
    serde_json::from_value(serde_json::Value::String(id.to_string())).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_offers_exactly_the_formats_the_parsers_read() {
        for name in app::domain::triage::FORMATS {
            let f = super::parse_format(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(super::id_of(f), name);
        }
        assert!(super::parse_format("syslog").is_none());
    }
}
