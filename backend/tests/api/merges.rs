//! Merging duplicates: a dry run shows the merged record field by field and changes nothing; a
//! merge moves everything to the survivor in one transaction and the merged id resolves to it
//! (308 on GET, 409 `merged` on changes); an undo within 30 days brings the merged record back
//! with what it had, keeping what was added or changed since; bad requests change nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Resp, TestApp, send};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn interaction(app: &TestApp, contact: &str, subject: &str) -> String {
    let res = app
        .post(
            "/api/v1/interactions",
            &json!({"contact_id": contact, "kind": "call", "subject": subject, "occurred_at": "2026-11-20T10:00:00Z"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    id(&res.body)
}

/// GET without following redirects.
async fn get_raw(app: &TestApp, path: &str) -> Resp {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {}", app.token).parse().unwrap(),
    );
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    send(client.request(Method::GET, format!("{}{path}", app.base))).await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar(sql).await
}

#[actix_web::test]
async fn a_contact_merge_is_shown_made_resolved_and_undone() {
    let app = TestApp::spawn().await;
    let ada = app
        .contact(
            json!({"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@engines.example"],
                        "tags": ["vip"], "notes": "Met at the Royal Society"}),
        )
        .await;
    let countess = app
        .contact(
            json!({"first_name": "Ada", "last_name": "King", "emails": ["ADA@engines.example", "ada@home.example"],
                        "phones": ["+44 20 7946 0000"], "job_title": "Countess of Lovelace", "tags": ["maths"],
                        "notes": "Writes poetry", "linkedin_url": "https://www.linkedin.com/in/ada"}),
        )
        .await;
    let (a, c) = (id(&ada), id(&countess));
    let ada_call = interaction(&app, &a, "Intro").await;
    let countess_call = interaction(&app, &c, "Notes on the engine").await;
    let res = app
        .post(
            "/api/v1/reminders",
            &json!({"contact_id": c, "title": "Send the notes", "due_at": "2027-01-10T09:00:00Z"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let res = app
        .post(
            "/api/v1/deals",
            &json!({"title": "Engine manual", "contact_id": c, "value_minor": 120_000}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let deal = id(&res.body);

    // A dry run: the merged record field by field, what would move, and nothing changed.
    let res = app
        .post(
            "/api/v1/contacts/merge",
            &json!({"survivor_id": a, "merged_id": c, "dry_run": true, "fields": {"last_name": "survivor"}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let dry = &res.body;
    assert_eq!(dry["dry_run"], true);
    assert!(dry["merge_id"].is_null() && dry["undo_until"].is_null(), "{dry}");
    assert_eq!(dry["record"]["id"], a.as_str());
    assert_eq!(dry["record"]["last_name"], "Lovelace");
    assert_eq!(
        dry["record"]["emails"],
        json!(["ada@engines.example", "ada@home.example"])
    );
    assert_eq!(dry["record"]["phones"], json!(["+44 20 7946 0000"]));
    assert_eq!(dry["record"]["job_title"], "Countess of Lovelace");
    assert_eq!(dry["record"]["tags"], json!(["vip", "maths"]));
    assert_eq!(dry["record"]["notes"], "Met at the Royal Society\n\nWrites poetry");
    assert_eq!(
        dry["moved"],
        json!({"interactions": 1, "reminders": 1, "deals": 1, "payments": 0, "conversations": 0})
    );
    let field = |name: &str| {
        dry["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == name)
            .unwrap_or_else(|| panic!("no {name} in {dry}"))
            .clone()
    };
    assert_eq!(
        field("job_title"),
        json!({"field": "job_title", "survivor": null, "merged": "Countess of Lovelace",
               "value": "Countess of Lovelace", "source": "merged", "differs": true})
    );
    assert_eq!(field("emails")["source"], "both");
    assert_eq!(field("last_name")["source"], "survivor");
    assert_eq!(field("first_name")["differs"], false);
    assert_eq!(app.get(&format!("/api/v1/contacts/{c}")).await.status, 200);
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) FROM interactions WHERE contact_id = '{c}'")
        )
        .await,
        1
    );
    assert_eq!(count(&app, "SELECT count(*) FROM merges").await, 0);

    // The merge.
    let res = app
        .post(
            "/api/v1/contacts/merge",
            &json!({"survivor_id": a, "merged_id": c, "fields": {"last_name": "survivor"}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let merge = res.body["merge_id"].as_str().unwrap().to_owned();
    assert_eq!(res.body["dry_run"], false);
    assert!(res.body["undo_until"].is_string());
    assert_eq!(res.body["record"]["emails"], dry["record"]["emails"]);
    assert_eq!(res.body["record"]["version"], ada["version"].as_i64().unwrap() + 1);
    assert_eq!(res.body["moved"], dry["moved"]);
    for table in ["interactions", "reminders", "deals"] {
        assert_eq!(
            count(&app, &format!("SELECT count(*) FROM {table} WHERE contact_id = '{c}'")).await,
            0,
            "{table} left on the merged contact"
        );
    }
    let timeline = app.get(&format!("/api/v1/contacts/{a}/timeline")).await;
    assert_eq!(timeline.status, 200, "{}", timeline.text);
    assert!(timeline.text.contains("Notes on the engine") && timeline.text.contains("Intro"));

    // The old id resolves to the survivor.
    let res = get_raw(&app, &format!("/api/v1/contacts/{c}")).await;
    assert_eq!(res.problem(308, "merged")["survivor_id"], a.as_str());
    assert_eq!(res.header("location"), Some(format!("/api/v1/contacts/{a}").as_str()));
    let followed = app.get(&format!("/api/v1/contacts/{c}")).await;
    assert_eq!(
        followed.status, 200,
        "a client following redirects lands on the survivor"
    );
    assert_eq!(followed.body["id"], a.as_str());
    let res = app
        .patch(&format!("/api/v1/contacts/{c}"), &json!({"job_title": "Poet"}))
        .await;
    assert_eq!(res.problem(409, "merged")["survivor_id"], a.as_str());
    let res = app.delete(&format!("/api/v1/contacts/{c}")).await;
    res.problem(409, "merged");
    let res = app.post(&format!("/api/v1/contacts/{c}/restore"), &json!({})).await;
    res.problem(409, "merged");
    let res = app.get(&format!("/api/v1/contacts/{c}/timeline")).await;
    res.problem(409, "merged");
    // Out of the lists, the search and the trash.
    let list = app.get("/api/v1/contacts?limit=200").await;
    assert!(!list.text.contains(&c), "{}", list.text);
    let trash = app.get("/api/v1/trash").await;
    assert!(!trash.text.contains(&c), "{}", trash.text);
    // Both histories say so, naming the merge.
    let history = app.get(&format!("/api/v1/contacts/{a}/history")).await;
    let entry = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "merged")
        .unwrap_or_else(|| panic!("no merge in {}", history.text))
        .clone();
    assert_eq!(entry["merge_id"], merge.as_str());
    assert_eq!(entry["summary"], "Merged Ada King into Ada Lovelace");

    // Since the merge: a call logged with the survivor, its job title changed by hand.
    let later_call = interaction(&app, &a, "After the merge").await;
    let res = app
        .patch(&format!("/api/v1/contacts/{a}"), &json!({"job_title": "Analyst"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);

    // The undo: the merged contact comes back with what it had.
    let res = app.post(&format!("/api/v1/merges/{merge}/undo"), &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["kept"], json!(["job_title"]), "{}", res.text);
    assert_eq!(res.body["moved_back"], 3);
    assert_eq!(res.body["restored_id"], c.as_str());
    let back = app.get(&format!("/api/v1/contacts/{c}")).await;
    assert_eq!(back.status, 200, "{}", back.text);
    assert_eq!(back.body["last_name"], "King");
    assert_eq!(back.body["emails"], countess["emails"]);
    assert!(back.body["deleted_at"].is_null());
    let survivor = app.get(&format!("/api/v1/contacts/{a}")).await.body;
    assert_eq!(survivor["emails"], json!(["ada@engines.example"]));
    assert_eq!(survivor["tags"], json!(["vip"]));
    assert_eq!(survivor["notes"], "Met at the Royal Society");
    assert!(survivor["phones"].as_array().unwrap().is_empty());
    assert_eq!(survivor["job_title"], "Analyst", "changed since the merge: kept");
    let owner =
        |table: &str, row: &str| format!("SELECT count(*) FROM {table} WHERE id = '{row}' AND contact_id = '{c}'");
    assert_eq!(count(&app, &owner("interactions", &countess_call)).await, 1);
    assert_eq!(count(&app, &owner("deals", &deal)).await, 1);
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) FROM interactions WHERE id IN ('{ada_call}', '{later_call}') AND contact_id = '{a}'"
            )
        )
        .await,
        2,
        "what the survivor had, and what was added since, stays"
    );
    let history = app.get(&format!("/api/v1/contacts/{c}/history")).await;
    assert!(history.text.contains("\"unmerged\""), "{}", history.text);

    // Once is enough.
    let res = app.post(&format!("/api/v1/merges/{merge}/undo"), &json!({})).await;
    res.problem(409, "already_undone");
    let res = app
        .post(&format!("/api/v1/merges/{}/undo", uuid::Uuid::now_v7()), &json!({}))
        .await;
    res.problem(404, "not_found");
}

#[actix_web::test]
async fn bad_merges_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let a = id(&app
        .contact(json!({"first_name": "Grace", "last_name": "Hopper", "emails": ["g1@navy.example", "g2@navy.example", "g3@navy.example", "g4@navy.example", "g5@navy.example", "g6@navy.example"]}))
        .await);
    let b = id(&app
        .contact(json!({"first_name": "Grace", "last_name": "B. Hopper", "emails": ["h1@navy.example", "h2@navy.example", "h3@navy.example", "h4@navy.example", "h5@navy.example"]}))
        .await);
    let trashed = id(&app.contact(json!({"first_name": "Grace", "last_name": "Murray"})).await);
    assert_eq!(app.delete(&format!("/api/v1/contacts/{trashed}")).await.status, 204);
    let snapshot = "SELECT sum(version) + count(*) FROM contacts";
    let before = count(&app, snapshot).await;
    let merge = |body: Value| {
        let app = &app;
        async move { app.post("/api/v1/contacts/merge", &body).await }
    };

    let res = merge(json!({"survivor_id": a, "merged_id": a})).await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["merged_id"]);
    let res = merge(json!({"survivor_id": a, "merged_id": uuid::Uuid::now_v7()})).await;
    assert_eq!(res.error_fields(), ["merged_id"], "{}", res.text);
    let res = merge(json!({"survivor_id": a, "merged_id": trashed})).await;
    res.problem(422, "validation_failed");
    assert!(res.text.contains("in the trash"), "{}", res.text);
    // A company's id is not a contact's.
    let company = app.post("/api/v1/companies", &json!({"name": "Navy"})).await;
    let res = merge(json!({"survivor_id": a, "merged_id": id(&company.body)})).await;
    assert_eq!(res.error_fields(), ["merged_id"], "{}", res.text);
    // Eleven emails together are more than a contact holds; "both" for a name; an unknown field.
    let res = merge(json!({"survivor_id": a, "merged_id": b})).await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["fields.emails"], "{}", res.text);
    let res = merge(json!({"survivor_id": a, "merged_id": b,
                          "fields": {"emails": "survivor", "first_name": "both", "colour": "merged"}}))
    .await;
    assert_eq!(
        res.error_fields(),
        ["fields.colour", "fields.first_name"],
        "{}",
        res.text
    );
    let res = merge(json!({"survivor_id": a, "merged_id": b, "fields": {"emails": "everyone"}})).await;
    res.problem(422, "validation_failed");
    let res = merge(json!({"survivor_id": a})).await;
    res.problem(422, "validation_failed");
    assert_eq!(count(&app, snapshot).await, before, "nothing changed");
    assert_eq!(count(&app, "SELECT count(*) FROM merges").await, 0);

    // Twice at once: one merge wins, the other finds the record merged.
    let body = json!({"survivor_id": a, "merged_id": b, "fields": {"emails": "survivor"}});
    let (one, two) = tokio::join!(
        app.post("/api/v1/contacts/merge", &body),
        app.post("/api/v1/contacts/merge", &body)
    );
    let mut statuses = [one.status.as_u16(), two.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", one.text, two.text);
    let loser = if one.status == 409 { &one } else { &two };
    assert_eq!(loser.problem(409, "merged")["survivor_id"], a.as_str());
    assert_eq!(count(&app, "SELECT count(*) FROM merges").await, 1);
    // Merging into a merged record is refused too.
    let res = merge(json!({"survivor_id": b, "merged_id": a})).await;
    res.problem(409, "merged");
}

#[actix_web::test]
async fn a_merge_can_be_undone_for_30_days_and_not_after() {
    let app = TestApp::spawn().await;
    let a = id(&app.contact(json!({"first_name": "Alan", "last_name": "Turing"})).await);
    let b = id(&app.contact(json!({"first_name": "A. M.", "last_name": "Turing"})).await);
    let c = id(&app
        .contact(json!({"first_name": "Alan", "last_name": "Mathison Turing"}))
        .await);
    let ws = rapport::db::DEFAULT_WORKSPACE;
    let mut conn = app.pool.get().await.unwrap();
    let t0 = chrono::Utc::now();
    let request = |s: &str, m: &str| rapport::merges::dto::MergeRequest {
        survivor_id: s.parse().unwrap(),
        merged_id: m.parse().unwrap(),
        fields: Default::default(),
        dry_run: false,
    };
    let first = rapport::merges::service::merge_contacts(&mut conn, ws, request(&a, &b), t0)
        .await
        .unwrap()
        .merge_id
        .unwrap();
    let second = rapport::merges::service::merge_contacts(&mut conn, ws, request(&a, &c), t0)
        .await
        .unwrap()
        .merge_id
        .unwrap();
    let late = t0 + chrono::Duration::days(30) + chrono::Duration::minutes(1);
    let err = rapport::merges::service::undo(&mut conn, ws, first, late)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "undo_expired");
    assert_eq!(
        count(&app, "SELECT count(*) FROM merges WHERE undone_at IS NULL").await,
        2
    );
    let in_time = t0 + chrono::Duration::days(29);
    rapport::merges::service::undo(&mut conn, ws, second, in_time)
        .await
        .unwrap();
    assert_eq!(app.get(&format!("/api/v1/contacts/{c}")).await.status, 200);

    // A survivor merged away since must be brought back first.
    let d = id(&app.contact(json!({"first_name": "Alan", "last_name": "T."})).await);
    rapport::merges::service::merge_contacts(&mut conn, ws, request(&d, &a), t0)
        .await
        .unwrap();
    let err = rapport::merges::service::undo(&mut conn, ws, first, in_time)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "survivor_merged");
}

#[actix_web::test]
async fn a_company_merge_takes_the_chosen_name_moves_the_people_and_undoes() {
    let app = TestApp::spawn().await;
    let acme = app
        .post(
            "/api/v1/companies",
            &json!({"name": "Acme", "domain": "acme.example", "industry": "Anvils"}),
        )
        .await;
    let corp = app
        .post(
            "/api/v1/companies",
            &json!({"name": "ACME Corp", "location": "Phoenix"}),
        )
        .await;
    let (a, c) = (id(&acme.body), id(&corp.body));
    let wile = id(&app
        .contact(json!({"first_name": "Wile", "last_name": "Coyote", "company_id": c}))
        .await);
    app.contact(json!({"first_name": "Road", "last_name": "Runner", "company_id": a}))
        .await;

    let res = app
        .post(
            "/api/v1/companies/merge",
            &json!({"survivor_id": a, "merged_id": c, "fields": {"name": "merged"}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let merge = res.body["merge_id"].as_str().unwrap().to_owned();
    assert_eq!(
        res.body["record"]["name"], "ACME Corp",
        "the merged company's name, free once it left"
    );
    assert_eq!(res.body["record"]["location"], "Phoenix");
    assert_eq!(res.body["record"]["industry"], "Anvils");
    assert_eq!(res.body["record"]["contact_count"], 2);
    assert_eq!(res.body["moved"], json!({"contacts": 1, "deals": 0}));
    let contact = app.get(&format!("/api/v1/contacts/{wile}")).await;
    assert_eq!(contact.body["company"], json!({"id": a, "name": "ACME Corp"}));
    let res = get_raw(&app, &format!("/api/v1/companies/{c}")).await;
    res.problem(308, "merged");
    assert_eq!(res.header("location"), Some(format!("/api/v1/companies/{a}").as_str()));
    let res = app
        .patch(&format!("/api/v1/companies/{c}"), &json!({"industry": "Rockets"}))
        .await;
    res.problem(409, "merged");

    let res = app.post(&format!("/api/v1/merges/{merge}/undo"), &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["kept"], json!([]));
    let acme = app.get(&format!("/api/v1/companies/{a}")).await.body;
    assert_eq!((acme["name"].as_str(), acme["location"].as_str()), (Some("Acme"), None));
    let corp = app.get(&format!("/api/v1/companies/{c}")).await;
    assert_eq!(corp.status, 200, "{}", corp.text);
    assert_eq!(corp.body["name"], "ACME Corp");
    let contact = app.get(&format!("/api/v1/contacts/{wile}")).await;
    assert_eq!(contact.body["company"], json!({"id": c, "name": "ACME Corp"}));
}

#[actix_web::test]
async fn erasing_a_person_erases_the_records_merged_into_them_and_the_merge() {
    let app = TestApp::spawn().await;
    let a = id(&app
        .contact(json!({"first_name": "Erin", "last_name": "Gone", "emails": ["erin@gone.example"]}))
        .await);
    let b = id(&app
        .contact(json!({"first_name": "Erin", "last_name": "Gone", "emails": ["erin@old.example"]}))
        .await);
    let res = app
        .post("/api/v1/contacts/merge", &json!({"survivor_id": a, "merged_id": b}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app
        .post(
            &format!("/api/v1/contacts/{a}/erase"),
            &json!({"confirm_name": "Erin Gone"}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) FROM contacts WHERE id IN ('{a}', '{b}')")
        )
        .await,
        0
    );
    assert_eq!(count(&app, "SELECT count(*) FROM merges").await, 0);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM contacts WHERE 'erin@old.example' = ANY (emails)"
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn after_30_days_the_daily_purge_deletes_the_merged_record_and_its_old_id_still_resolves() {
    let app = TestApp::spawn().await;
    let a = id(&app.contact(json!({"first_name": "Pia", "last_name": "Old"})).await);
    let b = id(&app.contact(json!({"first_name": "Pia", "last_name": "Older"})).await);
    let ws = rapport::db::DEFAULT_WORKSPACE;
    let mut conn = app.pool.get().await.unwrap();
    let t0 = chrono::Utc::now();
    let req = rapport::merges::dto::MergeRequest {
        survivor_id: a.parse().unwrap(),
        merged_id: b.parse().unwrap(),
        fields: Default::default(),
        dry_run: false,
    };
    rapport::merges::service::merge_contacts(&mut conn, ws, req, t0)
        .await
        .unwrap();
    let bulk = app
        .post(
            "/api/v1/contacts/bulk",
            &json!({"ids": [a], "action": {"type": "add_tags", "tags": ["kept"]}}),
        )
        .await;
    assert_eq!(bulk.status, 200, "{}", bulk.text);

    // Day 29: nothing goes.
    rapport::trash::service::purge_expired(&mut conn, t0 + chrono::Duration::days(29))
        .await
        .unwrap();
    assert_eq!(
        count(&app, &format!("SELECT count(*) FROM contacts WHERE id = '{b}'")).await,
        1
    );
    assert_eq!(count(&app, "SELECT count(*) FROM bulk_batches").await, 1);
    // Day 31: the merged record is deleted for good, the undo data forgotten.
    rapport::trash::service::purge_expired(&mut conn, t0 + chrono::Duration::days(31))
        .await
        .unwrap();
    assert_eq!(
        count(&app, &format!("SELECT count(*) FROM contacts WHERE id = '{b}'")).await,
        0
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM merges WHERE moved = '{}'::jsonb").await,
        1
    );
    assert_eq!(count(&app, "SELECT count(*) FROM bulk_batches").await, 0);
    let res = get_raw(&app, &format!("/api/v1/contacts/{b}")).await;
    assert_eq!(res.problem(308, "merged")["survivor_id"], a.as_str());
}
