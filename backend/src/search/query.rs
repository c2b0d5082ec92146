//! The search syntax: words (each matches as a prefix once it has three letters), `"exact
//! phrases"`, `-word` to leave records out, `or` between alternatives and `type:deal` to look in
//! one kind of record. It becomes a PostgreSQL `tsquery` whose every word is quoted, so no input
//! can be read as tsquery syntax.

use super::dto::SearchType;
use crate::db::like_contains;
use crate::error::FieldError;

/// The longest query accepted, in characters.
pub const MAX_CHARS: usize = 200;

/// A parsed query, ready for SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    /// The `tsquery` text (`to_tsquery('simple', rapport_unaccent(…))`).
    pub tsquery: String,
    /// The words looked for, lower-case and space-separated (names compared with it).
    pub text: String,
    /// `%text%` with LIKE's wildcards escaped, for a single word of three characters or more:
    /// matches parts of emails, phones and domains.
    pub like: Option<String>,
    /// `text%`, escaped: a name starting with the query.
    pub prefix: String,
    /// `% text%`, escaped: a name with a later word starting with the query.
    pub word_prefix: String,
    /// A single word shorter than three characters: matched as a name prefix only.
    pub short: bool,
    /// Several words, the last a single letter (`grace t`): a list also matches the names
    /// starting with the text, as a name is typed up to its last word's first letter (the
    /// letter alone is matched as a whole word, which a name seldom holds). Not with `-word`s,
    /// which the names' range could not leave out.
    pub initial: bool,
    /// One word of three characters or more and nothing else (no phrase, `-word` or `or`): the
    /// folded text containing it finds every record its prefix query finds, and more (parts of
    /// emails and phones), so `like` alone decides what matches.
    pub plain: bool,
    /// The first alternative's `-word`s as tsquery text (` & !'word':*` each), kept by the typo
    /// pass, which looks for look-alikes of the first alternative's words; empty when none.
    pub excluded: String,
    /// The words, folded as the database folds them (for highlighting).
    pub words: Vec<String>,
    /// For a query without `or`: each word or phrase it requires, as (tsquery text, a `LIKE`
    /// pattern of the words it matches, folded). A large table's text index is read for the rare
    /// ones only, whose frequency the database's statistics give by these patterns (see
    /// `search::store`). `None` for a query with `or`.
    pub anchors: Option<Vec<(String, String)>>,
    /// For a list: the anchors in so few rows that its text index is read for them alone, each
    /// row found checked against the whole query (tsquery text, set by
    /// `search::store::list_index_words`); `None` reads the index for the whole query.
    pub index: Option<String>,
    /// Kinds named with `type:`; empty means every kind.
    pub types: Vec<SearchType>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Word(String),
    Phrase(Vec<String>),
}

fn has_alnum(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\\', "\\\\").replace('\'', "''"))
}

fn type_named(name: &str) -> Option<SearchType> {
    Some(match name {
        "contact" | "contacts" | "person" | "people" => SearchType::Contact,
        "company" | "companies" => SearchType::Company,
        "deal" | "deals" => SearchType::Deal,
        "interaction" | "interactions" | "activity" => SearchType::Interaction,
        "template" | "templates" => SearchType::Template,
        "product" | "products" => SearchType::Product,
        _ => return None,
    })
}

