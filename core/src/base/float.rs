//! Decimal text to `f64`: the same value as `str::parse::<f64>` gives for
//! every input (the same syntax, the nearest double with ties to even,
//! `inf`/`infinity`/`nan` in any case, the sign of zero and of NaN), held to
//! it by the tests.
//!
//! Why not the standard parser: its Eisel-Lemire tables are 10 KB of
//! incompressible WebAssembly data, and its code as much again; this one
//! takes the exact path (Clinger's) when it can and otherwise divides big
//! integers, which costs far less code and no table. Slower on long or
//! extreme numbers, which events rarely hold.

/// `text.parse::<f64>().ok()`.
pub fn parse_f64(text: &str) -> Option<f64> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let value = if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        f64::INFINITY
    } else if body.eq_ignore_ascii_case("nan") {
        f64::NAN
    } else {
        let decimal = Decimal::read(body.as_bytes())?;
        decimal.value()
    };
    Some(if negative { -value } else { value })
}

/// Significant digits kept: enough for the nearest double of any input (a
/// halfway point between two doubles has at most 767); the rest only says
/// whether it is zero (`sticky`).
const MAX_DIGITS: usize = 800;

/// A decimal number `0.d1 d2 d3 ... × 10^point`, leading zeros removed.
struct Decimal {
    digits: Vec<u8>,
    point: i64,
    /// Non-zero digits were dropped after `MAX_DIGITS`.
    sticky: bool,
}

impl Decimal {
    /// `digits [. digits] [(e|E) [+-] digits]`, at least one digit before the exponent.
    fn read(bytes: &[u8]) -> Option<Decimal> {
        let mut d = Decimal { digits: Vec::new(), point: 0, sticky: false };
        let mut seen_digit = false;
        let mut seen_dot = false;
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'0'..=b'9' => {
                    seen_digit = true;
                    if d.digits.is_empty() && b == b'0' {
                        // A leading zero: after the point it moves the point down.
                        if seen_dot {
                            d.point -= 1;
                        }
                    } else {
                        if d.digits.len() < MAX_DIGITS {
                            d.digits.push(b - b'0');
                        } else if b != b'0' {
                            d.sticky = true;
                        }
                        if !seen_dot {
                            d.point += 1;
                        }
                    }
                }
                b'.' if !seen_dot => seen_dot = true,
                _ => break,
            }
            i += 1;
        }
        if !seen_digit {
            return None;
        }
        if let Some(&(b'e' | b'E')) = bytes.get(i) {
            i += 1;
            let negative = match bytes.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let start = i;
            let mut exp: i64 = 0;
            while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
                // Far beyond any double's range: the value is already 0 or infinite.
                if exp < 0x10000 {
                    exp = exp * 10 + i64::from(b - b'0');
                }
                i += 1;
            }
            if i == start {
                return None;
            }
            d.point += if negative { -exp } else { exp };
        }
        if i != bytes.len() {
            return None;
        }
        while d.digits.last() == Some(&0) && !d.sticky {
            d.digits.pop();
        }
        Some(d)
    }

    fn value(&self) -> f64 {
        if self.digits.is_empty() {
            return 0.0;
        }
        // The value is in [10^(point-1), 10^point).
        if self.point > 310 {
            return f64::INFINITY;
        }
        if self.point < -324 {
            return 0.0;
        }
        let n = self.digits.len() as i64 + i64::from(self.sticky);
        // value = D × 10^exp10, D the digits as an integer.
        let exp10 = self.point - n;
        if !self.sticky && n <= 15 && (-22..=22).contains(&exp10) {
            // Clinger's fast path: D and 10^|exp10| are exact doubles, so one
            // rounding gives the nearest double.
            let d = self.digits.iter().fold(0u64, |acc, &x| acc * 10 + u64::from(x)) as f64;
            let p = (0..exp10.unsigned_abs()).fold(1.0f64, |acc, _| acc * 10.0);
            return if exp10 < 0 { d / p } else { d * p };
        }
        let mut num = Big::default();
        for &x in &self.digits {
            num.mul_add(10, u32::from(x));
        }
        if self.sticky {
            num.mul_add(10, 1);
        }
        let mut den = Big { limbs: vec![1] };
        let scaled = if exp10 < 0 { &mut den } else { &mut num };
        let mut k = exp10.unsigned_abs();
        while k > 0 {
            let step = k.min(9);
            scaled.mul_add(10u32.pow(step as u32), 0);
            k -= step;
        }
        nearest(num, den)
    }
}

