//! Seeded randomness for generated ids, tokens and request ids.
//!
//! Each partition of state (a vpn tenant, an Exotel account) owns its own [`IdRng`], derived
//! from the process seed and the partition's name. Two consequences: no lock is shared between
//! partitions just to draw a random number, and the ids one tenant sees do not depend on how
//! its requests interleave with another tenant's, so a per-tenant transcript replays exactly
//! under the same `--seed`.

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A deterministic random stream for one partition of state.
#[derive(Debug, Clone)]
pub struct IdRng(ChaCha8Rng);

impl IdRng {
    /// The stream for `partition` (for example `"vpn/telefonica"`) under `seed`.
    pub fn for_partition(seed: u64, partition: &str) -> Self {
        IdRng(ChaCha8Rng::seed_from_u64(seed ^ fnv1a_64(partition.as_bytes())))
    }

    /// A uniformly drawn integer in `low..=high`.
    pub fn in_range(&mut self, low: u64, high: u64) -> u64 {
        self.0.random_range(low..=high)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// `n_bytes` random bytes as lowercase hex (`2 * n_bytes` characters).
    pub fn hex_lower(&mut self, n_bytes: usize) -> String {
        let mut out = String::with_capacity(n_bytes * 2);
        for _ in 0..n_bytes {
            let byte = (self.0.next_u32() & 0xff) as u8;
            out.push(char::from(HEX_LOWER[usize::from(byte >> 4)]));
            out.push(char::from(HEX_LOWER[usize::from(byte & 0x0f)]));
        }
        out
    }
}

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// FNV-1a: a stable (across Rust versions and platforms) hash to derive stream seeds from
/// names. `std`'s `DefaultHasher` makes no such promise.
pub fn fnv1a_64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_and_partition_give_the_same_stream() {
        let mut a = IdRng::for_partition(7, "vpn/telefonica");
        let mut b = IdRng::for_partition(7, "vpn/telefonica");
        assert_eq!(a.next_u64(), b.next_u64());
        assert_eq!(a.hex_lower(16), b.hex_lower(16));
    }

    #[test]
    fn partitions_and_seeds_give_different_streams() {
        let first = IdRng::for_partition(7, "vpn/telefonica").next_u64();
        assert_ne!(first, IdRng::for_partition(7, "vpn/partner2").next_u64());
        assert_ne!(first, IdRng::for_partition(8, "vpn/telefonica").next_u64());
    }

    #[test]
    fn hex_lower_has_two_lowercase_digits_per_byte() {
        let hex = IdRng::for_partition(1, "x").hex_lower(16);
        assert_eq!(hex.len(), 32);
        assert!(hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "{hex}");
    }

    #[test]
    fn fnv1a_matches_the_reference_vector() {
        // From the FNV reference test suite: fnv1a_64("a").
        assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
