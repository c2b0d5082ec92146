//! The search statement: for each kind of record asked for, the records whose vector matches
//! the query's prefixes (or whose folded text contains the query, for contacts and companies),
//! scored and cut to the limit; when all kinds together have fewer matches than the limit, names
//! similar to the query (trigram similarity) fill in. One statement, merged by score.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::Untyped;
use diesel::sql_types::{Array, BigInt, Bool, Double, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::SearchType;
use super::query::Matcher;
use crate::db::WorkspaceId;

#[derive(Debug, QueryableByName)]
pub struct HitRow {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub subtitle: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub snippet: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub parent_id: Option<Uuid>,
    #[diesel(sql_type = Double)]
    pub score: f64,
}

/// How one kind of record is searched and shown (SQL over the alias `x`).
struct Kind {
    kind: SearchType,
    /// The table, whose `search_vector` statistics tell rare words from common ones.
    table: &'static str,
    /// The rows looked through (with what decides whether a row is live).
    from: &'static str,
    /// The rows shown (with what the title and subtitle need).
    show_from: &'static str,
    live: &'static str,
    title: &'static str,
    subtitle: &'static str,
    snippet: &'static str,
    parent: &'static str,
    /// The lower-cased name compared with the query; None when the kind has no name.
    name: Option<&'static str>,
    /// The name the other way round (a contact's last name first), kept in order by an index:
    /// a query that starts a last name reads those names in order too.
    name_reversed: Option<&'static str>,
    /// The column naming the record's company: a query that starts a company's name reads the
    /// records at the first such companies.
    company: Option<&'static str>,
    /// Whether `x.search_text` (folded, trigram-indexed) exists.
    text: bool,
    /// For a large table without names: the rows looked through as `from` has them, but only
    /// the 2,000 newest of the workspace, walked in order (see `rare_words`).
    recent: Option<&'static str>,
    /// Whether the kind's names feed the workspace's word list (`search_words`), which typos are
    /// corrected against; otherwise (small tables) names are compared with the query one by one.
    words: bool,
    touched: &'static str,
    weight: f64,
}

const CONTACT_NAME: &str = "trim(x.first_name || ' ' || x.last_name)";
/// As `contacts_name_reversed_idx` keeps it (migration `2026-12-06-000006_names_reversed`).
const CONTACT_NAME_REVERSED: &str = "lower(x.last_name || ' ' || x.first_name)";

const KINDS: &[Kind] = &[
    Kind {
        kind: SearchType::Contact,
        table: "contacts",
        from: "contacts x",
        show_from: "contacts x",
        live: "x.deleted_at IS NULL",
        title: CONTACT_NAME,
        subtitle: "nullif(concat_ws(' · ', x.job_title, x.company_name), '')",
        snippet: "nullif(concat_ws(' · ', nullif(rapport_join_text(x.emails), ''), nullif(rapport_join_text(x.phones), ''), x.location), '')",
        parent: "NULL::uuid",
        name: Some("x.sort_name"),
        name_reversed: Some(CONTACT_NAME_REVERSED),
        company: Some("x.company_id"),
        text: true,
        recent: None,
        words: true,
        touched: "greatest(x.updated_at, x.last_interaction_at)",
        weight: 0.3,
    },
    Kind {
        kind: SearchType::Company,
        table: "companies",
        from: "companies x",
        show_from: "companies x",
        live: "x.deleted_at IS NULL",
        title: "x.name",
        subtitle: "nullif(concat_ws(' · ', x.domain, x.industry, x.location), '')",
        snippet: "nullif(concat_ws(' · ', x.domain, x.industry, x.location), '')",
        parent: "NULL::uuid",
        name: Some("x.sort_name"),
        name_reversed: None,
        company: None,
        text: true,
        recent: None,
        words: true,
        touched: "x.updated_at",
        weight: 0.25,
    },
    Kind {
        kind: SearchType::Deal,
        table: "deals",
        from: "deals x",
        show_from: "deals x LEFT JOIN companies co ON co.id = x.company_id LEFT JOIN contacts ct ON ct.id = x.contact_id",
        live: "x.deleted_at IS NULL",
        title: "x.title",
        subtitle: "nullif(concat_ws(' · ', co.name, nullif(trim(ct.first_name || ' ' || ct.last_name), ''), x.status), '')",
        snippet: "left(x.notes, 4000)",
        parent: "NULL::uuid",
        name: Some("x.sort_title"),
        name_reversed: None,
        company: None,
        text: false,
        recent: None,
        words: true,
        touched: "x.updated_at",
        weight: 0.2,
    },
    Kind {
        kind: SearchType::Interaction,
        table: "interactions",
        from: "interactions x JOIN contacts ct ON ct.id = x.contact_id AND ct.deleted_at IS NULL",
        show_from: "interactions x JOIN contacts ct ON ct.id = x.contact_id",
        live: "TRUE",
        title: "coalesce(nullif(x.subject, ''), initcap(replace(x.kind, '_', ' ')) || ' with ' || trim(ct.first_name || ' ' || ct.last_name))",
        subtitle: "trim(ct.first_name || ' ' || ct.last_name) || ' · ' || to_char(x.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        snippet: "left(coalesce(nullif(x.body, ''), x.subject), 4000)",
        parent: "x.contact_id",
        name: None,
        name_reversed: None,
        company: None,
        text: false,
        recent: Some(
            "(SELECT i.id, i.workspace_id, i.contact_id, i.occurred_at, i.search_vector FROM interactions i \
              WHERE i.workspace_id = $1 ORDER BY i.occurred_at DESC, i.id DESC LIMIT 2000) x \
             JOIN contacts ct ON ct.id = x.contact_id AND ct.deleted_at IS NULL",
        ),
        words: false,
        touched: "x.occurred_at",
        weight: 0.0,
    },
    Kind {
        kind: SearchType::Template,
        table: "email_templates",
        from: "email_templates x",
        show_from: "email_templates x",
        live: "TRUE",
        title: "x.name",
        subtitle: "x.subject",
        snippet: "left(x.body, 4000)",
        parent: "NULL::uuid",
        name: Some("x.sort_name"),
        name_reversed: None,
        company: None,
        text: false,
        recent: None,
        words: false,
        touched: "x.updated_at",
        weight: 0.1,
    },
    Kind {
        kind: SearchType::Product,
        table: "products",
        from: "products x",
        show_from: "products x",
        live: "TRUE",
        title: "x.name",
        subtitle: "nullif(concat_ws(' · ', x.sku, x.category), '')",
        snippet: "left(x.description, 4000)",
        parent: "NULL::uuid",
        name: Some("x.sort_name"),
        name_reversed: None,
        company: None,
        text: false,
        recent: None,
        words: false,
        touched: "x.updated_at",
        weight: 0.1,
    },
];

/// The lists' `q` on `table` (`contacts` or `companies`), matching as search matches: word
/// prefixes (full-text index), parts of the folded text for a single word (trigram index), or,
/// for one or two letters, a name starting with them. (Search's look-alike names for typos are
/// its fallback when little matches; a list filter has no "little", and the similarity test on
/// every row would cost 3×.) Unlike search, a list keeps both conditions for a plain word: with
/// the folded text's alone, PostgreSQL sorts every match of a common word by date instead of
/// walking the newest contacts until a page matches (p99 21 → 43 ms at 100k contacts).
/// With `m.index` (see [`list_index_words`]) the full-text index is read for those words only
/// and each row found is checked against the whole query. With `m.initial` (`grace t`) names
/// starting with the text match too, read as a range of the name's btree index (the `LIKE`
/// beside it, kept off the names' trigram index, only guards collations where the range is
/// wider than the prefix).
pub fn list_condition<QS>(table: &'static str, m: &Matcher) -> Box<dyn BoxableExpression<QS, Pg, SqlType = Bool>> {
    // The folded text's part and the short names' part, after the words' part.
    macro_rules! rest {
        ($words:expr) => {
            Box::new(
                $words
                    .sql(&format!(" OR {table}.search_text LIKE rapport_unaccent("))
                    .bind::<Nullable<Text>, _>(m.like.clone())
                    .sql(") OR (")
                    .bind::<Bool, _>(m.short)
                    .sql(&format!(" AND {table}.sort_name LIKE "))
                    .bind::<Text, _>(m.prefix.clone())
                    .sql(") OR (")
                    .bind::<Bool, _>(m.initial)
                    .sql(&format!(" AND {table}.sort_name >= "))
                    .bind::<Text, _>(m.text.clone())
                    .sql(&format!(" AND {table}.sort_name < "))
                    .bind::<Text, _>(past_prefix(&m.text))
                    .sql(&format!(" AND ({table}.sort_name || '') LIKE "))
                    .bind::<Text, _>(m.prefix.clone())
                    .sql("))"),
            )
        };
    }
    let words = diesel::dsl::sql::<Bool>(&format!("({table}.search_vector @@ "));
    match &m.index {
        Some(index) => rest!(
            words
                .bind::<Text, _>(index.clone())
                .sql(&format!(
                    "::tsquery AND ({table}.search_vector || ''::tsvector) @@ to_tsquery('simple', rapport_unaccent("
                ))
                .bind::<Text, _>(m.tsquery.clone())
                .sql("))")
        ),
        None => rest!(
            words
                .sql("to_tsquery('simple', rapport_unaccent(")
                .bind::<Text, _>(m.tsquery.clone())
                .sql("))")
        ),
    }
}

#[derive(QueryableByName)]
struct IndexWords {
    #[diesel(sql_type = Nullable<Text>)]
    tsq: Option<String>,
    #[diesel(sql_type = BigInt)]
    words: i64,
}

/// For a list's `q` of several words on `table` (`contacts` or `companies`): the words in fewer
/// than `FEW_ROWS` of its rows by the table's statistics, as tsquery text, which its text index is
/// then read for alone. A word read among others makes the index gather every row it is in
/// before the rows of all the words are matched: `grace t` read `grace`'s 25,000 contacts at
/// 1M contacts for no match (10 ms), where `t` alone answers in 0.2 ms. When every word is in
/// more rows, the index is read for all of them (their rows are matched inside the index,
/// where checking one word's rows in the table would cost more). `None` then, when every word is
/// rare (the index is read for all of them anyway), and for a query of one word or with `or`.
pub async fn list_index_words(
    conn: &mut AsyncPgConnection,
    table: &'static str,
    m: &Matcher,
) -> QueryResult<Option<String>> {
    let anchors = match &m.anchors {
        // Two anchors are two positive words, so never the one-word `like` or `short` forms.
        Some(a) if a.len() >= 2 => a,
        _ => return Ok(None),
    };
    let row: IndexWords = diesel::sql_query(format!(
        "SELECT r.tsq::text AS tsq, r.words FROM ({}) r",
        rare_words(table, FEW_ROWS, ("$1", "$2"))
    ))
    .bind::<Array<Text>, _>(anchors.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(anchors.iter().map(|(_, p)| p.clone()).collect::<Vec<_>>())
    .get_result(conn)
    .await?;
    Ok(row.tsq.filter(|_| row.words < anchors.len() as i64))
}

/// Matching rows of one kind looked at for ranking, at most: the first `NAMED` names starting
/// with the query, in name order, and a sample of `CANDIDATES` other matches (a word matching a
/// large part of the workspace ranks a sample rather than every row: ranking is most of the
/// statement's time); look-alikes looked at for typos.
const NAMED: i64 = 50;
const CANDIDATES: i64 = 100;
const LOOK_ALIKES: i64 = 150;

/// For each word of the query (`$3`; letters only, three or more, as the word list keeps them)
/// that the workspace's list holds or has close words for (trigram similarity above pg_trgm's
/// threshold, 0.3): `(word | closest | …)`, its four closest words (itself first when it is
/// one). Whole words, not prefixes: the index finds an exact word by its entry, where a prefix
/// reads every entry it starts (3–4× slower on a large workspace). A word with nothing close is
/// left out, so "jon smth" still finds the Smiths (and ranks John first by the whole name).
/// Words are letters only, so they need no quoting inside the tsquery text. `best` is the
/// closest word alone, and `n` the word's place in the query.
const WORD_CHOICES: &str = "SELECT w.n, '(' || d.alts || ')' AS alts, d.best \
     FROM unnest(rapport_name_words($3)) WITH ORDINALITY AS w(word, n) \
     CROSS JOIN LATERAL (SELECT string_agg(c.word, ' | ') AS alts, (array_agg(c.word))[1] AS best FROM ( \
         SELECT s.word FROM search_words s WHERE s.workspace_id = $1 AND s.word % w.word \
         ORDER BY similarity(s.word, w.word) DESC, s.word LIMIT 4) c) d \
     WHERE d.alts IS NOT NULL";

/// A record's recency, from 0.5 (touched now) down: halves every ~62 days. The exponent is
/// capped, since exp() of a record dated centuries ago would underflow (an error in PostgreSQL,
/// not a zero).
const RECENCY: &str =
    "0.5 * exp(-least(700.0, greatest(0.0, extract(epoch FROM now() - c.touched))::float8 / 7776000.0))";

/// The live rows of a kind in the workspace, with what ranking reads (`WHERE` left open).
fn candidates(k: &Kind) -> String {
    candidates_from(k, k.from)
}

/// `candidates` among the rows of `from` (aliased `x`, as `k.from` is).
fn candidates_from(k: &Kind, from: &str) -> String {
    format!(
        "SELECT x.id, {name} AS name, x.search_vector AS sv, {touched} AS touched \
         FROM {from} CROSS JOIN q WHERE x.workspace_id = $1 AND {live}",
        name = k.name.unwrap_or("NULL::text"),
        touched = k.touched,
        live = k.live,
    )
}

/// Rows of a large table matching a word, above which its text index is not read for that word:
/// a GIN index builds the bitmap of every row a word (each word a prefix matches) is in before
/// the first row comes out — about 130 ns a row here, so 40,000 rows are 5 ms.
const COMMON_ROWS: i64 = 40_000;

/// Rows matching a word under which reading that word's index entries alone is enough: at most
/// about 1 ms of rows checked against the rest of the query.
const FEW_ROWS: i64 = 1_000;

/// Deals matching a word, at or above which a workspace whose names fill their walks takes its
/// deal hits from the deals of the people and companies found rather than from the deals' text
/// index (a bitmap of 1,000 deals costs about 0.5 ms; a name in 5,000 of 200,000 deals, 3.4 ms).
const LINKED_ROWS: i64 = 1_000;

/// The search statement's placeholders of the anchors' terms and patterns (see `rare_words`).
const ANCHORS: (&str, &str) = ("$11", "$12");

/// The query's required words (`$11`, tsquery texts, with `$12` the `LIKE` patterns of the words
/// each matches) that the statistics of `table`'s `search_vector` hold in fewer than
/// `COMMON_ROWS` of its rows, as one tsquery (`tsq`): what its text index is read for. NULL when
/// every word is common (interactions then walk their newest rows, where a common word is soon
/// found; the other kinds read the index for the whole query). The statistics hold the words in
/// more than about 0.1 % of the rows sampled; a word they do not hold counts as rare. A table
/// never analysed has no statistics: every word is rare.
/// When some word is in fewer than `FEW_ROWS` rows, only such words are read: their rows,
/// each checked against the whole query, cost less than another word's bitmap (`chlé lamarr`:
/// `lamarr`, in 22,750 of 1M contacts, was read beside `chlé`, in none, for 5 ms).
/// The statistics are read once (`st`), whatever the number of words. `below` is the number of
/// rows under which a word is rare (`COMMON_ROWS`, or `LINKED_ROWS` for deals). `params` are the
/// placeholders of the anchors' terms and patterns (`$11`, `$12` in the search statement).
fn rare_words(table: &str, below: i64, params: (&str, &str)) -> String {
    let (terms, patterns) = params;
    format!(
        "WITH st AS MATERIALIZED (SELECT s.most_common_elems::text::text[] AS elems, s.most_common_elem_freqs AS freqs, \
             (SELECT greatest(c.reltuples, 0) FROM pg_class c WHERE c.oid = '{table}'::regclass) AS total \
           FROM pg_stats s \
           WHERE s.schemaname = current_schema() AND s.tablename = '{table}' AND s.attname = 'search_vector') \
         SELECT to_tsquery('simple', rapport_unaccent(string_agg(w.term, ' & '))) AS tsq, count(*) AS words FROM ( \
           SELECT e.term, e.n, min(e.n) OVER () AS fewest FROM ( \
             SELECT a.term, coalesce((SELECT sum(e.freq) FROM unnest(st.elems, st.freqs) AS e(elem, freq) \
                 WHERE e.elem LIKE a.pattern) * st.total, 0) AS n \
             FROM unnest({terms}::text[], {patterns}::text[]) AS a(term, pattern) LEFT JOIN st ON TRUE) e) w \
         WHERE w.n < {below} AND (w.n < {FEW_ROWS} OR w.fewest >= {FEW_ROWS})"
    )
}

/// Walks of a kind's names in order, each stopping after `limit` rows that meet `filter`: the
/// names in `range(name)`, and (contacts) the names last name first in `range(reversed)` outside
/// the first range. `range` gives the condition that keeps an expression within the range, which
/// the expression's btree index scans.
fn name_walks(k: &Kind, name: &str, filter: &str, range: &dyn Fn(&str) -> String, limit: i64) -> Vec<String> {
    let candidates = candidates(k);
    let mut walks = vec![format!(
        "({candidates} AND {filter} AND {r} ORDER BY {name} LIMIT {limit})",
        r = range(name)
    )];
    if let Some(reversed) = k.name_reversed {
        walks.push(format!(
            "({candidates} AND {filter} AND {r} AND NOT ({outside}) ORDER BY {reversed} LIMIT {limit})",
            r = range(reversed),
            outside = range(name)
        ));
    }
    walks
}

/// The condition a row of a kind matches the query's words on. `indexed: false` writes the same
/// condition so that no index can answer it (`|| ''` on each column), for the names read in
/// name order: there the name's btree range, walked in order, must stop after the first
/// matches, where a bitmap of the GIN indexes would first read every record matching the words
/// (at 1M contacts, 24,909 for `oliv` and 489 ms instead of 0.3 ms).
fn matches(k: &Kind, m: &Matcher, indexed: bool) -> String {
    let (text, vector) = if indexed {
        ("x.search_text", "x.search_vector")
    } else {
        ("(x.search_text || '')", "(x.search_vector || ''::tsvector)")
    };
    if k.text && m.plain {
        return format!("{text} LIKE rapport_unaccent($4)");
    }
    let mut matches = format!("{vector} @@ q.tsq");
    if k.text && m.like.is_some() {
        matches.push_str(&format!(" OR {text} LIKE rapport_unaccent($4)"));
    }
    if let (Some(n), true) = (k.name, m.short) {
        if indexed {
            matches.push_str(&format!(" OR {n} LIKE $5"));
        } else {
            matches.push_str(&format!(" OR ({n} || '') LIKE $5"));
        }
    }
    matches
}

/// For deals, when the people or companies searched too have name walks: the condition that
/// those walks found at least `NAMED` records, and the condition that a deal belongs to one of
/// them. None for other kinds, when neither is searched, or for a query without anchors.
fn linked(k: &Kind, kinds: &[SearchType], m: &Matcher) -> Option<(String, String)> {
    if k.kind != SearchType::Deal || m.anchors.as_ref().is_none_or(|a| a.is_empty()) {
        return None;
    }
    let mut found = Vec::new();
    let mut linked = Vec::new();
    if kinds.contains(&SearchType::Contact) {
        found.push("(SELECT count(*) FROM o_contact)");
        linked.push("x.contact_id = ANY (ARRAY(SELECT id FROM o_contact))");
    }
    if kinds.contains(&SearchType::Company) {
        found.push("(SELECT count(*) FROM o_company)");
        linked.push("x.company_id = ANY (ARRAY(SELECT id FROM o_company))");
    }
    if found.is_empty() {
        return None;
    }
    Some((format!("{} >= {NAMED}", found.join(" + ")), linked.join(" OR ")))
}

/// The statement for these kinds. Parameters: $1 workspace, $2 tsquery text, $3 the query's
/// text, $4 `%text%`, $5 `text%`, $6 `% text%`, $7 the limit, $8 the `-word`s kept by the typo
/// pass (tsquery text), $9 and $10 the range of names starting with the text (`text` ≤ name <
/// `$10`, for the name indexes), $11 and $12 the anchors (see `rare_words`), $13 and $14 the range
/// of names last name first starting with the text's last word then the others. Only fixed SQL
/// is spliced in.
/// Rows are ranked on what ranking needs; titles, subtitles and snippets are computed for the
/// `limit` winners only.
fn statement(kinds: &[SearchType], m: &Matcher) -> String {
    let mut ctes = vec!["q AS (SELECT to_tsquery('simple', rapport_unaccent($2)) AS tsq)".to_owned()];
    let mut parts = Vec::new();
    let mut shows = Vec::new();
    for k in KINDS.iter().filter(|k| kinds.contains(&k.kind)) {
        let tag = k.kind.as_str();
        let bonus = match k.name {
            Some(_) => "CASE WHEN c.name = $3 THEN 3 WHEN c.name LIKE $5 THEN 2 WHEN c.name LIKE $6 THEN 1 ELSE 0 END",
            None => "0",
        };
        // Names starting with the query (the best hits after an exact name) are read first, from
        // the name's index in name order, so a sample never leaves them out; for contacts also
        // the last names starting with it, and the people at the first companies whose names
        // start with it. Each is a walk of a btree range that stops after `NAMED` rows. Only when
        // these together find fewer than `NAMED` is a sample of the other matches read from the
        // GIN indexes, whose bitmaps hold every match of a word before the first row comes out
        // (a common word in a large workspace: tens of thousands).
        let rows = match k.name {
            Some(n) => {
                let candidates = candidates(k);
                let in_order = format!("({})", matches(k, m, false));
                let range = |e: &str| format!("{e} >= $9 AND {e} < $10");
                let mut ordered = name_walks(k, n, &in_order, &range, NAMED);
                // For several words, also the names last name first starting with the last word
                // then the others (`noa costa`: "Costa Noah…"), a first name cut short or
                // mistyped before a whole last name.
                let last_first = k.name_reversed.filter(|_| m.text.contains(' '));
                let last_first_range = |e: &str| format!("{e} >= $13 AND {e} < $14");
                if let Some(reversed) = last_first {
                    ordered.push(format!(
                        "({candidates} AND {in_order} AND {r} AND NOT ({by_name}) AND NOT ({by_last}) \
                           ORDER BY {reversed} LIMIT {NAMED})",
                        r = last_first_range(reversed),
                        by_name = range(n),
                        by_last = range(reversed),
                    ));
                }
                if let Some(company) = k.company {
                    let mut outside = format!("NOT ({})", range(n));
                    if let Some(reversed) = k.name_reversed {
                        outside.push_str(&format!(" AND NOT ({})", range(reversed)));
                    }
                    if let Some(reversed) = last_first {
                        outside.push_str(&format!(" AND NOT ({})", last_first_range(reversed)));
                    }
                    ordered.push(format!(
                        "({candidates} AND {in_order} AND {company} IN (SELECT co.id FROM companies co \
                           WHERE co.workspace_id = $1 AND co.deleted_at IS NULL AND {r} \
                           ORDER BY co.sort_name LIMIT {NAMED}) AND {outside} LIMIT {NAMED})",
                        r = range("co.sort_name")
                    ));
                }
                ctes.push(format!("o_{tag} AS ({})", ordered.join(" UNION ALL ")));
                // When the words alone decide (several words, a phrase) and some are rare, the
                // full-text index is read for the rare ones only and each row it finds checked
                // against the whole query: the same matches, without the bitmaps of the common
                // words (`red o`: every contact at a "Red …" company, 10 ms at 1M contacts).
                // (Templates and products, small tables, read it for the whole query.)
                let matches = if k.words && m.anchors.is_some() && m.like.is_none() && !m.short {
                    ctes.push(format!("r_{tag} AS ({})", rare_words(k.table, COMMON_ROWS, ANCHORS)));
                    format!(
                        "x.search_vector @@ coalesce((SELECT tsq FROM r_{tag}), q.tsq) \
                         AND (x.search_vector || ''::tsvector) @@ q.tsq"
                    )
                } else {
                    matches(k, m, true)
                };
                let sample = format!(
                    "AND (SELECT count(*) FROM o_{tag}) < {NAMED} AND x.id NOT IN (SELECT id FROM o_{tag}) \
                     LIMIT {CANDIDATES}"
                );
                match linked(k, kinds, m) {
                    // Deals whose words are common among deals, in a workspace whose people and
                    // companies fill their name walks: the sample is taken from the deals of the
                    // people and companies found (each checked against the query), not from the
                    // bitmap of every deal naming them.
                    Some((by_names, linked)) => {
                        ctes.push(format!("l_{tag} AS ({})", rare_words(k.table, LINKED_ROWS, ANCHORS)));
                        // The walks' count first: the statistics are read only when the walks are full.
                        let by_names = format!("({by_names} AND (SELECT tsq FROM l_{tag}) IS NULL)");
                        format!(
                            "SELECT * FROM o_{tag} \
                             UNION ALL ({candidates} AND NOT {by_names} AND ({matches}) {sample}) \
                             UNION ALL ({candidates} AND {by_names} AND ({linked}) AND ({unindexed}) {sample})",
                            unindexed = self::matches(k, m, false),
                        )
                    }
                    None => format!("SELECT * FROM o_{tag} UNION ALL ({candidates} AND ({matches}) {sample})"),
                }
            }
            None => match (k.recent, &m.anchors) {
                // A large table without names (interactions): its text index is read for the
                // query's rare words only, every match rechecked against the whole query; with
                // no rare word, the newest rows are walked instead. A word in most of 10M
                // interactions ("tim", matching "timeline") made a bitmap of 6.6M rows: 690 ms.
                (Some(recent), Some(_)) => {
                    ctes.push(format!("r_{tag} AS ({})", rare_words(k.table, COMMON_ROWS, ANCHORS)));
                    let rare = format!("(SELECT tsq FROM r_{tag})");
                    let unindexed = "(x.search_vector || ''::tsvector) @@ q.tsq";
                    format!(
                        "({candidates} AND {rare} IS NOT NULL AND x.search_vector @@ {rare} AND {unindexed} \
                           LIMIT {CANDIDATES}) \
                         UNION ALL ({walk} AND {rare} IS NULL AND {unindexed} LIMIT {CANDIDATES})",
                        candidates = candidates(k),
                        walk = candidates_from(k, recent),
                    )
                }
                _ => format!(
                    "{candidates} AND ({matches}) LIMIT {CANDIDATES}",
                    candidates = candidates(k),
                    matches = matches(k, m, true),
                ),
            },
        };
        ctes.push(format!(
            "p_{tag} AS (SELECT '{tag}'::text AS kind, c.id, \
               ({bonus} + ts_rank_cd('{{0.1, 0.2, 0.4, 1.0}}', c.sv, q.tsq) + {RECENCY} + {w})::float8 AS score \
             FROM ({rows}) c CROSS JOIN q \
             ORDER BY score DESC, c.id LIMIT $7)",
            w = k.weight,
        ));
        parts.push(format!("SELECT * FROM p_{tag}"));
        shows.push(format!(
            "SELECT t.kind, x.id, {} AS title, {} AS subtitle, {} AS snippet, {} AS parent_id, t.score \
             FROM top t JOIN {} ON x.id = t.id WHERE t.kind = '{tag}'",
            k.title, k.subtitle, k.snippet, k.parent, k.show_from
        ));
    }
    // Typos: records close to the query fill in when the words found fewer hits than the limit
    // in all kinds together. A list the words already fill needs no guesses, and the look-alike
    // scans are the statement's most expensive part.
    ctes.push(format!(
        "found AS (SELECT count(*) AS n FROM ({}) f)",
        parts.join(" UNION ALL ")
    ));
    // For the kinds whose names feed the workspace's word list, each word of the query is
    // compared with that list (distinct words: a few thousand where records are a hundred
    // thousand) and the query becomes "this word or its closest words", for each word,
    // looked up in the full-text index like any query; the hits are ranked by how close their
    // name is to the query. Small tables compare their names with the query row by row.
    // The query with each word replaced by its closest word (`name`, and `name_end` past every
    // name starting with it) is first looked for as the start of a name, by walking the names'
    // btree ranges in order as for the words themselves; the full-text index is read only when
    // those walks find fewer than the limit.
    if !m.short && KINDS.iter().any(|k| k.words && kinds.contains(&k.kind)) {
        ctes.push(format!(
            "fix AS (SELECT f.tsq, f.name, left(f.name, -1) || chr(ascii(right(f.name, 1)) + 1) AS name_end \
             FROM (SELECT to_tsquery('simple', rapport_unaccent(string_agg(alts, ' & ') || $8)) AS tsq, \
                 string_agg(best, ' ' ORDER BY n) AS name FROM ({WORD_CHOICES}) a) f)"
        ));
    }
    for k in KINDS.iter().filter(|k| kinds.contains(&k.kind)) {
        let (Some(n), false) = (k.name, m.short) else {
            continue;
        };
        let tag = k.kind.as_str();
        let candidates = candidates(k);
        let wanted = "(SELECT n FROM found) < $7";
        let rows = if k.words {
            // Walked rows match the corrected query (its `-word`s included) like the sample does,
            // on a condition no index answers.
            let unmatched = format!(
                "NOT ({}) AND (x.search_vector || ''::tsvector) @@ (SELECT tsq FROM fix)",
                matches(k, m, false)
            );
            let range = |e: &str| format!("{e} >= (SELECT name FROM fix) AND {e} < (SELECT name_end FROM fix)");
            let walks = name_walks(k, n, &format!("{wanted} AND {unmatched}"), &range, LOOK_ALIKES);
            ctes.push(format!("g_{tag} AS ({})", walks.join(" UNION ALL ")));
            format!(
                "SELECT * FROM g_{tag} UNION ALL ({candidates} AND {wanted} \
                   AND x.search_vector @@ (SELECT tsq FROM fix) AND NOT ({matches}) \
                   AND (SELECT count(*) FROM g_{tag}) < $7 AND x.id NOT IN (SELECT id FROM g_{tag}) \
                   LIMIT {LOOK_ALIKES})",
                matches = matches(k, m, true),
            )
        } else {
            format!(
                "{candidates} AND {wanted} AND {n} % $3 AND NOT ({matches}) LIMIT {LOOK_ALIKES}",
                matches = matches(k, m, true),
            )
        };
        ctes.push(format!(
            "f_{tag} AS (SELECT '{tag}'::text AS kind, c.id, (similarity(c.name, $3) * 2 + {RECENCY} + {w})::float8 AS score \
             FROM ({rows}) c \
             ORDER BY score DESC, c.id LIMIT $7)",
            w = k.weight,
        ));
        parts.push(format!("SELECT * FROM f_{tag}"));
    }
    ctes.push(format!(
        "top AS (SELECT * FROM ({}) hits ORDER BY score DESC, id LIMIT $7)",
        parts.join(" UNION ALL ")
    ));
    format!(
        "WITH {} SELECT * FROM ({}) shown ORDER BY score DESC, id",
        ctes.join(", "),
        shows.join(" UNION ALL ")
    )
}

/// The search statement with its parameters. Unlike `sql_query`, diesel keeps it as a prepared
/// statement on each connection (keyed by its text, of which there are a few dozen: one per set
/// of kinds and way of matching), so PostgreSQL plans it once instead of on every keystroke —
/// planning this statement costs more than running it. The parameters are declared in a leading
/// comment (`/* $1 … $14 */`) because the statement refers to each of them several times.
struct SearchStatement<'a> {
    sql: String,
    workspace: WorkspaceId,
    m: &'a Matcher,
    like: &'a str,
    limit: i64,
    /// The first text after every name starting with the query's text.
    names_end: String,
    /// The query's anchors (`Matcher::anchors`): tsquery texts and their `LIKE` patterns.
    anchor_terms: Vec<String>,
    anchor_patterns: Vec<String>,
    /// The query's text with its last word first, and the first text after every name starting
    /// with that.
    last_first: String,
    last_first_end: String,
}

impl QueryId for SearchStatement<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for SearchStatement<'_> {
    type SqlType = Untyped;
}

