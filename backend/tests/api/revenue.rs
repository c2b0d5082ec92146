//! Payments, the revenue report and the dashboard.

use chrono::{Datelike, Duration, Months, Utc};
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::deals::deal;

const PROPOSAL: &str = "01936000-0000-7000-8000-000000000213";
const WON: &str = "01936000-0000-7000-8000-000000000214";

fn month_of(d: chrono::NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

async fn pay(app: &TestApp, body: Value) -> Value {
    let res = app.post("/api/v1/payments", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

#[actix_web::test]
async fn payments_are_recorded_listed_and_checked() {
    let app = TestApp::spawn().await;
    let ada = app.contact(json!({"first_name": "Ada"})).await;
    let bob = app.contact(json!({"first_name": "Bob"})).await;
    let d = deal(
        &app,
        json!({"title": "Site", "contact_id": ada["id"], "currency": "USD"}),
    )
    .await;
    let today = Utc::now().date_naive();
    let p = pay(
        &app,
        json!({"contact_id": ada["id"], "deal_id": d["id"], "amount_minor": 1000, "received_on": today}),
    )
    .await;
    assert_eq!(p["currency"], "USD", "the deal's currency by default");
    pay(
        &app,
        json!({"contact_id": ada["id"], "amount_minor": 2000, "received_on": today - Duration::days(40)}),
    )
    .await;
    let plain = pay(
        &app,
        json!({"contact_id": bob["id"], "amount_minor": 3000, "received_on": today - Duration::days(3)}),
    )
    .await;
    assert_eq!(plain["currency"], "EUR", "the workspace's currency by default");

    let list = app
        .get(&format!(
            "/api/v1/payments?contact_id={}&limit=1",
            ada["id"].as_str().unwrap()
        ))
        .await
        .body;
    assert_eq!(list["items"][0]["amount_minor"], 1000, "latest received first");
    let next = app
        .get(&format!(
            "/api/v1/payments?contact_id={}&limit=1&cursor={}",
            ada["id"].as_str().unwrap(),
            list["next_cursor"].as_str().unwrap()
        ))
        .await
        .body;
    assert_eq!(next["items"][0]["amount_minor"], 2000);
    assert!(next["next_cursor"].is_null());

    for (body, field) in [
        (
            json!({"contact_id": ada["id"], "amount_minor": 0, "received_on": today}),
            "amount_minor",
        ),
        (
            json!({"contact_id": ada["id"], "amount_minor": -5, "received_on": today}),
            "amount_minor",
        ),
        (
            json!({"contact_id": ada["id"], "amount_minor": 5, "currency": "EURO", "received_on": today}),
            "currency",
        ),
        (
            json!({"contact_id": bob["id"], "deal_id": d["id"], "amount_minor": 5, "received_on": today}),
            "deal_id",
        ),
        (
            json!({"contact_id": "01936000-0000-7000-8000-0000000009ff", "amount_minor": 5, "received_on": today}),
            "contact_id",
        ),
    ] {
        let res = app.post("/api/v1/payments", &body).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), [field], "{body}: {}", res.text);
    }
    assert_eq!(app.scalar("SELECT count(*) FROM payments").await, 3);

    let id = plain["id"].as_str().unwrap();
    let edited = app
        .patch(
            &format!("/api/v1/payments/{id}"),
            &json!({"amount_minor": 3500, "note": "Invoice 7"}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(edited.body["version"], 2);
    assert_eq!(app.delete(&format!("/api/v1/payments/{id}")).await.status, 204);
    app.get(&format!("/api/v1/payments/{id}"))
        .await
        .problem(404, "not_found");
}

#[actix_web::test]
async fn revenue_counts_payments_and_won_deals_without_payments() {
    let app = TestApp::spawn().await;
    let ada = app.contact(json!({"first_name": "Ada", "source": "referral"})).await;
    let bob = app.contact(json!({"first_name": "Bob", "source": "website"})).await;
    let today = Utc::now().date_naive();
    // Won without payments: counts as revenue today.
    let won = deal(
        &app,
        json!({"title": "Won", "contact_id": bob["id"], "value_minor": 50_000}),
    )
    .await;
    app.patch(
        &format!("/api/v1/deals/{}", won["id"].as_str().unwrap()),
        &json!({"stage_id": WON}),
    )
    .await;
    // Won with a payment: only the payment counts.
    let paid = deal(
        &app,
        json!({"title": "Paid", "contact_id": ada["id"], "value_minor": 999_999}),
    )
    .await;
    app.patch(
        &format!("/api/v1/deals/{}", paid["id"].as_str().unwrap()),
        &json!({"status": "won"}),
    )
    .await;
    pay(
        &app,
        json!({"contact_id": ada["id"], "deal_id": paid["id"], "amount_minor": 10_000, "received_on": today}),
    )
    .await;
    // An older payment and one in another currency.
    let two_months_ago = today.checked_sub_months(Months::new(2)).unwrap();
    pay(
        &app,
        json!({"contact_id": ada["id"], "amount_minor": 7_000, "received_on": two_months_ago}),
    )
    .await;
    pay(
        &app,
        json!({"contact_id": ada["id"], "amount_minor": 1, "currency": "USD", "received_on": today}),
    )
    .await;

    let by_month = app.get("/api/v1/revenue").await;
    assert_eq!(by_month.status, 200, "{}", by_month.text);
    let r = &by_month.body;
    assert_eq!(r["currency"], "EUR");
    assert_eq!(r["total_minor"], 67_000);
    assert_eq!(r["other_currencies"], json!(["USD"]));
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 12, "twelve months, empty ones included");
    let last = rows.last().unwrap();
    assert_eq!(last["key"], month_of(today));
    assert_eq!(
        (last["payments_minor"].as_i64(), last["won_deals_minor"].as_i64()),
        (Some(10_000), Some(50_000))
    );
    assert_eq!(rows[9]["key"], month_of(two_months_ago));
    assert_eq!(rows[9]["amount_minor"], 7_000);

    let by_contact = app.get("/api/v1/revenue?by=contact").await.body;
    assert_eq!(by_contact["rows"][0]["label"], "Bob");
    assert_eq!(by_contact["rows"][0]["amount_minor"], 50_000);
    assert_eq!(by_contact["rows"][1]["amount_minor"], 17_000);
    let by_source = app.get("/api/v1/revenue?by=source").await.body;
    assert_eq!(by_source["rows"][0]["key"], "website");
    let usd = app.get("/api/v1/revenue?currency=USD&by=contact").await.body;
    assert_eq!(usd["total_minor"], 1);
    let one = app
        .get(&format!("/api/v1/revenue?contact_id={}", ada["id"].as_str().unwrap()))
        .await
        .body;
    assert_eq!(one["total_minor"], 17_000);

    let bad = app.get("/api/v1/revenue?by=week&from=yesterday&currency=XXX").await;
    bad.problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["by", "from", "currency"]);
}

#[actix_web::test]
async fn the_dashboard_sums_up_pipeline_forecast_wins_and_revenue() {
    let app = TestApp::spawn().await;
    let ada = app.contact(json!({"first_name": "Ada", "source": "referral"})).await;
    let today = Utc::now().date_naive();
    let next_month = today.checked_add_months(Months::new(1)).unwrap();
    // Open: 10,000.00 in Lead (10 %), closing next month.
    deal(
        &app,
        json!({"title": "Lead deal", "value_minor": 1_000_000, "expected_close_date": next_month}),
    )
    .await;
    // A retainer in Proposal (60 %): 1,000.00 a month for 3 months from this month.
    deal(&app, json!({"title": "Retainer", "value_minor": 100_000, "recurring_months": 3, "stage_id": PROPOSAL, "expected_close_date": today})).await;
    // Undated, in another currency: not in the EUR figures.
    deal(
        &app,
        json!({"title": "Dollars", "value_minor": 5_000, "currency": "USD"}),
    )
    .await;
    // Won and lost.
    let w = deal(
        &app,
        json!({"title": "Won one", "contact_id": ada["id"], "value_minor": 200_000}),
    )
    .await;
    app.patch(
        &format!("/api/v1/deals/{}", w["id"].as_str().unwrap()),
        &json!({"stage_id": PROPOSAL}),
    )
    .await;
    app.patch(
        &format!("/api/v1/deals/{}", w["id"].as_str().unwrap()),
        &json!({"stage_id": WON}),
    )
    .await;
    let l = deal(&app, json!({"title": "Lost one"})).await;
    app.patch(
        &format!("/api/v1/deals/{}", l["id"].as_str().unwrap()),
        &json!({"status": "lost"}),
    )
    .await;

    let res = app.get("/api/v1/dashboard").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let d = &res.body;
    assert_eq!(d["currency"], "EUR");
    assert_eq!(d["currencies"], json!(["EUR", "USD"]));
    let sales = &d["pipelines"][0];
    assert_eq!(sales["name"], "Sales");
    assert_eq!(sales["stages"].as_array().unwrap().len(), 3, "open stages only");
    assert_eq!(sales["stages"][0]["value_minor"], 1_000_000);
    assert_eq!(sales["stages"][0]["weighted_minor"], 100_000);
    assert_eq!(sales["stages"][2]["value_minor"], 300_000);
    assert_eq!(sales["stages"][2]["weighted_minor"], 180_000);
    assert_eq!(d["open_value_minor"], 1_300_000);

    let forecast = d["forecast"].as_array().unwrap();
    assert_eq!(forecast.len(), 12);
    assert_eq!(forecast[0]["month"], month_of(today));
    assert_eq!(forecast[0]["weighted_minor"], 60_000);
    assert_eq!(forecast[1]["weighted_minor"], 60_000 + 100_000);
    assert_eq!(forecast[2]["weighted_minor"], 60_000);
    assert_eq!(forecast[3]["weighted_minor"], 0);

    assert_eq!(d["win_rate"]["won"], 1);
    assert_eq!(d["win_rate"]["lost"], 1);
    assert_eq!(d["win_rate"]["rate"], 0.5);
    assert!(d["win_rate"]["average_days_to_win"].is_number());
    let steps = d["conversion"][0]["steps"].as_array().unwrap();
    let ladder: Vec<(&str, i64, i64)> = steps
        .iter()
        .map(|s| {
            (
                s["from_stage"].as_str().unwrap(),
                s["reached"].as_i64().unwrap(),
                s["advanced"].as_i64().unwrap(),
            )
        })
        .collect();
    // Every currency counts: Lead deal, Dollars and Lost one stopped in Lead; the Retainer was
    // created in Proposal; Won one went Lead → Proposal → Won.
    assert_eq!(ladder, [("Lead", 5, 2), ("Qualified", 2, 2), ("Proposal", 2, 1)]);
    assert_eq!(steps[2]["to_stage"], "Won (Client)");

    assert_eq!(d["revenue"]["this_month_minor"], 200_000);
    assert_eq!(d["revenue"]["last_12_months_minor"], 200_000);
    assert_eq!(d["revenue"]["by_month"].as_array().unwrap().len(), 12);
    assert_eq!(
        d["revenue"]["by_source"],
        json!([{"source": "referral", "amount_minor": 200_000}])
    );
    assert_eq!(d["new_leads_this_month"], 1);
    assert_eq!(d["stalled"]["count"], 0);
    assert!(d["follow_ups"]["overdue"].is_number());
    assert!(!d["recent_activity"].as_array().unwrap().is_empty());

    // A deal untouched for longer than the threshold is stalled.
    app.patch("/api/v1/settings", &json!({"stale_deal_days": 1})).await;
    let mut conn = app.pool.get().await.unwrap();
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query("UPDATE deals SET stage_changed_at = now() - interval '3 days' WHERE title = 'Lead deal'"),
        &mut conn,
    )
    .await
    .unwrap();
    let d = app.get("/api/v1/dashboard").await.body;
    assert_eq!(d["stalled"]["days"], 1);
    assert_eq!(d["stalled"]["count"], 1);
    assert_eq!(d["stalled"]["deals"][0]["title"], "Lead deal");
    let usd = app.get("/api/v1/dashboard?currency=USD").await.body;
    assert_eq!(usd["pipelines"][0]["stages"][0]["value_minor"], 5_000);
    assert_eq!(usd["forecast_undated_weighted_minor"], 500);
    app.get("/api/v1/dashboard?currency=ZZZ")
        .await
        .problem(422, "validation_failed");

    // The dashboard is reused only while nothing changed: a new deal shows at once.
    let before = app.get("/api/v1/dashboard").await.body["open_value_minor"]
        .as_i64()
        .unwrap();
    assert_eq!(app.get("/api/v1/dashboard").await.body["open_value_minor"], before);
    deal(&app, json!({"title": "Fresh deal", "value_minor": 7_000})).await;
    let after = app.get("/api/v1/dashboard").await.body["open_value_minor"]
        .as_i64()
        .unwrap();
    assert_eq!(after, before + 7_000);
}

