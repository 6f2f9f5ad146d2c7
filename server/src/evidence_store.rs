//! Evidence files on disk, content-addressed by SHA-256: an upload is
//! streamed to a temporary file while it is hashed (never held in memory),
//! then moved to `<dir>/sha256/<first two hex>/<hash>`. The same content
//! uploaded twice is stored once.
//!
//! A stored file may be shared by several evidence rows, and an upload's
//! row is committed after its file is in place, so no request ever deletes
//! a file on its own say. Removal is decided only under the store's
//! exclusive guard, after asking the database whether any committed row
//! still refers to the content ([`EvidenceStore::exclusive`]); an upload
//! holds a shared [`Lease`] from the moment its file is in place until its
//! transaction has committed or failed, so the check can never run between
//! the two. Files left by refused uploads are removed later by the sweep
//! (`services::evidence::sweep`), once they are older than a grace period.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};
use tokio::sync::{OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock};

/// Write buffer: large enough that the blocking pool is not asked for every
/// small chunk a multipart stream delivers.
const BUFFER: usize = 1 << 20;

#[derive(Clone, Debug)]
pub struct EvidenceStore {
    dir: PathBuf,
    max_bytes: u64,
    /// The most bytes per second an analysis reads (`with_read_limit`).
    read_limit: Option<u64>,
    /// Shared by uploads between "file in place" and "row committed";
    /// exclusive while deciding whether a file may go.
    guard: Arc<RwLock<()>>,
}

/// A file that has been stored.
#[derive(Debug)]
pub struct Stored {
    pub sha256: String,
    pub size: u64,
    /// This content was already stored (by an earlier upload).
    pub existed: bool,
    /// Keeps the file from being removed until the upload's transaction
    /// has ended: drop it after commit or rollback.
    pub lease: Lease,
}

/// Held by an upload while its row is not yet committed.
#[derive(Debug)]
pub struct Lease(#[allow(dead_code)] OwnedRwLockReadGuard<()>);

/// Held while deciding whether stored files may be removed.
pub struct Exclusive<'a> {
    store: &'a EvidenceStore,
    _guard: OwnedRwLockWriteGuard<()>,
}