impl QueryFragment<Pg> for SearchStatement<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("/* ");
        out.push_bind_param::<SqlUuid, _>(&self.workspace)?;
        out.push_sql(" ");
        out.push_bind_param::<Text, _>(&self.m.tsquery)?;
        out.push_sql(" ");
        out.push_bind_param::<Text, _>(&self.m.text)?;
        out.push_sql(" ");
        out.push_bind_param::<Text, _>(&self.like)?;
        out.push_sql(" ");
        out.push_bind_param::<Text, _>(&self.m.prefix)?;
        out.push_sql(" ");
        out.push_bind_param::<Text, _>(&self.m.word_prefix)?;
        out.push_sql(" ");
        out.push_bind_param::<BigInt, _>(&self.limit)?;
        out.push_sql(" ");
        out.push_bind_param::<Text, _>(&self.m.excluded)?;
        out.push_sql(" ");
        out.push_bind_param::<Text, _>(&self.m.text)?;
        out.push_sql(" ");
        out.push_bind_param::<Text, _>(&self.names_end)?;
        out.push_sql(" ");
        out.push_bind_param::<Array<Text>, _>(&self.anchor_terms)?;
        out.push_sql(" ");
        out.push_bind_param::<Array<Text>, _>(&self.anchor_patterns)?;
        out.push_sql(" ");
        out.push_bind_param::<Text, _>(&self.last_first)?;
        out.push_sql(" ");
        out.push_bind_param::<Text, _>(&self.last_first_end)?;
        out.push_sql(" */ ");
        out.push_sql(&self.sql);
        Ok(())
    }
}

