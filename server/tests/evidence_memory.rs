//! A large upload is streamed to disk, never held in memory. In a test
//! binary of its own, one database after the other, so that the process's
//! peak memory is this upload's alone.

mod common;

use axum::body::Body;
use bytes::Bytes;
use common::Db;
use common::flow::incident;
use common::upload::{BOUNDARY, meta, multipart, triaged};

/// The peak resident memory of this process, from the kernel.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap()
}

async fn a_large_upload_is_streamed_not_held_in_memory(db: Db) {
    let mut c = triaged(db).await;
    const MIB: usize = 1 << 20;
    const SIZE_MIB: usize = 256;
    let (head, tail) = multipart(&meta(&[("kind", "disk_image")]), "disk.img");
    let chunk = Bytes::from(vec![0x5a_u8; MIB]);
    let parts = std::iter::once(Bytes::from(head))
        .chain(std::iter::repeat_n(chunk, SIZE_MIB))
        .chain(std::iter::once(Bytes::from(tail)))
        .map(Ok::<_, std::io::Error>);
    let before = peak_rss_kib();
    let r = c
        .responder
        .post_body(
            &format!("/api/incidents/{}/evidence", c.id),
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            Body::from_stream(futures_util::stream::iter(parts)),
        )
        .await;
    assert!(r.json()["Done"].is_string(), "{}", r.text);
    let grown_mib = (peak_rss_kib() - before) / 1024;
    assert!(
        grown_mib < 96,
        "peak memory grew by {grown_mib} MiB for a {SIZE_MIB} MiB upload"
    );
    let i = incident(&mut c.responder, &c.id).await;
    assert_eq!(i["evidence"][0]["size"], SIZE_MIB * MIB);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_upload_is_streamed_on_both_databases() {
    common::within_limit(async {
        a_large_upload_is_streamed_not_held_in_memory(Db::Sqlite).await;
        a_large_upload_is_streamed_not_held_in_memory(Db::Postgres).await;
    })
    .await
}
