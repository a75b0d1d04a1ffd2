//! The playground's state as data: what a share link and localStorage hold.
//!
//! A share link carries the whole state in the URL fragment (never sent to a
//! server): JSON, raw DEFLATE (RFC 1951), base64url without padding, after
//! `s=`. The compression itself is the browser's (`CompressionStream`, see
//! [`crate::compress`]): it costs no WebAssembly (miniz_oxide cost 14.6 KB of
//! gzipped wasm). This module holds the pure parts around it. Decoding is
//! bounded (the inflated size is capped) and every failure is an error value,
//! never a panic.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

/// Inflated share payloads larger than this are refused (a crafted link cannot eat memory).
pub const MAX_INFLATED: usize = 32 << 20;

/// The state a share link restores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Snapshot {
    #[serde(rename = "r")]
    pub rule: String,
    #[serde(rename = "e")]
    pub events: String,
    /// A name from `pipeline::BUILTIN_NAMES`.
    #[serde(rename = "t")]
    pub target: String,
    /// Custom pySigma pipeline YAML ("" for none).
    #[serde(rename = "p")]
    pub pipeline: String,
    /// The KQL query as the user edited it; absent while it is the generated one.
    #[serde(rename = "q", skip_serializing_if = "Option::is_none")]
    pub kql: Option<String>,
}

impl Snapshot {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Read through `serde_json::Value`, not a derived `Deserialize`: the KQL evaluator
    /// already carries the `Value` parser, a derive would add its own (size budget).
    /// Absent fields take their defaults, unknown ones are ignored.
    pub fn from_json(text: &str) -> Result<Snapshot, String> {
        let err = |e: &dyn std::fmt::Display| format!("saved state is not readable: {e}");
        let value: Value = serde_json::from_str(text).map_err(|e| err(&e))?;
        let Value::Object(mut map) = value else { return Err(err(&"not a JSON object")) };
        // `null` stands for "absent" only where the field is optional (the edited KQL).
        let mut field = |key: &str, optional: bool| match map.remove(key) {
            None => Ok(None),
            Some(Value::Null) if optional => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(err(&format_args!("field `{key}` is not a string"))),
        };
        Ok(Snapshot {
            rule: field("r", false)?.unwrap_or_default(),
            events: field("e", false)?.unwrap_or_default(),
            target: field("t", false)?.unwrap_or_default(),
            pipeline: field("p", false)?.unwrap_or_default(),
            kql: field("q", true)?,
        })
    }
}

/// The payload of a share link (the part after `s=`) from the deflated JSON.
pub fn payload(deflated: &[u8]) -> String {
    sigmaplay_core::base::b64::encode_url_safe_no_pad(deflated)
}

/// The deflated JSON of a payload.
pub fn unpayload(payload: &str) -> Result<Vec<u8>, String> {
    URL_SAFE_NO_PAD
        .decode(payload.trim().trim_end_matches('='))
        .map_err(|e| format!("the link is damaged (base64: {e})"))
}

/// The snapshot of inflated JSON bytes.
pub fn from_inflated(json: Vec<u8>) -> Result<Snapshot, String> {
    let text = String::from_utf8(json).map_err(|_| "the link is damaged (not UTF-8)".to_string())?;
    Snapshot::from_json(&text)
}

/// What a URL fragment (without `#`) or query string asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkParams {
    pub embed: bool,
    /// `ro`: an embed whose texts cannot be edited.
    pub readonly: bool,
    /// The share payload, when present.
    pub state: Option<String>,
}

/// Parses `embed&ro&s=...` style parameters (`&`-separated; `embed`, `embed=1`, `ro`, `s=...`).
pub fn parse_params(text: &str) -> LinkParams {
    let mut p = LinkParams::default();
    for part in text.trim_start_matches(['#', '?']).split('&') {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        match k {
            "embed" => p.embed = !matches!(v, "0" | "false"),
            "ro" => p.readonly = !matches!(v, "0" | "false"),
            "s" if !v.is_empty() => p.state = Some(v.to_string()),
            _ => {}
        }
    }
    p
}

