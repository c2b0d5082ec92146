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

/// Differences between the contacts due per owner and day as kept (`follow_up_days` and the
/// changes not yet folded) and as counted from every contact's schedule: none when consistent.
async fn days_out_of_step(app: &TestApp) -> i64 {
    app.scalar(
        "SELECT count(*) FROM ( \
           SELECT workspace_id, owner_id, day, sum(contacts) AS n \
           FROM (SELECT * FROM follow_up_days UNION ALL SELECT * FROM follow_up_day_changes) t \
           GROUP BY 1, 2, 3 HAVING sum(contacts) <> 0) kept \
         FULL JOIN ( \
           SELECT s.workspace_id, s.owner_id, \
                  (s.next_follow_up_at AT TIME ZONE coalesce(w.settings ->> 'timezone', 'UTC'))::date AS day, \
                  count(*) AS n \
           FROM contact_schedule s JOIN workspaces w ON w.id = s.workspace_id \
           WHERE s.live AND s.next_follow_up_at IS NOT NULL GROUP BY 1, 2, 3) counted \
         ON kept.workspace_id = counted.workspace_id AND kept.owner_id IS NOT DISTINCT FROM counted.owner_id \
            AND kept.day = counted.day \
         WHERE kept.n IS DISTINCT FROM counted.n",
    )
    .await
}

/// The three counts as the API gives them and as every contact's schedule says, with midnights
/// in the workspace's time zone.
async fn counts_both_ways(app: &TestApp, owner: &str) -> ((i64, i64, i64), (i64, i64, i64)) {
    let res = app.get(&format!("/api/v1/follow-ups?window=week{owner}")).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let c = &res.body["counts"];
    let api = (
        c["overdue"].as_i64().unwrap(),
        c["today"].as_i64().unwrap(),
        c["week"].as_i64().unwrap(),
    );
    let filter = match owner {
        "" => String::new(),
        "&owner=none" => " AND s.owner_id IS NULL".to_owned(),
        _ => panic!("no such owner filter here"),
    };
    let count = |before: &str| {
        format!(
            "SELECT count(*) FROM contact_schedule s, ( \
               SELECT coalesce(settings ->> 'timezone', 'UTC') AS tz, \
                      (now() AT TIME ZONE coalesce(settings ->> 'timezone', 'UTC'))::date AS today, \
                      coalesce((settings ->> 'overdue_after_days')::int, 2) AS grace \
               FROM workspaces WHERE id = '{}') w \
             WHERE s.workspace_id = '{}' AND s.live AND s.next_follow_up_at < ({before})::timestamp AT TIME ZONE w.tz{filter}",
            rapport::db::DEFAULT_WORKSPACE_ID,
            rapport::db::DEFAULT_WORKSPACE_ID
        )
    };
    let counted = (
        app.scalar(&count("w.today - w.grace")).await,
        app.scalar(&count("w.today + 1")).await,
        app.scalar(&count("w.today + 7")).await,
    );
    (api, counted)
}

#[actix_web::test]
async fn the_counts_are_kept_per_day_through_every_kind_of_write_and_a_new_time_zone() {
    let app = TestApp::spawn().await;
    let now = Utc::now();
    // Due times around every window's edge, in hours from now, and one contact with no date.
    let due_in_hours = [
        -24 * 40,
        -24 * 3 - 1,
        -24 * 2 + 1,
        -13,
        -1,
        1,
        11,
        23,
        24 * 6 + 5,
        24 * 7 + 1,
        24 * 30,
    ];
    // The week ends at the midnight (UTC, the workspace's zone) seven days after today's; whether
    // six days and five hours from now falls before it depends on the time of day.
    let week_end = (now.date_naive() + Duration::days(7))
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let within_week = due_in_hours
        .iter()
        .filter(|&&h| now + Duration::hours(h) < week_end)
        .count() as i64;
    let mut ids = Vec::new();
    for (i, hours) in due_in_hours.into_iter().enumerate() {
        let c = app
            .contact(json!({"first_name": format!("Due {i}"), "next_follow_up_at": now + Duration::hours(hours)}))
            .await;
        ids.push(c["id"].as_str().unwrap().to_owned());
    }
    let res = app
        .post(
            "/api/v1/contacts",
            &json!({"first_name": "No date", "lifecycle": "inactive"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let check = async |what: &str| {
        assert_eq!(days_out_of_step(&app).await, 0, "after {what}");
        let (nobodys, counted) = counts_both_ways(&app, "&owner=none").await;
        assert_eq!(nobodys, counted, "after {what}, nobody's contacts");
        let (api, counted) = counts_both_ways(&app, "").await;
        assert_eq!(api, counted, "after {what}");
        api
    };
    let first = check("creating").await;
    assert_eq!(first.2, within_week, "everything due within the week: {first:?}");

    // An edit by hand, an owner cleared, a logged call, the trash and back, a bulk change.
    let res = app
        .patch(
            &format!("/api/v1/contacts/{}", ids[0]),
            &json!({"next_follow_up_at": now + Duration::hours(2)}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let moved = check("moving a follow-up by hand").await;
    // Still today unless two hours from now is past midnight.
    let today = if (now + Duration::hours(2)).date_naive() == now.date_naive() {
        first.1
    } else {
        first.1 - 1
    };
    assert_eq!(
        moved,
        (first.0 - 1, today, first.2),
        "out of overdue, still due this week"
    );
    let res = app
        .patch(&format!("/api/v1/contacts/{}", ids[1]), &json!({"owner_id": null}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(check("clearing an owner").await, moved);
    let res = app
        .post(
            "/api/v1/interactions",
            &json!({"contact_id": ids[2], "kind": "call", "direction": "outbound", "subject": "Caught up"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let called = check("logging a call").await;
    assert_eq!(app.delete(&format!("/api/v1/contacts/{}", ids[3])).await.status, 204);
    let trashed = check("trashing").await;
    assert_eq!(trashed.2, called.2 - 1, "the trashed contact left the week");
    let res = app
        .post(&format!("/api/v1/contacts/{}/restore", ids[3]), &json!({}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    check("restoring").await;
    let res = app
        .post(
            "/api/v1/contacts/bulk",
            &json!({"ids": [ids[4], ids[5]], "action": {"type": "trash"}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    check("trashing two at once").await;
    let res = app
        .post(
            "/api/v1/contacts/bulk",
            &json!({"ids": [ids[8], ids[9], ids[10]], "action": {"type": "set_lifecycle", "lifecycle": "lead"}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    check("rescheduling three at once").await;

    // The changes folded into the totals: the same counts, read from the totals alone.
    let before = check("before folding").await;
    let mut conn = app.pool.get().await.unwrap();
    rapport::contacts::service::fold_follow_up_days(&mut conn)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(app.scalar("SELECT count(*) FROM follow_up_day_changes").await, 0);
    assert_eq!(check("folding").await, before);

    // A new time zone moves every due contact to its local day, at once.
    for tz in ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu"] {
        let res = app.patch("/api/v1/settings", &json!({"timezone": tz})).await;
        assert_eq!(res.status, 200, "{}", res.text);
        check(tz).await;
    }

    // Purged for good, and a contact whose follow-up is removed.
    assert_eq!(app.delete(&format!("/api/v1/contacts/{}", ids[6])).await.status, 204);
    let res = app
        .post("/api/v1/trash/purge", &json!({"type": "contact", "ids": [ids[6]]}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    check("purging").await;
    let res = app
        .patch(
            &format!("/api/v1/contacts/{}", ids[7]),
            &json!({"next_follow_up_at": null}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    check("removing a follow-up").await;
}
