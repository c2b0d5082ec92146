//! The calendar feed: a private link that any calendar app can subscribe to, replaceable and
//! revocable, whose content parses as iCalendar.

use chrono::{Duration, Utc};
use icalendar::{Calendar, CalendarComponent, Component};
use serde_json::json;

use crate::common::TestApp;

fn events(text: &str) -> Vec<(String, String)> {
    let calendar: Calendar = text.parse().expect("the feed parses as iCalendar");
    calendar
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some((
                e.get_summary().unwrap_or_default().to_owned(),
                e.get_uid().unwrap_or_default().to_owned(),
            )),
            _ => None,
        })
        .collect()
}

#[actix_web::test]
async fn a_private_feed_of_follow_ups_and_reminders() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get("/api/v1/calendar").await.body,
        json!({"active": false, "created_at": null})
    );
    let ada = app.contact(json!({"first_name": "Ada", "company_name": "Engines", "next_follow_up_at": Utc::now() + Duration::days(2)})).await;
    let gone = app
        .contact(json!({"first_name": "Gone", "next_follow_up_at": Utc::now() + Duration::days(2)}))
        .await;
    app.delete(&format!("/api/v1/contacts/{}", gone["id"].as_str().unwrap()))
        .await;
    app.contact(json!({"first_name": "Later", "next_follow_up_at": Utc::now() + Duration::days(400)}))
        .await;
    let grace = app.contact(json!({"first_name": "Grace", "lifecycle": "client"})).await;
    app.post(
        "/api/v1/reminders",
        &json!({"contact_id": grace["id"], "title": "Send the quote", "due_at": Utc::now() + Duration::days(1)}),
    )
    .await;
    let done = app
        .post(
            "/api/v1/reminders",
            &json!({"contact_id": grace["id"], "title": "Old task", "due_at": Utc::now() + Duration::days(3)}),
        )
        .await
        .body;
    app.post(
        &format!("/api/v1/reminders/{}/complete", done["id"].as_str().unwrap()),
        &json!({}),
    )
    .await;

    // An open deal closing in five days is an all-day event; won deals are not.
    let deal = app
        .post(
            "/api/v1/deals",
            &json!({"title": "Website", "contact_id": ada["id"], "expected_close_date": (Utc::now() + Duration::days(5)).date_naive()}),
        )
        .await
        .body;
    let won = app
        .post(
            "/api/v1/deals",
            &json!({"title": "Done deal", "expected_close_date": (Utc::now() + Duration::days(4)).date_naive()}),
        )
        .await
        .body;
    app.patch(
        &format!("/api/v1/deals/{}", won["id"].as_str().unwrap()),
        &json!({"status": "won"}),
    )
    .await;

    let link = app.post("/api/v1/calendar/link", &json!({})).await;
    assert_eq!(link.status, 201, "{}", link.text);
    let url = link.body["url"].as_str().unwrap();
    // Links are written with the public URL (PUBLIC_URL), not the Host the request named.
    assert!(
        url.starts_with("http://localhost:8080/api/v1/calendar/") && url.ends_with(".ics"),
        "{url}"
    );
    assert_eq!(app.get("/api/v1/calendar").await.body["active"], true);
    let path = url.trim_start_matches("http://localhost:8080").to_owned();

    let feed = app.get(&path).await;
    assert_eq!(feed.status, 200);
    assert_eq!(feed.header("content-type"), Some("text/calendar; charset=utf-8"));
    let found = events(&feed.text);
    let summaries: Vec<&str> = found.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        summaries,
        vec![
            "Send the quote — Grace",
            "Follow up: Ada (Engines)",
            "Expected close: Website — Ada (Engines)"
        ],
        "{}",
        feed.text
    );
    assert_eq!(found[1].1, format!("follow-up-{}@rapport", ada["id"].as_str().unwrap()));
    assert_eq!(found[2].1, format!("close-{}@rapport", deal["id"].as_str().unwrap()));
    // The database keeps only a hash of the token.
    let token = path.trim_start_matches("/api/v1/calendar/").trim_end_matches(".ics");
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*) FROM calendar_feeds WHERE position('{token}'::bytea IN token_hash) > 0"
        ))
        .await,
        0
    );

    // A new link replaces the old one; turning the feed off ends both.
    let new_url = app.post("/api/v1/calendar/link", &json!({})).await.body["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_url, url);
    app.get(&path).await.problem(404, "not_found");
    let new_path = new_url.trim_start_matches("http://localhost:8080").to_owned();
    assert_eq!(app.get(&new_path).await.status, 200);
    assert_eq!(app.delete("/api/v1/calendar/link").await.status, 204);
    app.get(&new_path).await.problem(404, "not_found");
    app.get("/api/v1/calendar/not-a-real-token.ics")
        .await
        .problem(404, "not_found");
}

#[actix_web::test]
async fn each_member_has_their_own_feed_which_ends_when_they_leave() {
    use rapport::accounts::dto::Role;
    let app = TestApp::spawn().await;
    let (member_id, member) = app.member("member@example.com", Role::ReadOnly).await;
    let soon = (Utc::now() + Duration::days(1)).to_rfc3339();
    app.contact(json!({"first_name": "Mine", "next_follow_up_at": soon}))
        .await;
    app.contact(json!({"first_name": "Theirs", "next_follow_up_at": soon, "owner_id": member_id}))
        .await;
    app.contact(json!({"first_name": "Shared", "next_follow_up_at": soon, "owner_id": null}))
        .await;
    // Even a read-only member has a feed of their own.
    let res = app
        .request_as(&member, reqwest::Method::POST, "/api/v1/calendar/link", |r| {
            r.json(&json!({}))
        })
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let theirs = res.body["url"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://localhost:8080")
        .to_owned();
    let mine = app.post("/api/v1/calendar/link", &json!({})).await.body["url"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://localhost:8080")
        .to_owned();
    let names = |text: &str| -> Vec<String> {
        let mut n: Vec<String> = events(text).into_iter().map(|(s, _)| s).collect();
        n.sort();
        n
    };
    let my_feed = names(&app.get(&mine).await.text);
    assert_eq!(my_feed, vec!["Follow up: Mine", "Follow up: Shared"], "{my_feed:?}");
    let their_feed = names(&app.get(&theirs).await.text);
    assert_eq!(
        their_feed,
        vec!["Follow up: Shared", "Follow up: Theirs"],
        "{their_feed:?}"
    );
    // Leaving the workspace ends the member's link.
    assert_eq!(app.delete(&format!("/api/v1/members/{member_id}")).await.status, 204);
    app.get(&theirs).await.problem(404, "not_found");
    assert_eq!(app.get(&mine).await.status, 200);
}
