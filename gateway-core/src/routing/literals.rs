//! The literal children of one resource: path part text -> child node, looked up per request.
//!
//! A handful of children are compared one by one; past [`LINEAR_LIMIT`] the map keeps an
//! open-addressing table (power-of-two size, at most half full, linear probing) so a lookup
//! costs one hash of the segment and, almost always, one comparison.

/// Up to this many children are searched linearly: comparing a few short strings is cheaper
/// than hashing the segment (measured with the GitHub route set in `benches/routing.rs`).
const LINEAR_LIMIT: usize = 4;

/// Marks an empty slot of the hash table.
const EMPTY: u32 = u32::MAX;

#[derive(Debug, Default)]
pub(crate) struct LiteralMap {
    /// `(path part, child node id)`, in insertion order.
    entries: Vec<(Box<str>, u32)>,
    /// Indexes into `entries`, or [`EMPTY`]; empty while `entries` is short.
    slots: Box<[u32]>,
}

impl LiteralMap {
    /// The child for `segment`, if there is one.
    #[inline]
    pub(crate) fn get(&self, segment: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return self
                .entries
                .iter()
                .find(|(key, _)| key.as_bytes() == segment.as_bytes())
                .map(|&(_, child)| child);
        }
        let mask = self.slots.len() - 1;
        let mut slot = hash(segment.as_bytes()) & mask;
        // The table is at most half full, so the probe reaches an empty slot.
        loop {
            let index = *self.slots.get(slot)?;
            let (key, child) = self.entries.get(index as usize)?;
            if key.as_bytes() == segment.as_bytes() {
                return Some(*child);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Adds a child; the caller has checked that `segment` is not present yet.
    pub(crate) fn insert(&mut self, segment: &str, child: u32) {
        debug_assert!(self.get(segment).is_none());
        self.entries.push((segment.into(), child));
        if self.entries.len() <= LINEAR_LIMIT {
            return;
        }
        if self.entries.len() * 2 > self.slots.len() {
            self.rebuild((self.entries.len() * 4).next_power_of_two());
        } else {
            let index = self.entries.len() - 1;
            self.place(index);
        }
    }

    /// Re-creates the table with `size` slots and places every entry.
    fn rebuild(&mut self, size: usize) {
        self.slots = vec![EMPTY; size].into_boxed_slice();
        for index in 0..self.entries.len() {
            self.place(index);
        }
    }

    /// Puts entry `index` in the first free slot of its probe sequence.
    fn place(&mut self, index: usize) {
        let Some((key, _)) = self.entries.get(index) else {
            return;
        };
        let mask = self.slots.len() - 1;
        let mut slot = hash(key.as_bytes()) & mask;
        while let Some(taken) = self.slots.get(slot) {
            if *taken == EMPTY {
                break;
            }
            slot = (slot + 1) & mask;
        }
        if let Some(free) = self.slots.get_mut(slot) {
            // `index` < MAX_RESOURCES < u32::MAX: the router caps the node count.
            *free = index as u32;
        }
    }
}

/// A fast, non-cryptographic hash of a path segment (FxHash-style multiply-xor over 8-byte
/// words). Keys come from the API definition, so the worst a crafted definition can do is
/// lengthen its own probe sequences.
#[inline]
fn hash(bytes: &[u8]) -> usize {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    let mut h = bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        if let Some(word) = word.first_chunk::<8>() {
            h = (h ^ u64::from_le_bytes(*word)).wrapping_mul(K);
        }
    }
    let mut tail = 0u64;
    for (i, &b) in words.remainder().iter().enumerate() {
        tail |= u64::from(b) << (8 * i);
    }
    h = (h ^ tail).wrapping_mul(K);
    (h ^ (h >> 32)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_child_below_and_above_the_linear_limit() {
        let mut map = LiteralMap::default();
        let names: Vec<String> = (0..100).map(|i| format!("segment-{i}")).collect();
        for (i, name) in names.iter().enumerate() {
            map.insert(name, i as u32);
            for (j, earlier) in names.iter().enumerate().take(i + 1) {
                assert_eq!(map.get(earlier), Some(j as u32), "after {} inserts", i + 1);
            }
            assert_eq!(map.get("segment-"), None);
            assert_eq!(map.get(""), None);
            assert_eq!(map.get("Segment-0"), None, "lookups are case-sensitive");
        }
    }

    #[test]
    fn hash_distinguishes_lengths_and_long_segments() {
        assert_ne!(hash(b"a"), hash(b"a\0"));
        assert_ne!(hash(b"abcdefghi"), hash(b"abcdefghj"));
    }
}