impl Exclusive<'_> {
    /// Removes stored content. The caller has checked, under this guard,
    /// that no committed row refers to it.
    pub async fn remove(&self, sha256: &str) -> io::Result<()> {
        match tokio::fs::remove_file(self.store.path(sha256)).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
    #[error("the file is empty")]
    Empty,
    #[error("the upload was interrupted: {0}")]
    Body(String),
    #[error("storage: {0}")]
    Io(#[from] io::Error),
}

impl EvidenceStore {
    pub fn new(dir: impl Into<PathBuf>, max_bytes: u64) -> Self {
        EvidenceStore {
            dir: dir.into(),
            max_bytes,
            read_limit: None,
            guard: Arc::new(RwLock::new(())),
        }
    }

    /// Limits how fast analyses (log triage) read stored files.
    pub fn with_read_limit(mut self, bytes_per_second: Option<u64>) -> Self {
        self.read_limit = bytes_per_second;
        self
    }

    /// The most bytes per second an analysis may read, if limited.
    pub fn read_limit(&self) -> Option<u64> {
        self.read_limit
    }

    /// The guard under which files are removed; uploads that have placed a
    /// file but not yet committed its row are waited for.
    pub async fn exclusive(&self) -> Exclusive<'_> {
        Exclusive {
            store: self,
            _guard: self.guard.clone().write_owned().await,
        }
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Where uploads and zips are written before they are complete.
    pub fn tmp_dir(&self) -> PathBuf {
        self.dir.join("tmp")
    }

    /// Where the content with this hash lives.
    pub fn path(&self, sha256: &str) -> PathBuf {
        let prefix = sha256.get(..2).unwrap_or("__");
        self.dir.join("sha256").join(prefix).join(sha256)
    }

    /// Streams `body` to disk, hashing as it goes. Nothing is left behind
    /// when it fails.
    pub async fn save<S, E>(&self, body: S) -> Result<Stored, StoreError>
    where
        S: Stream<Item = Result<Bytes, E>>,
        E: std::fmt::Display,
    {
        let tmp_dir = self.tmp_dir();
        tokio::fs::create_dir_all(&tmp_dir).await?;
        let tmp = tmp_dir.join(uuid::Uuid::new_v4().simple().to_string());
        let result = self.write(&tmp, body).await;
        let (sha256, size) = match result {
            Ok(v) => v,
            Err(e) => {
                let _ = tokio::fs::remove_file(&tmp).await;
                return Err(e);
            }
        };
        let path = self.path(&sha256);
        // The lease before the file is in place: a removal decided now waits
        // for this upload's row.
        let lease = Lease(self.guard.clone().read_owned().await);
        let existed = tokio::fs::try_exists(&path).await?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        // Always replace: the new file has the content the hash names, so
        // a stored copy that was altered on disk is repaired by uploading
        // the original again, and a reader that has the old file open keeps
        // reading what it opened.
        if let Err(e) = tokio::fs::rename(&tmp, &path).await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e.into());
        }
        Ok(Stored {
            sha256,
            size,
            existed,
            lease,
        })
    }

    async fn write<S, E>(&self, tmp: &Path, body: S) -> Result<(String, u64), StoreError>
    where
        S: Stream<Item = Result<Bytes, E>>,
        E: std::fmt::Display,
    {
        let file = tokio::fs::File::create(tmp).await?;
        let mut out = BufWriter::with_capacity(BUFFER, file);
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut body = std::pin::pin!(body);
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| StoreError::Body(e.to_string()))?;
            size += chunk.len() as u64;
            if size > self.max_bytes {
                return Err(StoreError::TooLarge(self.max_bytes));
            }
            hasher.update(&chunk);
            out.write_all(&chunk).await?;
        }
        if size == 0 {
            return Err(StoreError::Empty);
        }
        out.flush().await?;
        out.into_inner().sync_all().await?;
        Ok((hex(&hasher.finalize()), size))
    }

    /// Hashes the stored file again; `None` when it is missing.
    pub async fn rehash(&self, sha256: &str) -> io::Result<Option<String>> {
        let mut file = match tokio::fs::File::open(self.path(sha256)).await {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; BUFFER];
        loop {
            let n = file.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(Some(hex(&hasher.finalize())))
    }

    /// Every stored content hash with the time its file was last written.
    pub async fn stored(&self) -> io::Result<Vec<(String, SystemTime)>> {
        let mut out = Vec::new();
        let root = self.dir.join("sha256");
        let mut prefixes = match tokio::fs::read_dir(&root).await {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        while let Some(prefix) = prefixes.next_entry().await? {
            if !prefix.file_type().await?.is_dir() {
                continue;
            }
            let mut files = tokio::fs::read_dir(prefix.path()).await?;
            while let Some(f) = files.next_entry().await? {
                let Some(name) = f.file_name().to_str().map(str::to_string) else {
                    continue;
                };
                if name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
                    let modified = f.metadata().await?.modified()?;
                    out.push((name, modified));
                }
            }
        }
        Ok(out)
    }

    /// When a stored file was last written; `None` when it is missing.
    pub async fn modified(&self, sha256: &str) -> io::Result<Option<SystemTime>> {
        match tokio::fs::metadata(self.path(sha256)).await {
            Ok(m) => Ok(Some(m.modified()?)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes temporary files older than `grace`: interrupted uploads and
    /// zips of downloads that never finished. Returns how many went.
    pub async fn clean_tmp(&self, grace: Duration) -> io::Result<usize> {
        let mut dir = match tokio::fs::read_dir(self.tmp_dir()).await {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let now = SystemTime::now();
        let mut removed = 0;
        while let Some(f) = dir.next_entry().await? {
            let meta = f.metadata().await?;
            let age = now
                .duration_since(meta.modified()?)
                .unwrap_or(Duration::ZERO);
            if meta.is_file() && age >= grace {
                match tokio::fs::remove_file(f.path()).await {
                    Ok(()) => removed += 1,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(removed)
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(parts: &[&'static [u8]]) -> impl Stream<Item = Result<Bytes, String>> {
        futures_util::stream::iter(
            parts
                .iter()
                .map(|p| Ok(Bytes::from_static(p)))
                .collect::<Vec<_>>(),
        )
    }

    #[tokio::test]
    async fn stores_once_by_hash_and_cleans_up_failures() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::new(dir.path(), 10);
        let a = store.save(chunks(&[b"abc"])).await.unwrap();
        // sha256("abc")
        assert_eq!(
            a.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!((a.size, a.existed), (3, false));
        let b = store.save(chunks(&[b"a", b"bc"])).await.unwrap();
        assert!(b.existed && b.sha256 == a.sha256);
        assert!(matches!(
            store.save(chunks(&[b"0123456", b"789ab"])).await,
            Err(StoreError::TooLarge(10))
        ));
        assert!(matches!(
            store.save(chunks(&[])).await,
            Err(StoreError::Empty)
        ));
        let leftovers = std::fs::read_dir(dir.path().join("tmp")).unwrap().count();
        assert_eq!(leftovers, 0);
        assert_eq!(
            store.rehash(&a.sha256).await.unwrap(),
            Some(a.sha256.clone())
        );
        std::fs::write(store.path(&a.sha256), b"abd").unwrap();
        assert_ne!(
            store.rehash(&a.sha256).await.unwrap(),
            Some(a.sha256.clone())
        );
        drop((a.lease, b.lease));
        store.exclusive().await.remove(&a.sha256).await.unwrap();
        assert_eq!(store.rehash(&a.sha256).await.unwrap(), None);
    }

    #[tokio::test]
    async fn uploading_the_original_again_repairs_an_altered_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::new(dir.path(), 100);
        let first = store.save(chunks(&[b"original"])).await.unwrap();
        std::fs::write(store.path(&first.sha256), b"tampered").unwrap();
        let again = store.save(chunks(&[b"original"])).await.unwrap();
        assert!(again.existed);
        assert_eq!(
            store.rehash(&first.sha256).await.unwrap(),
            Some(first.sha256.clone())
        );
    }

    #[tokio::test]
    async fn removal_waits_for_an_upload_whose_row_is_not_committed() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::new(dir.path(), 100);
        let upload = store.save(chunks(&[b"shared"])).await.unwrap();
        let waiting = tokio::time::timeout(Duration::from_millis(200), store.exclusive()).await;
        assert!(waiting.is_err(), "the guard must wait for the lease");
        drop(upload.lease);
        let guard = tokio::time::timeout(Duration::from_secs(5), store.exclusive()).await;
        assert!(guard.is_ok());
    }

    #[tokio::test]
    async fn old_temporary_files_are_cleaned_and_fresh_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::new(dir.path(), 100);
        std::fs::create_dir_all(store.tmp_dir()).unwrap();
        let old = store.tmp_dir().join("interrupted");
        std::fs::write(&old, b"half an upload").unwrap();
        let long_ago = SystemTime::now() - Duration::from_secs(3 * 3600);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        let fresh = store.tmp_dir().join("in-progress");
        std::fs::write(&fresh, b"still arriving").unwrap();
        let removed = store.clean_tmp(Duration::from_secs(3600)).await.unwrap();
        assert_eq!(removed, 1);
        assert!(!old.exists());
        assert!(fresh.exists());
    }
}
