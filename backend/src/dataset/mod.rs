//! The benchmark dataset: `rapport seed --dataset [--contacts 100000 --companies 10000
//! --interactions 1000000 --deals 20000 --seed 42]` fills a workspace with a large, realistic and
//! reproducible dataset.
//!
//! Rows are generated inside PostgreSQL (`INSERT … SELECT … FROM generate_series`) from a keyed
//! hash of the row number, so the same seed gives the same rows, and a million interactions load
//! in well under a minute without a round trip per row. Derived fields (last interaction, next
//! follow-up, stage history, activity) are computed in bulk the way the services compute them
//! one at a time, so every screen and endpoint sees consistent data.

use std::time::Instant;

use crate::db::WorkspaceId;
use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};

/// How many rows of each kind to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub companies: u32,
    pub contacts: u32,
    pub interactions: u32,
    pub deals: u32,
}

impl Sizes {
    /// The dataset SPEC §6 measures against.
    pub const FULL: Sizes = Sizes {
        companies: 10_000,
        contacts: 100_000,
        interactions: 1_000_000,
        deals: 20_000,
    };
}

/// Parses `--contacts N --companies N --interactions N --deals N --seed N`; sizes not given keep
/// their full-dataset default. Returns the sizes and the seed (default 42).
pub fn parse_args(args: &[String]) -> anyhow::Result<(Sizes, u32)> {
    let mut sizes = Sizes::FULL;
    let mut seed = 42u32;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let target = match flag.as_str() {
            "--contacts" => &mut sizes.contacts,
            "--companies" => &mut sizes.companies,
            "--interactions" => &mut sizes.interactions,
            "--deals" => &mut sizes.deals,
            "--seed" => &mut seed,
            "--dataset" => continue,
            other => anyhow::bail!("unknown seed option {other:?}"),
        };
        let value = it.next().ok_or_else(|| anyhow::anyhow!("{flag} needs a number"))?;
        *target = value
            .replace('_', "")
            .parse()
            .map_err(|_| anyhow::anyhow!("{flag} needs a whole number, not {value:?}"))?;
    }
    if sizes.contacts == 0 && (sizes.interactions > 0 || sizes.deals > 0) {
        anyhow::bail!("interactions and deals need at least one contact");
    }
    Ok((sizes, seed))
}

/// Session-local helpers: a keyed hash per (row, column salt), a uniform number, a pick from an
/// array, and a time-ordered UUID (v7 layout) for a timestamp.
const HELPERS: &str = r#"
CREATE FUNCTION pg_temp.r(i bigint, salt int) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN hashint8extended(i, {seed}::bigint * 7919 + salt) & 9223372036854775807;
CREATE FUNCTION pg_temp.u(i bigint, salt int) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_temp.r(i, salt)::double precision / 9223372036854775807.0;
CREATE FUNCTION pg_temp.pick(arr text[], i bigint, salt int) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN arr[1 + pg_temp.r(i, salt) % cardinality(arr)];
CREATE FUNCTION pg_temp.uuid7(ts timestamptz, i bigint, salt int) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (lpad(to_hex((extract(epoch FROM ts) * 1000)::bigint), 12, '0') || '7'
        || substr(md5({seed} || ':' || salt || ':' || i), 1, 3)
        || substr('89ab', 1 + (pg_temp.r(i, salt + 1) % 4)::int, 1)
        || substr(md5({seed} || ':' || salt || ':' || i), 4, 15))::uuid;
"#;

const COMPANIES: &str = r#"
INSERT INTO companies (id, workspace_id, name, domain, industry, size, location, notes, created_at, updated_at)
SELECT pg_temp.uuid7(created, i, 11), '{ws}',
       CASE WHEN row_number() OVER (PARTITION BY lower(base) ORDER BY i) = 1 THEN base ELSE base || ' ' || i END,
       CASE WHEN row_number() OVER (PARTITION BY lower(base) ORDER BY i) = 1
            THEN replace(lower(base), ' ', '') || '.example' ELSE replace(lower(base), ' ', '') || i || '.example' END,
       pg_temp.pick(ARRAY['Software', 'Consulting', 'Design', 'Manufacturing', 'Retail', 'Healthcare',
                          'Education', 'Finance', 'Media', 'Logistics', 'Hospitality', 'Energy'], i, 13),
       pg_temp.pick(ARRAY['1-10', '11-50', '51-200', '201-1000', '1000+'], i, 14),
       pg_temp.pick(ARRAY['London, UK', 'Berlin, Germany', 'Paris, France', 'Lyon, France', 'Amsterdam, Netherlands',
                          'Madrid, Spain', 'Lisbon, Portugal', 'Dublin, Ireland', 'New York, USA', 'Austin, USA',
                          'Toronto, Canada', 'Sydney, Australia', 'Milan, Italy', 'Zurich, Switzerland'], i, 15),
       CASE WHEN pg_temp.u(i, 16) < 0.2 THEN 'Met at a trade fair; prefers quarterly reviews.' END,
       created, created