#[actix_web::test]
async fn the_dashboard_narrows_to_one_owners_work() {
    use rapport::accounts::dto::Role;
    let app = TestApp::spawn().await;
    let (member_id, member) = app.member("member@example.com", Role::Member).await;
    let today = Utc::now().date_naive();
    // The owner's: a deal of 1,000.00, a contact due for a follow-up long ago and a payment.
    let mine = app
        .contact(json!({"first_name": "Mine", "next_follow_up_at": "2020-01-01T09:00:00Z"}))
        .await;
    deal(&app, json!({"title": "My deal", "value_minor": 100_000})).await;
    pay(
        &app,
        json!({"contact_id": mine["id"], "amount_minor": 30_000, "received_on": today}),
    )
    .await;
    // The member's: a deal of 20.00 and a contact with a payment of 7.00.
    let theirs = app
        .contact(json!({"first_name": "Theirs", "owner_id": member_id}))
        .await;
    deal(
        &app,
        json!({"title": "Their deal", "value_minor": 2_000, "owner_id": member_id}),
    )
    .await;
    pay(
        &app,
        json!({"contact_id": theirs["id"], "amount_minor": 700, "received_on": today}),
    )
    .await;
    // Nobody's: 3.00.
    deal(
        &app,
        json!({"title": "Nobody's deal", "value_minor": 300, "owner_id": null}),
    )
    .await;

    let all = app.get("/api/v1/dashboard").await.body;
    assert_eq!(all["open_value_minor"], 102_300);
    assert_eq!(all["revenue"]["this_month_minor"], 30_700);
    assert_eq!(all["new_leads_this_month"], 2);
    assert_eq!(all["follow_ups"]["overdue"], 1);

    let me = app.get("/api/v1/dashboard?owner=me").await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["open_value_minor"], 100_000);
    assert_eq!(me.body["pipelines"][0]["stages"][0]["count"], 1);
    assert_eq!(me.body["revenue"]["this_month_minor"], 30_000);
    assert_eq!(me.body["new_leads_this_month"], 1);
    assert_eq!(me.body["follow_ups"]["overdue"], 1);
    // Recent activity stays the workspace's feed.
    assert_eq!(me.body["recent_activity"], all["recent_activity"]);

    // `me` is whoever asks; the same figures by id; nobody's.
    let theirs = app
        .request_as(&member, reqwest::Method::GET, "/api/v1/dashboard?owner=me", |r| r)
        .await
        .body;
    assert_eq!(theirs["open_value_minor"], 2_000);
    assert_eq!(theirs["revenue"]["this_month_minor"], 700);
    assert_eq!(theirs["new_leads_this_month"], 1);
    assert_eq!(theirs["follow_ups"]["overdue"], 0);
    let by_id = app.get(&format!("/api/v1/dashboard?owner={member_id}")).await.body;
    assert_eq!(by_id["open_value_minor"], 2_000);
    let nobody = app.get("/api/v1/dashboard?owner=none").await.body;
    assert_eq!(nobody["open_value_minor"], 300);
    assert_eq!(nobody["revenue"]["this_month_minor"], 0);

    // A cached owner's view follows changes like the workspace's does.
    deal(&app, json!({"title": "Another of mine", "value_minor": 5})).await;
    assert_eq!(
        app.get("/api/v1/dashboard?owner=me").await.body["open_value_minor"],
        100_005
    );

    let bad = app.get("/api/v1/dashboard?owner=someone&currency=ZZZ").await;
    bad.problem(422, "validation_failed");
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["currency", "owner"]);
}

