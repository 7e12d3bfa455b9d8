//! Command-line parsing the way Juju's hook tools do it (juju/gnuflag): `--name value`,
//! `--name=value`, `-n value`, Go's single-dash long form `-format`, boolean flags with an optional
//! `=true|false|True|False|1|0` value, flags interspersed with positionals, and `--` ending flags.
//! An undeclared flag is a usage error (exit 2): `option provided but not defined: -x` (juju/cmd
//! words gnuflag's errors with "option", as Juju's hook-tool tests expect).

use super::fail::Fail;
use crate::format::Format;

/// One flag a tool declares.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Flag {
    /// Long name (`format`).
    pub long: &'static str,
    /// Short name (`r`), if any.
    pub short: Option<char>,
    /// Whether the flag takes a value (else it is boolean).
    pub value: bool,
}

/// Shorthand for a flag with a value.
pub(crate) const fn val(long: &'static str, short: Option<char>) -> Flag {
    Flag { long, short, value: true }
}

/// Shorthand for a boolean flag.
pub(crate) const fn switch(long: &'static str, short: Option<char>) -> Flag {
    Flag { long, short, value: false }
}

/// The common `--format` flag.
pub(crate) const FORMAT: Flag = val("format", None);

/// Parsed arguments.
#[derive(Debug, Default)]
pub(crate) struct Args {
    flags: Vec<(&'static str, String)>,
    /// Long names of the flags last given by their short name (`-r`).
    by_short: Vec<(&'static str, char)>,
    /// Positional arguments, in order.
    pub pos: Vec<String>,
}

impl Args {
    /// Parses `args` against `spec`.
    pub(crate) fn parse(args: &[String], spec: &[Flag]) -> Result<Args, Fail> {
        let mut out = Args::default();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            if arg == "--" {
                out.pos.extend(it.by_ref().cloned());
                break;
            }
            let Some(body) = arg.strip_prefix('-').filter(|b| !b.is_empty()) else {
                out.pos.push(arg.clone());
                continue;
            };
            let double = body.starts_with('-');
            let body = body.strip_prefix('-').unwrap_or(body);
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (body, None),
            };
            let flag = spec.iter().find(|f| {
                f.long == name || (name.chars().count() == 1 && f.short == name.chars().next())
            });
            let Some(flag) = flag else {
                let dash = if double { "--" } else { "-" };
                return Err(Fail::Usage(format!("option provided but not defined: {dash}{name}")));
            };
            let value = if flag.value {
                match inline {
                    Some(v) => v,
                    None => it
                        .next()
                        .cloned()
                        .ok_or_else(|| Fail::Usage(format!("option needs an argument: {arg}")))?,
                }
            } else {
                match inline.as_deref() {
                    None => "true".to_owned(),
                    Some(v) => parse_bool(v)
                        .ok_or_else(|| {
                            Fail::Usage(format!("invalid boolean value {v:?} for {arg}"))
                        })?
                        .to_string(),
                }
            };
            out.flags.retain(|(n, _)| *n != flag.long);
            out.flags.push((flag.long, value));
            out.by_short.retain(|(n, _)| *n != flag.long);
            if let Some(c) = flag.short.filter(|_| flag.long != name) {
                out.by_short.push((flag.long, c));
            }
        }
        Ok(out)
    }

    /// The value of a value flag, if given.
    pub(crate) fn get(&self, long: &str) -> Option<&str> {
        self.flags.iter().find(|(n, _)| *n == long).map(|(_, v)| v.as_str())
    }

    /// The flag as gnuflag names it in a bad value's message: `-r` if it was given by its short
    /// name, else `--relation` (whether typed with one dash or two).
    pub(crate) fn option_name(&self, long: &str) -> String {
        match self.by_short.iter().find(|(n, _)| *n == long) {
            Some((_, c)) => format!("-{c}"),
            None => format!("--{long}"),
        }
    }

    /// Whether a boolean flag is set (and not `=false`).
    pub(crate) fn on(&self, long: &str) -> bool {
        self.get(long) == Some("true")
    }

    /// The `--format` value, or `default`; json/smart/yaml only.
    pub(crate) fn format(&self, default: Format) -> Result<Format, Fail> {
        match self.get("format") {
            None => Ok(default),
            Some(f) => Format::parse(f).ok_or_else(|| {
                Fail::Usage(format!(
                    "invalid value {f:?} for option --format: unknown format {f:?}"
                ))
            }),
        }
    }

    /// Positional `i`, if present.
    pub(crate) fn arg(&self, i: usize) -> Option<&str> {
        self.pos.get(i).map(String::as_str)
    }

    /// Fails with Juju's `unrecognized args: [...]` if more than `n` positionals were given.
    pub(crate) fn at_most(&self, n: usize) -> Result<(), Fail> {
        if self.pos.len() > n {
            let rest: Vec<String> = self.pos[n..].iter().map(|a| format!("{a:?}")).collect();
            return Err(Fail::Usage(format!("unrecognized args: [{}]", rest.join(" "))));
        }
        Ok(())
    }
}

/// Go's `strconv.ParseBool`.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn flags_interspersed_with_positionals_and_both_format_forms() {
        let spec = [FORMAT, switch("app", None), val("relation", Some('r'))];
        let a = Args::parse(&s(&["-", "--format", "json", "x/0", "-r", "db:1", "--app"]), &spec)
            .unwrap();
        assert_eq!(a.pos, s(&["-", "x/0"]));
        assert_eq!(a.get("format"), Some("json"));
        assert_eq!(a.get("relation"), Some("db:1"));
        assert!(a.on("app"));
        let b = Args::parse(&s(&["--format=json", "-format", "yaml"]), &spec).unwrap();
        assert_eq!(b.get("format"), Some("yaml"));
    }

    #[test]
    fn double_dash_ends_flags_and_bool_values_are_go_bools() {
        let spec = [switch("application", None)];
        let a = Args::parse(&s(&["--application=False", "--", "--not-a-flag"]), &spec).unwrap();
        assert!(!a.on("application"));
        assert_eq!(a.pos, s(&["--not-a-flag"]));
    }

    #[test]
    fn unknown_flag_is_usage_error() {
        let err = Args::parse(&s(&["-x"]), &[]).unwrap_err();
        assert_eq!(err, Fail::Usage("option provided but not defined: -x".into()));
        let err = Args::parse(&s(&["--bogus=1"]), &[]).unwrap_err();
        assert_eq!(err, Fail::Usage("option provided but not defined: --bogus".into()));
    }
}
