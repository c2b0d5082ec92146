//! The template language: `{{ path }}` or `{{ path | fallback }}`, where `path` is
//! `contact.first_name`, `company.name`, …. Pure code, no I/O.

use std::collections::BTreeMap;

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Var { name: String, fallback: Option<String> },
}

/// Why a template does not parse, with the character position (0-based) where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub position: usize,
    pub message: String,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .split('.')
            .all(|seg| !seg.is_empty() && seg.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
}

pub fn parse(template: &str) -> Result<Vec<Part>, ParseError> {
    let mut parts = Vec::new();
    let mut rest = template;
    let mut offset = 0;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            parts.push(Part::Text(rest[..open].to_owned()));
        }
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            return Err(ParseError {
                position: template[..offset + open].chars().count(),
                message: "has a '{{' that is never closed with '}}'".into(),
            });
        };
        let inner = &after[..close];
        if inner.contains("{{") {
            return Err(ParseError {
                position: template[..offset + open].chars().count(),
                message: "has a '{{' that is never closed with '}}'".into(),
            });
        }
        let (name, fallback) = match inner.split_once('|') {
            Some((n, f)) => (n.trim(), Some(f.trim().to_owned())),
            None => (inner.trim(), None),
        };
        if !valid_name(name) {
            return Err(ParseError {
                position: template[..offset + open].chars().count(),
                message: format!("has an invalid variable '{{{{{inner}}}}}': use names like contact.first_name"),
            });
        }
        parts.push(Part::Var {
            name: name.to_owned(),
            fallback,
        });
        let consumed = open + 2 + close + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_owned()));
    }
    Ok(parts)
}

/// The result of filling a template.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rendered {
    pub text: String,
    /// Variables the renderer does not know (typos): left as written.
    pub unknown: Vec<String>,
    /// Known variables with no value for this record (and no fallback).
    pub empty: Vec<String>,
}

/// Fills a parsed template from `values` (known variable → value, empty when unset).
pub fn fill(parts: &[Part], values: &BTreeMap<&str, String>) -> Rendered {
    let mut out = Rendered::default();
    for part in parts {
        match part {
            Part::Text(t) => out.text.push_str(t),
            Part::Var { name, fallback } => match values.get(name.as_str()) {
                None => {
                    out.text.push_str(&format!("{{{{{name}}}}}"));
                    if !out.unknown.contains(name) {
                        out.unknown.push(name.clone());
                    }
                }
                Some(v) if !v.is_empty() => out.text.push_str(v),
                Some(_) => match fallback {
                    Some(f) => out.text.push_str(f),
                    None => {
                        if !out.empty.contains(name) {
                            out.empty.push(name.clone());
                        }
                    }
                },
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> BTreeMap<&'static str, String> {
        BTreeMap::from([
            ("contact.first_name", "Ada".to_owned()),
            ("company.name", String::new()),
        ])
    }

    #[test]
    fn fills_variables_and_fallbacks() {
        let parts = parse("Hi {{ contact.first_name }}, how is {{company.name | your team}}?").unwrap();
        let r = fill(&parts, &values());
        assert_eq!(r.text, "Hi Ada, how is your team?");
        assert!(r.unknown.is_empty() && r.empty.is_empty());
    }

    #[test]
    fn reports_unknown_and_empty_variables() {
        let parts = parse("{{contact.frist_name}} at {{company.name}}").unwrap();
        let r = fill(&parts, &values());
        assert_eq!(r.text, "{{contact.frist_name}} at ");
        assert_eq!(r.unknown, vec!["contact.frist_name"]);
        assert_eq!(r.empty, vec!["company.name"]);
    }

    #[test]
    fn rejects_broken_templates_with_a_position() {
        let e = parse("Hello {{contact.first_name").unwrap_err();
        assert_eq!(e.position, 6);
        assert!(e.message.contains("never closed"));
        assert!(parse("a {{ b {{c}}").is_err());
        assert!(
            parse("{{ Contact Name }}")
                .unwrap_err()
                .message
                .contains("invalid variable")
        );
        assert!(parse("{{}}").is_err());
        assert_eq!(
            parse("no variables, just } and {").unwrap(),
            vec![Part::Text("no variables, just } and {".into())]
        );
        assert_eq!(parse("é{{x}").unwrap_err().position, 1, "positions count characters");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A piece of a template as a person writes it.
    #[derive(Debug, Clone)]
    enum Piece {
        Text(String),
        Var(String, Option<String>),
    }

    fn piece() -> impl Strategy<Value = Piece> {
        prop_oneof![
            "[^{}]{1,20}".prop_map(Piece::Text),
            ("[a-z_]{1,8}(\\.[a-z_]{1,8}){0,2}", proptest::option::of("[^{}|]{0,12}"))
                .prop_map(|(n, f)| Piece::Var(n, f)),
        ]
    }

    proptest! {
        #[test]
        fn any_text_parses_or_is_refused_without_panicking(text in any::<String>()) {
            if let Err(e) = parse(&text) {
                prop_assert!(e.position <= text.chars().count());
            }
        }

        #[test]
        fn text_without_braces_renders_as_itself(text in "[^{}]*") {
            let parts = parse(&text).unwrap();
            prop_assert_eq!(fill(&parts, &BTreeMap::new()).text, text);
        }

        #[test]
        fn a_written_template_parses_back_and_fills_in_order(
            pieces in proptest::collection::vec(piece(), 0..8),
            value in "[^{}]{0,10}",
        ) {
            let mut source = String::new();
            let mut expected = String::new();
            let mut names = Vec::new();
            for p in &pieces {
                match p {
                    Piece::Text(t) => {
                        source.push_str(t);
                        expected.push_str(t);
                    }
                    Piece::Var(n, f) => {
                        match f {
                            Some(f) => source.push_str(&format!("{{{{ {n} | {f} }}}}")),
                            None => source.push_str(&format!("{{{{{n}}}}}")),
                        }
                        expected.push_str(match (value.is_empty(), f) {
                            (false, _) => &value,
                            (true, Some(f)) => f.trim(),
                            (true, None) => "",
                        });
                        names.push(n.clone());
                    }
                }
            }
            let parts = parse(&source).unwrap();
            let values: BTreeMap<&str, String> = names.iter().map(|n| (n.as_str(), value.clone())).collect();
            let rendered = fill(&parts, &values);
            prop_assert_eq!(rendered.text, expected);
            prop_assert!(rendered.unknown.is_empty());
        }
    }
}