#[actix_web::test]
async fn the_dashboard_covers_the_chosen_period() {
    let app = TestApp::spawn().await;
    let ada = app.contact(json!({"first_name": "Ada", "source": "referral"})).await;
    let today = Utc::now().date_naive();
    let long_ago = today - Duration::days(200);
    pay(
        &app,
        json!({"contact_id": ada["id"], "amount_minor": 30_000, "received_on": today}),
    )
    .await;
    pay(
        &app,
        json!({"contact_id": ada["id"], "amount_minor": 50_000, "received_on": long_ago}),
    )
    .await;
    for title in ["Won now", "Won long ago"] {
        let d = deal(&app, json!({"title": title, "contact_id": ada["id"]})).await;
        let won = app
            .patch(
                &format!("/api/v1/deals/{}", d["id"].as_str().unwrap()),
                &json!({"stage_id": WON}),
            )
            .await;
        assert_eq!(won.status, 200, "{}", won.text);
    }
    app.execute("UPDATE deals SET closed_at = now() - interval '200 days' WHERE title = 'Won long ago'")
        .await;

    // The default: the last 12 months.
    let year = app.get("/api/v1/dashboard").await.body;
    assert_eq!(year["period"]["name"], "last_12_months");
    assert_eq!(year["win_rate"]["won"], 2);
    assert_eq!(year["revenue"]["period_minor"], 80_000);
    assert_eq!(year["revenue"]["by_month"].as_array().unwrap().len(), 12);

    // This month: its own revenue and wins; the fixed figures stay.
    let month = app.get("/api/v1/dashboard?period=this_month").await;
    assert_eq!(month.status, 200, "{}", month.text);
    let month = month.body;
    assert_eq!(month["period"]["from"], format!("{}-01", month_of(today)));
    assert_eq!(month["period"]["to"], today.to_string());
    assert_eq!(month["win_rate"]["won"], 1);
    assert_eq!(month["revenue"]["period_minor"], 30_000);
    assert_eq!(month["revenue"]["by_month"].as_array().unwrap().len(), 1);
    assert_eq!(month["revenue"]["last_12_months_minor"], 80_000);
    assert_eq!(month["revenue"]["this_month_minor"], 30_000);

    // A custom span around the old payment and win.
    let (from, to) = (long_ago - Duration::days(1), long_ago + Duration::days(1));
    let custom = app
        .get(&format!("/api/v1/dashboard?period=custom&from={from}&to={to}"))
        .await
        .body;
    assert_eq!(custom["period"]["name"], "custom");
    assert_eq!(custom["win_rate"]["won"], 1);
    assert_eq!(custom["revenue"]["period_minor"], 50_000);
    assert_eq!(
        custom["revenue"]["by_source"],
        json!([{"source": "referral", "amount_minor": 50_000}])
    );
    let this_year = app.get("/api/v1/dashboard?period=this_year").await.body;
    assert_eq!(this_year["period"]["from"], format!("{}-01-01", today.year()));
    let quarter = app.get("/api/v1/dashboard?period=this_quarter").await.body;
    assert_eq!(quarter["period"]["from"].as_str().unwrap()[8..], *"01");

    // Spans that do not make sense, each named.
    for (query, field, code) in [
        ("period=decade", "period", "one_of"),
        ("period=custom&from=2026-01-01", "to", "invalid"),
        ("period=custom&from=2026-02-01&to=2026-01-01", "to", "invalid"),
        ("period=custom&from=2000-01-01&to=2026-01-01", "to", "invalid"),
        ("period=this_month&from=2026-01-01", "from", "invalid"),
        ("period=custom&from=yesterday&to=2026-01-01", "from", "date"),
        // Given empty is not absent: an empty date or period is refused.
        ("to=", "to", "date"),
        ("period=", "period", "one_of"),
    ] {
        let res = app.get(&format!("/api/v1/dashboard?{query}")).await;
        let problem = res.problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], field, "{query}");
        assert_eq!(problem["errors"][0]["code"], code, "{query}");
    }
}

