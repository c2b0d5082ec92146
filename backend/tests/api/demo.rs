//! The demo data a first start loads is valid and varied.

use crate::common::TestApp;

#[actix_web::test]
async fn demo_data_loads_once_and_looks_real() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().await.unwrap();
    let ws = rapport::db::DEFAULT_WORKSPACE_ID;
    assert!(
        rapport::demo::is_empty(&mut conn, rapport::db::WorkspaceId::checked(ws))
            .await
            .unwrap()
    );
    let n = rapport::demo::load(&mut conn, rapport::db::WorkspaceId::checked(ws))
        .await
        .unwrap();
    assert!(n >= 30);
    assert!(
        !rapport::demo::is_empty(&mut conn, rapport::db::WorkspaceId::checked(ws))
            .await
            .unwrap()
    );

    let page = app.get("/api/v1/contacts?limit=200&include_total=true").await;
    assert_eq!(page.body["total"], n as i64);
    for lifecycle in ["lead", "prospect", "client", "inactive"] {
        let res = app
            .get(&format!(
                "/api/v1/contacts?lifecycle={lifecycle}&limit=1&include_total=true"
            ))
            .await;
        assert!(
            res.body["total"].as_i64().unwrap() > 0,
            "no {lifecycle} contacts in the demo"
        );
    }
    assert!(
        app.get("/api/v1/contacts?follow_up=due&limit=1").await.body["items"][0].is_object(),
        "some follow-ups are due"
    );
    // A history over months, and a queue with overdue, due and upcoming follow-ups.
    assert!(app.scalar("SELECT count(*) FROM interactions").await >= 60);
    assert!(
        app.scalar("SELECT count(*) FROM interactions WHERE occurred_at < now() - interval '60 days'")
            .await
            > 0
    );
    let queue = app.get("/api/v1/follow-ups?window=week").await.body;
    assert!(queue["counts"]["overdue"].as_i64().unwrap() >= 3, "{}", queue["counts"]);
    assert!(queue["counts"]["week"].as_i64().unwrap() > queue["counts"]["today"].as_i64().unwrap());
    let reasons: Vec<&str> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["reason"].as_str().unwrap())
        .collect();
    assert!(reasons.iter().any(|r| r.starts_with("Last contact")), "{reasons:?}");
    let companies = app.get("/api/v1/companies?limit=200").await;
    let items = companies.body["items"].as_array().unwrap();
    assert!(items.len() >= 10);
    assert!(items.iter().filter(|c| c["industry"].is_string()).count() >= 10);
    assert!(items.iter().any(|c| c["contact_count"].as_i64().unwrap() >= 2));

    // Deals at every stage of both pipelines, won and lost ones, and a year of payments.
    let empty_stages = app
        .scalar(
            "SELECT count(*) FROM pipeline_stages s WHERE NOT EXISTS (SELECT 1 FROM deals d WHERE d.stage_id = s.id)",
        )
        .await;
    assert_eq!(empty_stages, 0, "every stage holds a demo deal");
    assert!(app.scalar("SELECT count(*) FROM deals WHERE status = 'won'").await >= 3);
    assert!(
        app.scalar("SELECT count(*) FROM deals WHERE status = 'lost' AND lost_reason IS NOT NULL")
            .await
            >= 1
    );
    assert!(
        app.scalar("SELECT count(DISTINCT date_trunc('month', received_on)) FROM payments")
            .await
            >= 6
    );
    assert!(app.scalar("SELECT count(*) FROM products").await >= 5);
    assert_eq!(
        app.scalar("SELECT count(*) FROM proposals WHERE status = 'sent'").await,
        1
    );
    let dashboard = app.get("/api/v1/dashboard").await.body;
    assert!(dashboard["revenue"]["last_12_months_minor"].as_i64().unwrap() > 0);
    assert!(dashboard["win_rate"]["rate"].as_f64().unwrap() > 0.0);
}
