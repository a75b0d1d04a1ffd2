//! The playground's state as data: what a share link and localStorage hold.
//!
//! A share link carries the whole state in the URL fragment (never sent to a
//! server): JSON, raw-deflated (miniz_oxide), base64url without padding, after
//! `s=`. Decoding is bounded (the inflated size is capped) and every failure is
//! an error value, never a panic.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// Inflated share payloads larger than this are refused (a crafted link cannot eat memory).
pub const MAX_INFLATED: usize = 32 << 20;

/// The state a share link restores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Snapshot {
    #[serde(rename = "r", default)]
    pub rule: String,
    #[serde(rename = "e", default)]
    pub events: String,
    /// A name from `pipeline::BUILTIN_NAMES`.
    #[serde(rename = "t", default)]
    pub target: String,
    /// Custom pySigma pipeline YAML ("" for none).
    #[serde(rename = "p", default)]
    pub pipeline: String,
}

impl Snapshot {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Snapshot, String> {
        serde_json::from_str(text).map_err(|e| format!("saved state is not readable: {e}"))
    }
}

/// The payload of a share link (the part after `s=`).
pub fn encode(s: &Snapshot) -> String {
    let json = s.to_json();
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
    URL_SAFE_NO_PAD.encode(packed)
}

pub fn decode(payload: &str) -> Result<Snapshot, String> {
    let packed = URL_SAFE_NO_PAD
        .decode(payload.trim().trim_end_matches('='))
        .map_err(|e| format!("the link is damaged (base64: {e})"))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_INFLATED)
        .map_err(|_| "the link is damaged or too large (deflate)".to_string())?;
    let text = String::from_utf8(json).map_err(|_| "the link is damaged (not UTF-8)".to_string())?;
    Snapshot::from_json(&text)
}

/// What a URL fragment (without `#`) or query string asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkParams {
    pub embed: bool,
    /// The share payload, when present.
    pub state: Option<String>,
}

/// Parses `embed&s=...` style parameters (`&`-separated; `embed`, `embed=1`, `s=...`).
pub fn parse_params(text: &str) -> LinkParams {
    let mut p = LinkParams::default();
    for part in text.trim_start_matches(['#', '?']).split('&') {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        match k {
            "embed" => p.embed = !matches!(v, "0" | "false"),
            "s" if !v.is_empty() => p.state = Some(v.to_string()),
            _ => {}
        }
    }
    p
}

/// The fragment of a share link (without `#`).
pub fn fragment(s: &Snapshot, embed: bool) -> String {
    let payload = encode(s);
    if embed {
        format!("embed&s={payload}")
    } else {
        format!("s={payload}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Snapshot {
        Snapshot {
            rule: "title: é😀 <img src=x onerror=alert(1)>\n".into(),
            events: "{\"a\": 1}\n".repeat(100),
            target: "sentinel_asim".into(),
            pipeline: "name: x\n".into(),
        }
    }

    #[test]
    fn round_trip() {
        let s = sample();
        let enc = encode(&s);
        assert!(enc.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{enc}");
        assert_eq!(decode(&enc).unwrap(), s);
        // Repetitive events compress well.
        assert!(enc.len() < s.events.len() / 4, "{}", enc.len());
    }

    #[test]
    fn damaged_links_are_errors() {
        assert!(decode("!!!").is_err());
        assert!(decode("AAAA").is_err());
        let enc = encode(&sample());
        assert!(decode(&enc[..enc.len() / 2]).is_err());
        // Valid deflate of non-JSON.
        let junk = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(b"hello", 6));
        assert!(decode(&junk).is_err());
    }

    #[test]
    fn bombs_are_refused() {
        let big = vec![b' '; MAX_INFLATED + 10];
        let enc = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&big, 9));
        assert!(decode(&enc).is_err());
    }

    #[test]
    fn params() {
        assert_eq!(parse_params("#embed"), LinkParams { embed: true, state: None });
        assert_eq!(parse_params("?embed=1"), LinkParams { embed: true, state: None });
        assert_eq!(parse_params("embed=0&s=abc"), LinkParams { embed: false, state: Some("abc".into()) });
        assert_eq!(parse_params(""), LinkParams::default());
        let f = fragment(&sample(), true);
        let p = parse_params(&f);
        assert!(p.embed);
        assert_eq!(decode(&p.state.unwrap()).unwrap(), sample());
    }

    #[test]
    fn missing_fields_default() {
        let s = Snapshot::from_json("{\"r\":\"x\"}").unwrap();
        assert_eq!(s.rule, "x");
        assert_eq!(s.target, "");
    }
}
