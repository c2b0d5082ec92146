//! Global search: one ranked list across every kind of record, found by word prefixes, accents
//! folded, parts of emails and phones, names with typos; the search syntax; the contact and
//! company lists' `q` agreeing with it; bad queries refused with a problem and nothing else.

use serde_json::{Value, json};

use crate::common::TestApp;

fn kinds_and_titles(res: &Value) -> Vec<(String, String)> {
    res["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["type"].as_str().unwrap().to_owned(),
                h["title"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn snippet(hit: &Value) -> String {
    hit["snippet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect()
}

fn highlighted(hit: &Value) -> Vec<String> {
    hit["snippet"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["highlight"] == true)
        .map(|p| p["text"].as_str().unwrap().to_owned())
        .collect()
}

async fn seed(app: &TestApp) -> (String, String, String) {
    let acme = app
        .post(
            "/api/v1/companies",
            &json!({"name": "ACME Corp", "domain": "acme.example", "industry": "Manufacturing"}),
        )
        .await;
    assert_eq!(acme.status, 201, "{}", acme.text);
    let acme_id = acme.body["id"].as_str().unwrap().to_owned();
    let jose = app
        .contact(
            json!({"first_name": "José", "last_name": "Muñoz", "emails": ["jose.munoz@acme.example"],
                        "phones": ["+34 612 345 678"], "company_id": acme_id, "job_title": "Buyer"}),
        )
        .await;
    let john = app
        .contact(json!({"first_name": "John", "last_name": "Smith", "emails": ["john@smithworks.example"]}))
        .await;
    let john_id = john["id"].as_str().unwrap().to_owned();
    let deal = app
        .post(
            "/api/v1/deals",
            &json!({"title": "ACME renewal 2027", "company_id": acme_id, "value_minor": 900_000,
                    "notes": "Three-year renewal with a volume discount"}),
        )
        .await;
    assert_eq!(deal.status, 201, "{}", deal.text);
    let call = app
        .post(
            "/api/v1/interactions",
            &json!({"contact_id": john_id, "kind": "call", "subject": "Quarterly review",
                    "body": "We went through the numbers.\n\nHe asked about the renewal pricing for next year and wants a proposal."}),
        )
        .await;
    assert_eq!(call.status, 201, "{}", call.text);
    let product = app
        .post(
            "/api/v1/products",
            &json!({"name": "Consulting day", "sku": "CONS-DAY", "price_minor": 120_000, "description": "A day of on-site work"}),
        )
        .await;
    assert_eq!(product.status, 201, "{}", product.text);
    (
        jose["id"].as_str().unwrap().to_owned(),
        john_id,
        call.body["id"].as_str().unwrap().to_owned(),
    )
}

#[actix_web::test]
async fn one_ranked_list_across_every_kind_of_record() {
    let app = TestApp::spawn().await;
    let (jose_id, john_id, call_id) = seed(&app).await;

    // A company name: the company and the deal named after it first, the person working there too.
    let res = app.get("/api/v1/search?q=acme").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let found = kinds_and_titles(&res.body);
    assert!(found.len() >= 3, "{found:?}");
    assert_eq!(found[0], ("company".into(), "ACME Corp".into()), "{found:?}");
    assert!(
        found.contains(&("deal".into(), "ACME renewal 2027".into())),
        "{found:?}"
    );
    assert!(found.contains(&("contact".into(), "José Muñoz".into())), "{found:?}");
    let company = &res.body["items"][0];
    assert!(
        company["link"].as_str().unwrap().starts_with("/companies/"),
        "{company}"
    );
    assert_eq!(company["subtitle"], "acme.example · Manufacturing");

    // While typing: a prefix; accents and case do not matter.
    for q in ["mun", "munoz", "MUÑOZ", "jose mu", "josé"] {
        let res = app.get(&format!("/api/v1/search?q={q}")).await;
        assert_eq!(res.status, 200, "{q}: {}", res.text);
        assert_eq!(res.body["items"][0]["id"], jose_id.as_str(), "{q}: {}", res.text);
        assert_eq!(res.body["items"][0]["link"], format!("/contacts/{jose_id}"));
    }
    // Typos in a name.
    let res = app.get("/api/v1/search?q=jon%20smth").await;
    assert_eq!(res.body["items"][0]["id"], john_id.as_str(), "{}", res.text);
    // Parts of emails and phone numbers.
    for q in ["smithworks", "acme.exa", "612%20345", "345"] {
        let res = app.get(&format!("/api/v1/search?q={q}&types=contact")).await;
        assert_eq!(res.status, 200, "{q}: {}", res.text);
        assert!(!res.body["items"].as_array().unwrap().is_empty(), "{q}: {}", res.text);
    }
    let res = app.get("/api/v1/search?q=smithworks").await;
    assert_eq!(
        highlighted(&res.body["items"][0]),
        vec!["john@smithworks.example"],
        "{}",
        res.text
    );

    // Interaction bodies, with the match highlighted and the contact's page as the link.
    let res = app.get("/api/v1/search?q=renewal%20pricing").await;
    let hit = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["type"] == "interaction")
        .unwrap_or_else(|| panic!("the call: {}", res.text))
        .clone();
    assert_eq!(hit["id"], call_id.as_str());
    assert_eq!(hit["title"], "Quarterly review");
    assert_eq!(hit["contact_id"], john_id.as_str());
    assert_eq!(hit["link"], format!("/contacts/{john_id}#interaction-{call_id}"));
    assert!(hit["subtitle"].as_str().unwrap().starts_with("John Smith · "), "{hit}");
    assert_eq!(highlighted(&hit), vec!["renewal", "pricing"], "{hit}");
    let text: String = hit["snippet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert!(text.contains("He asked about the renewal pricing"), "{text}");

    // Products by SKU, templates by their text.
    let res = app.get("/api/v1/search?q=cons-day").await;
    assert_eq!(
        kinds_and_titles(&res.body)[0],
        ("product".into(), "Consulting day".into()),
        "{}",
        res.text
    );
    let res = app.get("/api/v1/search?q=type:template%20follow").await;
    let found = kinds_and_titles(&res.body);
    assert!(
        !found.is_empty() && found.iter().all(|(k, _)| k == "template"),
        "{found:?}"
    );

    // The syntax: type filters, exclusions, phrases, alternatives.
    let res = app.get("/api/v1/search?q=type:deal%20renewal").await;
    assert_eq!(
        kinds_and_titles(&res.body),
        vec![("deal".into(), "ACME renewal 2027".into())]
    );
    let res = app.get("/api/v1/search?q=renewal&types=interaction").await;
    assert_eq!(
        kinds_and_titles(&res.body),
        vec![("interaction".into(), "Quarterly review".into())]
    );
    let res = app.get("/api/v1/search?q=acme%20-renewal").await;
    let found = kinds_and_titles(&res.body);
    assert!(!found.iter().any(|(k, _)| k == "deal"), "{found:?}");
    assert!(found.iter().any(|(k, _)| k == "company"), "{found:?}");
    let res = app.get("/api/v1/search?q=%22quarterly%20review%22").await;
    assert_eq!(res.body["items"][0]["id"], call_id.as_str(), "{}", res.text);
    let res = app
        .get("/api/v1/search?q=%22review%20quarterly%22&types=interaction")
        .await;
    assert_eq!(res.body["items"], json!([]), "a phrase keeps its order: {}", res.text);
    let res = app.get("/api/v1/search?q=smith%20or%20munoz&types=contact").await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 2, "{}", res.text);
    let res = app.get("/api/v1/search?q=acme&limit=1").await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 1);

    // Trashed records and what hangs under them are not found.
    assert_eq!(app.delete(&format!("/api/v1/contacts/{john_id}")).await.status, 204);
    let res = app.get("/api/v1/search?q=smith%20or%20quarterly").await;
    assert_eq!(res.body["items"], json!([]), "{}", res.text);
}

#[actix_web::test]
async fn the_contact_and_company_lists_match_words_as_search_does() {
    let app = TestApp::spawn().await;
    let (jose_id, john_id, _) = seed(&app).await;
    let ids = |res: &Value| -> Vec<String> {
        res["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    for (q, expected) in [
        ("munoz", vec![jose_id.clone()]),
        ("jon%20smth", vec![]),
        ("smithworks", vec![john_id.clone()]),
        ("acme", vec![jose_id.clone()]),
        ("smith%20or%20jose", vec![jose_id.clone(), john_id.clone()]),
    ] {
        let res = app.get(&format!("/api/v1/contacts?q={q}&sort=name")).await;
        assert_eq!(res.status, 200, "{q}: {}", res.text);
        let mut got = ids(&res.body);
        got.sort();
        let mut expected = expected;
        expected.sort();
        assert_eq!(got, expected, "{q}: {}", res.text);
    }
    // What is typed on the way to a query is looked for as it is rather than refused.
    for (q, n) in [("-", 0), ("%22", 0), ("!!!", 0), ("%2B34", 1), ("-foo", 0)] {
        let res = app.get(&format!("/api/v1/contacts?q={q}&limit=200")).await;
        assert_eq!(res.status, 200, "{q}: {}", res.text);
        assert_eq!(res.body["items"].as_array().unwrap().len(), n, "{q}: {}", res.text);
    }
    // Typos are search's fallback, not the lists'.
    let res = app.get("/api/v1/search?q=acmee&types=company").await;
    assert_eq!(res.body["items"][0]["title"], "ACME Corp", "a typo: {}", res.text);
    let res = app.get("/api/v1/companies?q=manufact").await;
    assert_eq!(res.body["items"][0]["name"], "ACME Corp", "{}", res.text);
}

#[actix_web::test]
async fn bad_queries_are_refused_and_syntax_characters_are_only_text() {
    let app = TestApp::spawn().await;
    let (contact_id, _, _) = seed(&app).await;
    let long = "a".repeat(2000);
    for (path, field) in [
        ("/api/v1/search".to_owned(), "q"),
        ("/api/v1/search?q=".to_owned(), "q"),
        ("/api/v1/search?q=%20%20".to_owned(), "q"),
        (format!("/api/v1/search?q={long}"), "q"),
        (format!("/api/v1/contacts?q={long}"), "q"),
        ("/api/v1/search?q=!!!".to_owned(), "q"),
        ("/api/v1/search?q=-".to_owned(), "q"),
        ("/api/v1/search?q=-acme".to_owned(), "q"),
        ("/api/v1/search?q=type:unicorn%20acme".to_owned(), "q"),
        ("/api/v1/search?q=acme&types=contact,unicorn".to_owned(), "types"),
        ("/api/v1/search?q=acme&limit=0".to_owned(), "limit"),
        ("/api/v1/search?q=acme&limit=51".to_owned(), "limit"),
        ("/api/v1/search?q=acme&limit=ten".to_owned(), "limit"),
    ] {
        let res = app.get(&path).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), vec![field.to_owned()], "{path}: {}", res.text);
    }
    // tsquery and SQL syntax is searched for as text: never an error, never everything.
    for q in [
        "'",
        "o'brien",
        "acme%20%26%20%7C%20!",
        "acme:*",
        "\\",
        "a\\b",
        "');%20DROP%20TABLE%20contacts;--",
        "%25",
        "_",
        "%C2%8C",
    ] {
        let res = app.get(&format!("/api/v1/search?q={q}")).await;
        if res.status == 422 {
            res.problem(422, "validation_failed");
            continue;
        }
        assert_eq!(res.status, 200, "{q}: {}", res.text);
        let n = res.body["items"].as_array().unwrap().len();
        assert!(n <= 3, "{q} matched {n}: {}", res.text);
    }
    // Control characters separate words as spaces do (a C1 control before an accented letter
    // was found by the fuzzer).
    let spaced = app.get("/api/v1/search?q=acme%20renewal").await;
    let controlled = app.get("/api/v1/search?q=acme%C2%8Crenewal%C2%8C").await;
    assert_eq!(controlled.status, 200, "{}", controlled.text);
    assert_eq!(controlled.body["items"], spaced.body["items"]);
    assert!(!spaced.body["items"].as_array().unwrap().is_empty());
    app.get("/api/v1/search?q=%C2%8C%C2%9F")
        .await
        .problem(422, "validation_failed");
    // A record dated centuries ago still ranks (its recency is nil, not an arithmetic error).
    let old = app
        .post(
            "/api/v1/interactions",
            &json!({"contact_id": contact_id, "kind": "note", "subject": "Ancient ledger",
                    "occurred_at": "1801-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(old.status, 201, "{}", old.text);
    let res = app.get("/api/v1/search?q=ancient").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["items"][0]["title"], "Ancient ledger");
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, 2);
}

/// How many of the workspace's known words (`search_words`) are among `words`.
async fn known(app: &TestApp, words: &[&str]) -> i64 {
    let list = words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(", ");
    app.scalar(&format!("SELECT count(*) FROM search_words WHERE word IN ({list})"))
        .await
}

#[actix_web::test]
async fn typos_are_corrected_against_the_words_of_the_workspace() {
    let app = TestApp::spawn().await;
    let olivia = app
        .contact(json!({"first_name": "Olivia", "last_name": "Kowalski", "job_title": "Architect"}))
        .await;
    let olivia_id = olivia["id"].as_str().unwrap().to_owned();
    // Neighbours sharing one of her names, so a typo must be corrected to the right pair.
    for (first, last) in [("Olivia", "Newton"), ("Marek", "Kowalski"), ("Oliver", "Kowal")] {
        app.contact(json!({"first_name": first, "last_name": last})).await;
    }
    let company = app
        .post("/api/v1/companies", &json!({"name": "Northwind Traders 2567"}))
        .await;
    assert_eq!(company.status, 201, "{}", company.text);
    let deal = app
        .post("/api/v1/deals", &json!({"title": "Lighthouse retrofit"}))
        .await;
    assert_eq!(deal.status, 201, "{}", deal.text);

    // The database keeps the words of names: letters only, three or more, folded.
    assert_eq!(
        known(&app, &["olivia", "kowalski", "northwind", "traders", "lighthouse"]).await,
        5
    );
    assert_eq!(
        known(&app, &["2567", "architect"]).await,
        0,
        "digits and job titles are not names"
    );

    // A letter missing, swapped or wrong in every word: the closest names win.
    for (q, kind, title) in [
        ("olivai kowalsky", "contact", "Olivia Kowalski"),
        ("Olivia Kowalksi", "contact", "Olivia Kowalski"),
        ("northwnd", "company", "Northwind Traders 2567"),
        ("lighthose retrofit", "deal", "Lighthouse retrofit"),
    ] {
        let res = app.get(&format!("/api/v1/search?q={}", q.replace(' ', "%20"))).await;
        assert_eq!(res.status, 200, "{q}: {}", res.text);
        assert_eq!(
            kinds_and_titles(&res.body).first(),
            Some(&(kind.to_owned(), title.to_owned())),
            "{q}: {}",
            res.text
        );
    }
    // A word with nothing close is left out rather than sinking the others.
    let res = app.get("/api/v1/search?q=xq%20kowalsky&types=contact").await;
    let found = kinds_and_titles(&res.body);
    assert!(found.iter().any(|(_, t)| t == "Olivia Kowalski"), "{found:?}");

    // `-word` holds for look-alikes too.
    let res = app.get("/api/v1/search?q=kowalsky%20-olivia&types=contact").await;
    let found = kinds_and_titles(&res.body);
    assert!(found.iter().any(|(_, t)| t == "Marek Kowalski"), "{found:?}");
    assert!(!found.iter().any(|(_, t)| t.starts_with("Olivia")), "{found:?}");

    // A renamed record brings its new words; a word nobody holds any more is forgotten, one
    // somebody else still holds is kept.
    let res = app
        .patch(
            &format!("/api/v1/contacts/{olivia_id}"),
            &json!({"last_name": "Wiśniewska", "version": olivia["version"]}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(known(&app, &["wisniewska"]).await, 1);
    assert_eq!(
        known(&app, &["kowalski", "olivia"]).await,
        2,
        "Marek and the other Olivia hold them"
    );
    let res = app.get("/api/v1/search?q=olivia%20wisniewski").await;
    assert_eq!(res.body["items"][0]["id"], olivia_id.as_str(), "{}", res.text);

    // Moving to the trash keeps the words (the record can come back); erasing forgets them.
    assert_eq!(app.delete(&format!("/api/v1/contacts/{olivia_id}")).await.status, 204);
    assert_eq!(known(&app, &["wisniewska"]).await, 1);
    let res = app
        .post(&format!("/api/v1/contacts/{olivia_id}/restore"), &json!({}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app
        .post(
            &format!("/api/v1/contacts/{olivia_id}/erase"),
            &json!({"confirm_name": "Olivia Wiśniewska"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        known(&app, &["wisniewska"]).await,
        0,
        "an erased person's name does not stay behind"
    );
    assert_eq!(known(&app, &["olivia"]).await, 1, "still Olivia Newton's");

    // Companies and deals keep their words the same way: renamed, then deleted for good.
    let company_id = company.body["id"].as_str().unwrap();
    let res = app
        .patch(
            &format!("/api/v1/companies/{company_id}"),
            &json!({"name": "Southwind Traders", "version": company.body["version"]}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(known(&app, &["southwind", "traders"]).await, 2);
    assert_eq!(known(&app, &["northwind"]).await, 0);
    let deal_id = deal.body["id"].as_str().unwrap();
    let res = app
        .patch(
            &format!("/api/v1/deals/{deal_id}"),
            &json!({"title": "Lantern retrofit", "version": deal.body["version"]}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(known(&app, &["lantern", "retrofit"]).await, 2);
    assert_eq!(known(&app, &["lighthouse"]).await, 0);
    for (kind, id, path) in [("deal", deal_id, "deals"), ("company", company_id, "companies")] {
        assert_eq!(app.delete(&format!("/api/v1/{path}/{id}")).await.status, 204);
        let res = app
            .post("/api/v1/trash/purge", &json!({"type": kind, "ids": [id]}))
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
    }
    assert_eq!(known(&app, &["southwind", "traders", "lantern", "retrofit"]).await, 0);
}

/// 400 people "Person Number n" whose email (`pn@kowa-group.example`) matches "kowa", the n-th
/// touched n × `apart` ago.
async fn people_at_kowa_group(app: &TestApp, apart: &str) {
    app.execute(&format!(
        "INSERT INTO contacts (id, workspace_id, first_name, last_name, emails, created_at, updated_at) \
         SELECT gen_random_uuid(), '{}', 'Person', 'Number ' || n, ARRAY['p' || n || '@kowa-group.example'], \
                now() - n * interval '{apart}', now() - n * interval '{apart}' \
         FROM generate_series(1, 400) n",
        rapport::db::DEFAULT_WORKSPACE_ID
    ))
    .await;
}

#[actix_web::test]
async fn names_starting_with_the_query_are_never_left_out_of_a_large_match() {
    let app = TestApp::spawn().await;
    // 400 people whose email matches "kowa" (more than search ranks as a sample) and one whose
    // name starts with it.
    people_at_kowa_group(&app, "1 minute").await;
    let ada = app
        .contact(json!({"first_name": "Kowalczyk", "last_name": "Ada"}))
        .await;
    let res = app.get("/api/v1/search?q=kowa&types=contact").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["items"][0]["id"], ada["id"], "{}", res.text);
    assert_eq!(res.body["items"].as_array().unwrap().len(), 20);
}

#[actix_web::test]
async fn last_names_and_people_at_companies_starting_with_the_query_are_never_left_out() {
    let app = TestApp::spawn().await;
    // 400 older people whose email matches "kowa": more than search ranks as a sample.
    people_at_kowa_group(&app, "10 days").await;
    let ada = app
        .contact(json!({"first_name": "Ada", "last_name": "Kowalczyk"}))
        .await;
    let firm = app
        .post("/api/v1/companies", &json!({"name": "Kowalski Partners"}))
        .await;
    assert_eq!(firm.status, 201, "{}", firm.text);
    let mia = app
        .contact(json!({"first_name": "Mia", "last_name": "Haddad", "company_id": firm.body["id"]}))
        .await;

    let res = app.get("/api/v1/search?q=kowa&types=contact").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 20, "{}", res.text);
    // A last name starting with the query ranks above every other match.
    assert_eq!(items[0]["id"], ada["id"], "{}", res.text);
    assert!(items.iter().any(|h| h["id"] == mia["id"]), "{}", res.text);

    // With more last names starting with the query than a kind's share of names, those are the
    // hits: a sample of every match (mostly the 400) would rank only a few of them.
    app.execute(&format!(
        "INSERT INTO contacts (id, workspace_id, first_name, last_name, created_at, updated_at) \
         SELECT gen_random_uuid(), '{}', 'Jan', 'Kowalewski', now(), now() FROM generate_series(1, 60)",
        rapport::db::DEFAULT_WORKSPACE_ID
    ))
    .await;
    let res = app.get("/api/v1/search?q=kowa&types=contact&limit=50").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let titles: Vec<String> = kinds_and_titles(&res.body).into_iter().map(|(_, t)| t).collect();
    assert_eq!(titles.len(), 50, "{titles:?}");
    assert_eq!(titles.iter().filter(|t| *t == "Ada Kowalczyk").count(), 1, "{titles:?}");
    assert_eq!(
        titles.iter().filter(|t| *t == "Jan Kowalewski").count(),
        49,
        "{titles:?}"
    );

    // The lists' and search's other ways of matching still hold: a part of an email.
    let res = app.get("/api/v1/search?q=p399&types=contact").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(kinds_and_titles(&res.body)[0].1, "Person Number 399", "{}", res.text);
}

#[actix_web::test]
async fn interactions_with_words_in_most_of_them_are_found_from_the_newest_and_rare_words_from_the_index() {
    let app = TestApp::spawn().await;
    let tim = app.contact(json!({"first_name": "Tim", "last_name": "Berners"})).await;
    // 45,000 notes that all say "timeline", written oldest first (the newest ends up last on
    // disk), and a year before them one that names Thompson.
    let (ws, id) = (rapport::db::DEFAULT_WORKSPACE_ID, tim["id"].as_str().unwrap());
    app.execute(&format!(
        "INSERT INTO interactions (id, workspace_id, contact_id, kind, occurred_at, body, created_at, updated_at) \
         SELECT gen_random_uuid(), '{ws}', '{id}', 'note', t, 'Moved the timeline, note ' || n, t, t \
         FROM generate_series(45000, 0, -1) n CROSS JOIN LATERAL (SELECT now() - n * interval '1 minute' AS t) o"
    ))
    .await;
    app.execute(&format!(
        "INSERT INTO interactions (id, workspace_id, contact_id, kind, occurred_at, body, created_at, updated_at) \
         VALUES (gen_random_uuid(), '{ws}', '{id}', 'note', now() - interval '400 days', \
                 'Timeline agreed with Thompson', now(), now())"
    ))
    .await;
    app.execute("ANALYZE interactions").await;

    // "timeline" is in nearly every note: the newest notes are read until enough match, so the
    // newest is the best hit (a sample from the text index would be the first rows on disk).
    let res = app.get("/api/v1/search?q=timeline&types=interaction").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 20, "{}", res.text);
    assert_eq!(snippet(&items[0]), "Moved the timeline, note 0", "{}", res.text);

    // With a rare word beside it, the text index is read for the rare word, and the one note
    // with both, a year older than every other, is found.
    let res = app.get("/api/v1/search?q=tim%20tho&types=interaction").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", res.text);
    assert_eq!(snippet(&items[0]), "Timeline agreed with Thompson", "{}", res.text);

    // A word no note has, with a common one: nothing, not an error.
    let res = app.get("/api/v1/search?q=timeline%20zebra&types=interaction").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["items"].as_array().unwrap().len(), 0, "{}", res.text);
}

#[actix_web::test]
async fn a_first_name_cut_short_before_a_whole_last_name_finds_the_person_among_many_matches() {
    let app = TestApp::spawn().await;
    // 400 matches of both words, more than a sample holds: Noahs who are Costa Coffee baristas.
    app.execute(&format!(
        "INSERT INTO contacts (id, workspace_id, first_name, last_name, job_title, created_at, updated_at) \
         SELECT gen_random_uuid(), '{}', 'Noah', 'Adams ' || n, 'Costa Coffee barista', now() - n * interval '1 second', \
                now() - n * interval '1 second' \
         FROM generate_series(1, 400) n",
        rapport::db::DEFAULT_WORKSPACE_ID
    ))
    .await;
    // Written last and named after them, so the first rows on disk and by name, where a sample
    // comes from, are the others.
    let noah = app.contact(json!({"first_name": "Noah", "last_name": "Costa"})).await;
    let res = app.get("/api/v1/search?q=noa%20costa&types=contact").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 20, "{}", res.text);
    assert_eq!(items[0]["id"], noah["id"], "{}", res.text);
    assert_eq!(
        items.iter().filter(|h| h["id"] == noah["id"]).count(),
        1,
        "found once, by one walk only: {}",
        res.text
    );
}

#[actix_web::test]
async fn deals_naming_a_common_name_are_taken_from_the_people_found_by_it() {
    let app = TestApp::spawn().await;
    let ws = rapport::db::DEFAULT_WORKSPACE_ID;
    // The statistics change only when the test says: no autovacuum analysis in between.
    app.execute("ALTER TABLE deals SET (autovacuum_enabled = false)").await;
    // 1,200 deals that name an Ana Silva whom the workspace does not hold, first on disk, where
    // a sample from the deals' text index comes from.
    app.execute(&format!(
        "INSERT INTO deals (id, workspace_id, title, pipeline_id, stage_id, currency, stage_changed_at, created_at, updated_at) \
         SELECT gen_random_uuid(), '{ws}', 'Retainer for Ana Silva ' || n, \
                '01936000-0000-7000-8000-000000000201', '01936000-0000-7000-8000-000000000211', 'EUR', now(), now(), now() \
         FROM generate_series(1, 1200) n"
    ))
    .await;
    // 60 people named Silva (more than a name walk reads), each with a deal that names them. Not
    // touched for a year, so their deals, touched now, rank above them.
    app.execute(&format!(
        "INSERT INTO contacts (id, workspace_id, first_name, last_name, created_at, updated_at) \
         SELECT gen_random_uuid(), '{ws}', 'Person' || n, 'Silva', now() - interval '1 year', now() - interval '1 year' \
         FROM generate_series(1, 60) n"
    ))
    .await;
    app.execute(&format!(
        "INSERT INTO deals (id, workspace_id, title, contact_id, pipeline_id, stage_id, currency, stage_changed_at, created_at, updated_at) \
         SELECT gen_random_uuid(), '{ws}', 'Audit for ' || c.first_name || ' Silva', c.id, \
                '01936000-0000-7000-8000-000000000201', '01936000-0000-7000-8000-000000000211', 'EUR', now(), now(), now() \
         FROM contacts c WHERE c.workspace_id = '{ws}' AND c.last_name = 'Silva'"
    ))
    .await;
    let deal_titles = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["type"] == "deal")
            .map(|h| h["title"].as_str().unwrap().to_owned())
            .collect()
    };

    // Before the deals are analysed every word counts as rare: the deals' text index is read,
    // and the first deals on disk that match are ranked.
    let res = app.get("/api/v1/search?q=silva&types=contact,deal&limit=50").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let before = deal_titles(&res.body);
    assert!(!before.is_empty(), "{}", res.text);
    assert!(before.iter().any(|t| t.starts_with("Retainer")), "{before:?}");

    // Once the statistics show "silva" in more than 1,000 deals, and the people's name walk is
    // full, the deals come from the people found: each names one of them.
    app.execute("ANALYZE deals").await;
    let res = app.get("/api/v1/search?q=silva&types=contact,deal&limit=50").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let after = deal_titles(&res.body);
    assert!(!after.is_empty(), "{}", res.text);
    assert!(after.iter().all(|t| t.starts_with("Audit for Person")), "{after:?}");
    // Each still matches the query, and each is ranked once.
    let distinct: std::collections::HashSet<&String> = after.iter().collect();
    assert_eq!(distinct.len(), after.len(), "{after:?}");

    // A query whose words name no one (a deal's own words) still reads the deals' index.
    let res = app.get("/api/v1/search?q=retainer&types=contact,deal").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(deal_titles(&res.body).len(), 20, "{}", res.text);
}

/// A list's `q` of several words reads the contacts' text index for the words in few rows
/// alone, each contact found checked against the whole query; when every word is in many rows,
/// for all of them. What the list answers is the same either way.
#[actix_web::test]
async fn a_list_of_several_words_reads_the_text_index_for_its_rare_words_alone() {
    let app = TestApp::spawn().await;
    let ws = rapport::db::DEFAULT_WORKSPACE_ID;
    app.execute("ALTER TABLE contacts SET (autovacuum_enabled = false)")
        .await;
    // 1,200 Odalys Brennans; three people whose names start with "tams", two of them Odalys.
    app.execute(&format!(
        "INSERT INTO contacts (id, workspace_id, first_name, last_name, created_at, updated_at) \
         SELECT gen_random_uuid(), '{ws}', 'Odalys', 'Brennan', now() - n * interval '1 minute', now() - n * interval '1 minute' \
         FROM generate_series(1, 1200) n"
    ))
    .await;
    for (first, last) in [("Odalys", "Tamsin"), ("Tamsinne", "Odalys"), ("Tamsin", "Okafor")] {
        let res = app
            .post("/api/v1/contacts", &json!({"first_name": first, "last_name": last}))
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    let listed = |res: &crate::common::Resp| -> (i64, Vec<String>) {
        assert_eq!(res.status, 200, "{}", res.text);
        let names = res.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["display_name"].as_str().unwrap().to_owned())
            .collect();
        (res.body["total"].as_i64().unwrap(), names)
    };
    let index_words = |q: &'static str| {
        let pool = app.pool.clone();
        async move {
            let mut conn = pool.get().await.unwrap();
            let m = rapport::search::query::parse_filter(Some(q)).unwrap().unwrap();
            rapport::search::store::list_index_words(&mut conn, "contacts", &m)
                .await
                .unwrap()
        }
    };

    // Before the contacts are analysed the statistics hold no word: every word counts as rare,
    // and the index is read for all of them, as for any query.
    assert_eq!(index_words("odalys tams").await, None);
    let before = listed(&app.get("/api/v1/contacts?q=odalys%20tams&include_total=true").await);

    app.execute("ANALYZE contacts").await;
    // "odalys" is in 1,202 contacts now: only "tams" is read from the index.
    assert_eq!(index_words("odalys tams").await.as_deref(), Some("'tams':*"));
    crate::statements::enable_counting(&app).await;
    crate::statements::reset(&app).await;
    let after = listed(&app.get("/api/v1/contacts?q=odalys%20tams&include_total=true").await);
    // The list read it so: its page and its total each matched the rows found against the
    // whole query without the index.
    assert_eq!(read_for_rare_words(&app, "contacts").await, 2);
    // So does an export of the list, for each of its pages.
    crate::statements::reset(&app).await;
    let csv = app.get("/api/v1/contacts/export?format=csv&q=odalys%20tams").await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert_eq!(csv.text.lines().count(), 3, "{}", csv.text);
    assert!(
        csv.text.contains(",Odalys,Tamsin,") && csv.text.contains(",Tamsinne,Odalys,"),
        "{}",
        csv.text
    );
    assert!(read_for_rare_words(&app, "contacts").await >= 1);
    assert_eq!(after, before);
    assert_eq!(after.0, 2, "{after:?}");
    let mut names = after.1.clone();
    names.sort();
    assert_eq!(names, ["Odalys Tamsin", "Tamsinne Odalys"]);
    // Each contact found is checked against the whole query, left-out words included.
    let res = app
        .get("/api/v1/contacts?q=odalys%20tams%20-tamsinne&include_total=true")
        .await;
    assert_eq!(listed(&res), (1, vec!["Odalys Tamsin".to_owned()]));

    // Every word common: the index is read for the whole query. One word, or `or`: as before.
    assert_eq!(index_words("odalys brennan").await, None);
    assert_eq!(
        listed(
            &app.get("/api/v1/contacts?q=odalys%20brennan&include_total=true&limit=5")
                .await
        )
        .0,
        1200
    );
    assert_eq!(index_words("tamsin").await, None);
    assert_eq!(index_words("tamsin or okafor").await, None);
    // The companies' list decides the same way on its own statistics: "odalys" is in no
    // company, "harbor" in 1,100.
    app.execute("ALTER TABLE companies SET (autovacuum_enabled = false)")
        .await;
    app.execute(&format!(
        "INSERT INTO companies (id, workspace_id, name, created_at, updated_at) \
         SELECT gen_random_uuid(), '{ws}', 'Harbor Works ' || n, now(), now() FROM generate_series(1, 1100) n"
    ))
    .await;
    app.execute("ANALYZE companies").await;
    let mut conn = app.pool.get().await.unwrap();
    let mut company_words = async |q: &str| {
        let m = rapport::search::query::parse_filter(Some(q)).unwrap().unwrap();
        rapport::search::store::list_index_words(&mut conn, "companies", &m)
            .await
            .unwrap()
    };
    assert_eq!(company_words("harbor odalys").await.as_deref(), Some("'odalys':*"));
    assert_eq!(company_words("odalys tams").await, None);
    crate::statements::reset(&app).await;
    let res = app
        .get("/api/v1/companies?q=harbor%20works%201099&include_total=true")
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["total"], 1, "{}", res.text);
    assert_eq!(read_for_rare_words(&app, "companies").await, 2);
    crate::statements::reset(&app).await;
    let csv = app
        .get("/api/v1/companies/export?format=csv&q=harbor%20works%201099")
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert_eq!(csv.text.lines().count(), 2, "{}", csv.text);
    assert!(read_for_rare_words(&app, "companies").await >= 1);
}

/// How many statements since the counters' reset read `table`'s text index for a query's rare
/// words alone, checking the rows found against the whole query.
async fn read_for_rare_words(app: &TestApp, table: &str) -> i64 {
    // The counters show constants as parameters (`$11::tsvector`).
    let checked = format!("({table}.search_vector || $");
    crate::statements::executed(app, true)
        .await
        .iter()
        .filter(|s| s.query.contains(&checked))
        .map(|s| s.calls)
        .sum()
}

/// A list's `q` typed as far as the first letter of a name's last word (`grace t`) finds the
/// names starting with it, in the contacts' list (live and in the trash) and the companies'.
#[actix_web::test]
async fn a_list_finds_names_typed_up_to_the_last_words_first_letter() {
    let app = TestApp::spawn().await;
    let mut ids = std::collections::HashMap::new();
    for (first, last) in [
        ("Grace", "Tanaka"),
        ("Grace", "Thompson"),
        ("Grace", "T. Hopper"),
        ("Grace", "Hopper"),
        ("Tom", "Grace"),
        ("Gracia", "Torres"),
    ] {
        let res = app
            .post("/api/v1/contacts", &json!({"first_name": first, "last_name": last}))
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        ids.insert(format!("{first} {last}"), res.body["id"].as_str().unwrap().to_owned());
    }
    let names = |res: &crate::common::Resp| -> Vec<String> {
        assert_eq!(res.status, 200, "{}", res.text);
        let mut names: Vec<String> = res.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                c["display_name"]
                    .as_str()
                    .unwrap_or_else(|| c["name"].as_str().unwrap())
                    .to_owned()
            })
            .collect();
        names.sort();
        names
    };
    // The names starting with "grace t", and Grace T. Hopper, who also has the word "t".
    let res = app.get("/api/v1/contacts?q=Grace%20T&include_total=true").await;
    assert_eq!(names(&res), ["Grace T. Hopper", "Grace Tanaka", "Grace Thompson"]);
    assert_eq!(res.body["total"], 3, "{}", res.text);
    // With a left-out word the letter is only a word of its own (the names' range could not
    // leave anything out); two letters are a prefix of any word as before.
    let res = app.get("/api/v1/contacts?q=grace%20t%20-tanaka").await;
    assert_eq!(names(&res), ["Grace T. Hopper"]);
    let res = app.get("/api/v1/contacts?q=grace%20to").await;
    assert_eq!(names(&res), ["Tom Grace"]);
    // In the trash too.
    let res = app.delete(&format!("/api/v1/contacts/{}", ids["Grace Tanaka"])).await;
    assert!(res.status == 204 || res.status == 200, "{}", res.text);
    let res = app.get("/api/v1/contacts?q=grace%20t&trashed=true").await;
    assert_eq!(names(&res), ["Grace Tanaka"]);
    let res = app.get("/api/v1/contacts?q=grace%20t").await;
    assert_eq!(names(&res), ["Grace T. Hopper", "Grace Thompson"]);

    for name in ["Blue Harbor Labs", "Blue Hill", "Bluebird", "Red Harbor"] {
        let res = app.post("/api/v1/companies", &json!({"name": name})).await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    let res = app.get("/api/v1/companies?q=blue%20h").await;
    assert_eq!(names(&res), ["Blue Harbor Labs", "Blue Hill"]);
}
