//! Output exactly as juju/cmd prints it (`output.go`): `json` is Go's `json.Marshal` plus a newline
//! (HTML-escaped like Go, `null` for a nil value), `smart` prints strings and string lists raw and
//! booleans as `True`/`False`, `yaml` trims trailing newlines to one. Also a small base64 codec
//! for `key#base64=` secret content, so the tool binary needs no extra dependency.

use serde_json::Value;

/// An output format selected with `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Smart,
    Yaml,
}

impl Format {
    /// Parses a `--format` value.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "json" => Some(Format::Json),
            "smart" => Some(Format::Smart),
            "yaml" => Some(Format::Yaml),
            _ => None,
        }
    }
}

/// Renders `value` in `format`, as the hook tool would print it.
pub(crate) fn render(format: Format, value: &Value) -> Vec<u8> {
    match format {
        Format::Json => json_line(value).into_bytes(),
        Format::Yaml => yaml(value),
        Format::Smart => match value {
            Value::Null => Vec::new(),
            Value::String(s) if s.is_empty() => Vec::new(),
            Value::String(s) => format!("{s}\n").into_bytes(),
            Value::Bool(b) => {
                if *b {
                    b"True\n".to_vec()
                } else {
                    b"False\n".to_vec()
                }
            }
            Value::Array(a) if a.iter().all(Value::is_string) => {
                let lines: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                let joined = lines.join("\n");
                if joined.is_empty() { Vec::new() } else { format!("{joined}\n").into_bytes() }
            }
            other => yaml(other),
        },
    }
}

/// Go's `json.Marshal(value)` + `"\n"`.
pub(crate) fn json_line(value: &Value) -> String {
    let mut s = go_json(value);
    s.push('\n');
    s
}

/// Go's `json.Marshal`: compact, sorted keys, `<`, `>`, `&`, U+2028 and U+2029 escaped.
pub(crate) fn go_json(value: &Value) -> String {
    let s = value.to_string();
    if !s.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn yaml(value: &Value) -> Vec<u8> {
    if value.is_null() {
        return Vec::new();
    }
    let text = serde_saphyr::to_string(value).unwrap_or_else(|_| go_json(value));
    let trimmed = text.trim_end_matches('\n');
    if trimmed.is_empty() {
        return Vec::new();
    }
    let lines: Vec<String> = trimmed.lines().map(unquote_dotted).collect();
    format!("{}\n", lines.join("\n")).into_bytes()
}

/// Go's yaml.v2 prints a dotted number such as an IPv4 address (`10.1.0.10`) plain: it
/// resolves to no number. The emitter here quotes it; undo that for a whole scalar at the end
/// of a line (`key: "10.1.0.10"`, `- "10.1.0.10"`, or the line itself).
fn unquote_dotted(line: &str) -> String {
    let Some(body) = line.strip_suffix('"') else { return line.to_owned() };
    let Some(open) = body.rfind('"') else { return line.to_owned() };
    let (head, scalar) = (&body[..open], &body[open + 1..]);
    let dotted = scalar.split('.').count() > 2
        && scalar.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let at_value =
        head.trim_start().is_empty() || head.ends_with(": ") || head.trim_start() == "- ";
    if dotted && at_value { format!("{head}{scalar}") } else { line.to_owned() }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub(crate) fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 (padding optional); `None` if malformed.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.trim_end_matches('=').bytes().collect();
    if digits.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut n = 0u32;
        for (i, d) in chunk.iter().enumerate() {
            let v = B64.iter().position(|c| c == d)? as u32;
            n |= v << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exact_output_json_is_go_marshal_plus_newline() {
        assert_eq!(render(Format::Json, &Value::Null), b"null\n");
        assert_eq!(render(Format::Json, &json!([])), b"[]\n");
        assert_eq!(
            render(Format::Json, &json!({"b": 1, "a": "<&>"})),
            br#"{"a":"\u003c\u0026\u003e","b":1}
"#
        );
    }

    #[test]
    fn exact_output_smart_strings_lists_bools() {
        assert_eq!(render(Format::Smart, &json!("x")), b"x\n");
        assert_eq!(render(Format::Smart, &json!("")), b"");
        assert_eq!(render(Format::Smart, &json!(["a", "b"])), b"a\nb\n");
        assert_eq!(render(Format::Smart, &json!([])), b"");
        assert_eq!(render(Format::Smart, &json!(true)), b"True\n");
        assert_eq!(render(Format::Smart, &Value::Null), b"");
        assert_eq!(render(Format::Smart, &json!({"k": "v"})), b"k: v\n");
        assert_eq!(
            render(Format::Yaml, &json!({"ip": "10.1.0.10", "l": ["1.2.3.4"], "v": "1.2"})),
            b"ip: 10.1.0.10\nl:\n- 1.2.3.4\nv: \"1.2\"\n"
        );
        assert_eq!(
            render(Format::Yaml, &json!({"a": "1", "b": "x\ny\n"})),
            b"a: \"1\"\nb: |\n  x\n  y\n"
        );
    }

    #[test]
    fn base64_round_trips() {
        for s in ["", "a", "ab", "abc", "abcd", "hello world!"] {
            let e = base64_encode(s.as_bytes());
            assert_eq!(base64_decode(&e).as_deref(), Some(s.as_bytes()), "{e}");
        }
        assert_eq!(base64_encode(b"hi"), "aGk=");
        assert_eq!(base64_decode("a"), None);
    }
}
