//! argon2id hashing and verification that can reuse one memory area per
//! thread. The crate's own `hash_password`/`verify_password` allocate the
//! 19 MiB working memory for every call, and the allocator keeps much of
//! what was freed in per-thread arenas: under load the resident size grew
//! by about 15 MiB per hash done, and stayed there. The hashing threads
//! (`Hashing`) keep one area each instead, so memory is exactly what the
//! concurrency allows. The PHC strings are the crate's: hashes made here
//! verify with the crate and the other way round.

use std::cell::{Cell, RefCell};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};

thread_local! {
    static KEEP: Cell<bool> = const { Cell::new(false) };
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// More blocks than this (a hash with unusual costs) are never kept.
const KEEP_AT_MOST: usize = 4 * Params::DEFAULT_M_COST as usize;

/// From now on this thread keeps its working memory between hashes.
pub fn keep_memory_on_this_thread() {
    KEEP.with(|k| k.set(true));
}

fn with_memory<T>(blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    if !KEEP.with(Cell::get) || blocks > KEEP_AT_MOST {
        return f(&mut vec![Block::new(); blocks]);
    }
    MEMORY.with_borrow_mut(|m| {
        if m.len() < blocks {
            m.resize(blocks, Block::new());
        }
        // Every block is written before it is read (the first pass
        // overwrites): what a previous hash left there does not matter.
        f(&mut m[..blocks])
    })
}

/// A new PHC string for `password` with the default costs and a random salt.
pub fn hash(password: &[u8]) -> Result<String, String> {
    let argon = Argon2::default();
    let params = argon.params().clone();
    let salt_bytes: [u8; 16] = rand::random();
    let salt = Salt::new(&salt_bytes).map_err(|e| e.to_string())?;
    let mut out = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    with_memory(params.block_count(), |m| {
        argon.hash_password_into_with_memory(password, &salt, &mut out, m)
    })
    .map_err(|e| e.to_string())?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(salt),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `stored`, with the costs,
/// algorithm and version recorded in it. Compared in constant time.
pub fn verify(password: &[u8], stored: &str) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm.as_str()) else {
        return false;
    };
    let Ok(version) = hash.version.map(Version::try_from).transpose() else {
        return false;
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    let argon = Argon2::new(algorithm, version.unwrap_or_default(), params.clone());
    let mut out = vec![0u8; expected.len()];
    let computed = with_memory(params.block_count(), |m| {
        argon.hash_password_into_with_memory(password, salt, &mut out, m)
    });
    computed.is_ok() && Output::new(&out).is_ok_and(|o| o == *expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::{PasswordHasher, PasswordVerifier};

    #[test]
    fn hashes_agree_with_the_crate_both_ways_and_memory_is_reused_safely() {
        keep_memory_on_this_thread();
        let ours = hash(b"correct horse battery").unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        assert!(
            Argon2::default()
                .verify_password(b"wrong", &parsed)
                .is_err()
        );

        let theirs = Argon2::default()
            .hash_password(b"another one")
            .unwrap()
            .to_string();
        // The same thread's memory, used for different passwords in turn.
        for _ in 0..2 {
            assert!(verify(b"another one", &theirs));
            assert!(!verify(b"correct horse battery", &theirs));
            assert!(verify(b"correct horse battery", &ours));
            assert!(!verify(b"another one", &ours));
        }
        // Other costs, as recorded in the hash.
        let params = Params::new(64, 1, 1, Some(16)).unwrap();
        let small = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"small")
            .unwrap()
            .to_string();
        assert!(verify(b"small", &small));
        assert!(!verify(b"smal", &small));
        for garbage in [
            "",
            "$argon2id$",
            "not a hash",
            "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ",
        ] {
            assert!(!verify(b"x", garbage), "{garbage}");
        }
    }
}