FROM (SELECT i, now() - make_interval(secs => pg_temp.u(i, 12) * 3 * 365 * 86400) AS created,
             pg_temp.pick(ARRAY['Blue', 'North', 'Bright', 'Silver', 'Green', 'Red', 'Open', 'Clear', 'Swift',
                                'Grand', 'Little', 'High', 'Iron', 'Golden', 'Quiet', 'Bold', 'Urban', 'Wild'], i, 17)
             || ' ' ||
             pg_temp.pick(ARRAY['Harbor', 'Peak', 'River', 'Forge', 'Field', 'Stone', 'Wave', 'Oak', 'Bridge',
                                'Lantern', 'Summit', 'Orchard', 'Compass', 'Anchor', 'Falcon', 'Meadow'], i, 18)
             || ' ' ||
             pg_temp.pick(ARRAY['Labs', 'Studio', 'Partners', 'Group', 'Systems', 'Works', 'Ltd', 'GmbH',
                                'Consulting', 'Digital', 'Ventures', 'Co'], i, 19) AS base
      FROM generate_series(1, {companies}) AS i) AS g;
CREATE TEMP TABLE seed_companies AS
    SELECT row_number() OVER (ORDER BY created_at, id) AS n, id, domain FROM companies
    WHERE workspace_id = '{ws}' AND deleted_at IS NULL;
CREATE UNIQUE INDEX ON seed_companies (n);
"#;

const CONTACTS: &str = r#"
INSERT INTO contacts (id, workspace_id, first_name, last_name, emails, phones, company_id, job_title, website,
                      linkedin_url, location, source, lifecycle, relationship_type, connection_strength, notes, tags,
                      follow_up_cadence_days, created_at, updated_at)
SELECT pg_temp.uuid7(created, i, 21), '{ws}', first, last,
       ARRAY[lower(first) || '.' || lower(last) || i || '@' || coalesce(co.domain, 'mail.example')],
       CASE WHEN pg_temp.u(i, 22) < 0.6 THEN ARRAY['+44 20 ' || lpad((pg_temp.r(i, 23) % 100000000)::text, 8, '0')]
            ELSE '{}'::text[] END,
       co.id,
       pg_temp.pick(ARRAY['Founder', 'CEO', 'CTO', 'Head of Marketing', 'Product Manager', 'Designer',
                          'Engineering Manager', 'Operations Lead', 'Consultant', 'Recruiter', 'Sales Director',
                          'Marketing Manager', 'Freelance Developer', 'Editor', 'Architect'], i, 24),
       CASE WHEN pg_temp.u(i, 25) < 0.15 THEN 'https://' || lower(first) || lower(last) || '.example' END,
       CASE WHEN pg_temp.u(i, 26) < 0.4 THEN 'https://www.linkedin.com/in/' || lower(first) || '-' || lower(last) || '-' || i END,
       pg_temp.pick(ARRAY['London, UK', 'Berlin, Germany', 'Paris, France', 'Lyon, France', 'Amsterdam, Netherlands',
                          'Madrid, Spain', 'Lisbon, Portugal', 'Dublin, Ireland', 'New York, USA', 'Austin, USA',
                          'Toronto, Canada', 'Sydney, Australia', 'Milan, Italy', 'Zurich, Switzerland'], i, 27),
       pg_temp.pick(ARRAY['referral', 'website', 'linkedin', 'event', 'cold_outreach', 'social_media', 'partner',
                          'advertising', 'inbound_email', 'other'], i, 28),
       CASE WHEN stage < 0.40 THEN 'lead' WHEN stage < 0.65 THEN 'prospect' WHEN stage < 0.85 THEN 'client'
            ELSE 'inactive' END,
       CASE WHEN stage < 0.65 THEN 'prospect' WHEN stage < 0.85 THEN 'client'
            ELSE pg_temp.pick(ARRAY['colleague', 'friend', 'mentor', 'recruiter', 'partner', 'vendor'], i, 29) END,
       1 + (pg_temp.r(i, 30) % 5)::int,
       CASE WHEN pg_temp.u(i, 31) < 0.25
            THEN pg_temp.pick(ARRAY['Prefers email over calls.', 'Decision maker for design budgets.',
                                    'Met at a conference; interested in a workshop.',
                                    'Budget review every quarter.', 'Introduced by a former client.'], i, 32) END,
       CASE WHEN pg_temp.u(i, 33) < 0.5 THEN '{}'::text[]
            WHEN pg_temp.u(i, 34) < 0.6 THEN ARRAY[pg_temp.pick(ARRAY['vip', 'newsletter', 'warm', 'cold', 'design',
                                                                       'development', 'retainer', 'conference'], i, 35)]
            ELSE ARRAY['newsletter', pg_temp.pick(ARRAY['vip', 'warm', 'cold', 'design', 'development'], i, 36)] END,
       CASE WHEN pg_temp.u(i, 37) < 0.1 THEN 14 END,
       created, created + make_interval(secs => pg_temp.u(i, 38) * 86400 * 30)
