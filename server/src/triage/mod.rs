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
    let summary = parse::parse(input, options, |at, record| detectors.feed(at, &record))?;
    Ok((summary, detectors.finish()))
}