/// The double nearest `num / den` (ties to even); `num` and `den` non-zero.
fn nearest(mut num: Big, mut den: Big) -> f64 {
    // Scale so that the quotient has 55 or 56 bits: value = q × 2^-shift.
    let shift = 55 - (num.bits() - den.bits());
    if shift > 0 {
        num.shl(shift as usize);
    } else {
        den.shl(shift.unsigned_abs() as usize);
    }
    let mut q: u64 = 0;
    for i in (0..57).rev() {
        let mut part = den.clone();
        part.shl(i);
        if num.cmp(&part).is_ge() {
            num.sub(&part);
            q |= 1 << i;
        }
    }
    let sticky = !num.is_zero();
    // The value is in [2^e2, 2^(e2+1)); its last kept bit weighs 2^ulp.
    let q_bits = 64 - i64::from(q.leading_zeros());
    let e2 = q_bits - 1 - shift;
    let ulp = (e2 - 52).max(-1074);
    // Bits of q below the last kept one (at least 2, as q has 55 bits or more).
    let drop = ulp + shift;
    let (mut m, rest, half) =
        if drop >= 64 { (0, q, u64::MAX) } else { (q >> drop, q & ((1u64 << drop) - 1), 1u64 << (drop - 1)) };
    if rest > half || (rest == half && (sticky || m & 1 == 1)) {
        m += 1;
    }
    if ulp > 1023 {
        return f64::INFINITY;
    }
    // m < 2^54, so `m as f64` is exact, and so is each product (the result is
    // on the double grid by construction, or overflows to infinity).
    let m = m as f64;
    if ulp >= -1022 {
        m * pow2(ulp)
    } else {
        m * pow2(ulp + 64) * pow2(-64)
    }
}

/// 2^e for -1022 <= e <= 1023.
fn pow2(e: i64) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// An unsigned big integer, 32-bit limbs, least significant first.
#[derive(Clone, Default)]
struct Big {
    limbs: Vec<u32>,
}

impl Big {
    /// self = self × m + a.
    fn mul_add(&mut self, m: u32, a: u32) {
        let mut carry = u64::from(a);
        for limb in &mut self.limbs {
            let v = u64::from(*limb) * u64::from(m) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.limbs.push(carry as u32);
        }
    }

    fn bits(&self) -> i64 {
        let top = self.limbs.last().map_or(0, |l| 32 - i64::from(l.leading_zeros()));
        (self.limbs.len() as i64 - 1).max(0) * 32 + top
    }

    fn shl(&mut self, n: usize) {
        let (words, bits) = (n / 32, n % 32);
        if bits > 0 {
            let mut carry = 0u32;
            for limb in &mut self.limbs {
                let v = (u64::from(*limb) << bits) | u64::from(carry);
                *limb = v as u32;
                carry = (v >> 32) as u32;
            }
            if carry > 0 {
                self.limbs.push(carry);
            }
        }
        self.limbs.splice(0..0, std::iter::repeat_n(0, words));
    }

    fn cmp(&self, other: &Big) -> std::cmp::Ordering {
        let (a, b) = (self.trimmed(), other.trimmed());
        a.len().cmp(&b.len()).then_with(|| a.iter().rev().cmp(b.iter().rev()))
    }

    fn trimmed(&self) -> &[u32] {
        let n = self.limbs.iter().rposition(|&l| l != 0).map_or(0, |i| i + 1);
        self.limbs.get(..n).unwrap_or_default()
    }

