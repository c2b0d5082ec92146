//! Reminders: CRUD, complete/reopen/snooze, and how they move the contact's next follow-up.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::common::TestApp;

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("not a timestamp: {v}")))
        .unwrap()
        .with_timezone(&Utc)
}

async fn next_follow_up(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/api/v1/contacts/{id}")).await.body["next_follow_up_at"].clone()
}

#[actix_web::test]
async fn an_open_reminder_brings_the_follow_up_forward() {
    let app = TestApp::spawn().await;
    let c = app.contact(json!({"first_name": "Ada", "lifecycle": "client"})).await;
    let id = c["id"].as_str().unwrap();
    let cadence_date = c["next_follow_up_at"].clone();
    let due = (Utc::now() + Duration::days(2)).to_rfc3339();
    let res = app
        .post(
            "/api/v1/reminders",
            &json!({"contact_id": id, "title": " Send the quote ", "due_at": due}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let r = res.body.clone();
    let rid = r["id"].as_str().unwrap();
    assert_eq!(r["title"], "Send the quote");
    assert_eq!(r["origin"], "manual");
    assert!(r["completed_at"].is_null());
    assert_eq!(time(&next_follow_up(&app, id).await), time(&r["due_at"]));

    // In the queue it says why.
    let week = app.get("/api/v1/follow-ups?window=week").await.body;
    assert_eq!(week["items"][0]["reason"], "Reminder: Send the quote");
    assert_eq!(week["items"][0]["reminder"]["id"], rid);

    // Done: back to the cadence. Reopened: forward again. Snoozed: moves with it.
    let done = app.post(&format!("/api/v1/reminders/{rid}/complete"), &json!({})).await;
    assert!(done.body["completed_at"].is_string(), "{}", done.text);
    assert_eq!(next_follow_up(&app, id).await, cadence_date);
    let again = app.post(&format!("/api/v1/reminders/{rid}/complete"), &json!({})).await;
    assert_eq!(
        again.body["version"], done.body["version"],
        "completing twice changes nothing"
    );
    app.post(&format!("/api/v1/reminders/{rid}/reopen"), &json!({})).await;
    assert_eq!(time(&next_follow_up(&app, id).await), time(&r["due_at"]));
    let later = Utc::now() + Duration::days(5);
    let snoozed = app
        .post(&format!("/api/v1/reminders/{rid}/snooze"), &json!({"until": later}))
        .await;
    assert_eq!(snoozed.status, 200, "{}", snoozed.text);
    assert!((time(&next_follow_up(&app, id).await) - later).num_seconds().abs() < 2);
    // A reminder later than the cadence does not push the follow-up back.
    app.patch(
        &format!("/api/v1/reminders/{rid}"),
        &json!({"due_at": Utc::now() + Duration::days(90)}),
    )
    .await;
    assert_eq!(next_follow_up(&app, id).await, cadence_date);
    assert_eq!(app.delete(&format!("/api/v1/reminders/{rid}")).await.status, 204);
    assert_eq!(next_follow_up(&app, id).await, cadence_date);
}

/// Each change of a reminder reschedules the contact from its reminders as the change leaves
/// them (a statement that still counted the changed reminder as it was fails here), and its
/// history entry names the contact and the title as the change leaves them.
#[actix_web::test]
async fn changes_reschedule_from_the_reminders_as_they_leave_them() {
    let app = TestApp::spawn().await;
    let c = app
        .contact(json!({"first_name": "Ada", "last_name": "Lovelace", "follow_up_cadence_days": 30}))
        .await;
    let id = c["id"].as_str().unwrap();
    let cadence_date = time(&c["next_follow_up_at"]);
    let add = async |title: &str, days: i64| {
        let r = app
            .post(
                "/api/v1/reminders",
                &json!({"contact_id": id, "title": title, "due_at": Utc::now() + Duration::days(days)}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body
    };
    let follow_up = async || time(&next_follow_up(&app, id).await);
    let ten = add("Send the quote", 10).await;
    assert_eq!(follow_up().await, time(&ten["due_at"]), "the new reminder counts");
    let three = add("Call about 50% off", 3).await;
    assert_eq!(follow_up().await, time(&three["due_at"]));
    let three_path = format!("/api/v1/reminders/{}", three["id"].as_str().unwrap());
    let ten_path = format!("/api/v1/reminders/{}", ten["id"].as_str().unwrap());

    // Moved past the other one: the other one is next, not where this one was.
    let moved = app
        .patch(&three_path, &json!({"due_at": Utc::now() + Duration::days(20)}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["version"], 2);
    assert_eq!(follow_up().await, time(&ten["due_at"]));
    // Completed: the one left open is next.
    let done = app.post(&format!("{ten_path}/complete"), &json!({})).await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(follow_up().await, time(&moved.body["due_at"]));
    // Reopened: first again.
    let reopened = app.post(&format!("{ten_path}/reopen"), &json!({})).await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    assert_eq!(follow_up().await, time(&ten["due_at"]));
    // Renamed: the entry names the new title; an edit of the date alone names the title kept.
    let renamed = app.patch(&ten_path, &json!({"title": "Send the final quote"})).await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    // Deleted: the other one is next; then none, and the cadence is back.
    assert_eq!(app.delete(&ten_path).await.status, 204);
    assert_eq!(follow_up().await, time(&moved.body["due_at"]));
    assert_eq!(app.delete(&three_path).await.status, 204);
    assert_eq!(follow_up().await, cadence_date);

    let history = app.get(&format!("/api/v1/contacts/{id}/history")).await;
    assert_eq!(history.status, 200, "{}", history.text);
    let entries: Vec<&Value> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "reminder")
        .collect();
    let summaries: Vec<&str> = entries.iter().map(|e| e["summary"].as_str().unwrap()).collect();
    assert_eq!(
        summaries,
        [
            "Deleted the reminder for Ada Lovelace: Call about 50% off",
            "Deleted the reminder for Ada Lovelace: Send the final quote",
            "Edited the reminder for Ada Lovelace: Send the final quote",
            "Reopened the reminder for Ada Lovelace: Send the quote",
            "Completed the reminder for Ada Lovelace: Send the quote",
            "Edited the reminder for Ada Lovelace: Call about 50% off",
            "Reminder for Ada Lovelace: Call about 50% off",
            "Reminder for Ada Lovelace: Send the quote",
        ],
        "{}",
        history.text
    );
    for entry in &entries {
        assert_eq!(entry["contact_id"], json!(id), "{entry}");
        assert_eq!(entry["message"]["params"]["name"], "Ada Lovelace", "{entry}");
    }
    assert_eq!(entries[2]["message"]["params"]["title"], "Send the final quote");
    assert_eq!(entries[2]["entity_id"], ten["id"]);

    // A stale or missing change, or a reminder of a contact in the trash, writes nothing.
    let kept = add("Lunch", 5).await;
    let kept_path = format!("/api/v1/reminders/{}", kept["id"].as_str().unwrap());
    let entries_before = app
        .scalar("SELECT count(*) FROM activity WHERE entity = 'reminder'")
        .await;
    let stale = app
        .request(reqwest::Method::PATCH, &kept_path, |r| {
            r.header("If-Match", "\"7\"").json(&json!({"title": "Late"}))
        })
        .await;
    stale.problem(412, "version_conflict");
    let stale = app
        .request(reqwest::Method::DELETE, &kept_path, |r| r.header("If-Match", "\"7\""))
        .await;
    stale.problem(412, "version_conflict");
    app.delete(&ten_path).await.problem(404, "not_found");
    app.patch(&ten_path, &json!({"title": "Gone"}))
        .await
        .problem(404, "not_found");
    assert_eq!(app.delete(&format!("/api/v1/contacts/{id}")).await.status, 204);
    let res = app
        .post(
            "/api/v1/reminders",
            &json!({"contact_id": id, "title": "Too late", "due_at": Utc::now() + Duration::days(1)}),
        )
        .await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), vec!["contact_id"]);
    assert_eq!(
        app.scalar("SELECT count(*) FROM activity WHERE entity = 'reminder'")
            .await,
        entries_before
    );
    assert_eq!(app.scalar("SELECT count(*) FROM reminders").await, 1);
    assert_eq!(app.get(&kept_path).await.body["title"], "Lunch");
}

#[actix_web::test]
async fn lists_by_status_and_contact() {
    let app = TestApp::spawn().await;
    let a = app.contact(json!({"first_name": "A"})).await;
    let b = app.contact(json!({"first_name": "B"})).await;
    let mut ids = Vec::new();
    for (i, contact) in [&a, &b, &a].iter().enumerate() {
        let r = app
            .post(
                "/api/v1/reminders",
                &json!({"contact_id": contact["id"], "title": format!("R{i}"), "due_at": Utc::now() + Duration::days(i as i64 + 1)}),
            )
            .await;
        ids.push(r.body["id"].as_str().unwrap().to_owned());
    }
    app.post(&format!("/api/v1/reminders/{}/complete", ids[0]), &json!({}))
        .await;
    let titles = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(titles(&app.get("/api/v1/reminders").await.body), vec!["R1", "R2"]);
    assert_eq!(titles(&app.get("/api/v1/reminders?status=done").await.body), vec!["R0"]);
    assert_eq!(
        titles(&app.get("/api/v1/reminders?status=all&limit=2").await.body),
        vec!["R0", "R1"]
    );
    let mine = app
        .get(&format!(
            "/api/v1/reminders?status=all&contact_id={}",
            a["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(titles(&mine.body), vec!["R0", "R2"]);
    let page1 = app.get("/api/v1/reminders?status=all&limit=2").await.body;
    let cursor = page1["next_cursor"].as_str().unwrap();
    assert_eq!(
        titles(
            &app.get(&format!("/api/v1/reminders?status=all&limit=2&cursor={cursor}"))
                .await
                .body
        ),
        vec!["R2"]
    );
}

#[actix_web::test]
async fn bad_reminders_change_nothing() {
    let app = TestApp::spawn().await;
    let c = app.contact(json!({"first_name": "Ada"})).await;
    let id = c["id"].as_str().unwrap();
    let before = next_follow_up(&app, id).await;
    for (body, field) in [
        (
            json!({"contact_id": id, "title": "Call", "due_at": "next friday"}),
            "due_at",
        ),
        (json!({"contact_id": id, "title": "Call"}), "due_at"),
        (json!({"contact_id": id, "title": "  ", "due_at": Utc::now()}), "title"),
        (
            json!({"contact_id": uuid::Uuid::now_v7(), "title": "Call", "due_at": Utc::now()}),
            "contact_id",
        ),
        (
            json!({"contact_id": id, "title": "Call", "due_at": Utc::now(), "priority": "high"}),
            "priority",
        ),
    ] {
        let res = app.post("/api/v1/reminders", &body).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), vec![field], "{body}: {}", res.text);
    }
    let r = app
        .post(
            "/api/v1/reminders",
            &json!({"contact_id": id, "title": "Call", "due_at": Utc::now() + Duration::days(40)}),
        )
        .await;
    let rid = r.body["id"].as_str().unwrap();
    let res = app
        .post(
            &format!("/api/v1/reminders/{rid}/snooze"),
            &json!({"until": Utc::now() - Duration::hours(1)}),
        )
        .await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), vec!["until"]);
    app.get("/api/v1/reminders?status=maybe")
        .await
        .problem(422, "validation_failed");
    app.post(
        &format!("/api/v1/reminders/{}/complete", uuid::Uuid::now_v7()),
        &json!({}),
    )
    .await
    .problem(404, "not_found");
    assert_eq!(app.scalar("SELECT count(*) FROM reminders").await, 1);
    assert_eq!(next_follow_up(&app, id).await, before);
}

#[actix_web::test]
async fn reminders_are_assigned_and_the_queue_follows_its_owner() {
    use rapport::accounts::dto::Role;
    let app = TestApp::spawn().await;
    let (member_id, member) = app.member("member@example.com", Role::Member).await;
    let mine = app
        .contact(json!({"first_name": "Mine", "next_follow_up_at": "2020-01-01T00:00:00Z"}))
        .await;
    let theirs = app
        .request_as(&member, reqwest::Method::POST, "/api/v1/contacts", |r| {
            r.json(&json!({"first_name": "Theirs", "next_follow_up_at": "2020-01-01T00:00:00Z"}))
        })
        .await
        .body;
    let due = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let r1 = app
        .post(
            "/api/v1/reminders",
            &json!({"contact_id": mine["id"], "title": "Mine to do", "due_at": due}),
        )
        .await;
    assert_eq!(r1.body["assignee_id"], app.owner.to_string());
    let r2 = app
        .post(
            "/api/v1/reminders",
            &json!({"contact_id": theirs["id"], "title": "Theirs to do", "due_at": due, "assignee_id": member_id}),
        )
        .await;
    assert_eq!(r2.body["assignee_id"], member_id.to_string());
    let titles = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        titles(&app.get("/api/v1/reminders?assignee=me").await.body),
        vec!["Mine to do"]
    );
    let as_member = app
        .request_as(&member, reqwest::Method::GET, "/api/v1/reminders?assignee=me", |r| r)
        .await;
    assert_eq!(titles(&as_member.body), vec!["Theirs to do"]);
    // The follow-up queue and its counts for one owner.
    let queue = app.get("/api/v1/follow-ups?window=week&owner=me").await;
    let names: Vec<&str> = queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["contact"]["first_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Mine"]);
    assert_eq!(queue.body["counts"]["week"], 1, "{}", queue.text);
    let everyone = app.get("/api/v1/follow-ups?window=week").await;
    assert_eq!(everyone.body["counts"]["week"], 2);
    let theirs_queue = app
        .request_as(
            &member,
            reqwest::Method::GET,
            "/api/v1/follow-ups?window=week&owner=me",
            |r| r,
        )
        .await;
    assert_eq!(theirs_queue.body["items"][0]["contact"]["first_name"], "Theirs");
    // Unassigning and bad input.
    let id = r2.body["id"].as_str().unwrap();
    let res = app
        .patch(&format!("/api/v1/reminders/{id}"), &json!({"assignee_id": null}))
        .await;
    assert!(res.body["assignee_id"].is_null());
    let res = app.get("/api/v1/reminders?assignee=everyone").await;
    assert_eq!(res.error_fields(), vec!["assignee"]);
}
