//! Query strings and the selectors a list request may carry.
//!
//! kube-rs form-encodes parameters (`labelSelector=app.kubernetes.io%2Fpart-of%3Dkubeflow`), so
//! they are decoded before use. Label selectors support the equality forms (`k=v`, `k==v`,
//! `k!=v`), existence (`k`, `!k`) and the set-based forms (`k in (a,b)`, `k notin (a,b)`) joined
//! by commas, as apimachinery's `labels.Parse` reads them (`notin` also holds when the label is
//! absent). Field selectors take the equality forms only and support `metadata.name` and
//! `metadata.namespace`.

use serde_json::Value;

use crate::store::str_at;

/// The decoded value of the first query parameter named `key`.
pub(crate) fn param(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k) == key).then(|| decode(v))
    })
}

/// Percent-encodes `s` for a query string: everything but RFC 3986's unreserved characters.
pub(crate) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// One requirement of a label or field selector.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Equals(String, String),
    NotEquals(String, String),
    Exists(String),
    Absent(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
}

/// A parsed selector: every term must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Selector(Vec<Term>);

impl Selector {
    /// Parses a label selector, or says why it cannot.
    pub(crate) fn labels(s: &str) -> Result<Selector, String> {
        Selector::parse(s, true)
    }

    /// Parses a field selector (equality forms only), or says why it cannot.
    pub(crate) fn fields(s: &str) -> Result<Selector, String> {
        Selector::parse(s, false)
    }

    fn parse(s: &str, existence: bool) -> Result<Selector, String> {
        let mut terms = Vec::new();
        for raw in split_terms(s).iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            let set = raw.split_once('(').and_then(|(head, rest)| {
                let values = rest.strip_suffix(')')?;
                let values = values.split(',').map(|v| v.trim().to_owned()).collect();
                let mut words = head.split_whitespace();
                let (key, op) = (words.next()?.to_owned(), words.next()?);
                words.next().is_none().then_some((key, op.to_owned(), values))
            });
            let term = if raw.contains('(') {
                match set {
                    Some((k, op, values)) if existence && op == "in" => Term::In(k, values),
                    Some((k, op, values)) if existence && op == "notin" => Term::NotIn(k, values),
                    _ => return Err(format!("invalid selector: {raw:?}; can't understand")),
                }
            } else if let Some((k, v)) = raw.split_once("!=") {
                Term::NotEquals(k.trim().to_owned(), v.trim().to_owned())
            } else if let Some((k, v)) = raw.split_once("==").or_else(|| raw.split_once('=')) {
                Term::Equals(k.trim().to_owned(), v.trim().to_owned())
            } else if !existence || raw.contains(char::is_whitespace) || raw.contains(')') {
                return Err(format!("invalid selector: {raw:?}; can't understand"));
            } else if let Some(k) = raw.strip_prefix('!') {
                Term::Absent(k.trim().to_owned())
            } else {
                Term::Exists(raw.to_owned())
            };
            terms.push(term);
        }
        Ok(Selector(terms))
    }

    /// Whether `obj`'s labels satisfy this selector.
    pub(crate) fn matches_labels(&self, obj: &Value) -> bool {
        let labels = obj.get("metadata").and_then(|m| m.get("labels"));
        self.matches(|k| labels.and_then(|l| l.get(k)).and_then(Value::as_str))
    }

    /// Whether `obj`'s fields satisfy this selector.
    pub(crate) fn matches_fields(&self, obj: &Value) -> bool {
        self.matches(|k| {
            let path: Vec<&str> = k.split('.').collect();
            str_at(obj, &path)
        })
    }

    fn matches<'a>(&self, value: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.0.iter().all(|t| match t {
            Term::Equals(k, v) => value(k) == Some(v.as_str()),
            Term::NotEquals(k, v) => value(k) != Some(v.as_str()),
            Term::Exists(k) => value(k).is_some(),
            Term::Absent(k) => value(k).is_none(),
            Term::In(k, values) => value(k).is_some_and(|v| values.iter().any(|x| x == v)),
            Term::NotIn(k, values) => !value(k).is_some_and(|v| values.iter().any(|x| x == v)),
        })
    }
}

/// `s` split at the commas outside parentheses.
fn split_terms(s: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_form_encoded_parameters() {
        let q = "labelSelector=app.kubernetes.io%2Fpart-of%3Dkubeflow%2Ca+b&x=%zz";
        assert_eq!(
            param(q, "labelSelector").as_deref(),
            Some("app.kubernetes.io/part-of=kubeflow,a b")
        );
        assert_eq!(param(q, "x").as_deref(), Some("%zz"));
        assert_eq!(param("a=%4", "a").as_deref(), Some("%4"));
        assert_eq!(param(q, "missing"), None);
        let q = format!("fieldManager={}", encode("a b/ü&c"));
        assert_eq!(param(&q, "fieldManager").as_deref(), Some("a b/ü&c"));
    }

    #[test]
    fn label_selectors_match() {
        let obj = json!({"metadata": {"name": "n", "labels": {"a": "1", "b": "2"}}});
        let yes = |s: &str| Selector::labels(s).map(|sel| sel.matches_labels(&obj));
        assert_eq!(yes("a=1"), Ok(true));
        assert_eq!(yes("a==1, b=2"), Ok(true));
        assert_eq!(yes("a=1,b=3"), Ok(false));
        assert_eq!(yes("a!=2"), Ok(true));
        assert_eq!(yes("c"), Ok(false));
        assert_eq!(yes("!c,b"), Ok(true));
        assert_eq!(yes(""), Ok(true));
        assert_eq!(yes("a in (1,2)"), Ok(true));
        assert_eq!(yes("a in (2, 3),b"), Ok(false));
        assert_eq!(yes("a notin (2,3), b in (2)"), Ok(true));
        assert_eq!(yes("c notin (1)"), Ok(true), "notin holds for an absent label");
        assert_eq!(yes("c in (1)"), Ok(false));
        assert!(yes("a in 1,2)").is_err());
        assert!(yes("a within (1)").is_err());
        let f = Selector::fields("metadata.name=n").map(|s| s.matches_fields(&obj));
        assert_eq!(f, Ok(true));
    }
}