FROM (SELECT i, pg_temp.u(i, 39) AS stage,
             now() - make_interval(secs => 86400 * 31 + pg_temp.u(i, 40) * 3 * 365 * 86400) AS created,
             pg_temp.pick(ARRAY['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Tim', 'Barbara', 'Dennis', 'Frances',
                                'Ken', 'Radia', 'Edsger', 'Hedy', 'John', 'Katherine', 'Donald', 'Shafi', 'Niklaus',
                                'Sophie', 'Lucas', 'Emma', 'Noah', 'Mia', 'Liam', 'Olivia', 'Léa', 'Hugo', 'Chloé',
                                'Mateo', 'Sofia', 'Yuki', 'Amara', 'Ravi', 'Ingrid', 'Omar', 'Zoe', 'Jonas', 'Elena',
                                'Priya', 'Felix'], i, 41) AS first,
             pg_temp.pick(ARRAY['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Hamilton', 'Berners-Lee', 'Liskov',
                                'Ritchie', 'Allen', 'Thompson', 'Perlman', 'Dijkstra', 'Lamarr', 'McCarthy', 'Johnson',
                                'Knuth', 'Goldwasser', 'Wirth', 'Martin', 'Bernard', 'Dubois', 'Schmidt', 'Müller',
                                'García', 'Rossi', 'Nakamura', 'Okafor', 'Patel', 'Larsen', 'Haddad', 'Novak',
                                'Fischer', 'Silva', 'Kowalski', 'Murphy', 'Jensen', 'Costa', 'Ivanova', 'Moreau',
                                'Brown'], i, 42) AS last,
             CASE WHEN {companies} > 0 AND pg_temp.u(i, 43) < 0.8 THEN 1 + pg_temp.r(i, 44) % GREATEST({companies}, 1) END AS company_n
      FROM generate_series(1, {contacts}) AS i) AS g
LEFT JOIN seed_companies co ON co.n = g.company_n;
CREATE TEMP TABLE seed_contacts AS
    SELECT row_number() OVER (ORDER BY created_at, id) AS n, id, created_at FROM contacts
    WHERE workspace_id = '{ws}' AND deleted_at IS NULL;
CREATE UNIQUE INDEX ON seed_contacts (n);
"#;

/// Interactions lean towards some contacts (u^1.6): a few have long timelines, many have a few.
const INTERACTIONS: &str = r#"
INSERT INTO interactions (id, workspace_id, contact_id, kind, direction, occurred_at, subject, body, outcome,
                          duration_minutes, sentiment_label, sentiment_score, created_at, updated_at)