    /// self -= other, where self >= other.
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, limb) in self.limbs.iter_mut().enumerate() {
            let v = i64::from(*limb) - i64::from(other.limbs.get(i).copied().unwrap_or(0)) - borrow;
            *limb = v.rem_euclid(1 << 32) as u32;
            borrow = i64::from(v < 0);
        }
    }

    fn is_zero(&self) -> bool {
        self.limbs.iter().all(|&l| l == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_f64;

    fn same(text: &str) {
        let ours = parse_f64(text).map(f64::to_bits);
        let std = text.parse::<f64>().ok().map(f64::to_bits);
        assert_eq!(ours, std, "{text:?}");
    }

    #[test]
    fn syntax_and_specials_as_std() {
        for t in [
            "",
            "+",
            "-",
            ".",
            "e",
            "e5",
            ".e5",
            "1e",
            "1e+",
            "1e-",
            "1.",
            "1.e5",
            ".5",
            "-.5",
            "+.5e-3",
            "0",
            "-0",
            "+0",
            "0.0",
            "-0.0",
            "00000",
            "000.000e99999",
            "1_000",
            " 1",
            "1 ",
            "0x10",
            "1e5.5",
            "1..2",
            "1.2.3",
            "inf",
            "-inf",
            "+inf",
            "INF",
            "Infinity",
            "-INFINITY",
            "infinit",
            "nan",
            "NaN",
            "-nan",
            "+NAN",
            "nan1",
            "1e400",
            "-1e400",
            "1e-400",
            "1e99999999999999999999",
            "1e-99999999999999999999",
            "++1",
            "-+1",
            "1e++5",
            "٣",
            "1\u{0}",
            "1E5",
            "1e05",
            "1e-05",
            "9007199254740993",
            "9007199254740992.5",
            "123456789012345678901234",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "2.2250738585072012e-308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "5e-324",
            "3e-324",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "1.797693134862315807e308",
            "0.1",
            "0.2",
            "0.3",
            "0.30000000000000004",
            "1e23",
            "8.988465674311579e307",
            "1e22",
            "1e-22",
            "123.456",
            "4503599627370496.5",
            "4503599627370497.5",
            "0.000000000000000000000000000001",
            "100000000000000000000000",
        ] {
            same(t);
        }
        same(&format!("1{}", "0".repeat(400)));
        same(&format!("0.{}1", "0".repeat(400)));
        same(&format!("1.{}1", "0".repeat(900)));
        same(&format!("{}e-900", "9".repeat(1000)));
    }

    /// The exact decimal text of the point halfway between `x` and the next
    /// double up: the hardest inputs to round.
    fn halfway(x: f64) -> String {
        let exact = |v: f64| format!("{v:.1100e}");
        let (a, b) = (exact(x), exact(f64::from_bits(x.to_bits() + 1)));
        // Both as digits × 10^(e - 1100); bring them to one exponent, add, halve.
        let parts = |s: &str| {
            let (m, e) = s.split_once('e').unwrap_or((s, "0"));
            (m.replace('.', "").bytes().map(|b| b - b'0').collect::<Vec<u8>>(), e.parse::<i64>().unwrap_or(0))
        };
        let ((mut da, ea), (mut db, eb)) = (parts(&a), parts(&b));
        let e = ea.min(eb);
        da.extend(std::iter::repeat_n(0, (ea - e) as usize));
        db.extend(std::iter::repeat_n(0, (eb - e) as usize));
        let len = da.len().max(db.len()) + 1;
        let pad = |d: Vec<u8>| [vec![0; len - d.len()], d].concat();
        let (da, db) = (pad(da), pad(db));
        let mut sum = vec![0u8; len];
        let mut carry = 0;
        for i in (0..len).rev() {
            let s = da[i] + db[i] + carry;
            sum[i] = s % 10;
            carry = s / 10;
        }
        let mut half = Vec::with_capacity(len + 1);
        let mut rem = 0u8;
        for d in sum.iter().chain(std::iter::once(&0)) {
            let v = rem * 10 + d;
            half.push(v / 2);
            rem = v % 2;
        }
        let text: String = half.iter().map(|d| char::from(b'0' + d)).collect();
        format!("{}e{}", text, e - 1100 - 1)
    }

    #[test]
    fn halfway_points_and_their_neighbours_as_std() {
        let mut xs = vec![0.0, 1.0, 0.1, 1e23, 9007199254740992.0, f64::MAX / 2.0, 2.2250738585072014e-308];
        xs.extend([5e-324, 1e-320, 4e-310, 1.5, 123456.789, 1e300, 3.0e-5]);
        let mut seed = 0x9e3779b97f4a7c15u64;
        for _ in 0..60 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let x = f64::from_bits(seed >> 2);
            if x.is_finite() {
                xs.push(x);
            }
        }
        for x in xs {
            let h = halfway(x);
            same(&h);
            let (digits, exp) = h.split_once('e').unwrap_or((&h, "0"));
            let exp = exp.parse::<i64>().unwrap_or(0) - 1;
            // Just above the halfway point: the next double up.
            let above = format!("{digits}1e{exp}");
            same(&above);
            assert_eq!(parse_f64(&above), Some(f64::from_bits(x.to_bits() + 1)), "{above}");
            let below: String = {
                let mut d: Vec<u8> = digits.bytes().collect();
                if let Some(i) = d.iter().rposition(|&b| b != b'0') {
                    d[i] -= 1;
                    for b in d.iter_mut().skip(i + 1) {
                        *b = b'9';
                    }
                }
                String::from_utf8(d).unwrap_or_default()
            };
            let below = format!("{below}9e{exp}");
            same(&below);
            assert_eq!(parse_f64(&below), Some(x), "{below}");
            same(&format!("{x:e}"));
            same(&format!("{x}"));
            same(&format!("{x:.17e}"));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4096, ..Default::default() })]
        #[test]
        fn random_texts_as_std(text in "[-+]?[0-9]{0,25}(\\.[0-9]{0,25})?([eE][-+]?[0-9]{1,4})?") {
            same(&text);
        }

        #[test]
        fn random_doubles_round_trip_as_std(bits in proptest::prelude::any::<u64>(), digits in 1usize..25) {
            let x = f64::from_bits(bits);
            same(&format!("{x:.digits$e}"));
            same(&format!("{x}"));
        }

        #[test]
        fn random_junk_as_std(text in "[-+0-9.eEinfatyINFATY_ x]{0,12}") {
            same(&text);
        }
    }
}
