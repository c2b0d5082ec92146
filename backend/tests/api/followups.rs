//! The follow-up queue: windows, states, counts and reasons.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::common::TestApp;

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["contact"]["display_name"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn windows_states_and_counts() {
    let app = TestApp::spawn().await;
    let now = Utc::now();
    for (name, due) in [
        ("Long overdue", now - Duration::days(10)),
        ("Just late", now - Duration::hours(30)),
        ("Due now", now - Duration::minutes(1)),
        ("In three days", now + Duration::days(3)),
        ("Next month", now + Duration::days(30)),
    ] {
        app.contact(json!({"first_name": name, "next_follow_up_at": due, "lifecycle": "client"}))
            .await;
    }
    app.contact(json!({"first_name": "Never", "lifecycle": "inactive"}))
        .await;

    let today = app.get("/api/v1/follow-ups").await;
    assert_eq!(today.status, 200, "{}", today.text);
    assert_eq!(
        names(&today.body),
        vec!["Long overdue", "Just late", "Due now"],
        "oldest first"
    );
    assert_eq!(today.body["counts"], json!({"overdue": 1, "today": 3, "week": 4}));
    let items = today.body["items"].as_array().unwrap();
    assert_eq!(items[0]["state"], "overdue");
    assert!(items[0]["days_late"].as_i64().unwrap() >= 10);
    assert_eq!(items[1]["state"], "due", "late within the 2-day grace period");
    assert_eq!(items[0]["reason"], "Follow-up date set by hand");

    assert_eq!(
        names(&app.get("/api/v1/follow-ups?window=overdue").await.body),
        vec!["Long overdue"]
    );
    let week = app.get("/api/v1/follow-ups?window=week").await.body;
    assert_eq!(names(&week)[3], "In three days");
    assert_eq!(week["items"][3]["state"], "upcoming");

    // Pages follow the due order.
    let first = app.get("/api/v1/follow-ups?window=week&limit=3").await.body;
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .get(&format!("/api/v1/follow-ups?window=week&limit=3&cursor={cursor}"))
        .await
        .body;
    assert_eq!(names(&second), vec!["In three days"]);

    // Reused while nothing changes; a contact rescheduled leaves the list at once.
    assert_eq!(app.get("/api/v1/follow-ups").await.body, today.body);
    let late = today.body["items"][0]["contact"]["id"].as_str().unwrap();
    let moved = app
        .patch(
            &format!("/api/v1/contacts/{late}"),
            &json!({"next_follow_up_at": now + Duration::days(20)}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let after = app.get("/api/v1/follow-ups").await.body;
    assert_eq!(names(&after), vec!["Just late", "Due now"]);
    assert_eq!(after["counts"]["overdue"], 0);
}

#[actix_web::test]
async fn reasons_explain_the_schedule() {
    let app = TestApp::spawn().await;
    let c = app.contact(json!({"first_name": "Pat", "lifecycle": "prospect"})).await;
    let id = c["id"].as_str().unwrap();
    app.post(
        "/api/v1/interactions",
        &json!({"contact_id": id, "kind": "call", "occurred_at": Utc::now() - Duration::days(9)}),
    )
    .await;
    let page = app.get("/api/v1/follow-ups").await.body;
    assert_eq!(
        page["items"][0]["reason"],
        "Last contact 9 days ago; prospects every 7 days"
    );
    assert_eq!(
        page["items"][0]["state"], "due",
        "two days late: still within the grace period"
    );

    app.contact(json!({"first_name": "New", "follow_up_cadence_days": 1}))
        .await;
    let week = app.get("/api/v1/follow-ups?window=week").await.body;
    let reasons: Vec<&str> = week["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons.contains(&"Added today and never contacted; every day for this contact"),
        "{reasons:?}"
    );
}

#[actix_web::test]
async fn bad_parameters() {
    let app = TestApp::spawn().await;
    for q in ["window=someday", "limit=0", "cursor=zzz"] {
        let res = app.get(&format!("/api/v1/follow-ups?{q}")).await;
        res.problem(422, "validation_failed");
    }
}

/// The queue, its counts and the schedule sorts read `contact_schedule`, which triggers keep from
/// `contacts`: trashing, restoring, owners, logged interactions and purging all reach it.
#[actix_web::test]
async fn the_queue_follows_trash_owners_and_logged_interactions() {
    let app = TestApp::spawn().await;
    let now = Utc::now();
    let mut ids = Vec::new();
    for (name, days) in [("Ann", 5), ("Bob", 4), ("Cy", 3)] {
        let c = app
            .contact(
                json!({"first_name": name, "next_follow_up_at": now - Duration::days(days), "lifecycle": "client"}),
            )
            .await;
        ids.push(c["id"].as_str().unwrap().to_owned());
    }
    let (ann, bob, cy) = (&ids[0], &ids[1], &ids[2]);
    let queue = |q: &'static str| {
        let app = &app;
        async move {
            let res = app.get(&format!("/api/v1/follow-ups?window=week{q}")).await;
            assert_eq!(res.status, 200, "{}", res.text);
            (names(&res.body), res.body["counts"]["week"].as_i64().unwrap())
        }
    };
    let by_due = |q: &'static str| {
        let app = &app;
        async move {
            let res = app.get(&format!("/api/v1/contacts?sort=next_follow_up_at{q}")).await;
            assert_eq!(res.status, 200, "{}", res.text);
            res.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["display_name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(queue("").await, (vec!["Ann".into(), "Bob".into(), "Cy".into()], 3));

    // Trashed: out of the queue, its counts and the live list; in the trash's list.
    assert_eq!(app.delete(&format!("/api/v1/contacts/{bob}")).await.status, 204);
    assert_eq!(queue("").await, (vec!["Ann".into(), "Cy".into()], 2));
    assert_eq!(by_due("").await, vec!["Ann", "Cy"]);
    assert_eq!(by_due("&trashed=true").await, vec!["Bob"]);
    assert_eq!(by_due("&follow_up=due").await, vec!["Ann", "Cy"]);
    assert_eq!(by_due("&trashed=true&follow_up=due").await, vec!["Bob"]);
    assert!(by_due("&trashed=true&follow_up=none").await.is_empty());
    let restored = app.post(&format!("/api/v1/contacts/{bob}/restore"), &json!({})).await;
    assert_eq!(restored.status, 200, "{}", restored.text);
    assert_eq!(queue("").await.1, 3);

    // Owners (a new contact is its creator's): the queue's owner filter reads the schedule's copy.
    assert_eq!(queue("&owner=none").await.1, 0);
    let res = app
        .patch(&format!("/api/v1/contacts/{cy}"), &json!({"owner_id": null}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(queue("&owner=none").await, (vec!["Cy".into()], 1));
    assert_eq!(queue("&owner=me").await, (vec!["Ann".into(), "Bob".into()], 2));

    // A logged call moves Ann's follow-up past the week: she leaves the queue and sorts last.
    let res = app
        .post(
            "/api/v1/interactions",
            &json!({"contact_id": ann, "kind": "call", "direction": "outbound", "subject": "Caught up"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(queue("").await, (vec!["Bob".into(), "Cy".into()], 2));
    assert_eq!(by_due("").await, vec!["Bob", "Cy", "Ann"]);
    let by_touch = app.get("/api/v1/contacts?sort=-last_interaction_at&limit=1").await;
    assert_eq!(by_touch.body["items"][0]["display_name"], "Ann", "{}", by_touch.text);

    // Every contact has exactly its own schedule, purged ones none.
    assert_eq!(app.delete(&format!("/api/v1/contacts/{bob}")).await.status, 204);
    let res = app
        .post("/api/v1/trash/purge", &json!({"type": "contact", "ids": [bob]}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM contacts c FULL JOIN contact_schedule s \
               ON s.workspace_id = c.workspace_id AND s.contact_id = c.id \
             WHERE c.id IS NULL OR s.contact_id IS NULL \
                OR s.next_follow_up_at IS DISTINCT FROM c.next_follow_up_at \
                OR s.last_interaction_at IS DISTINCT FROM c.last_interaction_at \
                OR s.owner_id IS DISTINCT FROM c.owner_id OR s.live <> (c.deleted_at IS NULL)"
        )
        .await,
        0
    );
    assert_eq!(app.scalar("SELECT count(*) FROM contact_schedule").await, 2);
}