/// Lower-cases and drops accents the way the database's `unaccent` does for Latin scripts.
pub fn fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        match c {
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'đ' | 'Đ' => out.push('d'),
            'ł' | 'Ł' => out.push('l'),
            'ı' => out.push('i'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Refuses a query that is too long or holds NUL.
fn check(raw: &str) -> Result<(), FieldError> {
    if raw.chars().count() > MAX_CHARS {
        return Err(FieldError::new(
            "q",
            format!("must be at most {MAX_CHARS} characters long"),
        ));
    }
    if raw.contains('\0') {
        return Err(FieldError::new("q", "must not contain NUL characters"));
    }
    Ok(())
}

/// Parses a search query (`q`); `q` is the field named in errors.
pub fn parse(raw: Option<&str>) -> Result<Matcher, FieldError> {
    let raw = raw.map(str::trim).unwrap_or("");
    if raw.is_empty() {
        return Err(FieldError::new("q", "is required: the words to look for"));
    }
    check(raw)?;
    words(raw)
}

/// Parses a list's `q`: the same matching as search, but a list is not refused for what is typed
/// on the way to a query: text without a word to look for (`%_`, `-`) is looked for as it is,
/// inside names, emails and phones; `type:` is ignored; empty text filters nothing. Too long or
/// NUL is still refused.
pub fn parse_filter(raw: Option<&str>) -> Result<Option<Matcher>, FieldError> {
    let raw = raw.map(str::trim).unwrap_or("");
    if raw.is_empty() {
        return Ok(None);
    }
    check(raw)?;
    Ok(Some(words(raw).unwrap_or_else(|_| {
        let text = raw.to_lowercase();
        let escaped = like_contains(&text);
        let inner = escaped[1..escaped.len() - 1].to_owned();
        Matcher {
            tsquery: String::new(),
            like: Some(escaped),
            prefix: format!("{inner}%"),
            word_prefix: format!("% {inner}%"),
            short: false,
            initial: false,
            plain: true,
            excluded: String::new(),
            words: vec![fold(&text)],
            anchors: None,
            index: None,
            text,
            types: Vec::new(),
        }
    })))
}

fn words(raw: &str) -> Result<Matcher, FieldError> {
    // Control characters separate words, as spaces do (the database's parser splits on them too,
    // so kept inside a word they would turn one short word into a broader prefix).
    let lower: String = raw
        .to_lowercase()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    // Groups separated by `or`; each a list of (negated, term).
    let mut groups: Vec<Vec<(bool, Term)>> = Vec::new();
    let mut current: Vec<(bool, Term)> = Vec::new();
    let mut types = Vec::new();
    let mut chars = lower.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else { break };
        let mut negated = false;
        if first == '-' {
            chars.next();
            negated = true;
            if chars.peek().is_none_or(|c| c.is_whitespace()) {
                continue;
            }
        }
        if chars.next_if_eq(&'"').is_some() {
            let mut phrase = String::new();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                phrase.push(c);
            }
            let words: Vec<String> = phrase
                .split_whitespace()
                .filter(|w| has_alnum(w))
                .map(str::to_owned)
                .collect();
            match words.len() {
                0 => {}
                1 => current.push((negated, Term::Word(words[0].clone()))),
                _ => current.push((negated, Term::Phrase(words))),
            }
            continue;
        }
        let mut word = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
            word.push(c);
        }
        if !negated && word == "or" {
            if !current.is_empty() {
                groups.push(std::mem::take(&mut current));
            }
            continue;
        }
        if let Some(names) = word.strip_prefix("type:") {
            for name in names.split(',').filter(|n| !n.is_empty()) {
                match type_named(name) {
                    Some(t) if !types.contains(&t) => types.push(t),
                    Some(_) => {}
                    None => {
                        return Err(FieldError::new(
                            "q",
                            format!(
                                "type:{name} is not a kind of record; use one of: {}",
                                SearchType::choices()
                            ),
                        ));
                    }
                }
            }
            continue;
        }
        if has_alnum(&word) {
            current.push((negated, Term::Word(word)));
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    if groups.is_empty() {
        return Err(FieldError::new(
            "q",
            "must contain a word to look for (letters or digits)",
        ));
    }
    if groups.iter().any(|g| g.iter().all(|(negated, _)| *negated)) {
        return Err(FieldError::new(
            "q",
            "must contain a word to look for, not only words to leave out (-word)",
        ));
    }
    let positives: Vec<&str> = groups[0]
        .iter()
        .filter(|(negated, _)| !negated)
        .flat_map(|(_, t)| match t {
            Term::Word(w) => vec![w.as_str()],
            Term::Phrase(ws) => ws.iter().map(String::as_str).collect(),
        })
        .collect();
    let several = positives.len() > 1;
    let plain = groups.len() == 1 && matches!(groups[0].as_slice(), [(false, Term::Word(w))] if w.chars().count() >= 3);
    let prefix_of = |w: &str| {
        let n = w.chars().count();
        n >= 3 || (n == 2 && several)
    };
    let term = |negated: bool, term: &Term| {
        let body = match term {
            Term::Word(w) if prefix_of(w) => format!("{}:*", quote(w)),
            Term::Word(w) => quote(w),
            Term::Phrase(ws) => {
                format!("({})", ws.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" <-> "))
            }
        };
        if negated { format!("!{body}") } else { body }
    };
    let tsquery = groups
        .iter()
        .map(|g| {
            let parts: Vec<String> = g.iter().map(|(negated, t)| term(*negated, t)).collect();
            format!("({})", parts.join(" & "))
        })
        .collect::<Vec<_>>()
        .join(" | ");
    let excluded: String = groups[0]
        .iter()
        .filter(|(negated, _)| *negated)
        .map(|(_, t)| format!(" & {}", term(true, t)))
        .collect();
    let anchors = (groups.len() == 1).then(|| {
        let like = |w: &str| {
            let escaped = like_contains(&fold(w));
            escaped[1..escaped.len() - 1].to_owned()
        };
        groups[0]
            .iter()
            .filter(|(negated, _)| !negated)
            .map(|(_, t)| {
                let pattern = match t {
                    Term::Word(w) if prefix_of(w) => format!("{}%", like(w)),
                    Term::Word(w) => like(w),
                    // A phrase is as rare as its rarest word; its longest stands for it.
                    Term::Phrase(ws) => like(ws.iter().max_by_key(|w| w.chars().count()).map_or("", String::as_str)),
                };
                (term(false, t), pattern)
            })
            .collect()
    });
    let text = positives.join(" ");
    let escaped = like_contains(&text);
    let inner = &escaped[1..escaped.len() - 1];
    let all_words: Vec<String> = groups
        .iter()
        .flatten()
        .filter(|(negated, _)| !negated)
        .flat_map(|(_, t)| match t {
            Term::Word(w) => vec![fold(w)],
            Term::Phrase(ws) => ws.iter().map(|w| fold(w)).collect(),
        })
        .collect();
    Ok(Matcher {
        tsquery,
        // One word: parts of emails, phones and domains. Several words are matched as words.
        like: (positives.len() == 1 && text.chars().count() >= 3).then(|| escaped.clone()),
        prefix: format!("{inner}%"),
        word_prefix: format!("% {inner}%"),
        short: positives.len() == 1 && text.chars().count() < 3,
        initial: positives.len() > 1
            && groups.len() == 1
            && groups[0].iter().all(|(negated, _)| !negated)
            && matches!(groups[0].last(), Some((false, Term::Word(w))) if w.chars().count() == 1),
        plain,
        excluded,
        text,
        words: all_words,
        anchors,
        index: None,
        types,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(q: &str) -> String {
        parse(Some(q)).unwrap().tsquery
    }

    #[test]
    fn a_last_word_of_one_letter_after_others_is_a_name_being_typed() {
        let m = parse_filter(Some("Grace T")).unwrap().unwrap();
        assert!(m.initial);
        assert_eq!((m.text.as_str(), m.prefix.as_str()), ("grace t", "grace t%"));
        assert!(parse(Some("ada lovelace b")).unwrap().initial);
        // Two letters are a prefix already; one letter alone, first, left out or in an
        // alternative is not a name being typed.
        for q in [
            "grace th",
            "t",
            "t grace",
            "grace -t",
            "grace t or ada",
            "grace -tanaka t",
        ] {
            assert!(!parse(Some(q)).unwrap().initial, "{q}");
        }
    }

    #[test]
    fn exclusions_of_the_first_alternative_are_kept_for_the_typo_pass() {
        assert_eq!(
            parse(Some("acme -renewal -\"old deal\"")).unwrap().excluded,
            " & !'renewal':* & !('old' <-> 'deal')"
        );
        assert_eq!(parse(Some("acme")).unwrap().excluded, "");
        assert_eq!(parse(Some("acme or foo -bar")).unwrap().excluded, "");
    }

    #[test]
    fn words_become_quoted_prefixes() {
        assert_eq!(ts("jon smth"), "('jon':* & 'smth':*)");
        assert_eq!(ts("Ada"), "('ada':*)");
        assert_eq!(ts("jo"), "('jo')");
        assert_eq!(ts("jo sm"), "('jo':* & 'sm':*)");
        assert_eq!(ts("a b"), "('a' & 'b')");
    }

    #[test]
    fn phrases_negations_and_alternatives() {
        assert_eq!(ts("\"acme corp\" -lost"), "(('acme' <-> 'corp') & !'lost':*)");
        assert_eq!(ts("ada or grace"), "('ada':*) | ('grace':*)");
        assert_eq!(ts("or ada or"), "('ada':*)");
    }

    #[test]
    fn syntax_characters_are_quoted_not_interpreted() {
        assert_eq!(ts("o'brien"), "('o''brien':*)");
        assert_eq!(ts("a\\b & | ! :*"), "('a\\\\b':*)");
        assert_eq!(ts("x:*y"), "('x:*y':*)");
    }

    #[test]
    fn the_words_a_query_requires_are_its_anchors() {
        let anchors = |q: &str| parse(Some(q)).unwrap().anchors;
        let pairs = |v: &[(&str, &str)]| {
            Some(
                v.iter()
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(anchors("Tim Tho"), pairs(&[("'tim':*", "tim%"), ("'tho':*", "tho%")]));
        assert_eq!(anchors("a b"), pairs(&[("'a'", "a"), ("'b'", "b")]));
        assert_eq!(
            anchors("\"ada lovelace\" -smith 50%"),
            pairs(&[("('ada' <-> 'lovelace')", "lovelace"), ("'50%':*", "50\\%%")])
        );
        assert_eq!(anchors("José"), pairs(&[("'josé':*", "jose%")]));
        assert_eq!(anchors("ada or grace"), None);
    }

    #[test]
    fn type_filters() {
        let m = parse(Some("type:deal,contacts renewal")).unwrap();
        assert_eq!(m.types, vec![SearchType::Deal, SearchType::Contact]);
        assert_eq!(m.text, "renewal");
        assert!(parse(Some("type:unicorn x")).is_err());
    }

    #[test]
    fn bad_queries_are_refused() {
        for q in ["", "   ", "!!!", "-", "- -", "-foo", "\"\"", "type:deal"] {
            assert!(parse(Some(q)).is_err(), "{q:?} should be refused");
        }
        assert!(parse(None).is_err());
        assert!(parse(Some(&"a".repeat(201))).is_err());
        assert!(parse(Some(&"a".repeat(200))).is_ok());
    }

    #[test]
    fn list_filters_are_lenient_while_typing() {
        assert_eq!(parse_filter(Some("  ")).unwrap(), None);
        let m = parse_filter(Some("%_")).unwrap().unwrap();
        assert_eq!((m.tsquery.as_str(), m.like.as_deref()), ("", Some("%\\%\\_%")));
        assert!(parse_filter(Some("type:unicorn")).unwrap().is_some());
        assert!(parse_filter(Some("ada")).unwrap().is_some());
        assert!(parse_filter(Some(&"a".repeat(201))).is_err());
        assert!(parse_filter(Some("a\0b")).is_err());
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        let m = parse(Some("50%_off")).unwrap();
        assert_eq!(m.like.as_deref(), Some("%50\\%\\_off%"));
        assert_eq!(m.prefix, "50\\%\\_off%");
        assert!(!m.short);
        assert!(parse(Some("jo")).unwrap().short);
        assert_eq!(parse(Some("jo")).unwrap().like, None);
    }

    #[test]
    fn folding_matches_unaccent() {
        assert_eq!(fold("José Muñoz"), "jose munoz");
        assert_eq!(fold("Straße Ærø"), "strasse aero");
    }
}
