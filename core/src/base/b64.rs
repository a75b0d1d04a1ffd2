//! Base64 encoding (RFC 4648), with padding on the standard alphabet or
//! unpadded on the URL-safe one: the same text as the `base64` crate's
//! `STANDARD` and `URL_SAFE_NO_PAD` engines give (held to them by the tests).
//!
//! Why not the crate's encoder: its generic engine costs a few KB of
//! WebAssembly, this loop a few hundred bytes. Decoding stays with the crate
//! (its error messages are shown to users).

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Standard alphabet, `=` padding (base64's `STANDARD.encode`).
pub fn encode(bytes: &[u8]) -> String {
    encode_with(bytes, STANDARD, true)
}

/// URL-safe alphabet, no padding (base64's `URL_SAFE_NO_PAD.encode`).
pub fn encode_url_safe_no_pad(bytes: &[u8]) -> String {
    encode_with(bytes, URL_SAFE, false)
}

fn encode_with(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = byte(0) << 16 | byte(1) << 8 | byte(2);
        // n bytes of input give n + 1 symbols; the rest of the quad is padding.
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(alphabet[(n >> (18 - 6 * i) & 63) as usize]));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    #[test]
    fn same_text_as_the_base64_crate() {
        let mut seed = 11u64;
        for len in 0..200usize {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    (seed >> 56) as u8
                })
                .collect();
            assert_eq!(super::encode(&bytes), base64::engine::general_purpose::STANDARD.encode(&bytes));
            assert_eq!(
                super::encode_url_safe_no_pad(&bytes),
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes)
            );
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(super::encode(&all), base64::engine::general_purpose::STANDARD.encode(&all));
        assert_eq!(super::encode_url_safe_no_pad(&all), base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&all));
    }
}
