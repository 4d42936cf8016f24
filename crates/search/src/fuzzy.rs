//! Typo lookup: strings bucketed by length in characters, each bucket laid
//! out flat with a 64-bit character-set signature per entry, so a scan for
//! "within one edit" is mostly one XOR and popcount per candidate.

/// Signature: bit `c mod 64` set for every character `c`. One edit changes
/// at most two bits, so `popcount(a ^ b) <= 2` is necessary for a match.
fn signature(chars: &[char]) -> u64 {
    chars.iter().fold(0, |s, &c| s | 1u64 << (c as u32 % 64))
}

#[derive(Default)]
struct Bucket {
    chars: Vec<char>,
    sigs: Vec<u64>,
    ids: Vec<u32>,
}

/// Where an entry sits: (length bucket, position).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Slot {
    len: u32,
    pos: u32,
}

#[derive(Default)]
pub(crate) struct Buckets {
    by_len: Vec<Bucket>,
}

impl Buckets {
    /// Adds `id` spelled `text`; returns where it went.
    pub fn insert(&mut self, id: u32, text: &str) -> Slot {
        let chars: Vec<char> = text.chars().collect();
        let len = chars.len();
        if self.by_len.len() <= len {
            self.by_len.resize_with(len + 1, Bucket::default);
        }
        let b = &mut self.by_len[len];
        let pos = b.ids.len() as u32;
        b.ids.push(id);
        b.sigs.push(signature(&chars));
        b.chars.extend_from_slice(&chars);
        Slot {
            len: len as u32,
            pos,
        }
    }

    /// Removes the entry at `slot`. Another entry may move into its place:
    /// returns that entry's id and new slot so the owner can update it.
    pub fn remove(&mut self, slot: Slot) -> Option<(u32, Slot)> {
        let len = slot.len as usize;
        let pos = slot.pos as usize;
        let b = self.by_len.get_mut(len)?;
        let last = b.ids.len().checked_sub(1)?;
        if pos > last {
            return None;
        }
        b.ids.swap_remove(pos);
        b.sigs.swap_remove(pos);
        if pos != last {
            let (head, tail) = b.chars.split_at_mut(last * len);
            head[pos * len..(pos + 1) * len].copy_from_slice(&tail[..len]);
        }
        b.chars.truncate(last * len);
        b.ids.get(pos).map(|&moved| (moved, slot))
    }

    /// Ids of entries within Damerau-Levenshtein (optimal string alignment)
    /// distance 1 of `word`, `word` itself excluded.
    pub fn near(&self, word: &str) -> Vec<u32> {
        let w: Vec<char> = word.chars().collect();
        let sig = signature(&w);
        let n = w.len();
        let mut out = Vec::new();
        for len in n.saturating_sub(1).max(1)..=n + 1 {
            let Some(b) = self.by_len.get(len) else {
                continue;
            };
            for (k, &s) in b.sigs.iter().enumerate() {
                if (s ^ sig).count_ones() > 2 {
                    continue;
                }
                let cand = &b.chars[k * len..(k + 1) * len];
                if cand != w.as_slice()
                    && within_one_edit(&w, cand)
                    && let Some(&id) = b.ids.get(k)
                {
                    out.push(id);
                }
            }
        }
        out
    }

    /// Rough heap usage in bytes.
    pub fn approx_bytes(&self) -> usize {
        self.by_len
            .iter()
            .map(|b| b.chars.capacity() * 4 + b.sigs.capacity() * 8 + b.ids.capacity() * 4)
            .sum()
    }
}

/// Whether `a` and `b` are at most one insertion, deletion, substitution or
/// transposition of adjacent characters apart.
pub(crate) fn within_one_edit(a: &[char], b: &[char]) -> bool {
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let i = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if la == lb {
        if i == la || a.get(i + 1..) == b.get(i + 1..) {
            return true;
        }
        i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && a.get(i + 2..) == b.get(i + 2..)
    } else if la < lb {
        a.get(i..) == b.get(i + 1..)
    } else {
        a.get(i + 1..) == b.get(i..)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn one_edit() {
        let yes = [
            ("lösenrod", "lösenord"),
            ("pasword", "password"),
            ("password", "pasword"),
            ("grupp", "grupo"),
            ("abc", "abcd"),
            ("xabc", "abc"),
            ("ab", "ba"),
            ("år", "ar"),
        ];
        for (a, b) in yes {
            assert!(within_one_edit(&c(a), &c(b)), "{a} {b}");
            assert!((signature(&c(a)) ^ signature(&c(b))).count_ones() <= 2);
        }
        let no = [
            ("lösenord", "lösnerod"),
            ("abc", "cab"),
            ("abcd", "ab"),
            ("kontakt", "kontrakt2"),
            ("abcd", "badc"),
        ];
        for (a, b) in no {
            assert!(!within_one_edit(&c(a), &c(b)), "{a} {b}");
        }
    }

    #[test]
    fn buckets_insert_remove_scan() {
        let mut b = Buckets::default();
        let s0 = b.insert(0, "grupp");
        let _s1 = b.insert(1, "grupo");
        let s2 = b.insert(2, "grupper");
        let _s3 = b.insert(3, "trupp");
        let mut near = b.near("grupp");
        near.sort_unstable();
        assert_eq!(near, [1, 3]);
        // Removing 0 moves the last entry of that bucket (3) into its place.
        let moved = b.remove(s0);
        assert_eq!(moved.map(|(id, _)| id), Some(3));
        let mut near = b.near("grupp");
        near.sort_unstable();
        assert_eq!(near, [1, 3]);
        assert!(b.remove(s2).is_none());
        assert!(b.near("gruppe").is_empty());
        if let Some((_, slot)) = moved {
            b.remove(slot);
        }
        assert_eq!(b.near("grupp"), [1]);
    }
}