#[actix_web::test]
async fn each_member_arranges_their_own_dashboard() {
    use rapport::accounts::dto::Role;
    let app = TestApp::spawn().await;
    let (_, viewer) = app.member("viewer@example.com", Role::ReadOnly).await;

    // Until arranged: every card, in the default order, shown; the last 12 months.
    let default = app.get("/api/v1/me/dashboard-layout").await;
    assert_eq!(default.status, 200, "{}", default.text);
    let cards = default.body["cards"].as_array().unwrap().clone();
    assert_eq!(cards.len(), 8);
    assert_eq!(cards[0], json!({"card": "figures", "visible": true}));
    assert!(cards.iter().all(|c| c["visible"] == true));
    assert_eq!(default.body["period"], "last_12_months");

    // Recent activity first and hidden; the rest follow, shown.
    let put = app
        .request(reqwest::Method::PUT, "/api/v1/me/dashboard-layout", |r| {
            r.json(&json!({
                "cards": [
                    {"card": "recent_activity", "visible": false},
                    {"card": "revenue_by_month", "visible": true}
                ],
                "period": "custom", "from": "2026-01-01", "to": "2026-03-31"
            }))
        })
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    let mine = app.get("/api/v1/me/dashboard-layout").await.body;
    assert_eq!(mine, put.body);
    assert_eq!(mine["cards"][0], json!({"card": "recent_activity", "visible": false}));
    assert_eq!(mine["cards"][1]["card"], "revenue_by_month");
    assert_eq!(mine["cards"][2], json!({"card": "figures", "visible": true}));
    assert_eq!(mine["cards"].as_array().unwrap().len(), 8);
    assert_eq!(
        (mine["period"].as_str(), mine["from"].as_str()),
        (Some("custom"), Some("2026-01-01"))
    );

    // A read-only member arranges theirs, which leaves the owner's alone.
    let theirs = app
        .request_as(&viewer, reqwest::Method::PUT, "/api/v1/me/dashboard-layout", |r| {
            r.header("sec-fetch-site", "same-origin")
                .json(&json!({"cards": [], "period": "this_month"}))
        })
        .await;
    assert_eq!(theirs.status, 200, "{}", theirs.text);
    assert_eq!(theirs.body["period"], "this_month");
    assert_eq!(app.get("/api/v1/me/dashboard-layout").await.body, mine);

    // Bad arrangements change nothing.
    for (body, field) in [
        (
            json!({"cards": [{"card": "figures", "visible": true}, {"card": "figures", "visible": false}]}),
            "cards[1].card",
        ),
        (
            json!({"cards": [{"card": "weather", "visible": true}]}),
            "cards[0].card",
        ),
        (json!({"cards": [], "period": "custom"}), "from"),
        (json!({"cards": [], "period": "this_year", "to": "2026-01-01"}), "to"),
        (json!({"cards": [], "colour": "blue"}), "colour"),
    ] {
        let res = app
            .request(reqwest::Method::PUT, "/api/v1/me/dashboard-layout", |r| r.json(&body))
            .await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields()[0], field, "{body}");
    }
    assert_eq!(app.get("/api/v1/me/dashboard-layout").await.body, mine);
}