/// The fragment of a share link (without `#`) for a payload.
pub fn fragment(payload: &str, embed: bool) -> String {
    if embed {
        format!("embed&s={payload}")
    } else {
        format!("s={payload}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // miniz_oxide (a dev-dependency) stands in for the browser's raw DEFLATE here:
    // both speak RFC 1951, so links are the same bytes either way.
    fn encode(s: &Snapshot) -> String {
        payload(&miniz_oxide::deflate::compress_to_vec(s.to_json().as_bytes(), 9))
    }

    fn decode(p: &str) -> Result<Snapshot, String> {
        let packed = unpayload(p)?;
        let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_INFLATED)
            .map_err(|_| "the link is damaged or too large (deflate)".to_string())?;
        from_inflated(json)
    }

    fn sample() -> Snapshot {
        Snapshot {
            rule: "title: é😀 <img src=x onerror=alert(1)>\n".into(),
            events: "{\"a\": 1}\n".repeat(100),
            target: "sentinel_asim".into(),
            pipeline: "name: x\n".into(),
            kql: Some("T | where x == 1".into()),
        }
    }

    #[test]
    fn edited_kql_is_saved_only_when_edited() {
        let plain = Snapshot { kql: None, ..sample() };
        assert!(!plain.to_json().contains("\"q\""));
        assert_eq!(Snapshot::from_json(&plain.to_json()), Ok(plain));
        let edited = sample();
        assert!(edited.to_json().contains("\"q\":\"T | where x == 1\""));
        assert_eq!(Snapshot::from_json(&edited.to_json()), Ok(edited));
    }

    #[test]
    fn round_trip() {
        let s = sample();
        let enc = encode(&s);
        assert!(enc.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{enc}");
        assert_eq!(decode(&enc).unwrap(), s);
        assert!(enc.len() < s.events.len() / 4, "{}", enc.len());
    }

    #[test]
    fn damaged_links_are_errors() {
        assert!(unpayload("!!!").is_err());
        assert!(decode("AAAA").is_err());
        let enc = encode(&sample());
        assert!(decode(&enc[..enc.len() / 2]).is_err());
        assert!(from_inflated(b"hello".to_vec()).is_err());
        assert!(from_inflated(vec![0xff, 0xfe]).is_err());
    }

    #[test]
    fn params() {
        assert_eq!(parse_params("#embed"), LinkParams { embed: true, ..LinkParams::default() });
        assert_eq!(parse_params("?embed=1"), LinkParams { embed: true, ..LinkParams::default() });
        assert_eq!(parse_params("embed=0&s=abc"), LinkParams { state: Some("abc".into()), ..LinkParams::default() });
        assert_eq!(
            parse_params("#embed&ro&s=abc"),
            LinkParams { embed: true, readonly: true, state: Some("abc".into()) }
        );
        assert!(!parse_params("embed&ro=0").readonly);
        assert_eq!(parse_params(""), LinkParams::default());
        let f = fragment(&encode(&sample()), true);
        let p = parse_params(&f);
        assert!(p.embed);
        assert_eq!(decode(&p.state.unwrap()).unwrap(), sample());
    }

    #[test]
    fn malformed_state_is_an_error() {
        assert!(Snapshot::from_json("[1]").is_err());
        assert!(Snapshot::from_json("{\"r\":1}").is_err());
        assert!(Snapshot::from_json("{\"r\":null}").is_err());
        assert!(Snapshot::from_json("{\"r\":\"x\"").is_err());
        let s = Snapshot::from_json("{\"r\":\"x\",\"q\":null,\"z\":[1]}").unwrap();
        assert_eq!(s, Snapshot { rule: "x".into(), ..Snapshot::default() });
    }

    #[test]
    fn missing_fields_default() {
        let s = Snapshot::from_json("{\"r\":\"x\"}").unwrap();
        assert_eq!(s.rule, "x");
        assert_eq!(s.target, "");
    }
}
