//! Interactions and the follow-up engine: logging, editing and deleting touchpoints moves the
//! contact's last interaction and next follow-up in the same transaction.

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::TestApp;

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("not a timestamp: {v}")))
        .unwrap()
        .with_timezone(&Utc)
}

fn close(a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
    (a - b).num_seconds().abs() < 5
}

/// Logs an interaction; its body as created.
async fn log(app: &TestApp, body: Value) -> Value {
    let r = app.post("/api/v1/interactions", &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body
}

#[actix_web::test]
async fn new_contacts_are_scheduled_by_their_stage() {
    let app = TestApp::spawn().await;
    let lead = app.contact(json!({"first_name": "Lea"})).await;
    let created = time(&lead["created_at"]);
    assert!(
        close(time(&lead["next_follow_up_at"]), created + Duration::days(3)),
        "{lead}"
    );
    let client = app.contact(json!({"first_name": "Cli", "lifecycle": "client"})).await;
    assert!(close(
        time(&client["next_follow_up_at"]),
        time(&client["created_at"]) + Duration::days(30)
    ));
    let inactive = app.contact(json!({"first_name": "Ina", "lifecycle": "inactive"})).await;
    assert!(
        inactive["next_follow_up_at"].is_null(),
        "inactive contacts are not chased"
    );
    let own = app
        .contact(json!({"first_name": "Own", "follow_up_cadence_days": 10}))
        .await;
    assert!(close(
        time(&own["next_follow_up_at"]),
        time(&own["created_at"]) + Duration::days(10)
    ));
    let explicit = app
        .contact(json!({"first_name": "Exp", "next_follow_up_at": "2031-05-01T09:00:00Z"}))
        .await;
    assert_eq!(explicit["next_follow_up_at"], "2031-05-01T09:00:00Z");
    // Changing the stage reschedules.
    let res = app
        .patch(
            &format!("/api/v1/contacts/{}", lead["id"].as_str().unwrap()),
            &json!({"lifecycle": "client"}),
        )
        .await;
    assert!(
        close(time(&res.body["next_follow_up_at"]), created + Duration::days(30)),
        "{}",
        res.text
    );
    // A cadence of its own counts from the last interaction that has happened (not a planned
    // one); cleared, the stage's default is back; an open reminder brings it forward; a date set
    // with the change wins; an inactive stage is not chased.
    let path = format!("/api/v1/contacts/{}", lead["id"].as_str().unwrap());
    let met = Utc::now() - Duration::days(2);
    for (at, kind) in [(met, "call"), (Utc::now() + Duration::days(4), "meeting")] {
        let r = app
            .post(
                "/api/v1/interactions",
                &json!({"contact_id": lead["id"], "kind": kind, "occurred_at": at}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let res = app.patch(&path, &json!({"follow_up_cadence_days": 5})).await;
    assert!(
        close(time(&res.body["next_follow_up_at"]), met + Duration::days(5)),
        "{}",
        res.text
    );
    let res = app.patch(&path, &json!({"follow_up_cadence_days": null})).await;
    assert!(
        close(time(&res.body["next_follow_up_at"]), met + Duration::days(30)),
        "{}",
        res.text
    );
    let due = Utc::now() + Duration::days(1);
    let r = app
        .post(
            "/api/v1/reminders",
            &json!({"contact_id": lead["id"], "title": "Send the contract", "due_at": due}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let res = app.patch(&path, &json!({"lifecycle": "prospect"})).await;
    assert!(close(time(&res.body["next_follow_up_at"]), due), "{}", res.text);
    let res = app
        .patch(
            &path,
            &json!({"lifecycle": "client", "next_follow_up_at": "2031-05-01T09:00:00Z"}),
        )
        .await;
    assert_eq!(res.body["next_follow_up_at"], "2031-05-01T09:00:00Z", "{}", res.text);
    let res = app.patch(&path, &json!({"lifecycle": "inactive"})).await;
    assert!(
        close(time(&res.body["next_follow_up_at"]), due),
        "only the reminder is left: {}",
        res.text
    );
    assert_eq!(
        app.get(&path).await.body["next_follow_up_at"],
        res.body["next_follow_up_at"]
    );
}

#[actix_web::test]
async fn logging_an_interaction_moves_the_follow_up() {
    let app = TestApp::spawn().await;
    let c = app.contact(json!({"first_name": "Ada", "lifecycle": "prospect"})).await;
    let id = c["id"].as_str().unwrap();
    let two_days_ago = Utc::now() - Duration::days(2);
    let res = app
        .post(
            "/api/v1/interactions",
            &json!({"contact_id": id, "kind": "call", "direction": "outbound", "occurred_at": two_days_ago,
                    "subject": "Intro", "outcome": "positive", "duration_minutes": 25,
                    "sentiment": {"label": "positive", "score": 0.7}}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let call = res.body.clone();
    assert_eq!(call["kind"], "call");
    assert_eq!(call["sentiment"], json!({"label": "positive", "score": 0.7}));
    assert!(res.header("location").unwrap().ends_with(call["id"].as_str().unwrap()));
    let contact = app.get(&format!("/api/v1/contacts/{id}")).await.body;
    assert!(close(time(&contact["last_interaction_at"]), two_days_ago));
    assert!(close(
        time(&contact["next_follow_up_at"]),
        two_days_ago + Duration::days(7)
    ));
    assert_eq!(contact["version"], 1, "derived fields do not bump the version");

    // A newer interaction moves it again; a planned (future) meeting does not count as contact.
    let note = app
        .post(
            "/api/v1/interactions",
            &json!({"contact_id": id, "kind": "note", "body": "Sent the deck"}),
        )
        .await
        .body;
    app.post(
        "/api/v1/interactions",
        &json!({"contact_id": id, "kind": "meeting", "occurred_at": Utc::now() + Duration::days(20)}),
    )
    .await;
    let contact = app.get(&format!("/api/v1/contacts/{id}")).await.body;
    assert!(close(time(&contact["last_interaction_at"]), time(&note["occurred_at"])));
    assert!(close(
        time(&contact["next_follow_up_at"]),
        time(&note["occurred_at"]) + Duration::days(7)
    ));

    // Deleting the newest brings the schedule back to the call.
    let res = app
        .delete(&format!("/api/v1/interactions/{}", note["id"].as_str().unwrap()))
        .await;
    assert_eq!(res.status, 204);
    let contact = app.get(&format!("/api/v1/contacts/{id}")).await.body;
    assert!(close(time(&contact["last_interaction_at"]), two_days_ago));

    // Moving the call's date moves the schedule.
    let ten_days_ago = Utc::now() - Duration::days(10);
    let res = app
        .request(
            Method::PATCH,
            &format!("/api/v1/interactions/{}", call["id"].as_str().unwrap()),
            |r| {
                r.header("If-Match", "\"1\"")
                    .json(&json!({"occurred_at": ten_days_ago, "sentiment": null}))
            },
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.body["sentiment"].is_null());
    let contact = app.get(&format!("/api/v1/contacts/{id}")).await.body;
    assert!(close(
        time(&contact["next_follow_up_at"]),
        ten_days_ago + Duration::days(7)
    ));
    let due = app.get("/api/v1/contacts?follow_up=due").await.body;
    assert_eq!(due["items"][0]["id"], id, "three days overdue");
}

#[actix_web::test]
async fn the_timeline_is_newest_first_and_pages() {
    let app = TestApp::spawn().await;
    let c = app.contact(json!({"first_name": "Ada"})).await;
    let id = c["id"].as_str().unwrap();
    let other = app.contact(json!({"first_name": "Other"})).await;
    for i in 0..5 {
        let kind = if i % 2 == 0 { "email" } else { "call" };
        let at = Utc::now() - Duration::days(i);
        app.post(
            "/api/v1/interactions",
            &json!({"contact_id": id, "kind": kind, "subject": format!("#{i}"), "occurred_at": at}),
        )
        .await;
    }
    app.post(
        "/api/v1/interactions",
        &json!({"contact_id": other["id"], "kind": "call"}),
    )
    .await;
    let mut subjects = Vec::new();
    let mut path = format!("/api/v1/contacts/{id}/timeline?limit=2");
    loop {
        let page = app.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        subjects.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["subject"].as_str().unwrap().to_owned()),
        );
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/contacts/{id}/timeline?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(subjects, vec!["#0", "#1", "#2", "#3", "#4"]);
    let calls = app.get(&format!("/api/v1/contacts/{id}/timeline?kind=call")).await.body;
    assert_eq!(calls["items"].as_array().unwrap().len(), 2);

    // A contact in the trash keeps its timeline, shown only when asked for; the page is the
    // same rows either way.
    let live = app.get(&format!("/api/v1/contacts/{id}/timeline")).await.body;
    app.delete(&format!("/api/v1/contacts/{id}")).await;
    app.get(&format!("/api/v1/contacts/{id}/timeline"))
        .await
        .problem(404, "trashed");
    let trashed = app
        .get(&format!("/api/v1/contacts/{id}/timeline?include_trashed=true"))
        .await;
    assert_eq!(trashed.status, 200, "{}", trashed.text);
    assert_eq!(trashed.body["items"], live["items"]);
    assert_eq!(live["items"].as_array().unwrap().len(), 5);
}

#[actix_web::test]
async fn bad_interactions_change_nothing() {
    let app = TestApp::spawn().await;
    let c = app.contact(json!({"first_name": "Ada"})).await;
    let id = c["id"].as_str().unwrap();
    let before = app.get(&format!("/api/v1/contacts/{id}")).await.body;
    app.get(&format!("/api/v1/contacts/{}/timeline", uuid::Uuid::now_v7()))
        .await
        .problem(404, "not_found");
    app.get(&format!("/api/v1/contacts/{id}/timeline?kind=fax"))
        .await
        .problem(422, "validation_failed");
    for (body, field) in [
        (
            json!({"contact_id": uuid::Uuid::now_v7(), "kind": "call"}),
            "contact_id",
        ),
        (json!({"kind": "call"}), "contact_id"),
        (json!({"contact_id": id}), "kind"),
        (json!({"contact_id": id, "kind": "telegram"}), "kind"),
        (
            json!({"contact_id": id, "kind": "call", "occurred_at": "last tuesday"}),
            "occurred_at",
        ),
        (
            json!({"contact_id": id, "kind": "call", "occurred_at": "2999-01-01T00:00:00Z"}),
            "occurred_at",
        ),
        (
            json!({"contact_id": id, "kind": "call", "duration_minutes": -5}),
            "duration_minutes",
        ),
        (
            json!({"contact_id": id, "kind": "call", "sentiment": {"label": "ecstatic", "score": 1}}),
            "sentiment.label",
        ),
        (
            json!({"contact_id": id, "kind": "call", "sentiment": {"label": "positive", "score": 3}}),
            "sentiment.score",
        ),
    ] {
        let res = app.post("/api/v1/interactions", &body).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), vec![field], "{body}: {}", res.text);
    }
    // Contacts in the trash take no new interactions.
    app.delete(&format!("/api/v1/contacts/{id}")).await;
    let res = app
        .post("/api/v1/interactions", &json!({"contact_id": id, "kind": "call"}))
        .await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), vec!["contact_id"], "{}", res.text);
    assert_eq!(app.scalar("SELECT count(*) FROM interactions").await, 0);
    assert_eq!(
        app.scalar("SELECT count(*) FROM activity WHERE entity = 'interaction'")
            .await,
        0
    );
    // Nor with a deal: the missing contact is what the answer names.
    let deal = app
        .post("/api/v1/deals", &json!({"title": "Engine", "value_minor": 1000}))
        .await;
    assert_eq!(deal.status, 201, "{}", deal.text);
    let res = app
        .post(
            "/api/v1/interactions",
            &json!({"contact_id": id, "kind": "call", "deal_id": deal.body["id"]}),
        )
        .await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), vec!["contact_id"], "{}", res.text);
    assert_eq!(app.scalar("SELECT count(*) FROM interactions").await, 0);
    let after = app
        .get(&format!("/api/v1/contacts/{id}?include_trashed=true"))
        .await
        .body;
    assert_eq!(after["next_follow_up_at"], before["next_follow_up_at"]);
    app.get(&format!("/api/v1/interactions/{}", uuid::Uuid::now_v7()))
        .await
        .problem(404, "not_found");
}

#[actix_web::test]
async fn settings_change_the_defaults_and_reschedule() {
    let app = TestApp::spawn().await;
    let s = app.get("/api/v1/settings").await.body;
    assert_eq!(
        s,
        json!({"timezone": "UTC", "overdue_after_days": 2,
        "follow_up_cadence_days": {"lead": 3, "prospect": 7, "client": 30, "inactive": null},
        "currency": "EUR", "stale_deal_days": 14, "default_country": null})
    );
    let lead = app.contact(json!({"first_name": "Lea"})).await;
    let own = app
        .contact(json!({"first_name": "Own", "follow_up_cadence_days": 10}))
        .await;
    let res = app
        .patch("/api/v1/settings", &json!({"timezone": "Europe/Paris", "follow_up_cadence_days": {"lead": 1, "prospect": 7, "client": 30, "inactive": 90}}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["timezone"], "Europe/Paris");
    let lead_now = app
        .get(&format!("/api/v1/contacts/{}", lead["id"].as_str().unwrap()))
        .await
        .body;
    assert!(close(
        time(&lead_now["next_follow_up_at"]),
        time(&lead["created_at"]) + Duration::days(1)
    ));
    let own_now = app
        .get(&format!("/api/v1/contacts/{}", own["id"].as_str().unwrap()))
        .await
        .body;
    assert_eq!(
        own_now["next_follow_up_at"], own["next_follow_up_at"],
        "own cadences are kept"
    );

    for (body, field) in [
        (json!({"timezone": "Mars/Olympus"}), "timezone"),
        (
            json!({"follow_up_cadence_days": {"lead": -5, "prospect": 7, "client": 30, "inactive": null}}),
            "follow_up_cadence_days.lead",
        ),
        (json!({"overdue_after_days": 1000}), "overdue_after_days"),
        (json!({"theme": "dark"}), "theme"),
    ] {
        let res = app.patch("/api/v1/settings", &body).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), vec![field], "{body}: {}", res.text);
    }
    assert_eq!(app.get("/api/v1/settings").await.body["timezone"], "Europe/Paris");
}

