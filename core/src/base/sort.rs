//! Stable sorting through one shared instance of the standard library's sort.
//!
//! `slice::sort_by_key` is generic over the element and the key closure, so
//! every call site compiles its own copy of the whole sort (several KB of
//! WebAssembly each). These helpers sort an index array once, non-generically,
//! and then move the elements: same result as `sort_by` (stable), a few
//! hundred bytes per element type. Use them off the hot paths.

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp`, exactly as `v.sort_by(cmp)` would.
pub fn sort_by<T>(v: &mut [T], cmp: &dyn Fn(&T, &T) -> Ordering) {
    let n = v.len();
    if n < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..n).collect();
    sort_indices(&mut order, &|a, b| match (v.get(a), v.get(b)) {
        (Some(x), Some(y)) => cmp(x, y),
        _ => Ordering::Equal,
    });
    // `order[p]` is the element that belongs at `p`; `dest` inverts it.
    let mut dest = vec![0usize; n];
    for (p, &src) in order.iter().enumerate() {
        if let Some(d) = dest.get_mut(src) {
            *d = p;
        }
    }
    for i in 0..n {
        loop {
            let d = dest.get(i).copied().unwrap_or(i);
            if d == i || d >= n {
                break;
            }
            v.swap(i, d);
            dest.swap(i, d);
        }
    }
}

/// Sorts `v` stably by a key, exactly as `v.sort_by_key(key)` would.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(v, &|a, b| key(a).cmp(&key(b)));
}

/// Sorts and dedups `v`, exactly as `v.sort_unstable(); v.dedup()` would, for
/// element types that `key` maps to `u64` preserving order and equality
/// (`usize`, `char`, a pair of `char`s): one shared instance of the unstable
/// sort instead of one per element type. Elements with equal keys are equal,
/// so the result is the same whatever the sort's stability.
pub fn sort_dedup<T: Copy>(v: &mut Vec<T>, key: impl Fn(T) -> u64, from: impl Fn(u64) -> T) {
    let mut keys: Vec<u64> = v.iter().map(|&x| key(x)).collect();
    sort_dedup_u64(&mut keys);
    v.clear();
    v.extend(keys.into_iter().map(from));
}

/// `sort_dedup` for `usize` (positions, indexes).
pub fn sort_dedup_usize(v: &mut Vec<usize>) {
    sort_dedup(v, |x| x as u64, |k| k as usize);
}

/// `sort_dedup` for `char`.
pub fn sort_dedup_char(v: &mut Vec<char>) {
    sort_dedup(v, u64::from, |k| char::from_u32(k as u32).unwrap_or(char::REPLACEMENT_CHARACTER));
}

#[inline(never)]
fn sort_dedup_u64(v: &mut Vec<u64>) {
    v.sort_unstable();
    v.dedup();
}

#[inline(never)]
fn sort_indices(order: &mut [usize], cmp: &dyn Fn(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_as_the_standard_stable_sort() {
        let mut seed = 7u64;
        for n in [0usize, 1, 2, 3, 10, 100, 1000] {
            let v: Vec<(u8, usize)> = (0..n)
                .map(|i| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    ((seed >> 59) as u8, i)
                })
                .collect();
            let mut a = v.clone();
            let mut b = v.clone();
            a.sort_by_key(|x| x.0);
            sort_by_key(&mut b, |x| x.0);
            assert_eq!(a, b);
        }
    }

    #[test]
    fn sort_dedup_same_as_the_standard_unstable_sort() {
        let mut v: Vec<usize> = vec![5, 3, usize::MAX, 3, 0, 9, 5];
        let mut w = v.clone();
        v.sort_unstable();
        v.dedup();
        sort_dedup_usize(&mut w);
        assert_eq!(v, w);
        let mut c: Vec<char> = "zK\u{212A}kaé\u{10FFFF}a".chars().collect();
        let mut d = c.clone();
        c.sort_unstable();
        c.dedup();
        sort_dedup_char(&mut d);
        assert_eq!(c, d);
    }
}
