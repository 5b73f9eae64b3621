//! The literal children of one resource: path part text -> child node, looked up per request.
//!
//! A handful of children are compared one by one; past [`LINEAR_LIMIT`] the map keeps an
//! open-addressing table (power-of-two size, at most half full, linear probing) so a lookup
//! costs one hash of the segment and, almost always, one comparison.

/// Up to this many children are searched linearly, which spares small maps a table; on the
/// GitHub route set (`benches/routing.rs`) limits from 0 to 8 measured the same within noise.
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
    pub(crate) fn get(&self, segment: &[u8]) -> Option<u32> {
        if self.slots.is_empty() {
            return self
                .entries
                .iter()
                .find(|(key, _)| key.as_bytes() == segment)
                .map(|&(_, child)| child);
        }
        let mask = self.slots.len() - 1;
        let mut slot = hash(segment) & mask;
        // The table is at most half full, so the probe reaches an empty slot.
        loop {
            let index = *self.slots.get(slot)?;
            let (key, child) = self.entries.get(index as usize)?;
            if key.as_bytes() == segment {
                return Some(*child);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Adds a child; the caller has checked that `segment` is not present yet.
    pub(crate) fn insert(&mut self, segment: &str, child: u32) {
        debug_assert!(self.get(segment.as_bytes()).is_none());
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
            // `index` < MAX_ROUTER_RESOURCES < u32::MAX: the router caps the node count.
            *free = index as u32;
        }
    }
}

/// A cheap hash of a path segment from its length, first two and last bytes, mixed by one
/// multiplication. Literal path parts of one parent rarely agree on all four, and the table
/// resolves the rest by comparison. Keys come from the API definition, so the worst a crafted
/// definition can do is lengthen its own probe sequences.
#[inline]
fn hash(bytes: &[u8]) -> usize {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let first = bytes.first().copied().unwrap_or(0);
    let second = bytes.get(1).copied().unwrap_or(0);
    let last = bytes.last().copied().unwrap_or(0);
    let key = (bytes.len() as u64)
        | u64::from(first) << 32
        | u64::from(second) << 40
        | u64::from(last) << 48;
    (key.wrapping_mul(K) >> 32) as usize
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
                assert_eq!(
                    map.get(earlier.as_bytes()),
                    Some(j as u32),
                    "after {} inserts",
                    i + 1
                );
            }
            assert_eq!(map.get(b"segment-"), None);
            assert_eq!(map.get(b""), None);
            assert_eq!(map.get(b"Segment-0"), None, "lookups are case-sensitive");
        }
    }

    #[test]
    fn segments_that_hash_alike_are_still_told_apart() {
        // Same length, first two and last bytes: same hash, different keys.
        assert_eq!(hash(b"abxd"), hash(b"abyd"));
        let mut map = LiteralMap::default();
        for (i, name) in ["abxd", "abyd", "abzd", "abwd", "abvd", "abud"]
            .iter()
            .enumerate()
        {
            map.insert(name, i as u32);
        }
        assert_eq!(map.get(b"abzd"), Some(2));
        assert_eq!(map.get(b"abud"), Some(5));
        assert_eq!(map.get(b"abtd"), None);
    }
}