/// Every payment and won deal as revenue, counted from the records themselves: the reference the
/// kept entries and monthly totals are checked against.
const EVENTS: &str = "\
    SELECT p.workspace_id, p.contact_id, 'payment' AS kind, p.received_on AS day, p.currency, \
           p.amount_minor AS amount, \
           CASE WHEN p.deal_id IS NOT NULL THEN (SELECT d.owner_id FROM deals d WHERE d.id = p.deal_id) \
                ELSE (SELECT c.owner_id FROM contacts c WHERE c.id = p.contact_id) END AS owner_id, \
           coalesce((SELECT c.source FROM contacts c WHERE c.id = p.contact_id), 'unknown') AS source \
    FROM payments p \
    UNION ALL \
    SELECT d.workspace_id, d.contact_id, 'deal', \
           ((d.closed_at AT TIME ZONE 'UTC')::date + make_interval(months => m.n))::date, d.currency, \
           d.value_minor, d.owner_id, \
           coalesce((SELECT c.source FROM contacts c WHERE c.id = d.contact_id), 'unknown') \
    FROM deals d CROSS JOIN generate_series(0, coalesce(d.recurring_months, 1) - 1) AS m(n) \
    WHERE d.status = 'won' AND d.deleted_at IS NULL AND d.closed_at IS NOT NULL \
      AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.deal_id = d.id)";