#[actix_web::test]
async fn an_interaction_logged_now_counts_as_the_last_contact() {
    let app = TestApp::spawn().await;
    let c = app.contact(json!({"first_name": "Now", "lifecycle": "prospect"})).await;
    let id = c["id"].as_str().unwrap();
    let logged = app
        .post("/api/v1/interactions", &json!({"contact_id": id, "kind": "call"}))
        .await
        .body;
    let contact = app.get(&format!("/api/v1/contacts/{id}")).await.body;
    assert_eq!(contact["last_interaction_at"], logged["occurred_at"], "{contact}");
    assert!(close(
        time(&contact["next_follow_up_at"]),
        time(&logged["occurred_at"]) + Duration::days(7)
    ));
}

/// Logging is one statement that also moves the contact's follow-up fields; what the statement
/// itself inserted must count beside what was there, in the order the interactions happened.
#[actix_web::test]
async fn logging_out_of_order_keeps_the_latest_interaction_and_sentiment() {
    let app = TestApp::spawn().await;
    let c = app
        .contact(json!({"first_name": "Ord", "follow_up_cadence_days": 7}))
        .await;
    let id = c["id"].as_str().unwrap();
    let now = log(
        &app,
        json!({"contact_id": id, "kind": "call",
        "sentiment": {"label": "negative", "score": -0.6}}),
    )
    .await;
    let contact = app.get(&format!("/api/v1/contacts/{id}")).await.body;
    assert_eq!(contact["last_sentiment"], "negative", "{contact}");
    assert_eq!(time(&contact["last_interaction_at"]), time(&now["occurred_at"]));
    assert!(close(
        time(&contact["next_follow_up_at"]),
        time(&now["occurred_at"]) + Duration::days(7)
    ));
    // An older one, with another sentiment: neither the last interaction nor the sentiment move.
    let yesterday = (Utc::now() - Duration::days(1)).to_rfc3339();
    log(
        &app,
        json!({"contact_id": id, "kind": "email", "occurred_at": yesterday,
        "sentiment": {"label": "positive", "score": 0.8}}),
    )
    .await;
    let after_old = app.get(&format!("/api/v1/contacts/{id}")).await.body;
    assert_eq!(after_old["last_sentiment"], "negative", "{after_old}");
    assert_eq!(after_old["last_interaction_at"], contact["last_interaction_at"]);
    assert_eq!(after_old["next_follow_up_at"], contact["next_follow_up_at"]);
    // One planned for tomorrow has not happened: the follow-up still counts from the call.
    let tomorrow = (Utc::now() + Duration::days(1)).to_rfc3339();
    log(
        &app,
        json!({"contact_id": id, "kind": "meeting", "occurred_at": tomorrow,
        "sentiment": {"label": "positive", "score": 0.9}}),
    )
    .await;
    let after_future = app.get(&format!("/api/v1/contacts/{id}")).await.body;
    assert_eq!(after_future["last_sentiment"], "negative", "{after_future}");
    assert_eq!(after_future["last_interaction_at"], contact["last_interaction_at"]);
    // A newer one with a sentiment takes over.
    let latest = log(
        &app,
        json!({"contact_id": id, "kind": "call",
        "sentiment": {"label": "positive", "score": 0.5}}),
    )
    .await;
    let after_new = app.get(&format!("/api/v1/contacts/{id}")).await.body;
    assert_eq!(after_new["last_sentiment"], "positive", "{after_new}");
    assert_eq!(time(&after_new["last_interaction_at"]), time(&latest["occurred_at"]));
    // Each was logged with its history entry.
    let history = app.get(&format!("/api/v1/activity?contact_id={id}")).await;
    assert_eq!(history.status, 200, "{}", history.text);
    let logged = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "interaction" && e["action"] == "created")
        .count();
    assert_eq!(logged, 4, "{}", history.text);
    // A contact that does not exist: 422 on contact_id, and nothing written.
    let before = app.get("/api/v1/activity?limit=200").await.body["items"]
        .as_array()
        .unwrap()
        .len();
    let missing = app
        .post(
            "/api/v1/interactions",
            &json!({"contact_id": uuid::Uuid::now_v7(), "kind": "call"}),
        )
        .await;
    assert_eq!(missing.status, 422, "{}", missing.text);
    assert_eq!(missing.body["errors"][0]["field"], "contact_id");
    let after = app.get("/api/v1/activity?limit=200").await.body["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after);
}

