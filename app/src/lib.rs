//! Hikeshi (火消し) — incident handling for CSIRTs, following the JPCERT/IPA
//! model of handling phases A–G and six roles.
//!
//! This crate holds what the browser and the server share: the domain rules
//! (`domain`), the text in two languages (`i18n`), the pages (`ui`) and the
//! thin server functions (`api`). Server-only parts sit behind the `ssr`
//! feature.

#![recursion_limit = "512"]

pub mod api;
pub mod domain;
pub mod i18n;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ports;
pub mod ui;

pub use ui::{App, shell};
