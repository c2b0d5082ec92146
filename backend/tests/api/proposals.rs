//! The product catalogue and proposals: lines, totals, status, the printable page and the PDF.

use serde_json::{Value, json};

use crate::common::TestApp;
use crate::deals::deal;

async fn product(app: &TestApp, body: Value) -> Value {
    let res = app.post("/api/v1/products", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

#[actix_web::test]
async fn products_are_catalogued_searched_and_checked() {
    let app = TestApp::spawn().await;
    let audit = product(
        &app,
        json!({"name": "Website audit", "sku": "AUD-01", "category": "Consulting", "price_minor": 120_000}),
    )
    .await;
    assert_eq!(audit["currency"], "EUR");
    assert_eq!(audit["in_stock"], true);
    product(
        &app,
        json!({"name": "Hosting", "category": "Services", "price_minor": 2_000, "currency": "USD", "in_stock": false}),
    )
    .await;
    app.post(
        "/api/v1/products",
        &json!({"name": "Copy", "sku": "aud-01", "price_minor": 1}),
    )
    .await
    .problem(409, "duplicate_sku");
    for (body, field) in [
        (json!({"name": "X", "price_minor": -1}), "price_minor"),
        (json!({"name": "X", "price_minor": 1, "currency": "EURO"}), "currency"),
        (json!({"name": " ", "price_minor": 1}), "name"),
        (json!({"price_minor": 1}), "name"),
    ] {
        let res = app.post("/api/v1/products", &body).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), [field], "{body}: {}", res.text);
    }
    assert_eq!(app.scalar("SELECT count(*) FROM products").await, 2);

    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&app.get("/api/v1/products").await.body),
        ["Hosting", "Website audit"]
    );
    assert_eq!(names(&app.get("/api/v1/products?q=aud").await.body), ["Website audit"]);
    assert_eq!(names(&app.get("/api/v1/products?q=services").await.body), ["Hosting"]);
    assert_eq!(
        names(&app.get("/api/v1/products?in_stock=true").await.body),
        ["Website audit"]
    );
    let page = app.get("/api/v1/products?limit=1").await.body;
    let next = app
        .get(&format!(
            "/api/v1/products?limit=1&cursor={}",
            page["next_cursor"].as_str().unwrap()
        ))
        .await
        .body;
    assert_eq!(names(&next), ["Website audit"]);

    let id = audit["id"].as_str().unwrap();
    let edited = app
        .patch(
            &format!("/api/v1/products/{id}"),
            &json!({"price_minor": 135_000, "sku": null, "version": 1}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert!(edited.body["sku"].is_null());
    app.patch(
        &format!("/api/v1/products/{id}"),
        &json!({"price_minor": 1, "version": 1}),
    )
    .await
    .problem(409, "version_conflict");
    assert_eq!(app.delete(&format!("/api/v1/products/{id}")).await.status, 204);
    app.get(&format!("/api/v1/products/{id}"))
        .await
        .problem(404, "not_found");
}

#[actix_web::test]
async fn a_proposal_computes_totals_moves_through_statuses_and_prints() {
    let app = TestApp::spawn().await;
    let c = app
        .contact(json!({"first_name": "Ada", "last_name": "Lovelace", "company_name": "Analytical Engines"}))
        .await;
    let d = deal(
        &app,
        json!({"title": "Website redesign", "contact_id": c["id"], "value_minor": 300_000}),
    )
    .await;
    let workshop = product(&app, json!({"name": "Discovery workshop", "price_minor": 150_000})).await;
    let res = app
        .post(
            "/api/v1/proposals",
            &json!({
                "deal_id": d["id"],
                "tax_rate_percent": 20,
                "introduction": "Thank you for the chance <to> propose.",
                "terms": "50% up front.",
                "valid_until": "2030-01-31",
                "lines": [
                    {"product_id": workshop["id"]},
                    {"description": "Design and build (hours)", "quantity": 12.5, "unit_price_minor": 9_000, "discount_percent": 10}
                ]
            }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let p = res.body.clone();
    assert_eq!(p["number"], 1);
    assert_eq!(p["title"], "Website redesign", "the deal's title by default");
    assert_eq!(p["status"], "draft");
    assert_eq!(p["currency"], "EUR");
    assert_eq!(p["contact_name"], "Ada Lovelace");
    assert_eq!(p["company_name"], "Analytical Engines");
    assert_eq!(p["lines"][0]["description"], "Discovery workshop");
    assert_eq!(p["lines"][0]["unit_price_minor"], 150_000);
    assert_eq!(p["lines"][1]["quantity"], 12.5);
    assert_eq!(p["lines"][1]["total_minor"], 101_250);
    assert_eq!(
        p["totals"],
        json!({"subtotal_minor": 262_500, "discount_minor": 11_250, "net_minor": 251_250, "tax_minor": 50_250, "total_minor": 301_500})
    );
    let id = p["id"].as_str().unwrap();

    // Sent, then accepted: the dates are stamped.
    let sent = app
        .patch(
            &format!("/api/v1/proposals/{id}"),
            &json!({"status": "sent", "version": 1}),
        )
        .await
        .body;
    assert!(sent["sent_at"].is_string());
    let accepted = app
        .patch(&format!("/api/v1/proposals/{id}"), &json!({"status": "accepted"}))
        .await
        .body;
    assert!(accepted["decided_at"].is_string());
    // Replacing the lines recomputes everything.
    let replaced = app
        .patch(
            &format!("/api/v1/proposals/{id}"),
            &json!({"lines": [{"description": "Fixed fee", "unit_price_minor": 100_000}], "tax_rate_percent": 0}),
        )
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.text);
    assert_eq!(replaced.body["totals"]["total_minor"], 100_000);
    assert_eq!(app.scalar("SELECT count(*) FROM proposal_lines").await, 1);
    let second = app
        .post("/api/v1/proposals", &json!({"deal_id": d["id"], "title": "Option B"}))
        .await
        .body;
    assert_eq!(second["number"], 2);
    let listed = app
        .get(&format!("/api/v1/proposals?deal_id={}", d["id"].as_str().unwrap()))
        .await
        .body;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    assert_eq!(listed["items"][0]["title"], "Option B");
    assert_eq!(
        app.get("/api/v1/proposals?status=accepted").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The printable page escapes user text.
    let print = app.get(&format!("/api/v1/proposals/{id}/print")).await;
    assert_eq!(print.status, 200);
    assert!(print.header("content-type").unwrap().starts_with("text/html"));
    assert!(print.text.contains("Thank you for the chance &lt;to&gt; propose."));
    assert!(print.text.contains("1,000.00 EUR"));

    // The PDF is a real PDF with the proposal's text in it.
    let pdf = app
        .request(reqwest::Method::GET, &format!("/api/v1/proposals/{id}/pdf"), |r| r)
        .await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert_eq!(
        pdf.header("content-disposition"),
        Some("attachment; filename=\"proposal-1-website-redesign.pdf\"")
    );
    let bytes = pdf.bytes.clone();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(bytes.ends_with(b"%%EOF") || bytes.ends_with(b"%%EOF\n"));
    let text = String::from_utf8_lossy(&bytes);
    for needle in [
        "/Helvetica",
        "(Proposal #1)",
        "(Fixed fee)",
        "(1,000.00 EUR)",
        "(Total)",
        "(50% up front.)",
    ] {
        assert!(text.contains(needle), "the PDF lacks {needle}");
    }
    app.get("/api/v1/proposals/01936000-0000-7000-8000-0000000009ff/pdf")
        .await
        .problem(404, "not_found");

    assert_eq!(app.delete(&format!("/api/v1/proposals/{id}")).await.status, 204);
    assert_eq!(app.scalar("SELECT count(*) FROM proposal_lines").await, 0);
}

#[actix_web::test]
async fn bad_proposals_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let d = deal(&app, json!({"title": "Audit"})).await;
    let dollars = product(
        &app,
        json!({"name": "Hosting", "price_minor": 2_000, "currency": "USD"}),
    )
    .await;
    for (lines, field) in [
        (json!([{"description": "No price"}]), "lines[0].unit_price_minor"),
        (json!([{"unit_price_minor": 100}]), "lines[0].description"),
        (
            json!([{"description": "Neg", "unit_price_minor": 100, "quantity": -1}]),
            "lines[0].quantity",
        ),
        (
            json!([{"description": "Zero", "unit_price_minor": 100, "quantity": 0}]),
            "lines[0].quantity",
        ),
        (
            json!([{"description": "Huge", "unit_price_minor": 10_000_000_000_000_i64, "quantity": 1000}]),
            "lines[0].quantity",
        ),
        (
            json!([{"description": "Fine", "unit_price_minor": 100, "quantity": 0.0001}]),
            "lines[0].quantity",
        ),
        (
            json!([{"description": "Neg price", "unit_price_minor": -100}]),
            "lines[0].unit_price_minor",
        ),
        (
            json!([{"description": "Big discount", "unit_price_minor": 100, "discount_percent": 120}]),
            "lines[0].discount_percent",
        ),
        (
            json!([{"product_id": "01936000-0000-7000-8000-0000000009ff"}]),
            "lines[0].product_id",
        ),
        (json!([{"product_id": dollars["id"]}]), "lines[0].unit_price_minor"),
    ] {
        let res = app
            .post("/api/v1/proposals", &json!({"deal_id": d["id"], "lines": lines}))
            .await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), [field], "{lines}: {}", res.text);
    }
    for (body, field) in [
        (json!({"deal_id": "01936000-0000-7000-8000-0000000009ff"}), "deal_id"),
        (json!({"deal_id": d["id"], "tax_rate_percent": 150}), "tax_rate_percent"),
        (json!({"deal_id": d["id"], "currency": "ABC"}), "currency"),
    ] {
        let res = app.post("/api/v1/proposals", &body).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), [field], "{body}: {}", res.text);
    }
    assert_eq!(app.scalar("SELECT count(*) FROM proposals").await, 0);
    let ok = app
        .post(
            "/api/v1/proposals",
            &json!({"deal_id": d["id"], "lines": [{"description": "A", "unit_price_minor": 1}]}),
        )
        .await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    let id = ok.body["id"].as_str().unwrap();
    let bad = app
        .patch(
            &format!("/api/v1/proposals/{id}"),
            &json!({"lines": [{"description": "B"}], "status": "sent"}),
        )
        .await;
    bad.problem(422, "validation_failed");
    let after = app.get(&format!("/api/v1/proposals/{id}")).await.body;
    assert_eq!(
        (after["status"].as_str(), after["version"].as_i64()),
        (Some("draft"), Some(1))
    );
    assert_eq!(after["lines"][0]["description"], "A");
    app.patch(&format!("/api/v1/proposals/{id}"), &json!({"status": "maybe"}))
        .await
        .problem(422, "validation_failed");
}
