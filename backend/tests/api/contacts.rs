//! Contacts over HTTP: create, read, list (search, filters, sorts, cursors), update with
//! optimistic concurrency, trash and restore.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::TestApp;

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The display names of a page of contacts, in order.
pub(crate) fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["display_name"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn create_then_get_a_contact() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "/api/v1/contacts",
            &json!({
                "first_name": "  Ada ",
                "last_name": "Lovelace",
                "emails": ["ADA@Example.com", "ada@example.com", "ada@engines.example"],
                "phones": ["+44  20 7946 0958"],
                "company_name": "Analytical Engines",
                "job_title": "CTO",
                "website": "ada.example.com",
                "lifecycle": "prospect",
                "source": "referral",
                "relationship_type": "client",
                "connection_strength": 4,
                "tags": ["VIP", "vip", "Big  Fish"],
                "follow_up_cadence_days": 14,
                "next_follow_up_at": "2030-01-02T03:04:05Z"
            }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let c = &res.body;
    let id = c["id"].as_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 7);
    assert_eq!(res.header("location"), Some(format!("/api/v1/contacts/{id}").as_str()));
    assert_eq!(res.header("etag"), Some("\"1\""));
    assert_eq!(c["first_name"], "Ada");
    assert_eq!(c["display_name"], "Ada Lovelace");
    assert_eq!(c["emails"], json!(["ada@example.com", "ada@engines.example"]));
    assert_eq!(c["phones"], json!(["+44 20 7946 0958"]));
    assert_eq!(c["company"]["name"], "Analytical Engines");
    assert_eq!(c["website"], "https://ada.example.com");
    assert_eq!(c["tags"], json!(["vip", "big fish"]));
    assert_eq!(c["lifecycle"], "prospect");
    assert_eq!(c["version"], 1);
    assert_eq!(c["next_follow_up_at"], "2030-01-02T03:04:05Z");
    assert!(c["deleted_at"].is_null());

    let got = app.get(&format!("/api/v1/contacts/{id}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, res.body);
    assert_eq!(got.header("etag"), Some("\"1\""));

    // Stored in the default workspace, linked to one company.
    assert_eq!(
        app.scalar("SELECT count(*) FROM contacts WHERE workspace_id = '01936000-0000-7000-8000-000000000001'")
            .await,
        1
    );
    assert_eq!(app.scalar("SELECT count(*) FROM companies").await, 1);
}

#[actix_web::test]
async fn only_first_name_is_required_and_lifecycle_defaults_to_lead() {
    let app = TestApp::spawn().await;
    let c = app.contact(json!({"first_name": "Cher"})).await;
    assert_eq!(c["lifecycle"], "lead");
    assert_eq!(c["display_name"], "Cher");
    assert_eq!(c["emails"], json!([]));
    assert!(c["company"].is_null());
}

#[actix_web::test]
async fn contacts_naming_the_same_company_share_it() {
    let app = TestApp::spawn().await;
    let a = app.contact(json!({"first_name": "A", "company_name": "Acme"})).await;
    let b = app.contact(json!({"first_name": "B", "company_name": "ACME "})).await;
    assert_eq!(a["company"]["id"], b["company"]["id"]);
    // Concurrent creations with a new name also end up with one company.
    let bodies: Vec<Value> = (0..8)
        .map(|i| json!({"first_name": format!("C{i}"), "company_name": "Globex"}))
        .collect();
    let results = futures_util::future::join_all(bodies.iter().map(|b| app.post("/api/v1/contacts", b))).await;
    assert!(results.iter().all(|r| r.status == 201));
    let company_ids: HashSet<String> = results
        .iter()
        .map(|r| r.body["company"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(company_ids.len(), 1);
    assert_eq!(app.scalar("SELECT count(*) FROM companies").await, 2);

    // Listing by company.
    let company = a["company"]["id"].as_str().unwrap();
    let page = app
        .get(&format!("/api/v1/contacts?company_id={company}&sort=name"))
        .await;
    assert_eq!(names(&page.body), vec!["A", "B"]);
    // A company that does not exist cannot be linked by id.
    let res = app
        .post(
            "/api/v1/contacts",
            &json!({"first_name": "X", "company_id": uuid::Uuid::now_v7()}),
        )
        .await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), vec!["company_id"]);
}

#[actix_web::test]
async fn pages_follow_the_cursor_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    let mut created = Vec::new();
    for i in 0..7 {
        created.push(
            app.contact(json!({"first_name": format!("Person{i}")})).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // Default sort: newest first.
    let mut seen = Vec::new();
    let mut path = "/api/v1/contacts?limit=3&include_total=true".to_owned();
    let mut pages = 0;
    loop {
        let page = app.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert_eq!(page.body["total"], 7);
        seen.extend(ids(&page.body));
        pages += 1;
        match page.body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/contacts?limit=3&include_total=true&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    created.reverse();
    assert_eq!(seen, created);
    // `total` only when asked.
    let page = app.get("/api/v1/contacts").await;
    assert!(page.body.get("total").is_none());
}

#[actix_web::test]
async fn every_sort_pages_consistently() {
    let app = TestApp::spawn().await;
    let people = [
        ("zoe", Some("2030-01-05T00:00:00Z")),
        ("Ann", None),
        ("bob", Some("2030-01-01T00:00:00Z")),
        ("Cy", None),
        ("ann", Some("2030-01-03T00:00:00Z")),
    ];
    for (name, due) in people {
        // Inactive contacts get no automatic follow-up, so those without a date keep none.
        let lifecycle = if due.is_some() { "lead" } else { "inactive" };
        app.contact(json!({"first_name": name, "next_follow_up_at": due, "lifecycle": lifecycle}))
            .await;
    }
    for sort in [
        "name",
        "-name",
        "created_at",
        "-created_at",
        "updated_at",
        "-updated_at",
        "next_follow_up_at",
        "-next_follow_up_at",
        "last_interaction_at",
        "-last_interaction_at",
    ] {
        let full = app.get(&format!("/api/v1/contacts?sort={sort}&limit=200")).await;
        assert_eq!(full.status, 200, "{sort}: {}", full.text);
        let mut paged = Vec::new();
        let mut path = format!("/api/v1/contacts?sort={sort}&limit=2");
        loop {
            let page = app.get(&path).await;
            assert_eq!(page.status, 200, "{sort}: {}", page.text);
            paged.extend(ids(&page.body));
            match page.body["next_cursor"].as_str() {
                Some(c) => path = format!("/api/v1/contacts?sort={sort}&limit=2&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(paged, ids(&full.body), "sort {sort}");
    }
    let by_name = app.get("/api/v1/contacts?sort=name").await;
    let lower: Vec<String> = names(&by_name.body).iter().map(|n| n.to_lowercase()).collect();
    assert_eq!(lower, vec!["ann", "ann", "bob", "cy", "zoe"]);
    let by_due = app.get("/api/v1/contacts?sort=next_follow_up_at").await;
    assert_eq!(
        names(&by_due.body)[..3],
        ["bob", "ann", "zoe"],
        "soonest first, no date last"
    );
}

#[actix_web::test]
async fn search_and_filters_narrow_the_list() {
    let app = TestApp::spawn().await;
    app.contact(json!({"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@engines.example"], "lifecycle": "client", "tags": ["vip"], "source": "referral"})).await;
    let grace = app.contact(json!({"first_name": "Grace", "last_name": "Hopper", "company_name": "Navy Labs", "lifecycle": "prospect", "tags": ["vip", "navy"], "next_follow_up_at": "2020-01-01T00:00:00Z"})).await;
    let alan = app.contact(json!({"first_name": "Alan", "last_name": "Turing", "phones": ["+44 1234 5678"], "job_title": "Codebreaker", "lifecycle": "lead", "source": "event", "next_follow_up_at": "2099-01-01T00:00:00Z"})).await;
    app.contact(json!({"first_name": "100%_real", "lifecycle": "inactive"}))
        .await;

    async fn search(app: &TestApp, query: &str) -> Vec<String> {
        let res = app.get(&format!("/api/v1/contacts?sort=name&{query}")).await;
        assert_eq!(res.status, 200, "{query}: {}", res.text);
        names(&res.body)
    }
    let q = |query: &'static str| search(&app, query);
    assert_eq!(q("q=ADA").await, vec!["Ada Lovelace"]);
    assert_eq!(q("q=engines.example").await, vec!["Ada Lovelace"]);
    assert_eq!(q("q=navy").await, vec!["Grace Hopper"], "matches the company name");
    assert_eq!(q("q=codebreak").await, vec!["Alan Turing"]);
    assert_eq!(q("q=1234").await, vec!["Alan Turing"]);
    assert_eq!(q("q=%25_").await, vec!["100%_real"], "wildcards are literal");
    assert!(q("q=nobody").await.is_empty());
    assert_eq!(
        q("lifecycle=client,prospect").await,
        vec!["Ada Lovelace", "Grace Hopper"]
    );
    assert_eq!(q("tag=vip").await, vec!["Ada Lovelace", "Grace Hopper"]);
    assert_eq!(q("tag=vip,navy").await, vec!["Grace Hopper"], "all tags must match");
    assert_eq!(q("source=event").await, vec!["Alan Turing"]);
    assert_eq!(q("follow_up=due").await, vec!["Grace Hopper"]);
    // Only inactive contacts go without a follow-up: every other stage is scheduled by default.
    assert_eq!(q("follow_up=none").await, vec!["100%_real"]);
    assert_eq!(q("q=a&lifecycle=lead").await, vec!["Alan Turing"]);

    let tags = app.get("/api/v1/contacts/tags").await;
    assert_eq!(
        tags.body,
        json!({"items": [{"tag": "vip", "count": 2}, {"tag": "navy", "count": 1}]})
    );

    // The company's name follows a rename and a change of company, in search and on the contact.
    let company = grace["company"]["id"].as_str().unwrap();
    let renamed = app
        .patch(
            &format!("/api/v1/companies/{company}"),
            &json!({"name": "Harbor Research"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert!(q("q=navy%20labs").await.is_empty());
    assert_eq!(q("q=harbor").await, vec!["Grace Hopper"]);
    let page = app
        .get(&format!("/api/v1/contacts/{}", grace["id"].as_str().unwrap()))
        .await;
    assert_eq!(page.body["company"]["name"], "Harbor Research");
    let moved = app
        .patch(
            &format!("/api/v1/contacts/{}", alan["id"].as_str().unwrap()),
            &json!({"company_id": company}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["company"]["name"], "Harbor Research");
    assert_eq!(q("q=harbor").await, vec!["Alan Turing", "Grace Hopper"]);
    let left = app
        .patch(
            &format!("/api/v1/contacts/{}", alan["id"].as_str().unwrap()),
            &json!({"company_id": null}),
        )
        .await;
    assert_eq!(left.body["company"], Value::Null, "{}", left.text);
    assert_eq!(q("q=harbor").await, vec!["Grace Hopper"]);

    // The tag list is reused while nothing changes and follows a change at once.
    let tagged = app
        .patch(
            &format!("/api/v1/contacts/{}", alan["id"].as_str().unwrap()),
            &json!({"tags": ["vip", "maths"]}),
        )
        .await;
    assert_eq!(tagged.status, 200, "{}", tagged.text);
    assert_eq!(
        app.get("/api/v1/contacts/tags").await.body,
        json!({"items": [{"tag": "vip", "count": 3}, {"tag": "maths", "count": 1}, {"tag": "navy", "count": 1}]})
    );
}

#[actix_web::test]
async fn patch_changes_only_what_is_sent() {
    let app = TestApp::spawn().await;
    let c = app
        .contact(json!({"first_name": "Ada", "job_title": "CTO", "company_name": "Engines", "tags": ["vip"]}))
        .await;
    let id = c["id"].as_str().unwrap();
    let res = app
        .patch(
            &format!("/api/v1/contacts/{id}"),
            &json!({"lifecycle": "client", "job_title": null, "tags": ["vip", "retainer"]}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["lifecycle"], "client");
    assert!(res.body["job_title"].is_null());
    assert_eq!(res.body["first_name"], "Ada", "untouched");
    assert_eq!(res.body["company"]["name"], "Engines", "untouched");
    assert_eq!(res.body["version"], 2);
    assert_eq!(res.header("etag"), Some("\"2\""));
    // Moving to another company, then unlinking.
    let res = app
        .patch(
            &format!("/api/v1/contacts/{id}"),
            &json!({"company_name": "Babbage & Co"}),
        )
        .await;
    assert_eq!(res.body["company"]["name"], "Babbage & Co");
    let res = app
        .patch(&format!("/api/v1/contacts/{id}"), &json!({"company_name": null}))
        .await;
    assert!(res.body["company"].is_null());
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*) FROM contacts WHERE id = '{id}' AND company_id IS NULL AND version = 4"
        ))
        .await,
        1
    );
}

#[actix_web::test]
async fn stale_writes_are_refused_with_412_or_409_and_change_nothing() {
    let app = TestApp::spawn().await;
    let c = app.contact(json!({"first_name": "Ada"})).await;
    let id = c["id"].as_str().unwrap();
    let path = format!("/api/v1/contacts/{id}");
    // Someone else edits first.
    let res = app
        .request(Method::PATCH, &path, |r| {
            r.header("If-Match", "\"1\"").json(&json!({"last_name": "Lovelace"}))
        })
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    // Our edit, based on version 1, is refused: a failed If-Match is 412 (RFC 9110), a stale
    // `version` in the body a 409 conflict.
    let res = app
        .request(Method::PATCH, &path, |r| {
            r.header("If-Match", "\"1\"").json(&json!({"last_name": "Byron"}))
        })
        .await;
    res.problem(412, "version_conflict");
    let res = app.patch(&path, &json!({"last_name": "Byron", "version": 1})).await;
    res.problem(409, "version_conflict");
    // Any well-formed entity tag that is not the current version fails the precondition: a weak
    // tag (If-Match compares strongly), a tag that is no version.
    for tag in ["W/\"2\"", "\"abc\"", "\"1\"", "\"\""] {
        let res = app
            .request(Method::PATCH, &path, |r| {
                r.header("If-Match", tag).json(&json!({"last_name": "Byron"}))
            })
            .await;
        res.problem(412, "version_conflict");
    }
    let res = app
        .request(Method::DELETE, &path, |r| r.header("If-Match", "\"1\""))
        .await;
    res.problem(412, "version_conflict");
    let now = app.get(&path).await;
    assert_eq!(now.body["last_name"], "Lovelace");
    assert_eq!(now.body["version"], 2);
    assert!(now.body["deleted_at"].is_null());
    // With the current version it goes through (or with `*`).
    let res = app
        .request(Method::PATCH, &path, |r| {
            r.header("If-Match", "\"2\"").json(&json!({"last_name": "King"}))
        })
        .await;
    assert_eq!(res.status, 200);
    let res = app
        .request(Method::PATCH, &path, |r| {
            r.header("If-Match", "*").json(&json!({"last_name": "King"}))
        })
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    // A field that is not `*` or one entity tag is a client error.
    for bad in ["yesterday", "null", "\"1", "\"1\" \"2\"", "\"3\", \"4\""] {
        let res = app
            .request(Method::PATCH, &path, |r| r.header("If-Match", bad).json(&json!({})))
            .await;
        res.problem(400, "invalid_if_match");
    }
    assert_eq!(app.get(&path).await.body["last_name"], "King");
}

#[actix_web::test]
async fn trash_and_restore() {
    let app = TestApp::spawn().await;
    let keep = app.contact(json!({"first_name": "Keep"})).await;
    let c = app.contact(json!({"first_name": "Gone"})).await;
    let id = c["id"].as_str().unwrap();
    let path = format!("/api/v1/contacts/{id}");
    let res = app.delete(&path).await;
    assert_eq!(res.status, 204);
    assert!(res.text.is_empty());
    // Hidden with the code `trashed`, it and what hangs under it, unless asked for.
    app.get(&path).await.problem(404, "trashed");
    for sub in ["timeline", "history", "conversations", "lead-score"] {
        app.get(&format!("{path}/{sub}")).await.problem(404, "trashed");
        let res = app.get(&format!("{path}/{sub}?include_trashed=true")).await;
        assert_eq!(res.status, 200, "{sub}: {}", res.text);
    }
    for (sub, body) in [
        ("insights", json!({})),
        ("chat", json!({"message": "Hi"})),
        ("email-draft", json!({"scenario": "follow_up", "tone": "formal"})),
    ] {
        app.post(&format!("{path}/{sub}"), &body).await.problem(404, "trashed");
    }
    for bad in ["", "maybe"] {
        let res = app.get(&format!("{path}?include_trashed={bad}")).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), vec!["include_trashed"]);
    }
    let got = app.get(&format!("{path}?include_trashed=true")).await;
    assert_eq!(got.status, 200);
    assert!(got.body["deleted_at"].is_string());
    // Not listed; listed in the trash.
    assert_eq!(
        ids(&app.get("/api/v1/contacts").await.body),
        vec![keep["id"].as_str().unwrap()]
    );
    assert_eq!(ids(&app.get("/api/v1/contacts?trashed=true").await.body), vec![id]);
    // Trashed contacts cannot be edited, trashed again, or get new interactions.
    app.patch(&path, &json!({"first_name": "X"}))
        .await
        .problem(404, "trashed");
    app.patch(&path, &json!({})).await.problem(404, "trashed");
    app.delete(&path).await.problem(404, "trashed");
    app.post("/api/v1/interactions", &json!({"contact_id": id, "kind": "call"}))
        .await
        .problem(422, "validation_failed");
    assert_eq!(app.scalar("SELECT count(*) FROM interactions").await, 0);
    // Restore.
    let res = app.post(&format!("{path}/restore"), &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.body["deleted_at"].is_null());
    assert_eq!(
        app.get("/api/v1/contacts").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.post(&format!("{path}/restore"), &json!({}))
        .await
        .problem(404, "not_found");
    // Nothing is ever lost: the row stayed in the table throughout.
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, 2);
}

#[actix_web::test]
async fn unknown_ids_are_404() {
    let app = TestApp::spawn().await;
    let id = uuid::Uuid::now_v7();
    app.get(&format!("/api/v1/contacts/{id}"))
        .await
        .problem(404, "not_found");
    app.patch(&format!("/api/v1/contacts/{id}"), &json!({"first_name": "X"}))
        .await
        .problem(404, "not_found");
    app.delete(&format!("/api/v1/contacts/{id}"))
        .await
        .problem(404, "not_found");
    app.get("/api/v1/contacts/not-a-uuid").await.problem(404, "not_found");
    app.delete("/api/v1/contacts/123").await.problem(404, "not_found");
}

#[actix_web::test]
async fn contacts_have_an_owner_who_defaults_to_their_creator() {
    use rapport::accounts::dto::Role;
    let app = TestApp::spawn().await;
    let (member_id, member) = app.member("member@example.com", Role::Member).await;
    let mine = app.contact(json!({"first_name": "Mine"})).await;
    assert_eq!(mine["owner_id"], app.owner.to_string());
    let theirs = app
        .request_as(&member, Method::POST, "/api/v1/contacts", |r| {
            r.json(&json!({"first_name": "Theirs"}))
        })
        .await;
    assert_eq!(theirs.body["owner_id"], member_id.to_string());
    let nobody = app.contact(json!({"first_name": "Nobody"})).await;
    let id = nobody["id"].as_str().unwrap();
    let res = app
        .patch(&format!("/api/v1/contacts/{id}"), &json!({"owner_id": null}))
        .await;
    assert!(res.body["owner_id"].is_null(), "{}", res.text);
    // Filters: mine, someone's, nobody's.
    let names = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["first_name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&app.get("/api/v1/contacts?owner=me").await.body), vec!["Mine"]);
    let as_member = app
        .request_as(&member, Method::GET, "/api/v1/contacts?owner=me", |r| r)
        .await;
    assert_eq!(names(&as_member.body), vec!["Theirs"]);
    assert_eq!(
        names(&app.get(&format!("/api/v1/contacts?owner={member_id}")).await.body),
        vec!["Theirs"]
    );
    assert_eq!(
        names(&app.get("/api/v1/contacts?owner=none").await.body),
        vec!["Nobody"]
    );
    let bad = app.get("/api/v1/contacts?owner=someone").await;
    assert_eq!(bad.error_fields(), vec!["owner"]);
    // Only members can own: a stranger's id is refused, naming the field, and nothing changes.
    let res = app
        .patch(
            &format!("/api/v1/contacts/{id}"),
            &json!({"owner_id": uuid::Uuid::now_v7()}),
        )
        .await;
    res.problem(422, "invalid_reference");
    assert_eq!(res.error_fields(), vec!["owner_id"]);
    assert!(app.get(&format!("/api/v1/contacts/{id}")).await.body["owner_id"].is_null());
    // A member who leaves leaves their contacts unowned.
    assert_eq!(app.delete(&format!("/api/v1/members/{member_id}")).await.status, 204);
    assert_eq!(names(&app.get("/api/v1/contacts?owner=none").await.body).len(), 2);
}

/// Every row once, in order, walking `path` (which has no query string of its own beyond
/// `?…`) page by page.
async fn walk(app: &TestApp, path: &str, limit: usize) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}&limit={limit}&cursor={c}"),
            None => format!("{path}&limit={limit}"),
        };
        let page = app.get(&url).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= limit, "{url}: {} rows", items.len());
        out.extend(items.iter().map(|c| c["id"].clone()));
        match page.body["next_cursor"].as_str() {
            Some(c) => {
                assert_eq!(items.len(), limit, "{url}: a short page before the end");
                cursor = Some(c.to_owned());
            }
            None => return out,
        }
    }
}

/// Common page sizes run a statement with the limit in its text (kept prepared); others bind it.
/// Both must give the same rows in the same order.
#[actix_web::test]
async fn common_and_other_page_sizes_walk_the_same_rows() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for n in 0..31 {
        ids.push(app.contact(json!({"first_name": format!("Page{n:02}")})).await["id"].clone());
    }
    for sort in ["name", "-created_at"] {
        let path = format!("/api/v1/contacts?sort={sort}");
        let common = walk(&app, &path, 25).await;
        let other = walk(&app, &path, 7).await;
        assert_eq!(common.len(), 31, "{sort}");
        assert_eq!(common, other, "{sort}");
        assert_eq!(walk(&app, &path, 10).await, common, "{sort}");
    }
    // A contact's timeline, the same way.
    let id = ids[0].as_str().unwrap();
    for n in 0..23 {
        let r = app
            .post(
                "/api/v1/interactions",
                &json!({"contact_id": id, "kind": "note", "subject": format!("Note {n}")}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let path = format!("/api/v1/contacts/{id}/timeline?kind=note");
    let common = walk(&app, &path, 10).await;
    assert_eq!(common.len(), 23);
    assert_eq!(walk(&app, &path, 4).await, common);
}

/// A contact refused after its company name was read leaves no new company behind: the company
/// a name creates and the contact are written together or not at all.
#[actix_web::test]
async fn a_refused_contact_creates_no_company() {
    let app = TestApp::spawn().await;
    let before = app.scalar("SELECT count(*) FROM companies").await;
    let res = app
        .post(
            "/api/v1/contacts",
            &json!({"first_name": "Ann", "company_name": "Brand New Co", "time_zone": "Mars/Olympus"}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    let res = app
        .post(
            "/api/v1/contacts",
            &json!({"first_name": "Ann", "company_name": "Brand New Co", "owner_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert!(res.status.is_client_error(), "{}", res.text);
    assert_eq!(app.scalar("SELECT count(*) FROM companies").await, before);
    // With everything valid, the company is created with the contact.
    let ok = app
        .contact(json!({"first_name": "Ann", "company_name": "Brand New Co"}))
        .await;
    assert!(ok["company"]["id"].is_string(), "{ok}");
    assert_eq!(app.scalar("SELECT count(*) FROM companies").await, before + 1);
}

#[actix_web::test]
async fn a_list_with_fields_answers_only_those_fields_of_each_contact() {
    let app = TestApp::spawn().await;
    app.contact(
        json!({"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@example.com"],
        "company_name": "Analytical Engines", "notes": "long notes", "tags": ["vip"]}),
    )
    .await;
    app.contact(json!({"first_name": "Grace", "last_name": "Hopper"})).await;

    let full = app.get("/api/v1/contacts?sort=name").await;
    assert_eq!(full.status, 200);
    assert!(full.body["items"][0]["notes"].is_string() && full.body["items"][0]["custom_fields"].is_object());

    let res = app
        .get("/api/v1/contacts?sort=name&fields=display_name,emails,company&include_total=true")
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["total"], 2);
    assert!(res.body["next_cursor"].is_null());
    let ada = res.body["items"][0].as_object().unwrap();
    let mut keys: Vec<&str> = ada.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["company", "display_name", "emails", "id"],
        "id always, then what was asked"
    );
    assert_eq!(ada["id"], full.body["items"][0]["id"]);
    assert_eq!(ada["emails"], json!(["ada@example.com"]));
    assert_eq!(ada["company"]["name"], "Analytical Engines");
    assert_eq!(res.body["items"][1]["display_name"], "Grace Hopper");
    assert_eq!(
        res.body["items"][1]["company"],
        Value::Null,
        "an empty field asked for is null"
    );

    // Paging works the same with fields.
    let first = app.get("/api/v1/contacts?sort=name&limit=1&fields=display_name").await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = app
        .get(&format!(
            "/api/v1/contacts?sort=name&limit=1&fields=display_name&cursor={cursor}"
        ))
        .await;
    assert_eq!(
        second.body["items"][0],
        json!({"id": full.body["items"][1]["id"], "display_name": "Grace Hopper"})
    );

    // Unknown names are refused with the known ones listed, together with the other bad
    // parameters.
    let res = app.get("/api/v1/contacts?fields=display_name,password").await;
    assert_eq!(res.status, 422);
    assert_eq!(res.error_fields(), ["fields"]);
    assert!(
        res.text.contains("\\\"password\\\"") && res.text.contains("display_name, emails"),
        "{}",
        res.text
    );
    let res = app.get("/api/v1/contacts?fields=&limit=0").await;
    assert_eq!(res.status, 422);
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["fields", "limit"]);
    let res = app.get(&format!("/api/v1/contacts?fields={}", "id,".repeat(400))).await;
    assert_eq!(res.status, 422, "longer than 1000 characters");
}
