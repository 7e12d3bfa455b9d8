//! Shell-like word splitting as Pebble does it for service and check commands
//! (canonical/x-go `strutil/shlex`, a fork of google/shlex): words split on whitespace, `'…'`
//! taken literally, `"…"` and a bare `\` escaping the next character, and `#` at the start of a
//! word beginning a comment that runs to the end of the line.

/// The words of `text`, or shlex's error (`EOF found when expecting closing quote`,
/// `EOF found after escape character`).
pub(crate) fn split(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        // Skip whitespace between words.
        while chars.peek().is_some_and(|c| is_space(*c)) {
            chars.next();
        }
        let Some(&first) = chars.peek() else { return Ok(words) };
        if first == '#' {
            // A comment: up to the end of the line.
            for c in chars.by_ref() {
                if c == '\n' {
                    break;
                }
            }
            continue;
        }
        let mut word = String::new();
        while let Some(c) = chars.next() {
            match c {
                c if is_space(c) => break,
                '\\' => match chars.next() {
                    Some(next) => word.push(next),
                    None => return Err("EOF found after escape character".into()),
                },
                '\'' => loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("EOF found when expecting closing quote".into()),
                    }
                },
                '"' => loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(next) => word.push(next),
                            None => return Err("EOF found after escape character".into()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("EOF found when expecting closing quote".into()),
                    }
                },
                c => word.push(c),
            }
        }
        words.push(word);
    }
}

/// Joins words so that [`split`] gives them back (shlex's `Join`): a word with a character the
/// shell treats specially is single-quoted.
pub(crate) fn join(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            let plain = !w.is_empty()
                && w.chars().all(|c| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c));
            if plain { w.clone() } else { format!("'{}'", w.replace('\'', "'\"'\"'")) }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_as_shlex_does() {
        assert_eq!(split(r#"cmd arg1 "arg2 arg3""#).unwrap(), ["cmd", "arg1", "arg2 arg3"]);
        assert_eq!(split("a 'b c' d\\ e").unwrap(), ["a", "b c", "d e"]);
        assert_eq!(split("a # comment").unwrap(), ["a"]);
        assert_eq!(split("foo '").unwrap_err(), "EOF found when expecting closing quote");
        assert_eq!(split("foo \\").unwrap_err(), "EOF found after escape character");
        let words: Vec<String> = ["a b", "c"].map(String::from).to_vec();
        assert_eq!(split(&join(&words)).unwrap(), words);
    }
}