/// Kept entries, and kept monthly totals (with their changes not yet folded), that differ from
/// the records: 0 when in step.
async fn revenue_out_of_step(app: &TestApp) -> (i64, i64) {
    let entries = app
        .scalar(&format!(
            "SELECT count(*) FROM ( \
               SELECT workspace_id, contact_id, kind, day, currency, owner_id, source, \
                      count(*) AS n, sum(amount_minor) AS amount \
               FROM revenue_entries GROUP BY 1, 2, 3, 4, 5, 6, 7) kept \
             FULL JOIN ( \
               SELECT workspace_id, contact_id, kind, day, currency, owner_id, source, \
                      count(*) AS n, sum(amount) AS amount \
               FROM ({EVENTS}) e GROUP BY 1, 2, 3, 4, 5, 6, 7) counted \
             ON (kept.workspace_id, kept.kind, kept.day, kept.currency, kept.source) \
                = (counted.workspace_id, counted.kind, counted.day, counted.currency, counted.source) \
                AND kept.contact_id IS NOT DISTINCT FROM counted.contact_id \
                AND kept.owner_id IS NOT DISTINCT FROM counted.owner_id \
             WHERE (kept.n, kept.amount) IS DISTINCT FROM (counted.n, counted.amount)"
        ))
        .await;
    let months = app
        .scalar(&format!(
            "SELECT count(*) FROM ( \
               SELECT workspace_id, currency, month, owner_id, source, kind, \
                      sum(entries) AS n, sum(amount_minor) AS amount \
               FROM (SELECT * FROM revenue_month_totals UNION ALL SELECT * FROM revenue_month_changes) t \
               GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(entries) <> 0 OR sum(amount_minor) <> 0) kept \
             FULL JOIN ( \
               SELECT workspace_id, currency, date_trunc('month', day)::date AS month, owner_id, source, kind, \
                      count(*) AS n, sum(amount) AS amount \
               FROM ({EVENTS}) e GROUP BY 1, 2, 3, 4, 5, 6) counted \
             ON (kept.workspace_id, kept.currency, kept.month, kept.source, kept.kind) \
                = (counted.workspace_id, counted.currency, counted.month, counted.source, counted.kind) \
                AND kept.owner_id IS NOT DISTINCT FROM counted.owner_id \
             WHERE (kept.n, kept.amount) IS DISTINCT FROM (counted.n, counted.amount)"
        ))
        .await;
    (entries, months)
}

/// The dashboard's and the revenue report's figures for a period, each checked against the
/// records: every month from `from`'s to `to`'s, and every source with revenue.
async fn check_revenue_answers(app: &TestApp, from: chrono::NaiveDate, to: chrono::NaiveDate, what: &str) {
    let today = Utc::now().date_naive();
    let within = |owner: &str| {
        format!(
            "FROM ({EVENTS}) e WHERE e.currency = 'EUR' {owner} \
               AND ((e.kind = 'payment' AND e.day BETWEEN '{from}' AND '{to}') \
                 OR (e.kind = 'deal' AND e.day BETWEEN '{from}' AND '{}'))",
            to.min(today)
        )
    };
    let months = (to.year() * 12 + to.month0() as i32) - (from.year() * 12 + from.month0() as i32) + 1;
    for (owner_param, owner_sql) in [
        ("", String::new()),
        ("&owner=none", "AND e.owner_id IS NULL".to_owned()),
        (
            "&owner=me",
            "AND e.owner_id = (SELECT id FROM users WHERE email = '{OWNER_EMAIL}')"
                .replace("{OWNER_EMAIL}", crate::common::OWNER_EMAIL),
        ),
    ] {
        let res = app
            .get(&format!(
                "/api/v1/dashboard?currency=EUR&period=custom&from={from}&to={to}{owner_param}"
            ))
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        let revenue = &res.body["revenue"];
        let by_month = revenue["by_month"].as_array().unwrap();
        assert_eq!(by_month.len() as i32, months, "{what}: every month listed");
        for m in by_month {
            let expected = app
                .scalar(&format!(
                    "SELECT coalesce(sum(amount), 0)::bigint {} AND to_char(e.day, 'YYYY-MM') = '{}'",
                    within(&owner_sql),
                    m["month"].as_str().unwrap()
                ))
                .await;
            assert_eq!(
                m["amount_minor"].as_i64().unwrap(),
                expected,
                "{what}{owner_param}: {m}"
            );
        }
        let total = app
            .scalar(&format!(
                "SELECT coalesce(sum(amount), 0)::bigint {}",
                within(&owner_sql)
            ))
            .await;
        assert_eq!(revenue["period_minor"].as_i64().unwrap(), total, "{what}{owner_param}");
        let by_source = revenue["by_source"].as_array().unwrap();
        let sources = app
            .scalar(&format!("SELECT count(DISTINCT source) {}", within(&owner_sql)))
            .await;
        assert_eq!(by_source.len() as i64, sources, "{what}{owner_param}: {by_source:?}");
        for s in by_source {
            let expected = app
                .scalar(&format!(
                    "SELECT coalesce(sum(amount), 0)::bigint {} AND e.source = '{}'",
                    within(&owner_sql),
                    s["source"].as_str().unwrap()
                ))
                .await;
            assert_eq!(
                s["amount_minor"].as_i64().unwrap(),
                expected,
                "{what}{owner_param}: {s}"
            );
        }
    }
    // The report: payments and won deals apart, per month and per source; per contact.
    for by in ["month", "source", "contact"] {
        let res = app
            .get(&format!("/api/v1/revenue?currency=EUR&by={by}&from={from}&to={to}"))
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        let column = match by {
            "month" => "to_char(e.day, 'YYYY-MM')",
            "source" => "e.source",
            _ => "e.contact_id::text",
        };
        let rows = res.body["rows"].as_array().unwrap();
        for r in rows {
            for (kind, field) in [("payment", "payments_minor"), ("deal", "won_deals_minor")] {
                let expected = app
                    .scalar(&format!(
                        "SELECT coalesce(sum(amount), 0)::bigint {} AND e.kind = '{kind}' AND {column} = '{}'",
                        within(""),
                        r["key"].as_str().unwrap()
                    ))
                    .await;
                assert_eq!(r[field].as_i64().unwrap(), expected, "{what}, by {by}: {r}");
            }
        }
        if by != "month" {
            let keys = app
                .scalar(&format!(
                    "SELECT count(DISTINCT {column}) {} AND {column} IS NOT NULL",
                    within("")
                ))
                .await;
            assert_eq!(rows.len() as i64, keys, "{what}, by {by}: {rows:?}");
        }
    }
}

