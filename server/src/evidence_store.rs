//! Evidence files on disk, content-addressed by SHA-256: an upload is
//! streamed to a temporary file while it is hashed (never held in memory),
//! then moved to `<dir>/sha256/<first two hex>/<hash>`. The same content
//! uploaded twice is stored once.

use std::io;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};

/// Write buffer: large enough that the blocking pool is not asked for every
/// small chunk a multipart stream delivers.
const BUFFER: usize = 1 << 20;

#[derive(Clone, Debug)]
pub struct EvidenceStore {
    dir: PathBuf,
    max_bytes: u64,
}

/// A file that has been stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub sha256: String,
    pub size: u64,
    /// This content was already stored (by an earlier upload).
    pub existed: bool,
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
        if tokio::fs::try_exists(&path).await? {
            tokio::fs::remove_file(&tmp).await?;
            return Ok(Stored {
                sha256,
                size,
                existed: true,
            });
        }
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        tokio::fs::rename(&tmp, &path).await?;
        Ok(Stored {
            sha256,
            size,
            existed: false,
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

    /// Removes stored content (after disposal, when nothing else refers to it).
    pub async fn remove(&self, sha256: &str) -> io::Result<()> {
        match tokio::fs::remove_file(self.path(sha256)).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
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
        store.remove(&a.sha256).await.unwrap();
        assert_eq!(store.rehash(&a.sha256).await.unwrap(), None);
    }
}
