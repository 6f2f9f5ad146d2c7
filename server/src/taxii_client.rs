//! A TAXII 2.1 client: the objects a remote collection added after a
//! point, page by page (`limit` and `next`, or `X-TAXII-Date-Added-Last`
//! when a server pages by date only), as the subscriptions poll them.

use std::time::Duration;

use base64::Engine;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use crate::services::taxii::TAXII;

/// One request's time limit.
const TIMEOUT: Duration = Duration::from_secs(30);
/// The most one page may be, and all pages of one poll together.
const PAGE_BYTES: usize = 64 * 1024 * 1024;
const POLL_BYTES: usize = 256 * 1024 * 1024;
/// Objects asked for per page, and the most pages one poll reads.
const PER_PAGE: usize = 500;
const MAX_PAGES: usize = 1000;

/// A remote collection and how to reach it.
#[derive(Clone, Debug)]
pub struct Remote {
    /// The API root, ending in `/`.
    pub api_root: String,
    pub collection: String,
    pub username: String,
    pub password: String,
}

/// What one poll brought: the objects, and the newest date added among
/// them (where the next poll starts).
#[derive(Debug, Default)]
pub struct Fetched {
    pub objects: Vec<Value>,
    pub last_added: Option<String>,
}

fn client() -> Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Full<bytes::Bytes>,
> {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .build();
    Client::builder(TokioExecutor::new()).build(https)
}

fn encode(v: &str) -> String {
    serde_urlencoded::to_string([("", v)])
        .map(|s| s.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// The objects the collection added after `added_after` (all, when none).
pub async fn fetch(remote: &Remote, added_after: Option<&str>) -> Result<Fetched, String> {
    let client = client();
    let base = format!(
        "{}/collections/{}/objects/",
        remote.api_root.trim_end_matches('/'),
        encode(&remote.collection)
    );
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", remote.username, remote.password))
    );
    let mut out = Fetched::default();
    let mut after = added_after.map(str::to_string);
    let mut next: Option<String> = None;
    let mut total = 0usize;
    for _ in 0..MAX_PAGES {
        let mut url = format!("{base}?limit={PER_PAGE}");
        if let Some(a) = &after {
            url.push_str(&format!("&added_after={}", encode(a)));
        }
        if let Some(n) = &next {
            url.push_str(&format!("&next={}", encode(n)));
        }
        let req = hyper::Request::get(&url)
            .header(hyper::header::ACCEPT, TAXII)
            .header(hyper::header::AUTHORIZATION, &auth)
            .header(hyper::header::USER_AGENT, "Hikeshi TAXII client")
            .body(Full::new(bytes::Bytes::new()))
            .map_err(|e| format!("{url}: {e}"))?;
        let res = tokio::time::timeout(TIMEOUT, client.request(req))
            .await
            .map_err(|_| format!("{url}: no answer within {} s", TIMEOUT.as_secs()))?
            .map_err(|e| format!("{url}: {e}"))?;
        let status = res.status();
        let last_header = res
            .headers()
            .get("x-taxii-date-added-last")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body =
            tokio::time::timeout(TIMEOUT, Limited::new(res.into_body(), PAGE_BYTES).collect())
                .await
                .map_err(|_| format!("{url}: the answer took longer than {} s", TIMEOUT.as_secs()))?
                .map_err(|e| format!("{url}: {e}"))?
                .to_bytes();
        if !status.is_success() {
            let text: String = String::from_utf8_lossy(&body).chars().take(200).collect();
            return Err(format!("{url}: HTTP {status}: {text}"));
        }
        total += body.len();
        if total > POLL_BYTES {
            return Err(format!("{url}: more than {POLL_BYTES} bytes in one poll"));
        }
        let envelope: Value = serde_json::from_slice(&body)
            .map_err(|e| format!("{url}: not a TAXII envelope: {e}"))?;
        let objects = match envelope.get("objects") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list.clone(),
            Some(_) => return Err(format!("{url}: objects is not an array")),
        };
        let got = objects.len();
        out.objects.extend(objects);
        if let Some(l) = last_header
            .as_deref()
            .and_then(crate::services::taxii::parse_ts)
            && out.last_added.as_deref().is_none_or(|p| p < l.as_str())
        {
            out.last_added = Some(l);
        }
        let more = envelope
            .get("more")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if !more || got == 0 {
            return Ok(out);
        }
        match envelope.get("next").and_then(Value::as_str) {
            Some(n) => next = Some(n.to_string()),
            None => {
                // Paged by date: continue after the newest seen.
                next = None;
                after = Some(out.last_added.clone().ok_or_else(|| {
                    format!("{url}: more pages, but neither next nor X-TAXII-Date-Added-Last")
                })?);
            }
        }
    }
    Err(format!("{base}: more than {MAX_PAGES} pages in one poll"))
}