#[actix_web::test]
async fn revenue_is_kept_per_month_through_every_kind_of_write() {
    use rapport::accounts::dto::Role;
    let app = TestApp::spawn().await;
    let (member_id, _) = app.member("member@example.com", Role::Member).await;
    let today = Utc::now().date_naive();
    let ada = app.contact(json!({"first_name": "Ada", "source": "referral"})).await;
    let bob = app
        .contact(json!({"first_name": "Bob", "source": "website", "owner_id": member_id}))
        .await;
    let cy = app.contact(json!({"first_name": "Cy", "owner_id": null})).await;
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    let (ada, bob, cy) = (id(&ada), id(&bob), id(&cy));

    // Payments on days around the edges of months, in the past and to come; a retainer and a
    // plain deal won.
    let days = [0u32, 17, 33, 47, 62, 95, 130]
        .map(|n| today - Duration::days(i64::from(n)))
        .to_vec();
    let mut payments = Vec::new();
    for (i, day) in days.iter().enumerate() {
        let contact = [&ada, &bob, &cy][i % 3];
        payments.push(id(&pay(
            &app,
            json!({"contact_id": contact, "amount_minor": 1_000 * (i as i64 + 1), "received_on": day}),
        )
        .await));
    }
    let ahead = today + Duration::days(20);
    payments.push(id(&pay(
        &app,
        json!({"contact_id": ada, "amount_minor": 123, "received_on": ahead}),
    )
    .await));
    let retainer = id(&deal(
        &app,
        json!({"title": "Retainer", "contact_id": bob, "value_minor": 40_000, "recurring_months": 6, "owner_id": member_id}),
    )
    .await);
    let plain = id(&deal(&app, json!({"title": "Plain", "contact_id": ada, "value_minor": 9_000})).await);
    let unpaid = id(&deal(&app, json!({"title": "Unpaid", "contact_id": cy, "value_minor": 5_500})).await);
    for d in [&retainer, &plain, &unpaid] {
        let res = app
            .patch(&format!("/api/v1/deals/{d}"), &json!({"stage_id": WON}))
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
    }
    // Won months ago: the retainer's months so far count, the rest as they come.
    app.execute(&format!(
        "UPDATE deals SET closed_at = now() - interval '100 days' WHERE id = '{retainer}'"
    ))
    .await;

    let periods = [
        (today - Duration::days(120), today + Duration::days(30)),
        (rapport::payments::revenue::month_start(today, 11), today),
        (today - Duration::days(40), today - Duration::days(35)),
    ];
    let check = async |what: &str| {
        assert_eq!(revenue_out_of_step(&app).await, (0, 0), "after {what}");
        for (from, to) in periods {
            check_revenue_answers(&app, from, to, what).await;
        }
    };
    check("creating").await;

    let patch = async |path: String, body: Value| {
        let res = app.patch(&path, &body).await;
        assert_eq!(res.status, 200, "{}", res.text);
    };
    patch(
        format!("/api/v1/payments/{}", payments[1]),
        json!({"amount_minor": 4_444, "received_on": today - Duration::days(58)}),
    )
    .await;
    check("a payment's new amount and day").await;
    patch(format!("/api/v1/payments/{}", payments[3]), json!({"deal_id": plain})).await;
    check("a payment for a won deal, which then stops counting itself").await;
    patch(format!("/api/v1/deals/{plain}"), json!({"owner_id": member_id})).await;
    check("a new owner for a deal with a payment").await;
    patch(format!("/api/v1/contacts/{ada}"), json!({"source": "event"})).await;
    check("a contact's new source").await;
    patch(format!("/api/v1/contacts/{cy}"), json!({"owner_id": member_id})).await;
    check("a contact's new owner").await;
    patch(
        format!("/api/v1/deals/{retainer}"),
        json!({"value_minor": 41_000, "recurring_months": 4}),
    )
    .await;
    check("a won retainer's new value and length").await;
    patch(format!("/api/v1/deals/{unpaid}"), json!({"contact_id": ada})).await;
    check("a won deal's new contact").await;
    assert_eq!(
        app.delete(&format!("/api/v1/payments/{}", payments[3])).await.status,
        204
    );
    check("the deal's only payment removed, so the deal counts again").await;
    assert_eq!(app.delete(&format!("/api/v1/deals/{unpaid}")).await.status, 204);
    check("a won deal in the trash").await;
    let res = app.post(&format!("/api/v1/deals/{unpaid}/restore"), &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    check("a won deal restored").await;
    patch(format!("/api/v1/deals/{plain}"), json!({"stage_id": PROPOSAL})).await;
    check("a won deal reopened").await;

    // Folded: the same answers from the totals alone, and nothing left to fold.
    let mut conn = app.pool.get().await.unwrap();
    assert!(rapport::payments::revenue::fold_totals(&mut conn).await.unwrap() > 0);
    drop(conn);
    assert_eq!(app.scalar("SELECT count(*) FROM revenue_month_changes").await, 0);
    check("folding").await;

    // A contact erased: its payments stay, with no contact and no source.
    let res = app
        .post(
            &format!("/api/v1/contacts/{bob}/erase"),
            &json!({"confirm_name": "Bob"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    check("a contact erased").await;
    assert!(
        app.scalar("SELECT count(*) FROM revenue_entries WHERE source = 'unknown' AND kind = 'payment'")
            .await
            >= 2
    );
    let mut conn = app.pool.get().await.unwrap();
    rapport::payments::revenue::fold_totals(&mut conn).await.unwrap();
    rapport::payments::revenue::drop_empty_totals(&mut conn).await.unwrap();
    drop(conn);
    assert_eq!(
        app.scalar("SELECT count(*) FROM revenue_month_totals WHERE entries = 0 AND amount_minor = 0")
            .await,
        0
    );
    check("folding and dropping empty months").await;
}

#[actix_web::test]
async fn writes_in_flight_at_once_attribute_revenue_as_committed() {
    use diesel_async::RunQueryDsl;
    let app = TestApp::spawn().await;
    let ada = app.contact(json!({"first_name": "Ada", "source": "referral"})).await;
    let ada = ada["id"].as_str().unwrap().to_owned();
    let won = deal(&app, json!({"title": "Won", "contact_id": ada, "value_minor": 8_000})).await;
    let won = won["id"].as_str().unwrap().to_owned();
    let res = app
        .patch(&format!("/api/v1/deals/{won}"), &json!({"stage_id": WON}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let today = Utc::now().date_naive();
    let mut paid = Vec::new();
    for amount in [1_000, 2_000] {
        let p = pay(
            &app,
            json!({"contact_id": ada, "deal_id": won, "amount_minor": amount, "received_on": today}),
        )
        .await;
        paid.push(p["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(revenue_out_of_step(&app).await, (0, 0));

    // One session changes a contact's source and has not committed when another records a
    // payment from that contact: the payment is attributed to the source that committed.
    let run = |sql: String| {
        let pool = app.pool.clone();
        tokio::spawn(async move {
            let mut conn = pool.get().await.unwrap();
            diesel::sql_query(sql).execute(&mut conn).await.unwrap();
        })
    };
    let mut first = app.pool.get().await.unwrap();
    diesel::sql_query("BEGIN").execute(&mut first).await.unwrap();
    diesel::sql_query(format!("UPDATE contacts SET source = 'event' WHERE id = '{ada}'"))
        .execute(&mut first)
        .await
        .unwrap();
    let second = run(format!(
        "INSERT INTO payments (id, workspace_id, contact_id, amount_minor, currency, received_on, \
                               created_at, updated_at, version) \
         SELECT gen_random_uuid(), workspace_id, id, 500, 'EUR', current_date, now(), now(), 1 \
         FROM contacts WHERE id = '{ada}'"
    ));
    let waited = app.someone_waits_for_a_lock().await;
    diesel::sql_query("COMMIT").execute(&mut first).await.unwrap();
    second.await.unwrap();
    assert_eq!(revenue_out_of_step(&app).await, (0, 0), "a payment beside a new source");
    assert!(waited, "the payment waited for the contact's change");

    // The same with a deal won beside the contact's new source: the deal takes the new one.
    let open = deal(&app, json!({"title": "Open", "contact_id": ada, "value_minor": 3_000})).await;
    let open = open["id"].as_str().unwrap().to_owned();
    diesel::sql_query("BEGIN").execute(&mut first).await.unwrap();
    diesel::sql_query(format!("UPDATE contacts SET source = 'partner' WHERE id = '{ada}'"))
        .execute(&mut first)
        .await
        .unwrap();
    let second = run(format!(
        "UPDATE deals SET status = 'won', closed_at = now() WHERE id = '{open}'"
    ));
    let waited = app.someone_waits_for_a_lock().await;
    diesel::sql_query("COMMIT").execute(&mut first).await.unwrap();
    second.await.unwrap();
    assert_eq!(
        revenue_out_of_step(&app).await,
        (0, 0),
        "a deal won beside a new source"
    );
    assert!(waited, "the win waited for the contact's change");

    // The deal's two payments removed at once, each session seeing the other's still there:
    // the deal's own revenue comes back.
    diesel::sql_query("BEGIN").execute(&mut first).await.unwrap();
    diesel::sql_query(format!("DELETE FROM payments WHERE id = '{}'", paid[0]))
        .execute(&mut first)
        .await
        .unwrap();
    let second = run(format!("DELETE FROM payments WHERE id = '{}'", paid[1]));
    let waited = app.someone_waits_for_a_lock().await;
    diesel::sql_query("COMMIT").execute(&mut first).await.unwrap();
    second.await.unwrap();
    assert_eq!(
        revenue_out_of_step(&app).await,
        (0, 0),
        "a deal's last two payments removed at once"
    );
    assert!(waited, "the second removal waited for the first");
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*) FROM revenue_entries WHERE kind = 'deal' AND deal_id = '{won}'"
        ))
        .await,
        1
    );
}