/// The smallest text greater than every text starting with `prefix` (its last character
/// incremented), so `prefix <= name < past_prefix(prefix)` is a range a name index can scan.
fn past_prefix(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (last as u32 + 1..=char::MAX as u32).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return chars.into_iter().collect();
        }
    }
    // Only `char::MAX`s (or nothing): no name is past it.
    char::MAX.to_string().repeat(prefix.chars().count() + 1)
}

/// The best `limit` hits of the workspace among these kinds.
///
/// Run with the prepared statement's generic plan, always. Left to itself PostgreSQL compares
/// the generic plan's estimate with the first executions' custom plans, finds the custom ones
/// cheaper on paper and plans again on every execution: 3.7 ms of planning for 5 ms of work on
/// the benchmark dataset. `SET LOCAL` holds for this transaction only.
pub async fn search(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kinds: &[SearchType],
    m: &Matcher,
    limit: i64,
) -> QueryResult<Vec<HitRow>> {
    let sql = statement(kinds, m);
    let last_first = match m.text.rsplit_once(' ') {
        Some((rest, last)) => format!("{last} {rest}"),
        None => m.text.clone(),
    };
    conn.transaction(async |conn| {
        diesel::sql_query("SET LOCAL plan_cache_mode = force_generic_plan")
            .execute(conn)
            .await?;
        SearchStatement {
            sql,
            workspace,
            m,
            like: m.like.as_deref().unwrap_or(""),
            limit,
            names_end: past_prefix(&m.text),
            anchor_terms: m.anchors.iter().flatten().map(|(t, _)| t.clone()).collect(),
            anchor_patterns: m.anchors.iter().flatten().map(|(_, p)| p.clone()).collect(),
            last_first_end: past_prefix(&last_first),
            last_first,
        }
        .load(conn)
        .await
    })
    .await
}