SELECT pg_temp.uuid7(occurred, i, 51), '{ws}', c.id, kind,
       CASE WHEN kind = 'note' THEN NULL WHEN pg_temp.u(i, 52) < 0.55 THEN 'outbound' ELSE 'inbound' END,
       occurred,
       CASE kind WHEN 'email' THEN pg_temp.pick(ARRAY['Re: project scope', 'Invoice for last month', 'Proposal follow-up',
                                                     'Quick question about the timeline', 'Intro: design sprint',
                                                     'Workshop dates', 'Contract renewal', 'Feedback on the draft'], i, 53)
                 WHEN 'meeting' THEN pg_temp.pick(ARRAY['Kick-off', 'Quarterly review', 'Coffee', 'Discovery session',
                                                       'Design review', 'Planning workshop'], i, 54)
                 WHEN 'call' THEN pg_temp.pick(ARRAY['Intro call', 'Check-in', 'Budget call', 'Scoping call'], i, 55)
                 ELSE NULL END,
       pg_temp.pick(ARRAY['Discussed the next phase; they want a fixed price by Friday.',
                          'Sent the revised estimate and the case study.',
                          'They are happy with the delivery and asked about a retainer.',
                          'No budget until next quarter, follow up in January.',
                          'Asked for references; sent two client contacts.',
                          'Walked through the prototype, minor changes requested.',
                          'Left a voicemail about the workshop dates.',
                          'Agreed on scope, contract to be signed next week.',
                          'Concerned about the timeline; offered a phased plan.',
                          'Shared an article about their industry.'], i, 56),
       CASE WHEN pg_temp.u(i, 57) < 0.5 THEN NULL
            ELSE pg_temp.pick(ARRAY['positive', 'positive', 'neutral', 'negative', 'no_response'], i, 58) END,
       CASE WHEN kind IN ('call', 'meeting', 'video_call') THEN 15 + (pg_temp.r(i, 59) % 8)::int * 15 END,
       CASE WHEN pg_temp.u(i, 60) < 0.3 THEN sentiment END,
       CASE WHEN pg_temp.u(i, 60) < 0.3
            THEN CASE sentiment WHEN 'positive' THEN 0.6 WHEN 'negative' THEN -0.5 ELSE 0.0 END END,
       occurred, occurred
FROM (SELECT i,
             1 + floor({contacts} * power(pg_temp.u(i, 61), 1.6))::bigint AS contact_n,
             pg_temp.u(i, 62) AS at,
             pg_temp.pick(ARRAY['email', 'email', 'email', 'call', 'meeting', 'video_call', 'message', 'social',
                                'note', 'other'], i, 63) AS kind,
             pg_temp.pick(ARRAY['positive', 'neutral', 'negative'], i, 64) AS sentiment
      FROM generate_series(1, {interactions}) AS i) AS g
JOIN seed_contacts c ON c.n = LEAST(g.contact_n, {contacts})
CROSS JOIN LATERAL (SELECT c.created_at + (now() - interval '1 minute' - c.created_at) * g.at AS occurred) AS o;
"#;

/// Deals spread over the workspace's pipelines (the first one gets most), each in a stage whose
/// kind sets its status; closed deals are dated, lost ones give a reason, won ones are paid.
const DEALS: &str = r#"
CREATE TEMP TABLE seed_stages AS
    SELECT p.position AS pipeline_pos, p.id AS pipeline_id, s.id AS stage_id, s.kind,
           row_number() OVER (PARTITION BY p.id ORDER BY s.position, s.id) AS n,
           count(*) OVER (PARTITION BY p.id) AS stages,
           dense_rank() OVER (ORDER BY p.position, p.id) AS pipeline_n
    FROM pipelines p JOIN pipeline_stages s ON s.pipeline_id = p.id WHERE p.workspace_id = '{ws}';
CREATE TEMP TABLE seed_deals AS
SELECT i, c.id AS contact_id, ct.company_id, ct.first_name || ' ' || ct.last_name AS contact_name, s.pipeline_id, s.stage_id, s.kind,
       c.created_at + (now() - interval '1 hour' - c.created_at) * pg_temp.u(i, 71) AS created
FROM generate_series(1, {deals}) AS i
JOIN seed_contacts c ON c.n = 1 + pg_temp.r(i, 72) % {contacts}
JOIN contacts ct ON ct.id = c.id
JOIN LATERAL (SELECT count(DISTINCT pipeline_id) AS pipelines FROM seed_stages) AS pc ON true
JOIN seed_stages s ON s.pipeline_n = CASE WHEN pc.pipelines = 1 OR pg_temp.u(i, 73) < 0.85 THEN 1
                                          ELSE 2 + pg_temp.r(i, 74) % (pc.pipelines - 1) END
                  AND s.n = 1 + pg_temp.r(i, 75) % s.stages;