/// An edit or a deletion writes the interaction, its history entry and the contact's follow-up
/// fields together: the fields count the interaction as the change leaves it, never as it was.
#[actix_web::test]
async fn edits_and_deletions_reschedule_from_the_interactions_as_they_leave_them() {
    let app = TestApp::spawn().await;
    let c = app
        .contact(json!({"first_name": "Ada", "last_name": "Lovelace", "follow_up_cadence_days": 7}))
        .await;
    let id = c["id"].as_str().unwrap();
    let contact = || {
        let app = &app;
        async move { app.get(&format!("/api/v1/contacts/{id}")).await.body }
    };
    let three_days_ago = Utc::now() - Duration::days(3);
    let older = log(
        &app,
        json!({"contact_id": id, "kind": "email", "occurred_at": three_days_ago,
        "sentiment": {"label": "neutral", "score": 0.0}}),
    )
    .await;
    let newest = log(
        &app,
        json!({"contact_id": id, "kind": "call",
        "sentiment": {"label": "negative", "score": -0.5}}),
    )
    .await;
    let before = contact().await;
    assert_eq!(before["last_sentiment"], "negative", "{before}");
    assert_eq!(time(&before["last_interaction_at"]), time(&newest["occurred_at"]));

    // The newest moved before the older one, made a meeting and its sentiment cleared: the
    // contact's fields come from the older one (the statement must not see the call where it was).
    let newest_path = format!("/api/v1/interactions/{}", newest["id"].as_str().unwrap());
    let ten_days_ago = Utc::now() - Duration::days(10);
    let res = app
        .patch(
            &newest_path,
            &json!({"occurred_at": ten_days_ago, "kind": "meeting", "sentiment": null}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["version"], 2);
    let after_edit = contact().await;
    assert_eq!(
        time(&after_edit["last_interaction_at"]),
        time(&older["occurred_at"]),
        "{after_edit}"
    );
    assert_eq!(after_edit["last_sentiment"], "neutral", "{after_edit}");
    assert!(close(
        time(&after_edit["next_follow_up_at"]),
        three_days_ago + Duration::days(7)
    ));
    assert_eq!(
        after_edit["version"], before["version"],
        "derived fields do not bump the version"
    );

    // An edit that moves it back to now and gives it a sentiment makes it the last again.
    let res = app
        .patch(
            &newest_path,
            &json!({"occurred_at": Utc::now(), "sentiment": {"label": "positive", "score": 0.9}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let after_second = contact().await;
    assert_eq!(after_second["last_sentiment"], "positive", "{after_second}");
    assert_eq!(
        time(&after_second["last_interaction_at"]),
        time(&res.body["occurred_at"])
    );

    // Deleting it leaves the older one's.
    let res = app.delete(&newest_path).await;
    assert_eq!(res.status, 204, "{}", res.text);
    let after_delete = contact().await;
    assert_eq!(after_delete["last_sentiment"], "neutral", "{after_delete}");
    assert_eq!(time(&after_delete["last_interaction_at"]), time(&older["occurred_at"]));
    // Deleting the last one leaves a contact never contacted: scheduled from its creation.
    let res = app
        .delete(&format!("/api/v1/interactions/{}", older["id"].as_str().unwrap()))
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    let none_left = contact().await;
    assert!(none_left["last_interaction_at"].is_null(), "{none_left}");
    assert!(none_left["last_sentiment"].is_null(), "{none_left}");
    assert!(close(
        time(&none_left["next_follow_up_at"]),
        time(&none_left["created_at"]) + Duration::days(7)
    ));

    // Each change has its history entry, naming the kind as the change left it and the contact.
    let history = app.get(&format!("/api/v1/contacts/{id}/history")).await;
    assert_eq!(history.status, 200, "{}", history.text);
    let summaries: Vec<&str> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        summaries[..4],
        [
            "Deleted an email with Ada Lovelace",
            "Deleted a meeting with Ada Lovelace",
            "Edited a meeting with Ada Lovelace: occurred at, sentiment",
            "Edited a meeting with Ada Lovelace: kind, occurred at, sentiment",
        ],
        "{}",
        history.text
    );
    let entry = &history.body["items"][2];
    assert_eq!(entry["message"]["params"]["name"], "Ada Lovelace", "{entry}");
    assert_eq!(entry["message"]["params"]["kind"], "meeting", "{entry}");
    assert_eq!(entry["entity_id"], newest["id"], "{entry}");
    assert_eq!(entry["contact_id"], json!(id), "{entry}");

    // A stale or missing interaction changes nothing and writes no entry.
    let other = log(&app, json!({"contact_id": id, "kind": "note"})).await;
    let other_path = format!("/api/v1/interactions/{}", other["id"].as_str().unwrap());
    let stale = app
        .request(Method::PATCH, &other_path, |r| {
            r.header("If-Match", "\"7\"").json(&json!({"subject": "Late"}))
        })
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    let missing = app.delete(&newest_path).await;
    assert_eq!(missing.status, 404, "{}", missing.text);
    let after = app.get(&format!("/api/v1/contacts/{id}/history")).await;
    assert_eq!(
        after.body["items"].as_array().unwrap().len(),
        history.body["items"].as_array().unwrap().len() + 1,
        "only the note's own entry is new: {}",
        after.text
    );
    assert!(app.get(&other_path).await.body["subject"].is_null());
}
