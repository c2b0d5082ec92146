//! Pipelines, stages, deals, moves and the board.

use serde_json::{Value, json};

use crate::common::TestApp;

const SALES: &str = "01936000-0000-7000-8000-000000000201";
const LEAD: &str = "01936000-0000-7000-8000-000000000211";
const QUALIFIED: &str = "01936000-0000-7000-8000-000000000212";
const PROPOSAL: &str = "01936000-0000-7000-8000-000000000213";
const WON: &str = "01936000-0000-7000-8000-000000000214";
const LOST: &str = "01936000-0000-7000-8000-000000000215";
const JOB_SEARCH: &str = "01936000-0000-7000-8000-000000000202";
const INTERVIEW: &str = "01936000-0000-7000-8000-000000000224";

pub async fn deal(app: &TestApp, body: Value) -> Value {
    let res = app.post("/api/v1/deals", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

#[actix_web::test]
async fn two_pipelines_are_seeded_in_order() {
    let app = TestApp::spawn().await;
    let list = app.get("/api/v1/pipelines").await.body;
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Sales", "Job search"]);
    let sales = &list["items"][0]["stages"];
    let stages: Vec<(&str, i64, &str)> = sales
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap(),
                s["probability"].as_i64().unwrap(),
                s["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        stages,
        [
            ("Lead", 10, "open"),
            ("Qualified", 30, "open"),
            ("Proposal", 60, "open"),
            ("Won (Client)", 100, "won"),
            ("Lost", 0, "lost")
        ]
    );
    assert_eq!(list["items"][1]["stages"].as_array().unwrap().len(), 8);
}

#[actix_web::test]
async fn a_deal_moves_through_stages_with_one_patch_each_and_keeps_its_history() {
    let app = TestApp::spawn().await;
    let c = app
        .contact(json!({"first_name": "Ada", "last_name": "Lovelace", "company_name": "Engines"}))
        .await;
    let d = deal(
        &app,
        json!({"title": " Website ", "contact_id": c["id"], "value_minor": 1_000_000, "currency": "EUR"}),
    )
    .await;
    assert_eq!(d["title"], "Website");
    assert_eq!(d["pipeline_name"], "Sales");
    assert_eq!(d["stage_name"], "Lead");
    assert_eq!(d["status"], "open");
    assert_eq!(d["probability"], 10);
    assert_eq!(d["probability_overridden"], false);
    assert_eq!(d["weighted_value_minor"], 100_000);
    assert_eq!(d["contact_name"], "Ada Lovelace");
    assert_eq!(d["company_name"], "Engines", "the contact's company by default");
    let id = d["id"].as_str().unwrap();

    let moved = app
        .patch(
            &format!("/api/v1/deals/{id}"),
            &json!({"stage_id": PROPOSAL, "version": 1}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["stage_name"], "Proposal");
    assert_eq!(moved.body["probability"], 60);
    assert_eq!(moved.body["version"], 2);

    // Overriding the probability, then going back to the stage's.
    let own = app
        .patch(&format!("/api/v1/deals/{id}"), &json!({"probability": 75}))
        .await
        .body;
    assert_eq!(
        (own["probability"].as_i64(), own["probability_overridden"].as_bool()),
        (Some(75), Some(true))
    );
    let back = app
        .patch(&format!("/api/v1/deals/{id}"), &json!({"probability": null}))
        .await
        .body;
    assert_eq!(back["probability"], 60);

    // Lost with a reason, then won: status follows the stage, closed_at is set.
    let lost = app
        .patch(
            &format!("/api/v1/deals/{id}"),
            &json!({"status": "lost", "lost_reason": "Budget cut"}),
        )
        .await;
    assert_eq!(lost.status, 200, "{}", lost.text);
    assert_eq!(
        (lost.body["stage_id"].as_str(), lost.body["status"].as_str()),
        (Some(LOST), Some("lost"))
    );
    assert_eq!(lost.body["lost_reason"], "Budget cut");
    assert!(lost.body["closed_at"].is_string());
    let won = app
        .patch(&format!("/api/v1/deals/{id}"), &json!({"stage_id": WON}))
        .await
        .body;
    assert_eq!(won["status"], "won");
    assert!(won["lost_reason"].is_null(), "a won deal has no lost reason");
    let reopened = app
        .patch(&format!("/api/v1/deals/{id}"), &json!({"stage_id": QUALIFIED}))
        .await
        .body;
    assert_eq!(reopened["status"], "open");
    assert!(reopened["closed_at"].is_null());

    let history = app.get(&format!("/api/v1/deals/{id}/stage-history")).await.body;
    let path: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to_stage_name"].as_str().unwrap())
        .collect();
    assert_eq!(path, ["Lead", "Proposal", "Lost", "Won (Client)", "Qualified"]);
    assert!(history["items"][0]["from_stage_id"].is_null());
    assert_eq!(history["items"][1]["from_stage_id"], LEAD);

    // Each move is in the activity feed, linked to the contact.
    let feed = app
        .get(&format!("/api/v1/contacts/{}/history", c["id"].as_str().unwrap()))
        .await
        .body;
    let summaries: Vec<&str> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["summary"].as_str().unwrap())
        .collect();
    assert!(
        summaries.contains(&"Lost the deal Website: Budget cut"),
        "{summaries:?}"
    );
    assert!(summaries.contains(&"Won the deal Website"), "{summaries:?}");
    assert!(
        summaries.contains(&"Moved the deal Website from Lead to Proposal"),
        "{summaries:?}"
    );

    // Moving to another pipeline takes both ids.
    let job = app
        .patch(
            &format!("/api/v1/deals/{id}"),
            &json!({"pipeline_id": JOB_SEARCH, "stage_id": INTERVIEW}),
        )
        .await;
    assert_eq!(job.status, 200, "{}", job.text);
    assert_eq!(job.body["pipeline_name"], "Job search");
    assert_eq!(job.body["stage_name"], "Interview");
}

#[actix_web::test]
async fn bad_deal_input_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let d = deal(&app, json!({"title": "Audit", "value_minor": 5000})).await;
    let id = d["id"].as_str().unwrap();
    let path = format!("/api/v1/deals/{id}");

    let other_pipeline = app.patch(&path, &json!({"stage_id": INTERVIEW})).await;
    other_pipeline.problem(422, "validation_failed");
    assert_eq!(other_pipeline.error_fields(), ["stage_id"]);
    assert!(
        other_pipeline.body["detail"].as_str().unwrap().contains("Sales"),
        "{}",
        other_pipeline.text
    );

    for (body, field) in [
        (json!({"value_minor": -1}), "value_minor"),
        (json!({"currency": "XYZ"}), "currency"),
        (json!({"currency": "eur"}), "currency"),
        (json!({"probability": 140}), "probability"),
        (json!({"recurring_months": 0}), "recurring_months"),
        (json!({"lost_reason": "Too pricey"}), "lost_reason"),
        (json!({"status": "won", "stage_id": PROPOSAL}), "status"),
        (json!({"stage_id": "01936000-0000-7000-8000-0000000009ff"}), "stage_id"),
    ] {
        let res = app.patch(&path, &body).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), [field], "{body}: {}", res.text);
    }
    for (body, field) in [
        (json!({"title": "X", "value_minor": -5}), "value_minor"),
        (json!({"title": "X", "currency": "ABC"}), "currency"),
        (json!({"title": "X", "probability": 140}), "probability"),
        (
            json!({"title": "X", "pipeline_id": SALES, "stage_id": INTERVIEW}),
            "stage_id",
        ),
        (
            json!({"title": "X", "contact_id": "01936000-0000-7000-8000-0000000009ff"}),
            "contact_id",
        ),
        (json!({"title": ""}), "title"),
    ] {
        let res = app.post("/api/v1/deals", &body).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), [field], "{body}: {}", res.text);
    }
    let after = app.get(&path).await.body;
    assert_eq!(after["version"], 1);
    assert_eq!(after["stage_id"], LEAD);
    assert_eq!(app.scalar("SELECT count(*) FROM deals").await, 1);
    assert_eq!(app.scalar("SELECT count(*) FROM deal_stage_history").await, 1);

    // A stale version in the body is a 409 conflict.
    app.patch(&path, &json!({"title": "Audit 2"})).await;
    app.patch(&path, &json!({"title": "Audit 3", "version": 1}))
        .await
        .problem(409, "version_conflict");
}