INSERT INTO deals (id, workspace_id, title, contact_id, company_id, pipeline_id, stage_id, value_minor, currency,
                   recurring_months, expected_close_date, status, lost_reason, stage_changed_at, closed_at,
                   created_at, updated_at)
SELECT pg_temp.uuid7(created, i, 76), '{ws}',
       pg_temp.pick(ARRAY['Website redesign', 'Brand refresh', 'Mobile app MVP', 'SEO audit', 'Design system',
                          'Data dashboard', 'Monthly retainer', 'Workshop series', 'E-commerce migration',
                          'Copywriting package', 'Analytics setup', 'Accessibility review'], i, 77)
           || ' for ' || contact_name,
       contact_id, company_id, pipeline_id, stage_id,
       (500 + pg_temp.r(i, 78) % 40000) * 100,
       pg_temp.pick(ARRAY['EUR', 'EUR', 'EUR', 'EUR', 'EUR', 'EUR', 'USD', 'GBP'], i, 79),
       CASE WHEN pg_temp.u(i, 80) < 0.1 THEN 3 + (pg_temp.r(i, 81) % 10)::int END,
       CASE WHEN kind = 'open' AND pg_temp.u(i, 82) < 0.8
            THEN (now() + make_interval(days => (pg_temp.r(i, 83) % 150)::int - 30))::date END,
       kind,
       CASE WHEN kind = 'lost' THEN pg_temp.pick(ARRAY['Budget cut', 'Went with another agency', 'Timing',
                                                       'No response', 'Too expensive'], i, 84) END,
       moved, CASE WHEN kind <> 'open' THEN moved END,
       created, moved
FROM seed_deals CROSS JOIN LATERAL
     (SELECT created + (now() - created) * pg_temp.u(i, 85) * 0.9 AS moved) AS m;
INSERT INTO deal_stage_history (id, workspace_id, deal_id, from_stage_id, to_stage_id, changed_at)
SELECT pg_temp.uuid7(d.created_at, row_number() OVER (ORDER BY d.id), 86), '{ws}', d.id, NULL, fs.stage_id, d.created_at
FROM deals d JOIN seed_stages fs ON fs.pipeline_id = d.pipeline_id AND fs.n = 1
WHERE d.workspace_id = '{ws}';
INSERT INTO deal_stage_history (id, workspace_id, deal_id, from_stage_id, to_stage_id, changed_at)
SELECT pg_temp.uuid7(d.stage_changed_at, row_number() OVER (ORDER BY d.id), 87), '{ws}', d.id, fs.stage_id,
       d.stage_id, d.stage_changed_at
FROM deals d JOIN seed_stages fs ON fs.pipeline_id = d.pipeline_id AND fs.n = 1
WHERE d.workspace_id = '{ws}' AND d.stage_id <> fs.stage_id;
INSERT INTO payments (id, workspace_id, contact_id, deal_id, amount_minor, currency, received_on, note, created_at, updated_at)
SELECT pg_temp.uuid7(d.closed_at, row_number() OVER (ORDER BY d.id), 88), '{ws}', d.contact_id, d.id,
       d.value_minor, d.currency, (d.closed_at + interval '14 days')::date, 'Invoice paid',
       d.closed_at + interval '14 days', d.closed_at + interval '14 days'
FROM deals d
WHERE d.workspace_id = '{ws}' AND d.status = 'won' AND d.value_minor > 0 AND d.contact_id IS NOT NULL
  AND d.closed_at + interval '14 days' < now();
"#;

/// Open reminders for about one contact in twenty (some overdue), the derived follow-up fields,
/// and an activity entry for each record created.
const FOLLOW_UPS: &str = r#"
INSERT INTO reminders (id, workspace_id, contact_id, title, due_at, created_at, updated_at)
SELECT pg_temp.uuid7(now() - interval '20 days', c.n, 91), '{ws}', c.id,
       pg_temp.pick(ARRAY['Send the proposal', 'Check in about the budget', 'Share the case study',
                          'Ask for a referral', 'Book the quarterly review'], c.n, 92),
       now() + make_interval(days => (pg_temp.r(c.n, 93) % 40)::int - 10),
       now() - interval '20 days', now() - interval '20 days'
