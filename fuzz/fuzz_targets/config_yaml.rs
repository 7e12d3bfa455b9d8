//! The config parsers: each YAML option on the input as text, and `Config::parse` on the input
//! as a JSON object.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ckf_crypto::config::webhooks::parse(text);
        let _ = ckf_crypto::config::tokens::parse(text);
        let _ = ckf_crypto::checksums::parse_checksums_option(text);
        let _ = ckf_crypto::areas::tls_provider::parse_suffixes(text);
    }
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(data) {
        let _ = ckf_crypto::config::Config::parse(map);
    }
});
