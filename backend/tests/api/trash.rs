//! The trash: one list of trashed contacts, companies and deals; deleting for good on request
//! (owners and admins), keeping payments and accepted proposals detached; the daily purge after
//! 30 days, counted from the trashing or from when purging started, tested with an injected
//! clock; bad requests change nothing.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::common::TestApp;

struct Seeded {
    contact: String,
    company: String,
    deal: String,
    accepted: String,
    draft: String,
}

async fn seed(app: &TestApp) -> Seeded {
    let company = app
        .post("/api/v1/companies", &json!({"name": "Hollow Pines"}))
        .await
        .body;
    let contact = app
        .contact(json!({"first_name": "Mira", "last_name": "Okonkwo", "emails": ["mira@pines.example"]}))
        .await;
    let contact_id = contact["id"].as_str().unwrap().to_owned();
    let call = app
        .post(
            "/api/v1/interactions",
            &json!({"contact_id": contact_id, "kind": "call", "subject": "Kick-off"}),
        )
        .await;
    assert_eq!(call.status, 201, "{}", call.text);
    let deal = app
        .post(
            "/api/v1/deals",
            &json!({"title": "Cabin retrofit", "contact_id": contact_id, "value_minor": 300_000}),
        )
        .await
        .body;
    let deal_id = deal["id"].as_str().unwrap().to_owned();
    let today = Utc::now().date_naive().to_string();
    let paid = app
        .post(
            "/api/v1/payments",
            &json!({"contact_id": contact_id, "deal_id": deal_id, "amount_minor": 100_000, "received_on": today}),
        )
        .await;
    assert_eq!(paid.status, 201, "{}", paid.text);
    let accepted = app
        .post(
            "/api/v1/proposals",
            &json!({"deal_id": deal_id, "title": "Retrofit, phase 1"}),
        )
        .await
        .body;
    let accepted_id = accepted["id"].as_str().unwrap().to_owned();
    let res = app
        .patch(
            &format!("/api/v1/proposals/{accepted_id}"),
            &json!({"status": "accepted"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let draft = app
        .post(
            "/api/v1/proposals",
            &json!({"deal_id": deal_id, "title": "Retrofit, phase 2"}),
        )
        .await
        .body;
    Seeded {
        contact: contact_id,
        company: company["id"].as_str().unwrap().to_owned(),
        deal: deal_id,
        accepted: accepted_id,
        draft: draft["id"].as_str().unwrap().to_owned(),
    }
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn trashed_records_are_listed_together_and_deleted_for_good_keeping_the_money() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    assert_eq!(app.get("/api/v1/trash").await.body["items"], json!([]));
    for path in [
        format!("/api/v1/deals/{}", s.deal),
        format!("/api/v1/companies/{}", s.company),
        format!("/api/v1/contacts/{}", s.contact),
    ] {
        assert_eq!(app.delete(&path).await.status, 204, "{path}");
    }
    // Most recently trashed first, each with its purge date 30 days on.
    let page = app.get("/api/v1/trash").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(
        ids(&page.body),
        vec![s.contact.clone(), s.company.clone(), s.deal.clone()]
    );
    let first = &page.body["items"][0];
    assert_eq!(first["type"], "contact");
    assert_eq!(first["title"], "Mira Okonkwo");
    assert_eq!(first["subtitle"], "mira@pines.example");
    let deleted = chrono::DateTime::parse_from_rfc3339(first["deleted_at"].as_str().unwrap()).unwrap();
    let purge = chrono::DateTime::parse_from_rfc3339(first["purge_at"].as_str().unwrap()).unwrap();
    assert!(purge - deleted >= Duration::days(30) && purge - deleted < Duration::days(31));
    // Filtered and paged.
    assert_eq!(
        ids(&app.get("/api/v1/trash?type=deal").await.body),
        vec![s.deal.clone()]
    );
    let one = app.get("/api/v1/trash?limit=2").await.body;
    assert_eq!(ids(&one).len(), 2);
    let cursor = one["next_cursor"].as_str().unwrap();
    let rest = app.get(&format!("/api/v1/trash?limit=2&cursor={cursor}")).await.body;
    assert_eq!(ids(&rest), vec![s.deal.clone()]);
    assert!(rest["next_cursor"].is_null());
    // A trashed record answers 404 `trashed`.
    app.get(&format!("/api/v1/contacts/{}", s.contact))
        .await
        .problem(404, "trashed");

    // The deal, for good: its accepted proposal and its payment stay, detached; the draft goes.
    let res = app
        .post("/api/v1/trash/purge", &json!({"type": "deal", "ids": [s.deal]}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body, json!({"purged": 1, "payments_kept": 1, "proposals_kept": 1}));
    let kept = app.get(&format!("/api/v1/proposals/{}", s.accepted)).await;
    assert_eq!(kept.status, 200, "{}", kept.text);
    assert!(kept.body["deal_id"].is_null(), "{}", kept.text);
    assert_eq!(kept.body["deal_title"], "Retrofit, phase 1");
    assert_eq!(app.get(&format!("/api/v1/proposals/{}", s.draft)).await.status, 404);
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*) FROM payments WHERE deal_id IS NULL AND contact_id = '{}'",
            s.contact
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar(&format!("SELECT count(*) FROM deals WHERE id = '{}'", s.deal))
            .await,
        0
    );
    assert_eq!(
        app.get(&format!("/api/v1/deals/{}?include_trashed=true", s.deal))
            .await
            .status,
        404
    );
    // The contact: its interactions go, its payment stays without it.
    let res = app
        .post("/api/v1/trash/purge", &json!({"type": "contact", "ids": [s.contact]}))
        .await;
    assert_eq!(
        res.body,
        json!({"purged": 1, "payments_kept": 1, "proposals_kept": 0}),
        "{}",
        res.text
    );
    assert_eq!(app.scalar("SELECT count(*) FROM interactions").await, 0);
    assert_eq!(
        app.scalar("SELECT count(*) FROM payments WHERE contact_id IS NULL")
            .await,
        1
    );
    assert_eq!(ids(&app.get("/api/v1/trash").await.body), vec![s.company.clone()]);
    // Each deletion is in the history.
    let history = app.get("/api/v1/activity?limit=5").await.body;
    let summaries: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["summary"].as_str().unwrap())
        .collect();
    assert!(summaries.contains(&"Deleted Mira Okonkwo for good"), "{summaries:?}");
    assert!(summaries.contains(&"Deleted Cabin retrofit for good"), "{summaries:?}");
}

#[actix_web::test]
async fn deleting_for_good_refuses_what_is_not_in_the_trash_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    assert_eq!(
        app.delete(&format!("/api/v1/companies/{}", s.company)).await.status,
        204
    );
    let unknown = uuid::Uuid::now_v7().to_string();
    let many: Vec<String> = (0..201).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    for body in [
        json!({"type": "contact", "ids": [s.contact]}),          // live
        json!({"type": "company", "ids": [s.company, unknown]}), // one unknown
        json!({"type": "contact", "ids": [s.company]}),          // another type
        json!({"type": "company", "ids": []}),
        json!({"type": "company", "ids": many}),
        json!({"type": "unicorn", "ids": [s.company]}),
        json!({"type": "company", "ids": [s.company], "force": true}),
    ] {
        let res = app.post("/api/v1/trash/purge", &body).await;
        assert_eq!(res.status, 422, "{body}: {}", res.text);
    }
    assert_eq!(ids(&app.get("/api/v1/trash").await.body), vec![s.company.clone()]);
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, 1);
    for bad in ["type=unicorn", "limit=0", "cursor=nope"] {
        app.get(&format!("/api/v1/trash?{bad}"))
            .await
            .problem(422, "validation_failed");
    }
}