#[actix_web::test]
async fn the_board_groups_deals_by_stage_with_totals() {
    let app = TestApp::spawn().await;
    deal(&app, json!({"title": "A", "value_minor": 100_000, "currency": "EUR"})).await;
    deal(&app, json!({"title": "B", "value_minor": 300_000, "currency": "EUR"})).await;
    deal(
        &app,
        json!({"title": "C", "value_minor": 50_000, "currency": "USD", "stage_id": PROPOSAL}),
    )
    .await;
    // A retainer: 2,000.00 a month for 6 months at 70 %.
    deal(&app, json!({"title": "Retainer", "value_minor": 200_000, "recurring_months": 6, "probability": 70, "stage_id": PROPOSAL})).await;
    let trashed = deal(&app, json!({"title": "Gone", "value_minor": 999})).await;
    app.delete(&format!("/api/v1/deals/{}", trashed["id"].as_str().unwrap()))
        .await;

    let board = app
        .get(&format!("/api/v1/pipelines/{SALES}/board?limit_per_stage=1"))
        .await;
    assert_eq!(board.status, 200, "{}", board.text);
    let cols = board.body["columns"].as_array().unwrap();
    assert_eq!(cols.len(), 5);
    assert_eq!(cols[0]["stage"]["name"], "Lead");
    assert_eq!(cols[0]["count"], 2);
    assert_eq!(cols[0]["has_more"], true);
    assert_eq!(cols[0]["deals"].as_array().unwrap().len(), 1);
    assert_eq!(
        cols[0]["totals"],
        json!([{"currency": "EUR", "value_minor": 400_000, "weighted_minor": 40_000}])
    );
    assert_eq!(cols[2]["count"], 2);
    assert_eq!(
        cols[2]["totals"],
        json!([
            {"currency": "EUR", "value_minor": 1_200_000, "weighted_minor": 840_000},
            {"currency": "USD", "value_minor": 50_000, "weighted_minor": 30_000}
        ])
    );
    assert_eq!(cols[3]["count"], 0);
    assert_eq!(cols[3]["deals"], json!([]));

    let full = app.get(&format!("/api/v1/pipelines/{SALES}/board")).await.body;
    assert_eq!(full["columns"][0]["deals"].as_array().unwrap().len(), 2);
    assert_eq!(full["columns"][0]["has_more"], false);
    let retainer = &full["columns"][2]["deals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["title"] == "Retainer")
        .unwrap()
        .clone();
    assert_eq!(retainer["total_value_minor"], 1_200_000);

    // The board is reused while nothing changes, and shows a change at once.
    let path = format!("/api/v1/pipelines/{SALES}/board");
    assert_eq!(app.get(&path).await.body, full);
    let a = full["columns"][0]["deals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["title"] == "A")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let moved = app
        .patch(&format!("/api/v1/deals/{a}"), &json!({"stage_id": PROPOSAL}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let renamed = app
        .patch(
            &format!("/api/v1/pipelines/{SALES}/stages/{PROPOSAL}"),
            &json!({"name": "Offer sent"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let after = app.get(&path).await.body;
    assert_eq!(after["columns"][0]["count"], 1);
    assert_eq!(after["columns"][2]["stage"]["name"], "Offer sent");
    assert_eq!(after["columns"][2]["count"], 3);

    app.get(&format!("/api/v1/pipelines/{SALES}/board?limit_per_stage=0"))
        .await
        .problem(422, "validation_failed");
    app.get("/api/v1/pipelines/01936000-0000-7000-8000-0000000009ff/board")
        .await
        .problem(404, "not_found");
}

#[actix_web::test]
async fn deals_are_listed_filtered_and_trashed() {
    let app = TestApp::spawn().await;
    let c = app.contact(json!({"first_name": "Grace"})).await;
    let cid = c["id"].as_str().unwrap();
    for i in 0..5 {
        deal(&app, json!({"title": format!("Deal {i}"), "contact_id": cid})).await;
    }
    deal(&app, json!({"title": "Other", "stage_id": INTERVIEW})).await;
    let page = app.get("/api/v1/deals?limit=2&include_total=true").await.body;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["total"], 6);
    assert_eq!(page["items"][0]["title"], "Other", "newest first");
    let next = app
        .get(&format!(
            "/api/v1/deals?limit=2&cursor={}",
            page["next_cursor"].as_str().unwrap()
        ))
        .await
        .body;
    assert_eq!(next["items"][0]["title"], "Deal 3");
    let mine = app
        .get(&format!("/api/v1/deals?contact_id={cid}&sort=title"))
        .await
        .body;
    assert_eq!(mine["items"].as_array().unwrap().len(), 5);
    assert_eq!(mine["items"][0]["title"], "Deal 0");
    let job = app.get(&format!("/api/v1/deals?pipeline_id={JOB_SEARCH}")).await.body;
    assert_eq!(job["items"].as_array().unwrap().len(), 1);
    let found = app.get("/api/v1/deals?q=other").await.body;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let bad = app.get("/api/v1/deals?status=maybe&stage_id=nope&sort=value").await;
    bad.problem(422, "validation_failed");
    assert_eq!(bad.error_fields().len(), 3);

    let id = job["items"][0]["id"].as_str().unwrap();
    assert_eq!(app.delete(&format!("/api/v1/deals/{id}")).await.status, 204);
    let path = format!("/api/v1/deals/{id}");
    app.get(&path).await.problem(404, "trashed");
    app.get(&format!("{path}/stage-history")).await.problem(404, "trashed");
    app.patch(&path, &json!({"title": "Renamed"}))
        .await
        .problem(404, "trashed");
    app.delete(&path).await.problem(404, "trashed");
    app.post(&format!("{path}/proposal-draft"), &json!({}))
        .await
        .problem(404, "trashed");
    assert_eq!(
        app.get(&format!("{path}/stage-history?include_trashed=true"))
            .await
            .status,
        200
    );
    let trashed = app.get(&format!("{path}?include_trashed=true")).await;
    assert!(trashed.body["deleted_at"].is_string());
    assert_eq!(trashed.body["title"], job["items"][0]["title"]);
    assert_eq!(app.get("/api/v1/deals?include_total=true").await.body["total"], 5);
    assert_eq!(app.get("/api/v1/deals?trashed=true").await.body["items"][0]["id"], id);
    let restored = app.post(&format!("/api/v1/deals/{id}/restore"), &json!({})).await;
    assert_eq!(restored.status, 200, "{}", restored.text);
    assert!(restored.body["deleted_at"].is_null());
}

#[actix_web::test]
async fn pipelines_and_stages_are_managed_and_guarded() {
    let app = TestApp::spawn().await;
    let created = app
        .post(
            "/api/v1/pipelines",
            &json!({"name": "Partnerships", "stages": [
                {"name": "Contacted"}, {"name": "Pitched", "probability": 40},
                {"name": "Signed", "kind": "won"}, {"name": "Passed", "kind": "lost"}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let p = created.body.clone();
    let pid = p["id"].as_str().unwrap();
    assert_eq!(p["position"], 2);
    assert_eq!(p["stages"][2]["probability"], 100);
    app.post("/api/v1/pipelines", &json!({"name": "partnerships"}))
        .await
        .problem(409, "duplicate_pipeline");
    app.post(
        "/api/v1/pipelines",
        &json!({"name": "Only closed", "stages": [{"name": "Done", "kind": "won"}]}),
    )
    .await
    .problem(422, "validation_failed");

    // Add a stage: it goes after the last open stage.
    let added = app
        .post(
            &format!("/api/v1/pipelines/{pid}/stages"),
            &json!({"name": "Negotiating", "probability": 70}),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text);
    let names: Vec<&str> = added.body["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Contacted", "Pitched", "Negotiating", "Signed", "Passed"]);
    let stage_ids: Vec<String> = added.body["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();

    // Reorder.
    let order = json!({"stage_ids": [&stage_ids[1], &stage_ids[0], &stage_ids[2], &stage_ids[3], &stage_ids[4]]});
    let reordered = app
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/pipelines/{pid}/stages/order"),
            |r| r.json(&order),
        )
        .await;
    assert_eq!(reordered.status, 200, "{}", reordered.text);
    assert_eq!(reordered.body["stages"][0]["name"], "Pitched");
    let partial = json!({"stage_ids": [&stage_ids[0]]});
    app.request(
        reqwest::Method::PUT,
        &format!("/api/v1/pipelines/{pid}/stages/order"),
        |r| r.json(&partial),
    )
    .await
    .problem(422, "validation_failed");

    // A stage that holds a deal is only deleted with move_to.
    let d = deal(&app, json!({"title": "Partner deal", "stage_id": stage_ids[1]})).await;
    let stage_path = format!("/api/v1/pipelines/{pid}/stages/{}", stage_ids[1]);
    let refused = app.delete(&stage_path).await;
    refused.problem(409, "stage_has_deals");
    assert!(refused.body["detail"].as_str().unwrap().contains("move_to"));
    app.delete(&format!("{stage_path}?move_to={LEAD}"))
        .await
        .problem(422, "validation_failed");
    let kind_change = app.patch(&stage_path, &json!({"kind": "won"})).await;
    kind_change.problem(409, "stage_has_deals");
    let deleted = app.delete(&format!("{stage_path}?move_to={}", stage_ids[2])).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert_eq!(deleted.body["stages"].as_array().unwrap().len(), 4);
    let moved = app
        .get(&format!("/api/v1/deals/{}", d["id"].as_str().unwrap()))
        .await
        .body;
    assert_eq!(moved["stage_name"], "Negotiating");
    assert_eq!(
        app.get(&format!("/api/v1/deals/{}/stage-history", d["id"].as_str().unwrap()))
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // A pipeline with deals cannot be deleted; nothing changes.
    let refused = app.delete(&format!("/api/v1/pipelines/{pid}")).await;
    refused.problem(409, "pipeline_has_deals");
    assert_eq!(
        app.get("/api/v1/pipelines").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // Rename, make it the default, then delete once empty.
    let renamed = app
        .patch(
            &format!("/api/v1/pipelines/{pid}"),
            &json!({"name": "Partners", "position": 0}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(app.get("/api/v1/pipelines").await.body["items"][0]["name"], "Partners");
    let fresh = deal(&app, json!({"title": "Goes to the default"})).await;
    assert_eq!(fresh["pipeline_name"], "Partners");
    for id in [d["id"].as_str().unwrap(), fresh["id"].as_str().unwrap()] {
        app.patch(&format!("/api/v1/deals/{id}"), &json!({"pipeline_id": SALES}))
            .await;
    }
    assert_eq!(app.delete(&format!("/api/v1/pipelines/{pid}")).await.status, 204);
    assert_eq!(app.get("/api/v1/pipelines").await.body["items"][0]["name"], "Sales");
}

#[actix_web::test]
async fn touchpoints_and_reminders_can_concern_a_deal_of_their_contact() {
    let app = TestApp::spawn().await;
    let ada = app.contact(json!({"first_name": "Ada"})).await;
    let bob = app.contact(json!({"first_name": "Bob"})).await;
    let d = deal(&app, json!({"title": "Website", "contact_id": ada["id"]})).await;
    let call = app
        .post(
            "/api/v1/interactions",
            &json!({"contact_id": ada["id"], "kind": "call", "deal_id": d["id"]}),
        )
        .await;
    assert_eq!(call.status, 201, "{}", call.text);
    assert_eq!(call.body["deal_id"], d["id"]);
    let reminder = app
        .post(
            "/api/v1/reminders",
            &json!({"contact_id": ada["id"], "deal_id": d["id"], "title": "Send the quote", "due_at": "2030-01-01T09:00:00Z"}),
        )
        .await;
    assert_eq!(reminder.status, 201, "{}", reminder.text);
    assert_eq!(reminder.body["deal_id"], d["id"]);

    // Another contact's deal, or a missing one, is refused; nothing is written.
    for path in ["/api/v1/interactions", "/api/v1/reminders"] {
        let body = json!({"contact_id": bob["id"], "kind": "note", "deal_id": d["id"], "title": "x", "due_at": "2030-01-01T09:00:00Z"});
        let mut body = body.as_object().unwrap().clone();
        if path.ends_with("interactions") {
            body.remove("title");
            body.remove("due_at");
        } else {
            body.remove("kind");
        }
        let res = app.post(path, &serde_json::Value::Object(body)).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), ["deal_id"], "{path}: {}", res.text);
    }
    let id = call.body["id"].as_str().unwrap();
    let missing = app
        .patch(
            &format!("/api/v1/interactions/{id}"),
            &json!({"deal_id": "01936000-0000-7000-8000-0000000009ff"}),
        )
        .await;
    missing.problem(422, "validation_failed");
    assert_eq!(app.scalar("SELECT count(*) FROM interactions").await, 1);
    assert_eq!(app.scalar("SELECT count(*) FROM reminders").await, 1);
    // Unlinking is a null.
    let unlinked = app
        .patch(&format!("/api/v1/interactions/{id}"), &json!({"deal_id": null}))
        .await;
    assert_eq!(unlinked.status, 200, "{}", unlinked.text);
    assert!(unlinked.body["deal_id"].is_null());
    // Linking it again checks the deal and writes the edit with its history entry.
    let linked = app
        .patch(&format!("/api/v1/interactions/{id}"), &json!({"deal_id": d["id"]}))
        .await;
    assert_eq!(linked.status, 200, "{}", linked.text);
    assert_eq!(linked.body["deal_id"], d["id"]);
    assert_eq!(linked.body["version"], 3, "{}", linked.text);
    assert_eq!(
        app.scalar("SELECT count(*) FROM activity WHERE entity = 'interaction' AND action = 'updated'")
            .await,
        2
    );
}

#[actix_web::test]
async fn deals_have_an_owner_to_filter_by() {
    use rapport::accounts::dto::Role;
    let app = TestApp::spawn().await;
    let (member_id, member) = app.member("member@example.com", Role::Member).await;
    let mine = app.post("/api/v1/deals", &json!({"title": "Mine"})).await;
    assert_eq!(mine.body["owner_id"], app.owner.to_string());
    let theirs = app
        .request_as(&member, reqwest::Method::POST, "/api/v1/deals", |r| {
            r.json(&json!({"title": "Theirs"}))
        })
        .await;
    assert_eq!(theirs.body["owner_id"], member_id.to_string());
    let handed = app
        .post("/api/v1/deals", &json!({"title": "Handed over", "owner_id": member_id}))
        .await;
    assert_eq!(handed.body["owner_id"], member_id.to_string());
    let titles = |page: &Value| -> Vec<String> {
        let mut t: Vec<String> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["title"].as_str().unwrap().to_owned())
            .collect();
        t.sort();
        t
    };
    assert_eq!(titles(&app.get("/api/v1/deals?owner=me").await.body), vec!["Mine"]);
    let res = app
        .request_as(
            &member,
            reqwest::Method::GET,
            "/api/v1/deals?owner=me&include_total=true",
            |r| r,
        )
        .await;
    assert_eq!(titles(&res.body), vec!["Handed over", "Theirs"]);
    assert_eq!(res.body["total"], 2);
    let stranger = app
        .post(
            "/api/v1/deals",
            &json!({"title": "X", "owner_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(stranger.error_fields(), vec!["owner_id"]);
}

/// Differences between the kept deal totals (folded and not yet folded) and the same totals
/// summed from every live deal: none when consistent.
async fn totals_out_of_step(app: &TestApp) -> i64 {
    app.scalar(
        "SELECT count(*) FROM ( \
           SELECT workspace_id, stage_id, owner_id, currency, status, expected_month, months, furthest_stage_id, \
                  sum(deals) AS n, sum(value_minor) AS v, sum(weighted_minor) AS w, sum(weighted_month_minor) AS wm \
           FROM (SELECT * FROM deal_stage_totals UNION ALL SELECT * FROM deal_stage_total_changes) t \
           GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 \
           HAVING sum(deals) <> 0 OR sum(value_minor) <> 0 OR sum(weighted_minor) <> 0 \
               OR sum(weighted_month_minor) <> 0) kept \
         FULL JOIN ( \
           SELECT d.workspace_id, d.stage_id, d.owner_id, d.currency, d.status, \
                  date_trunc('month', d.expected_close_date)::date AS expected_month, \
                  coalesce(d.recurring_months, 1) AS months, d.furthest_stage_id, count(*) AS n, \
                  sum(d.value_minor * coalesce(d.recurring_months, 1)) AS v, \
                  sum(round(d.value_minor * coalesce(d.recurring_months, 1) \
                      * coalesce(d.probability, s.probability) / 100.0)) AS w, \
                  sum(round(d.value_minor * coalesce(d.probability, s.probability) / 100.0)) AS wm \
           FROM deals d JOIN pipeline_stages s ON s.id = d.stage_id \
           WHERE d.deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) counted \
         ON kept.workspace_id = counted.workspace_id AND kept.stage_id = counted.stage_id \
            AND kept.owner_id IS NOT DISTINCT FROM counted.owner_id AND kept.currency = counted.currency \
            AND kept.status = counted.status AND kept.expected_month IS NOT DISTINCT FROM counted.expected_month \
            AND kept.months = counted.months \
            AND kept.furthest_stage_id IS NOT DISTINCT FROM counted.furthest_stage_id \
         WHERE (kept.n, kept.v, kept.w, kept.wm) IS DISTINCT FROM (counted.n, counted.v, counted.w, counted.wm)",
    )
    .await
}

/// Deals whose kept furthest stage differs from the one their stage history says: none when
/// consistent.
async fn furthest_out_of_step(app: &TestApp) -> i64 {
    app.scalar(
        "SELECT count(*) FROM deals d WHERE d.furthest_stage_id IS DISTINCT FROM ( \
           SELECT s.id FROM deal_stage_history h JOIN pipeline_stages s ON s.id = h.to_stage_id \
           WHERE h.deal_id = d.id AND s.pipeline_id = d.pipeline_id AND s.kind <> 'lost' \
           ORDER BY CASE WHEN s.kind = 'won' THEN 1000000 ELSE s.position END DESC, s.id LIMIT 1)",
    )
    .await
}

/// Differences between the deals per pipeline and furthest rank as the kept totals give them and
/// as every live deal's stage history gives them: none when consistent.
async fn reach_out_of_step(app: &TestApp) -> i64 {
    app.scalar(
        "SELECT count(*) FROM ( \
           SELECT pipeline_id, furthest, count(*) AS n FROM ( \
             SELECT d.pipeline_id, d.id, \
                    max(CASE WHEN s.kind = 'won' THEN 1000000 ELSE s.position END) AS furthest \
             FROM deals d JOIN deal_stage_history h ON h.deal_id = d.id \
             JOIN pipeline_stages s ON s.id = h.to_stage_id AND s.pipeline_id = d.pipeline_id AND s.kind <> 'lost' \
             WHERE d.deleted_at IS NULL GROUP BY d.pipeline_id, d.id) x GROUP BY 1, 2) counted \
         FULL JOIN ( \
           SELECT s.pipeline_id, CASE WHEN s.kind = 'won' THEN 1000000 ELSE s.position END AS furthest, \
                  sum(t.deals) AS n \
           FROM (SELECT * FROM deal_stage_totals UNION ALL SELECT * FROM deal_stage_total_changes) t \
           JOIN pipeline_stages s ON s.id = t.furthest_stage_id GROUP BY 1, 2 HAVING sum(t.deals) <> 0) kept \
         ON kept.pipeline_id = counted.pipeline_id AND kept.furthest = counted.furthest \
         WHERE kept.n IS DISTINCT FROM counted.n",
    )
    .await
}

/// Differences between the kept per-day deal totals and the same summed from every live deal.
async fn days_out_of_step(app: &TestApp) -> i64 {
    app.scalar(
        "SELECT count(*) FROM ( \
           SELECT workspace_id, owner_id, status, day, sum(deals) AS n, sum(days_to_win) AS d \
           FROM (SELECT * FROM deal_day_totals UNION ALL SELECT * FROM deal_day_total_changes) t \
           GROUP BY 1, 2, 3, 4 HAVING sum(deals) <> 0 OR sum(days_to_win) <> 0) kept \
         FULL JOIN ( \
           SELECT workspace_id, owner_id, status, \
                  CASE WHEN status = 'open' THEN (stage_changed_at AT TIME ZONE 'UTC')::date \
                       ELSE (closed_at AT TIME ZONE 'UTC')::date END AS day, count(*) AS n, \
                  sum(CASE WHEN status = 'won' THEN extract(epoch FROM closed_at - created_at) / 86400.0 ELSE 0 END) AS d \
           FROM deals WHERE deleted_at IS NULL AND (status = 'open' OR closed_at IS NOT NULL) \
           GROUP BY 1, 2, 3, 4) counted \
         ON kept.workspace_id = counted.workspace_id AND kept.owner_id IS NOT DISTINCT FROM counted.owner_id \
            AND kept.status = counted.status AND kept.day = counted.day \
         WHERE (kept.n, kept.d) IS DISTINCT FROM (counted.n, counted.d)",
    )
    .await
}

/// The board's column totals as (stage, currency, count, value, weighted), sorted.
async fn board_totals(app: &TestApp) -> Vec<(String, String, i64, i64, i64)> {
    let res = app.get(&format!("/api/v1/pipelines/{SALES}/board")).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let mut out = Vec::new();
    for column in res.body["columns"].as_array().unwrap() {
        let stage = column["stage"]["name"].as_str().unwrap().to_owned();
        let totals = column["totals"].as_array().unwrap();
        let count = column["count"].as_i64().unwrap();
        for t in totals {
            out.push((
                stage.clone(),
                t["currency"].as_str().unwrap().to_owned(),
                count,
                t["value_minor"].as_i64().unwrap(),
                t["weighted_minor"].as_i64().unwrap(),
            ));
        }
    }
    out.sort();
    out
}

#[actix_web::test]
async fn the_board_and_dashboard_totals_are_kept_per_stage_through_every_kind_of_write() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for (title, stage, value, extra) in [
        (
            "Retainer",
            LEAD,
            50_000,
            json!({"recurring_months": 12, "expected_close_date": "2027-01-15"}),
        ),
        ("Own odds", LEAD, 33_333, json!({"probability": 37})),
        ("Dollars", QUALIFIED, 10_001, json!({"currency": "USD"})),
        ("Undated", PROPOSAL, 7_777, json!({})),
        ("Dated", PROPOSAL, 12_345, json!({"expected_close_date": "2027-03-01"})),
    ] {
        let mut body = json!({"title": title, "stage_id": stage, "value_minor": value});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        ids.push(deal(&app, body).await["id"].as_str().unwrap().to_owned());
    }
    let check = async |what: &str| {
        assert_eq!(totals_out_of_step(&app).await, 0, "after {what}");
        assert_eq!(furthest_out_of_step(&app).await, 0, "after {what}: furthest stages");
        assert_eq!(reach_out_of_step(&app).await, 0, "after {what}: conversion");
        assert_eq!(days_out_of_step(&app).await, 0, "after {what}: per-day totals");
        board_totals(&app).await
    };
    let first = check("creating").await;
    assert!(
        first.contains(&("Lead".into(), "EUR".into(), 2, 633_333, 72_333)),
        "{first:?}"
    );

    let patch = async |id: &str, body: Value| {
        let res = app.patch(&format!("/api/v1/deals/{id}"), &body).await;
        assert_eq!(res.status, 200, "{}", res.text);
    };
    patch(&ids[0], json!({"stage_id": QUALIFIED})).await;
    check("a move").await;
    patch(&ids[1], json!({"value_minor": 40_000, "probability": null})).await;
    check("a new value and the stage's odds").await;
    patch(&ids[2], json!({"currency": "EUR", "owner_id": null})).await;
    check("a new currency and no owner").await;
    patch(&ids[4], json!({"expected_close_date": null})).await;
    check("an expected date removed").await;
    patch(&ids[3], json!({"stage_id": WON})).await;
    check("a win").await;
    patch(&ids[1], json!({"stage_id": LOST, "lost_reason": "budget"})).await;
    check("a loss").await;
    assert_eq!(app.delete(&format!("/api/v1/deals/{}", ids[2])).await.status, 204);
    check("the trash").await;
    let res = app.post(&format!("/api/v1/deals/{}/restore", ids[2]), &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    check("a restore").await;
    let res = app
        .post(
            "/api/v1/deals/bulk",
            &json!({"ids": [ids[0], ids[2]], "action": {"type": "set_stage", "stage_id": PROPOSAL}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    check("two moved at once").await;

    // The stage's new probability reweighs its deals without odds of their own, at once.
    let before = check("before the new odds").await;
    let res = app
        .patch(
            &format!("/api/v1/pipelines/{SALES}/stages/{PROPOSAL}"),
            &json!({"probability": 75}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let after = check("new odds for a stage").await;
    assert_ne!(before, after, "the weighted values follow the stage's probability");

    // Folded: the same board from the totals alone.
    let mut conn = app.pool.get().await.unwrap();
    rapport::deals::service::fold_totals(&mut conn).await.unwrap();
    drop(conn);
    assert_eq!(app.scalar("SELECT count(*) FROM deal_stage_total_changes").await, 0);
    assert_eq!(check("folding").await, after);

    // The dashboard's pipeline values and undated weighted value agree with the deals.
    let res = app.get("/api/v1/dashboard?currency=EUR").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let proposal = res.body["pipelines"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["stages"].as_array().unwrap())
        .find(|s| s["stage_id"] == PROPOSAL)
        .cloned()
        .unwrap();
    let sql = |what: &str| {
        format!(
            "SELECT coalesce(sum({what}), 0) FROM deals d JOIN pipeline_stages s ON s.id = d.stage_id \
             WHERE d.deleted_at IS NULL AND d.currency = 'EUR' AND d.stage_id = '{PROPOSAL}'"
        )
    };
    assert_eq!(proposal["count"].as_i64().unwrap(), app.scalar(&sql("1")).await);
    assert_eq!(
        proposal["weighted_minor"].as_i64().unwrap(),
        app.scalar(&sql(
            "round(d.value_minor * coalesce(d.recurring_months, 1) * coalesce(d.probability, s.probability) / 100.0)"
        ))
        .await
    );

    assert_eq!(
        res.body["forecast_undated_weighted_minor"].as_i64().unwrap(),
        app.scalar(
            "SELECT coalesce(sum(round(d.value_minor * coalesce(d.recurring_months, 1) \
                * coalesce(d.probability, s.probability) / 100.0)), 0) \
             FROM deals d JOIN pipeline_stages s ON s.id = d.stage_id \
             WHERE d.deleted_at IS NULL AND d.currency = 'EUR' AND d.status = 'open' \
               AND d.expected_close_date IS NULL"
        )
        .await
    );
    assert!(res.body["forecast_undated_weighted_minor"].as_i64().unwrap() > 0);
    // The forecast, month by month, as the deals themselves spread over their months.
    let forecast: Vec<(String, i64, i64)> = res.body["forecast"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["month"].as_str().unwrap().to_owned(),
                m["value_minor"].as_i64().unwrap(),
                m["weighted_minor"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(forecast.len(), 12);
    for (i, (month, value, weighted)) in forecast.iter().enumerate() {
        let spread = |what: &str| {
            format!(
                "SELECT coalesce(sum({what}), 0) FROM deals d JOIN pipeline_stages s ON s.id = d.stage_id \
                 CROSS JOIN LATERAL generate_series(0, coalesce(d.recurring_months, 1) - 1) AS n(n) \
                 WHERE d.deleted_at IS NULL AND d.currency = 'EUR' AND d.status = 'open' \
                   AND d.expected_close_date IS NOT NULL \
                   AND to_char(greatest(date_trunc('month', d.expected_close_date::timestamp), \
                         date_trunc('month', current_date::timestamp)) + make_interval(months => n.n), 'YYYY-MM') \
                       = to_char(date_trunc('month', current_date::timestamp) + make_interval(months => {i}), 'YYYY-MM')"
            )
        };
        assert_eq!(*value, app.scalar(&spread("d.value_minor")).await, "{month}");
        assert_eq!(
            *weighted,
            app.scalar(&spread(
                "round(d.value_minor * coalesce(d.probability, s.probability) / 100.0)"
            ))
            .await,
            "{month}"
        );
    }
    assert!(forecast.iter().any(|m| m.1 > 0), "{forecast:?}");

    // Stages reordered: each deal's furthest stage is recomputed from its history. A deal moved
    // to another pipeline counts there from its new stage.
    let stages: Vec<String> = app.get("/api/v1/pipelines").await.body["items"][0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    let order = json!({"stage_ids": [&stages[2], &stages[0], &stages[1], &stages[3], &stages[4]]});
    let reordered = app
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/pipelines/{SALES}/stages/order"),
            |r| r.json(&order),
        )
        .await;
    assert_eq!(reordered.status, 200, "{}", reordered.text);
    check("stages reordered").await;
    patch(&ids[0], json!({"pipeline_id": JOB_SEARCH, "stage_id": INTERVIEW})).await;
    check("a move to another pipeline").await;
    let res = app.get("/api/v1/dashboard").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(
        res.body["conversion"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["pipeline_id"] == JOB_SEARCH),
        "{}",
        res.body["conversion"]
    );

    // Won, lost, days to win and stalled deals: closed and moved at times around the period's
    // edges (one day short of a year ago falls inside the last 12 months, a day over outside).
    for (id, sql) in [
        (
            &ids[1],
            "closed_at = now() - interval '364 days 23 hours', created_at = now() - interval '400 days'",
        ),
        (&ids[3], "closed_at = now() - interval '365 days 1 hour'"),
        (&ids[2], "stage_changed_at = now() - interval '14 days 1 hour'"),
        (&ids[4], "stage_changed_at = now() - interval '13 days 23 hours'"),
    ] {
        app.execute(&format!("UPDATE deals SET {sql} WHERE id = '{id}'")).await;
    }
    let won = deal(&app, json!({"title": "Won today", "stage_id": WON, "value_minor": 100})).await;
    app.execute(&format!(
        "UPDATE deals SET created_at = now() - interval '10 days' WHERE id = '{}'",
        won["id"].as_str().unwrap()
    ))
    .await;
    assert_eq!(days_out_of_step(&app).await, 0, "per-day totals after edits in SQL");
    for period in ["", "?period=this_year", "?period=custom&from=2025-12-01&to=2026-12-31"] {
        let res = app.get(&format!("/api/v1/dashboard{period}")).await;
        assert_eq!(res.status, 200, "{}", res.text);
        let (from, until) = match period {
            "" => (
                "now() - interval '365 days'".to_owned(),
                "(now() AT TIME ZONE 'UTC')::date + 1".to_owned(),
            ),
            "?period=this_year" => (
                "date_trunc('year', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'".to_owned(),
                "(now() AT TIME ZONE 'UTC')::date + 1".to_owned(),
            ),
            _ => ("'2025-12-01'::date".to_owned(), "'2027-01-01'::date".to_owned()),
        };
        let count = |status: &str| {
            format!(
                "SELECT count(*) FROM deals WHERE deleted_at IS NULL AND status = '{status}' \
                 AND closed_at >= {from} AND closed_at < ({until})::timestamp AT TIME ZONE 'UTC'"
            )
        };
        let w = &res.body["win_rate"];
        assert_eq!(w["won"].as_i64().unwrap(), app.scalar(&count("won")).await, "{period}");
        assert_eq!(
            w["lost"].as_i64().unwrap(),
            app.scalar(&count("lost")).await,
            "{period}"
        );
        let tenths = app
            .scalar(&format!(
                "SELECT coalesce(round(avg(extract(epoch FROM closed_at - created_at) / 86400.0) * 10), -1) \
                 FROM deals WHERE deleted_at IS NULL AND status = 'won' \
                 AND closed_at >= {from} AND closed_at < ({until})::timestamp AT TIME ZONE 'UTC'"
            ))
            .await;
        let average = w["average_days_to_win"]
            .as_f64()
            .map_or(-1, |d| (d * 10.0).round() as i64);
        assert_eq!(average, tenths, "{period}");
        assert_eq!(
            res.body["stalled"]["count"].as_i64().unwrap(),
            app.scalar(
                "SELECT count(*) FROM deals WHERE deleted_at IS NULL AND status = 'open' \
                 AND stage_changed_at < now() - interval '14 days'"
            )
            .await,
            "{period}"
        );
    }
    let res = app.get("/api/v1/dashboard").await;
    assert_eq!(res.body["stalled"]["count"], 1, "{}", res.body["stalled"]);
    assert!(res.body["win_rate"]["won"].as_i64().unwrap() >= 1);

    // Purged for good.
    assert_eq!(app.delete(&format!("/api/v1/deals/{}", ids[4])).await.status, 204);
    let res = app
        .post("/api/v1/trash/purge", &json!({"type": "deal", "ids": [ids[4]]}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    check("a purge").await;
}

#[actix_web::test]
async fn a_deal_changed_between_the_read_and_the_write_is_not_overwritten() {
    // An edit or a move reads the deal, checks what it names, then writes at the version it
    // read. Another session changes the deal in between (its change not yet committed when the
    // request reads): the request's write waits for it, then finds another version, writes
    // nothing (no stage history, no history entry) and answers 409 (no If-Match was sent) with
    // the current version.
    use diesel_async::RunQueryDsl;
    let app = TestApp::spawn().await;
    let created = deal(&app, json!({"title": "Engine", "value_minor": 1_000})).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/deals/{id}");
    let mut other = app.pool.get().await.unwrap();
    for (n, change) in [
        json!({"title": "Mine", "value_minor": 2_000}),
        json!({"stage_id": QUALIFIED}),
    ]
    .into_iter()
    .enumerate()
    {
        let entries = app
            .scalar(&format!("SELECT count(*) FROM activity WHERE entity_id = '{id}'"))
            .await;
        let moves = app
            .scalar(&format!(
                "SELECT count(*) FROM deal_stage_history WHERE deal_id = '{id}'"
            ))
            .await;
        let raced = format!("Raced {n}");
        diesel::sql_query("BEGIN").execute(&mut other).await.unwrap();
        diesel::sql_query(format!(
            "UPDATE deals SET title = '{raced}', version = version + 1 WHERE id = '{id}'"
        ))
        .execute(&mut other)
        .await
        .unwrap();
        let (answer, waited) = tokio::join!(app.patch(&path, &change), async {
            let waited = app.someone_waits_for_a_lock().await;
            diesel::sql_query("COMMIT").execute(&mut other).await.unwrap();
            waited
        });
        assert!(waited, "the request's write waited for the other change ({change})");
        answer.problem(409, "version_conflict");
        assert!(answer.text.contains(&format!("version {}", n + 2)), "{}", answer.text);
        let now = app.get(&path).await.body;
        assert_eq!(now["title"], raced.as_str(), "{now}");
        assert_eq!(now["value_minor"], 1_000, "{now}");
        assert_eq!(now["stage_id"], LEAD, "{now}");
        assert_eq!(now["version"], json!(n + 2), "{now}");
        assert_eq!(
            app.scalar(&format!("SELECT count(*) FROM activity WHERE entity_id = '{id}'"))
                .await,
            entries,
            "no history entry for a write that did not happen ({change})"
        );
        assert_eq!(
            app.scalar(&format!(
                "SELECT count(*) FROM deal_stage_history WHERE deal_id = '{id}'"
            ))
            .await,
            moves,
            "no stage history for a move that did not happen ({change})"
        );
    }
    // Sent again, each goes through.
    let res = app.patch(&path, &json!({"stage_id": QUALIFIED})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["stage_id"], QUALIFIED);
}

#[actix_web::test]
async fn a_new_deal_takes_its_contacts_company_and_the_workspaces_currency() {
    let app = TestApp::spawn().await;
    let r = app.patch("/api/v1/settings", &json!({"currency": "GBP"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ada = app
        .contact(json!({"first_name": "Ada", "last_name": "Lovelace", "company_name": "Engines"}))
        .await;
    let d = deal(
        &app,
        json!({"title": "Engine", "contact_id": ada["id"], "value_minor": 5_000}),
    )
    .await;
    assert_eq!(d["currency"], "GBP", "{d}");
    assert_eq!(d["company_id"], ada["company"]["id"], "{d}");
    assert_eq!(
        (d["company_name"].as_str(), d["contact_name"].as_str()),
        (Some("Engines"), Some("Ada Lovelace"))
    );
    let entry = app
        .get(&format!("/api/v1/contacts/{}/history", ada["id"].as_str().unwrap()))
        .await
        .body["items"][0]
        .clone();
    assert_eq!(entry["summary"], "Created the deal Engine in Lead", "{entry}");
    assert_eq!(entry["entity_id"], d["id"], "{entry}");
    // What the request names wins over what the deal would take.
    let other = app.post("/api/v1/companies", &json!({"name": "Looms"})).await.body;
    let d = deal(
        &app,
        json!({"title": "Loom", "contact_id": ada["id"], "company_id": other["id"], "currency": "USD"}),
    )
    .await;
    assert_eq!(
        (d["currency"].as_str(), d["company_name"].as_str()),
        (Some("USD"), Some("Looms"))
    );
    let d = deal(&app, json!({"title": "Alone"})).await;
    assert_eq!((d["currency"].as_str(), d["company_id"].as_str()), (Some("GBP"), None));
    assert!(d["contact_id"].is_null(), "{d}");

    // A contact in the trash, or none with this id: 422 on contact_id, nothing written.
    let counts = || async {
        (
            app.scalar("SELECT count(*) FROM deals").await,
            app.scalar("SELECT count(*) FROM deal_stage_history").await,
            app.scalar("SELECT count(*) FROM activity").await,
        )
    };
    let gone = app.contact(json!({"first_name": "Gone"})).await;
    let r = app
        .delete(&format!("/api/v1/contacts/{}", gone["id"].as_str().unwrap()))
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let before = counts().await;
    for contact in [gone["id"].clone(), json!("01936000-0000-7000-8000-00000000dead")] {
        let r = app
            .post("/api/v1/deals", &json!({"title": "Nobody's", "contact_id": contact}))
            .await;
        r.problem(422, "validation_failed");
        assert_eq!(r.error_fields(), vec!["contact_id"], "{}", r.text);
    }
    assert_eq!(counts().await, before, "nothing written");
}

#[actix_web::test]
async fn a_new_deal_is_placed_by_the_pipeline_and_stage_it_names() {
    let app = TestApp::spawn().await;
    let summary = |id: Value| {
        let app = &app;
        async move {
            let entries = app.get("/api/v1/activity?entity=deal").await.body["items"].clone();
            entries
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["entity_id"] == id)
                .map(|e| {
                    (
                        e["summary"].as_str().unwrap().to_owned(),
                        e["message"]["params"]["stage"].clone(),
                    )
                })
                .unwrap()
        }
    };
    // Nothing named: the first pipeline's first open stage.
    let d = deal(&app, json!({"title": "Plain"})).await;
    assert_eq!(
        (d["pipeline_id"].as_str(), d["stage_id"].as_str()),
        (Some(SALES), Some(LEAD))
    );
    assert_eq!(
        (d["status"].as_str(), d["stage_name"].as_str()),
        (Some("open"), Some("Lead"))
    );
    assert!(d["closed_at"].is_null(), "{d}");
    assert_eq!(
        summary(d["id"].clone()).await,
        ("Created the deal Plain in Lead".to_owned(), json!("Lead"))
    );
    // A pipeline alone: its first open stage.
    let first_open = app.get(&format!("/api/v1/pipelines/{JOB_SEARCH}")).await.body["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "open")
        .unwrap()
        .clone();
    let d = deal(&app, json!({"title": "Role", "pipeline_id": JOB_SEARCH})).await;
    assert_eq!(d["pipeline_id"], JOB_SEARCH, "{d}");
    assert_eq!(d["stage_id"], first_open["id"], "{d}");
    // A stage alone: its pipeline. A won stage closes the deal now, won; a lost reason is kept
    // only for a lost one.
    let d = deal(&app, json!({"title": "Signed", "stage_id": WON, "lost_reason": "n/a"})).await;
    assert_eq!(
        (d["pipeline_id"].as_str(), d["status"].as_str()),
        (Some(SALES), Some("won"))
    );
    assert!(d["closed_at"].is_string(), "{d}");
    assert!(d["lost_reason"].is_null(), "{d}");
    assert_eq!(
        summary(d["id"].clone()).await.0,
        "Created the deal Signed in Won (Client)"
    );
    let d = deal(
        &app,
        json!({"title": "Gone", "pipeline_id": SALES, "stage_id": LOST, "lost_reason": "Budget"}),
    )
    .await;
    assert_eq!(
        (d["status"].as_str(), d["lost_reason"].as_str()),
        (Some("lost"), Some("Budget"))
    );
    let entered: Vec<(Option<String>, String)> = app
        .get(&format!("/api/v1/deals/{}/stage-history", d["id"].as_str().unwrap()))
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["from_stage_id"].as_str().map(str::to_owned),
                h["to_stage_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(entered, [(None, LOST.to_owned())]);

    // Nothing written for a pipeline or stage that is not there, a stage of another pipeline, or
    // a workspace without pipelines; each says which.
    let counts = || async {
        (
            app.scalar("SELECT count(*) FROM deals").await,
            app.scalar("SELECT count(*) FROM deal_stage_history").await,
            app.scalar("SELECT count(*) FROM activity").await,
        )
    };
    let before = counts().await;
    let nowhere = "01936000-0000-7000-8000-0000000009ff";
    for (body, field) in [
        (json!({"title": "X", "pipeline_id": nowhere}), "pipeline_id"),
        (json!({"title": "X", "stage_id": nowhere}), "stage_id"),
        (
            json!({"title": "X", "pipeline_id": JOB_SEARCH, "stage_id": PROPOSAL}),
            "stage_id",
        ),
    ] {
        let r = app.post("/api/v1/deals", &body).await;
        r.problem(422, "validation_failed");
        assert_eq!(r.error_fields(), [field], "{body}: {}", r.text);
    }
    assert_eq!(counts().await, before, "nothing written");
    app.execute("DELETE FROM deal_stage_history").await;
    app.execute("DELETE FROM deals").await;
    app.execute("DELETE FROM pipeline_stages").await;
    app.execute("DELETE FROM pipelines").await;
    app.post("/api/v1/deals", &json!({"title": "X"}))
        .await
        .problem(409, "no_pipeline");
    assert_eq!(app.scalar("SELECT count(*) FROM deals").await, 0);
}