FROM seed_contacts c WHERE pg_temp.u(c.n, 94) < 0.05;
UPDATE contacts c SET last_interaction_at = li.last, last_sentiment = li.sentiment
FROM (SELECT DISTINCT ON (contact_id) contact_id, max(occurred_at) OVER (PARTITION BY contact_id) AS last,
             sentiment_label AS sentiment
      FROM interactions WHERE workspace_id = '{ws}'
      ORDER BY contact_id, (sentiment_label IS NULL), occurred_at DESC, id DESC) li
WHERE li.contact_id = c.id;
UPDATE contacts c SET next_follow_up_at = least(
    coalesce(c.last_interaction_at, c.created_at)
        + make_interval(days => coalesce(c.follow_up_cadence_days, (w.settings -> 'follow_up_cadence_days' ->> c.lifecycle)::int)),
    (SELECT min(r.due_at) FROM reminders r WHERE r.contact_id = c.id AND r.completed_at IS NULL))
FROM workspaces w WHERE w.id = c.workspace_id AND c.workspace_id = '{ws}';
INSERT INTO activity (id, workspace_id, entity, entity_id, action, summary, contact_id, occurred_at)
SELECT pg_temp.uuid7(created_at, row_number() OVER (ORDER BY id), 95), '{ws}', 'company', id, 'created',
       'Added ' || name, NULL, created_at
FROM companies WHERE workspace_id = '{ws}';
INSERT INTO activity (id, workspace_id, entity, entity_id, action, summary, contact_id, occurred_at)
SELECT pg_temp.uuid7(created_at, row_number() OVER (ORDER BY id), 96), '{ws}', 'contact', id, 'created',
       'Added ' || first_name || ' ' || last_name, id, created_at
FROM contacts WHERE workspace_id = '{ws}';
INSERT INTO activity (id, workspace_id, entity, entity_id, action, summary, contact_id, occurred_at)
SELECT pg_temp.uuid7(created_at, row_number() OVER (ORDER BY id), 97), '{ws}', 'deal', id, 'created',
       'Added deal ' || title, contact_id, created_at
FROM deals WHERE workspace_id = '{ws}';
ANALYZE companies, contacts, interactions, deals, deal_stage_history, payments, reminders, activity;
"#;

/// Loads the dataset into `workspace`, which must have no contacts yet. Prints each step's time.
pub async fn load(conn: &mut AsyncPgConnection, workspace: WorkspaceId, sizes: Sizes, seed: u32) -> anyhow::Result<()> {
    let fill = |sql: &str| {
        sql.replace("{ws}", &workspace.to_string())
            .replace("{seed}", &seed.to_string())
            .replace("{companies}", &sizes.companies.to_string())
            .replace("{contacts}", &sizes.contacts.to_string())
            .replace("{interactions}", &sizes.interactions.to_string())
            .replace("{deals}", &sizes.deals.to_string())
    };
    conn.batch_execute("SET synchronous_commit = off").await?;
    let mut steps: Vec<(&str, &str)> = vec![("helpers", HELPERS), ("companies", COMPANIES), ("contacts", CONTACTS)];
    if sizes.contacts > 0 {
        steps.push(("interactions", INTERACTIONS));
        steps.push(("deals, stage history, payments", DEALS));
    }
    steps.push(("reminders, follow-ups, activity", FOLLOW_UPS));
    let all = Instant::now();
    for (label, sql) in steps {
        let started = Instant::now();
        conn.batch_execute(&format!("BEGIN; {} COMMIT;", fill(sql)))
            .await
            .map_err(|e| anyhow::anyhow!("loading {label}: {e}"))?;
        println!("  {label:<34} {:>6.1} s", started.elapsed().as_secs_f64());
    }
    println!("  {:<34} {:>6.1} s", "total", all.elapsed().as_secs_f64());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn sizes_default_to_the_full_dataset_and_take_underscores() {
        let (sizes, seed) = parse_args(&args("--dataset --contacts 1_000 --seed 7")).unwrap();
        assert_eq!(sizes.contacts, 1000);
        assert_eq!(sizes.interactions, Sizes::FULL.interactions);
        assert_eq!(seed, 7);
    }

    #[test]
    fn bad_sizes_are_refused() {
        assert!(parse_args(&args("--contacts many")).is_err());
        assert!(parse_args(&args("--deals")).is_err());
        assert!(parse_args(&args("--color blue")).is_err());
        assert!(parse_args(&args("--contacts 0 --interactions 5")).is_err());
    }
}
