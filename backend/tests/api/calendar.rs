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
    assert!(
        url.starts_with(&format!("{}/api/v1/calendar/", app.base)) && url.ends_with(".ics"),
        "{url}"
    );
    assert_eq!(app.get("/api/v1/calendar").await.body["active"], true);
    let path = url.trim_start_matches(&app.base).to_owned();

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
    let new_path = new_url.trim_start_matches(&app.base).to_owned();
    assert_eq!(app.get(&new_path).await.status, 200);
    assert_eq!(app.delete("/api/v1/calendar/link").await.status, 204);
    app.get(&new_path).await.problem(404, "not_found");
    app.get("/api/v1/calendar/not-a-real-token.ics")
        .await
        .problem(404, "not_found");
}