#[actix_web::test]
async fn the_daily_purge_empties_what_has_been_in_the_trash_for_30_days() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let now = Utc::now();
    assert_eq!(app.delete(&format!("/api/v1/contacts/{}", s.contact)).await.status, 204);
    assert_eq!(app.delete(&format!("/api/v1/deals/{}", s.deal)).await.status, 204);
    // An old trashing: 90 days ago, before purging started (the upgrade ran just now).
    app.execute(&format!(
        "UPDATE companies SET deleted_at = now() - interval '90 days' WHERE id = '{}'",
        s.company
    ))
    .await;
    let mut conn = app.state.conn().await.unwrap();
    // Day 29: nothing, not even the company trashed long before the upgrade.
    let r = rapport::trash::service::purge_expired(&mut conn, now + Duration::days(29))
        .await
        .unwrap();
    assert_eq!(r.purged, 0);
    assert_eq!(ids(&app.get("/api/v1/trash").await.body).len(), 3);
    // Day 31: all three, money kept.
    let r = rapport::trash::service::purge_expired(&mut conn, now + Duration::days(31))
        .await
        .unwrap();
    assert_eq!((r.purged, r.payments_kept, r.proposals_kept), (3, 2, 1), "{r:?}");
    assert_eq!(app.get("/api/v1/trash").await.body["items"], json!([]));
    assert_eq!(app.scalar("SELECT count(*) FROM payments").await, 1);
    assert_eq!(app.scalar("SELECT count(*) FROM proposals").await, 1);
    // Again: nothing left to do.
    let r = rapport::trash::service::purge_expired(&mut conn, now + Duration::days(31))
        .await
        .unwrap();
    assert_eq!(r.purged, 0);

    // The job: queued once a day whichever instance asks, and run by the worker.
    assert!(rapport::jobs::schedule_trash_purge(&app.state, now).await.unwrap());
    assert!(!rapport::jobs::schedule_trash_purge(&app.state, now).await.unwrap());
    assert!(rapport::jobs::work_once(&app.state, "test-worker", now).await.unwrap());
    assert_eq!(
        app.scalar("SELECT count(*) FROM jobs WHERE kind = 'trash_purge' AND status = 'succeeded'")
            .await,
        1
    );
}