/// How much a bulk write's transaction lets the text-search and trigram indexes keep in their
/// pending lists (a request's session keeps 512 kB: see `db::with_session_defaults`).
const BULK_PENDING_LIST: &str = "64MB";

/// Lets the text-search and trigram indexes of every table this transaction writes to take its
/// new entries into their pending lists, to be merged once by [`merge_pending`] at its end,
/// instead of merging each time 512 kB of them have gathered. An import's batch of 5,000 contacts
/// took about 930 ms merging as it went and 770–820 ms this way, the merge included.
pub async fn defer_index_merges(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    diesel::sql_query(format!("SET LOCAL gin_pending_list_limit = '{BULK_PENDING_LIST}'"))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Merges the pending lists of `table`'s GIN indexes that keep one (those with `fastupdate`
/// off have none) into the indexes, so that searches read no long list after a bulk write, and
/// puts the session's own limit back: what the transaction writes after this is merged as any
/// request's writes are.
pub async fn merge_pending(conn: &mut AsyncPgConnection, table: &'static str) -> QueryResult<()> {
    diesel::sql_query(
        "WITH merged AS ( \
           SELECT gin_clean_pending_list(i.indexrelid::regclass) \
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam \
           WHERE i.indrelid = $1::regclass AND a.amname = 'gin' \
             AND NOT coalesce(c.reloptions @> ARRAY['fastupdate=off'], false)) \
         SELECT (SELECT count(*) FROM merged), set_config(s.name, s.reset_val, true) \
         FROM pg_settings s WHERE s.name = 'gin_pending_list_limit'",
    )
    .bind::<Text, _>(table)
    .execute(conn)
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;

    #[test]
    fn the_statement_is_kept_prepared() {
        let m = parse(Some("ada lov")).unwrap();
        let stmt = SearchStatement {
            sql: statement(SearchType::ALL, &m),
            workspace: WorkspaceId::checked(crate::db::DEFAULT_WORKSPACE_ID),
            m: &m,
            like: "",
            limit: 20,
            names_end: past_prefix(&m.text),
            anchor_terms: Vec::new(),
            anchor_patterns: Vec::new(),
            last_first: "lov ada".to_owned(),
            last_first_end: past_prefix("lov ada"),
        };
        assert!(QueryFragment::<Pg>::is_safe_to_cache_prepared(&stmt, &Pg).unwrap());
        let sql = diesel::debug_query::<Pg, _>(&stmt).to_string();
        assert!(
            sql.starts_with("/* $1 $2 $3 $4 $5 $6 $7 $8 $9 $10 $11 $12 $13 $14 */ WITH "),
            "{sql}"
        );
    }

    #[test]
    fn names_starting_with_a_prefix_are_a_range() {
        assert_eq!(past_prefix("kowa"), "kowb");
        assert_eq!(past_prefix("ada l"), "ada m");
        assert_eq!(past_prefix("mu\u{d7ff}"), "mu\u{e000}");
        assert_eq!(past_prefix("ab\u{10ffff}"), "ac");
        for name in ["kowa", "kowalski", "kowa\u{10ffff}"] {
            assert!(*"kowa" <= *name && *name < *past_prefix("kowa"), "{name}");
        }
        assert!(*"kowb" >= *past_prefix("kowa"));
    }

    #[test]
    fn names_read_in_name_order_leave_the_text_indexes_alone() {
        // For every way of matching, the part that walks a name's index in order must not offer
        // the planner a condition a GIN index answers: a bitmap would read every match first.
        for q in [
            "kowa",
            "olivia kow",
            "ol",
            "\"ada lovelace\"",
            "ada -smith",
            "ada or bob",
        ] {
            let sql = statement(SearchType::ALL, &parse(Some(q)).unwrap());
            let mut in_order = 0;
            for part in sql.split("SELECT x.id, ") {
                if [
                    " ORDER BY x.sort_name LIMIT",
                    " ORDER BY x.sort_title LIMIT",
                    " ORDER BY lower(x.last_name",
                    " ORDER BY co.sort_name LIMIT",
                ]
                .iter()
                .any(|walk| part.contains(walk))
                {
                    in_order += 1;
                    for indexed in [
                        "x.search_text LIKE",
                        "x.search_vector @@",
                        "x.sort_name LIKE",
                        "x.sort_title LIKE",
                    ] {
                        assert!(!part.contains(indexed), "{q}: {indexed} in {part}");
                    }
                }
            }
            // Contacts by name, by last name and at companies; companies, deals, templates and
            // products by name; and but for a one- or two-letter query, look-alikes of contacts
            // by name and by last name, of companies and of deals by name.
            // For several words, contacts by the last word then the others.
            let walks = match q {
                "ol" => 7,
                "olivia kow" | "\"ada lovelace\"" => 12,
                _ => 11,
            };
            assert_eq!(in_order, walks, "{q}");
        }
    }

    #[test]
    fn a_sample_of_other_matches_is_read_only_when_the_names_do_not_fill_a_kind() {
        for q in ["kowa", "olivia kow", "ol", "ada -smith"] {
            let sql = statement(SearchType::ALL, &parse(Some(q)).unwrap());
            for kind in ["contact", "company", "deal", "template", "product"] {
                let gate =
                    format!("AND (SELECT count(*) FROM o_{kind}) < {NAMED} AND x.id NOT IN (SELECT id FROM o_{kind})");
                // Deals: one sample from their text index, one from the deals of the people
                // and companies found, each behind its gate.
                let samples = if kind == "deal" { 2 } else { 1 };
                assert_eq!(sql.matches(&gate).count(), samples, "{q}: {kind}");
            }
        }
    }

    #[test]
    fn deals_of_the_names_found_stand_in_for_the_text_index_when_their_words_are_common() {
        let by_names = format!(
            "((SELECT count(*) FROM o_contact) + (SELECT count(*) FROM o_company) >= {NAMED} AND (SELECT tsq FROM l_deal) IS NULL)"
        );
        for q in ["silva", "tim sil", "\"ada lovelace\""] {
            let sql = statement(SearchType::ALL, &parse(Some(q)).unwrap());
            assert!(
                sql.contains(&format!("l_deal AS ({})", rare_words("deals", LINKED_ROWS, ANCHORS))),
                "{q}"
            );
            assert!(
                sql.contains(&format!("AND NOT {by_names} AND (x.search_vector @@ ")),
                "{q}"
            );
            assert!(
                sql.contains(&format!(
                    "AND {by_names} AND (x.contact_id = ANY (ARRAY(SELECT id FROM o_contact)) \
                     OR x.company_id = ANY (ARRAY(SELECT id FROM o_company))) AND ((x.search_vector || ''::tsvector) @@ q.tsq"
                )),
                "{q}"
            );
        }
        // Without people or companies searched, or with `or`, the deals read their index alone.
        let deals = statement(&[SearchType::Deal], &parse(Some("silva")).unwrap());
        assert!(!deals.contains("l_deal"), "{deals}");
        let either = statement(SearchType::ALL, &parse(Some("silva or costa")).unwrap());
        assert!(!either.contains("l_deal"), "{either}");
        // Only the company's walk when contacts are not searched.
        let companies = statement(&[SearchType::Company, SearchType::Deal], &parse(Some("silva")).unwrap());
        assert!(
            companies.contains("(SELECT count(*) FROM o_company) >= 50"),
            "{companies}"
        );
        assert!(!companies.contains("o_contact"), "{companies}");
    }

    #[test]
    fn interactions_read_their_text_index_for_rare_words_only() {
        for q in ["tim", "tim tho", "\"design review\" -smith", "jo"] {
            let sql = statement(SearchType::ALL, &parse(Some(q)).unwrap());
            assert_eq!(
                sql.matches("x.search_vector @@ (SELECT tsq FROM r_interaction)")
                    .count(),
                1,
                "{q}"
            );
            assert_eq!(
                sql.matches("ORDER BY i.occurred_at DESC, i.id DESC LIMIT 2000").count(),
                1,
                "{q}"
            );
            // Nowhere else is the interactions' text index offered the whole query.
            let interactions = sql.split("p_interaction AS").nth(1).unwrap();
            let interactions = interactions.split("p_template AS").next().unwrap();
            assert!(
                !interactions.contains("x.search_vector @@ q.tsq"),
                "{q}: {interactions}"
            );
        }
        // With `or`, every alternative is looked up in the index, as for the other kinds.
        let sql = statement(SearchType::ALL, &parse(Some("tim or tho")).unwrap());
        assert!(!sql.contains("r_interaction"), "{sql}");
    }

    #[test]
    fn samples_matched_on_words_alone_read_the_text_index_for_the_rare_ones() {
        for (q, anchored) in [
            ("red o", true),
            ("\"ada lovelace\"", true),
            ("kowa", false),
            ("ol", false),
            ("a or b", false),
        ] {
            let sql = statement(SearchType::ALL, &parse(Some(q)).unwrap());
            for kind in ["contact", "company", "deal"] {
                let read = format!("x.search_vector @@ coalesce((SELECT tsq FROM r_{kind}), q.tsq)");
                assert_eq!(sql.contains(&read), anchored, "{q}: {kind}");
            }
            // Small tables read their index for the whole query.
            assert!(!sql.contains("r_template") && !sql.contains("r_product"), "{q}");
        }
    }

    #[test]
    fn the_query_travels_as_parameters_never_as_sql() {
        let m = parse(Some("o'brien ; DROP TABLE contacts -- \\ \"x y\"")).unwrap();
        let sql = statement(SearchType::ALL, &m);
        assert!(!sql.contains("brien") && !sql.contains("DROP"), "{sql}");
        // `SEARCH_SQL='some query' cargo test … -- --nocapture` prints the statement for it.
        if let Ok(q) = std::env::var("SEARCH_SQL") {
            println!("{}", statement(SearchType::ALL, &parse(Some(&q)).unwrap()));
        }
    }
}
