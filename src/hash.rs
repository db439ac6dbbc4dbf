//! A stable hash: the same value for the same input in every run and on every machine, for page
//! fingerprints and cache-busting version strings.

use std::hash::{Hash, Hasher};

use xxhash_rust::xxh3::Xxh3Default;

/// XXH3 (64 bits): a hash with a fixed specification, so the same value in every run and on
/// every machine, that reads eight bytes at a time (every article's text is hashed in every
/// build).
#[derive(Clone, Default)]
pub struct StableHasher(Xxh3Default);

impl std::fmt::Debug for StableHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StableHasher({:016x})", self.finish())
    }
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        self.0.digest()
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

/// Hashes anything hashable with [`StableHasher`].
pub fn stable_hash(value: impl Hash) -> u64 {
    let mut hasher = StableHasher::default();
    value.hash(&mut hasher);
    hasher.finish()
}

impl std::io::Write for StableHasher {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        Hasher::write(self, bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
