//! Runs a search and shapes its hits: links into the web app and highlighted snippets.

use diesel_async::AsyncPgConnection;

use super::dto::{SearchHit, SearchResults, SearchType, SnippetPart};
use super::query::{Matcher, fold};
use super::store::{self, HitRow};
use crate::db::WorkspaceId;
use crate::error::AppResult;

/// Characters of a snippet around its first match.
const SNIPPET_CHARS: usize = 180;
/// Characters kept before the first match.
const LEAD_CHARS: usize = 50;

/// Decides which words of a list's `q` on `table` its text index is read for (see
/// `store::list_index_words`), once per list, before its page and its total are read.
pub async fn narrow(conn: &mut AsyncPgConnection, table: &'static str, q: &mut Option<Matcher>) -> AppResult<()> {
    if let Some(m) = q {
        m.index = store::list_index_words(conn, table, m).await?;
    }
    Ok(())
}

/// Begins a bulk write's index upkeep in the caller's transaction: the text-search and trigram
/// indexes take its entries into their pending lists, and [`merge_pending`] merges them at its end.
pub async fn defer_index_merges(conn: &mut AsyncPgConnection) -> AppResult<()> {
    Ok(store::defer_index_merges(conn).await?)
}

/// Merges what a bulk write left in `table`'s index pending lists (see [`defer_index_merges`]).
pub async fn merge_pending(conn: &mut AsyncPgConnection, table: &'static str) -> AppResult<()> {
    Ok(store::merge_pending(conn, table).await?)
}

/// The hits of a query, best first: the kinds named in the query (`type:`) or asked for, else all.
pub async fn search(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    m: &Matcher,
    types: &[SearchType],
    limit: i64,
) -> AppResult<SearchResults> {
    let kinds: Vec<SearchType> = if !m.types.is_empty() {
        m.types
            .iter()
            .copied()
            .filter(|t| types.is_empty() || types.contains(t))
            .collect()
    } else if !types.is_empty() {
        types.to_vec()
    } else {
        SearchType::ALL.to_vec()
    };
    if kinds.is_empty() {
        return Ok(SearchResults { items: Vec::new() });
    }
    let rows = store::search(conn, workspace, &kinds, m, limit).await?;
    Ok(SearchResults {
        items: rows.into_iter().filter_map(|r| hit(r, &m.words)).collect(),
    })
}

fn hit(r: HitRow, words: &[String]) -> Option<SearchHit> {
    let kind: SearchType = r.kind.parse().ok()?;
    let link = match kind {
        SearchType::Contact => format!("/contacts/{}", r.id),
        SearchType::Company => format!("/companies/{}", r.id),
        SearchType::Deal => format!("/deals/{}", r.id),
        SearchType::Interaction => match r.parent_id {
            Some(contact) => format!("/contacts/{contact}#interaction-{}", r.id),
            None => return None,
        },
        SearchType::Template => format!("/templates?id={}", r.id),
        SearchType::Product => format!("/products?id={}", r.id),
    };
    Some(SearchHit {
        kind,
        id: r.id,
        snippet: r.snippet.as_deref().map(|s| snippet(s, words)).unwrap_or_default(),
        title: r.title,
        subtitle: r.subtitle,
        link,
        contact_id: r.parent_id,
        score: (r.score * 1000.0).round() / 1000.0,
    })
}

/// Whether a word (as written) is one the query looks for: its folded form starts with a query
/// word, or a query word of three characters or more occurs in it (parts of emails and phones).
fn matches(word: &str, words: &[String]) -> bool {
    let folded = fold(word);
    words
        .iter()
        .any(|w| folded.starts_with(w.as_str()) || (w.chars().count() >= 3 && folded.contains(w.as_str())))
}

/// The text around the first matching word, whitespace collapsed, in pieces with the matching
/// words highlighted; the start of the text when nothing in it matches.
pub fn snippet(text: &str, words: &[String]) -> Vec<SnippetPart> {
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Vec::new();
    }
    // Words: runs of letters, digits and the characters of emails, phones and URLs.
    let is_word = |c: char| c.is_alphanumeric() || matches!(c, '@' | '.' | '+' | '-' | '_' | '\'');
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut spans: Vec<(usize, usize, bool)> = Vec::new(); // (start char, end char, is a match)
    let mut i = 0;
    while i < chars.len() {
        if is_word(chars[i].1) {
            let start = i;
            while i < chars.len() && is_word(chars[i].1) {
                i += 1;
            }
            let word: String = chars[start..i].iter().map(|(_, c)| c).collect();
            spans.push((start, i, matches(&word, words)));
        } else {
            i += 1;
        }
    }
    let first = spans.iter().find(|s| s.2).map(|s| s.0).unwrap_or(0);
    let mut from = first.saturating_sub(LEAD_CHARS);
    // Start at a word boundary.
    if from > 0 {
        from = spans
            .iter()
            .map(|s| s.0)
            .find(|&s| s >= from && s <= first)
            .unwrap_or(first);
    }
    let to = (from + SNIPPET_CHARS).min(chars.len());
    let to = if to < chars.len() {
        spans
            .iter()
            .map(|s| s.1)
            .filter(|&e| e <= to && e > first)
            .max()
            .unwrap_or(to)
    } else {
        to
    };
    let byte = |c: usize| chars.get(c).map_or(text.len(), |(b, _)| *b);
    let mut parts: Vec<SnippetPart> = Vec::new();
    let mut push = |s: &str, highlight: bool| {
        if s.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some(last) if last.highlight == highlight => last.text.push_str(s),
            _ => parts.push(SnippetPart {
                text: s.to_owned(),
                highlight,
            }),
        }
    };
    if from > 0 {
        push("…", false);
    }
    let mut at = from;
    for &(s, e, hit) in spans.iter().filter(|s| s.2 && s.0 >= from && s.1 <= to) {
        push(&text[byte(at)..byte(s)], false);
        push(&text[byte(s)..byte(e)], hit);
        at = e;
    }
    push(&text[byte(at)..byte(to)], false);
    if to < chars.len() {
        push("…", false);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(parts: &[SnippetPart]) -> String {
        parts
            .iter()
            .map(|p| {
                if p.highlight {
                    format!("[{}]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn highlights_prefixes_accents_and_parts() {
        let w = vec!["jose".to_owned(), "exam".to_owned()];
        assert_eq!(
            show(&snippet("Met José at the   office; jose@example.com", &w)),
            "Met [José] at the office; [jose@example.com]"
        );
    }

    #[test]
    fn long_text_is_cut_around_the_first_match() {
        let text = format!(
            "{} renewal terms agreed {}",
            "lorem ipsum ".repeat(40),
            "dolor sit ".repeat(40)
        );
        let s = show(&snippet(&text, &["renew".to_owned()]));
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("[renewal] terms agreed"), "{s}");
        assert!(s.chars().count() < SNIPPET_CHARS + 10, "{s}");
    }

    #[test]
    fn no_match_gives_the_start() {
        let s = show(&snippet("Short note", &["zzz".to_owned()]));
        assert_eq!(s, "Short note");
        assert!(snippet("  ", &["a".to_owned()]).is_empty());
    }
}
