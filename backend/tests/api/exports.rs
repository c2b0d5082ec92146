//! Lists as files: CSV and Excel exports of what a list's filters match, formula cells
//! neutralised, every page of a long list, and who may export.

use std::io::Read;

use rapport::accounts::dto::Role;
use reqwest::Method;
use serde_json::json;

use crate::common::TestApp;

/// The CSV's records (without the byte-order mark), header first.
fn records(text: &str) -> Vec<Vec<String>> {
    let body = text.strip_prefix('\u{feff}').expect("a UTF-8 byte-order mark");
    csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn header(text: &str) -> Vec<String> {
    let body = text.strip_prefix('\u{feff}').unwrap();
    csv::Reader::from_reader(body.as_bytes())
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect()
}

#[actix_web::test]
async fn a_filtered_contact_list_exports_as_csv_with_formulas_neutralised() {
    let app = TestApp::spawn().await;
    app.post(
        "/api/v1/custom-fields",
        &json!({"entity": "contact", "key": "tier", "label": "Tier", "field_type": "text"}),
    )
    .await;
    app.contact(
        json!({"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@example.com", "ada@engines.example"],
        "company_name": "Analytical Engines", "tags": ["vip", "design"], "custom_fields": {"tier": "gold"},
        "notes": "Line one\nLine \"two\", with a comma"}),
    )
    .await;
    app.contact(json!({"first_name": "=HYPERLINK(\"http://evil.example\")", "last_name": "+1", "tags": ["vip"]}))
        .await;
    app.contact(json!({"first_name": "Not", "last_name": "Tagged"})).await;

    let res = app.get("/api/v1/contacts/export?tag=vip&sort=name&format=csv").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.header("content-type"), Some("text/csv; charset=utf-8"));
    let disposition = res.header("content-disposition").unwrap();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert!(
        disposition.starts_with("attachment") && disposition.contains(&format!("contacts-{today}.csv")),
        "{disposition}"
    );
    let head = header(&res.text);
    assert_eq!(&head[..4], ["id", "first_name", "last_name", "emails"]);
    assert_eq!(head.last().unwrap(), "custom.tier");
    let rows = records(&res.text);
    assert_eq!(rows.len(), 2, "only the vip contacts");
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    // Sorted by name: the formula one's sort name starts with "+1".
    let ada = rows.iter().find(|r| r[col("first_name")] == "Ada").unwrap();
    assert_eq!(ada[col("emails")], "ada@example.com; ada@engines.example");
    assert_eq!(ada[col("company")], "Analytical Engines");
    assert_eq!(ada[col("tags")], "vip; design");
    assert_eq!(ada[col("custom.tier")], "gold");
    assert_eq!(ada[col("notes")], "Line one\nLine \"two\", with a comma");
    assert_eq!(ada[col("owner")], "owner@rapport.test");
    let evil = rows.iter().find(|r| r[col("first_name")] != "Ada").unwrap();
    assert_eq!(evil[col("first_name")], "'=HYPERLINK(\"http://evil.example\")");
    assert_eq!(evil[col("last_name")], "'+1");

    // An export with no match is a header alone; the trash exports too.
    let none = app.get("/api/v1/contacts/export?q=nobody-at-all").await;
    assert_eq!(none.status, 200);
    assert!(records(&none.text).is_empty());
    let id = ada[col("id")].clone();
    app.delete(&format!("/api/v1/contacts/{id}")).await;
    let trash = app.get("/api/v1/contacts/export?trashed=true").await;
    assert_eq!(records(&trash.text).len(), 1);
}

#[actix_web::test]
async fn a_long_list_exports_every_row_once_across_pages() {
    let app = TestApp::spawn().await;
    {
        let mut conn = app.pool.get().await.unwrap();
        let sizes = rapport::dataset::Sizes {
            companies: 30,
            contacts: 2_345,
            interactions: 0,
            deals: 0,
        };
        rapport::dataset::load(&mut conn, rapport::db::DEFAULT_WORKSPACE, sizes, 7)
            .await
            .unwrap();
    }
    let expected = app
        .scalar("SELECT count(*) FROM contacts WHERE deleted_at IS NULL")
        .await;
    for sort in ["name", "-created_at", "next_follow_up_at"] {
        let res = app.get(&format!("/api/v1/contacts/export?sort={sort}")).await;
        assert_eq!(res.status, 200);
        let rows = records(&res.text);
        assert_eq!(rows.len() as i64, expected, "{sort}");
        let mut ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len() as i64, expected, "{sort}: every contact once");
    }
}

#[actix_web::test]
async fn an_excel_export_is_a_workbook_with_the_rows() {
    let app = TestApp::spawn().await;
    app.contact(json!({"first_name": "Ada", "last_name": "Lovelace", "tags": ["vip"]}))
        .await;
    app.contact(json!({"first_name": "@cmd", "last_name": "Evil"})).await;
    let res = app.get("/api/v1/contacts/export?format=xlsx").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    assert!(res.header("content-disposition").unwrap().contains(".xlsx"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(res.bytes.clone())).unwrap();
    let mut sheet = String::new();
    archive
        .by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    assert!(sheet.contains("Lovelace") && sheet.contains("first_name"), "{sheet}");
    assert!(sheet.contains("'@cmd"), "{sheet}");
    // Header and two rows.
    assert_eq!(sheet.matches("<row ").count(), 3, "{sheet}");
}

#[actix_web::test]
async fn bad_export_parameters_are_named_and_read_only_members_cannot_export() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/v1/contacts/export?format=pdf&lifecycle=bogus").await;
    res.problem(422, "validation_failed");
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["format", "lifecycle"]);
    let (_, viewer) = app.member("viewer@example.com", Role::ReadOnly).await;
    let res = app
        .request_as(&viewer, Method::GET, "/api/v1/contacts/export", |r| r)
        .await;
    res.problem(403, "forbidden");
    let (_, member) = app.member("member@example.com", Role::Member).await;
    let res = app
        .request_as(&member, Method::GET, "/api/v1/contacts/export", |r| r)
        .await;
    assert_eq!(res.status, 200);
}

#[actix_web::test]
async fn companies_and_deals_export_with_their_filters_and_amounts_as_decimals() {
    let app = TestApp::spawn().await;
    let ada = app
        .contact(json!({"first_name": "Ada", "company_name": "Analytical Engines"}))
        .await;
    app.post(
        "/api/v1/companies",
        &json!({"name": "-Minus Corp", "industry": "Software"}),
    )
    .await;
    app.post(
        "/api/v1/companies",
        &json!({"name": "Babbage Ltd", "industry": "Hardware"}),
    )
    .await;
    let res = app.get("/api/v1/companies/export?industry=software").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.header("content-disposition").unwrap().contains("companies-"));
    let rows = records(&res.text);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][1], "'-Minus Corp");
    let all = records(&app.get("/api/v1/companies/export?sort=name").await.text);
    let head = header(&app.get("/api/v1/companies/export").await.text);
    let contacts = head.iter().position(|h| h == "contacts").unwrap();
    let engines = all.iter().find(|r| r[1] == "Analytical Engines").unwrap();
    assert_eq!(engines[contacts], "1");

    for (title, value, currency) in [("Website", 150_000, "EUR"), ("Audit", 90_000, "JPY")] {
        let res = app
            .post(
                "/api/v1/deals",
                &json!({"title": title, "value_minor": value, "currency": currency, "contact_id": ada["id"]}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    let res = app.get("/api/v1/deals/export?sort=title").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let head = header(&res.text);
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let rows = records(&res.text);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][col("title")], "Audit");
    assert_eq!(rows[0][col("value")], "90000");
    assert_eq!(rows[0][col("currency")], "JPY");
    assert_eq!(rows[1][col("value")], "1500.00");
    assert_eq!(rows[1][col("contact")], "Ada");
    assert_eq!(rows[1][col("company")], "Analytical Engines");
    assert_eq!(rows[1][col("status")], "open");
    let bad = app.get("/api/v1/deals/export?status=maybe&format=doc").await;
    bad.problem(422, "validation_failed");
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, ["format", "status"]);
    let xlsx = app.get("/api/v1/deals/export?format=xlsx").await;
    assert_eq!(xlsx.status, 200);
    assert_eq!(&xlsx.bytes[..2], b"PK");
}

#[actix_web::test]
async fn the_demo_workspace_exports_in_both_formats() {
    let app = TestApp::spawn().await;
    {
        let mut conn = app.pool.get().await.unwrap();
        rapport::demo::load(&mut conn, rapport::db::DEFAULT_WORKSPACE)
            .await
            .unwrap();
    }
    // Dates Excel cannot hold (the fuzzer's favourite) are written as text, not a 500.
    let odd = app
        .contact(json!({"first_name": "Odd", "next_follow_up_at": "0001-01-01T00:00:00Z"}))
        .await;
    assert_eq!(odd["next_follow_up_at"], "0001-01-01T00:00:00Z");
    for what in ["contacts", "companies", "deals"] {
        for format in ["csv", "xlsx"] {
            let res = app.get(&format!("/api/v1/{what}/export?format={format}")).await;
            assert_eq!(res.status, 200, "{what} as {format}: {}", res.text);
        }
    }
}

#[actix_web::test]
async fn contacts_export_as_vcards_an_address_book_reads() {
    let app = TestApp::spawn().await;
    app.contact(
        json!({"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@example.com", "ada@engines.example"],
        "phones": ["+44 20 7946 0958"], "company_name": "Analytical Engines, Ltd", "job_title": "CTO",
        "website": "https://ada.example.com", "notes": "Met at the salon; likes numbers", "tags": ["vip", "math"]}),
    )
    .await;
    app.contact(json!({"first_name": "José", "last_name": "Muñoz", "tags": ["vip"]}))
        .await;
    app.contact(json!({"first_name": "Not", "last_name": "Exported"})).await;
    let res = app.get("/api/v1/contacts/export?format=vcf&tag=vip&sort=name").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.header("content-type"), Some("text/vcard; charset=utf-8"));
    assert!(res.header("content-disposition").unwrap().contains(".vcf"));
    let text = &res.text;
    assert_eq!(text.matches("BEGIN:VCARD\r\n").count(), 2, "{text}");
    assert!(!text.contains("Exported"));
    // Read back with a vCard parser.
    let mut parser = calcard::Parser::new(text);
    let mut cards = Vec::new();
    loop {
        match parser.entry() {
            calcard::Entry::VCard(card) => cards.push(card),
            calcard::Entry::Eof => break,
            other => panic!("not a vCard: {other:?}"),
        }
    }
    assert_eq!(cards.len(), 2);
    let written = cards.iter().map(|c| {
        let mut s = String::new();
        c.write_to(&mut s, calcard::vcard::VCardVersion::V3_0).unwrap();
        s
    });
    let ada = written
        .clone()
        .find(|s| s.contains("FN:Ada Lovelace"))
        .expect("Ada's card");
    for line in [
        "VERSION:3.0",
        "N:Lovelace;Ada;;;",
        "EMAIL;TYPE=INTERNET,PREF:ada@example.com",
        "EMAIL;TYPE=INTERNET:ada@engines.example",
        "ORG:Analytical Engines\\, Ltd",
        "TITLE:CTO",
        "URL:https://ada.example.com",
        "NOTE:Met at the salon\\; likes numbers",
        "CATEGORIES:vip,math",
    ] {
        assert!(ada.contains(line), "{line} missing from {ada}");
    }
    // Non-ASCII names are marked UTF-8, as 3.0 readers expect.
    assert!(text.contains("FN;CHARSET=UTF-8:José Muñoz\r\n"), "{text}");
    assert!(
        written.clone().any(|s| s.contains("José")),
        "{:?}",
        written.clone().collect::<Vec<_>>()
    );
    // One contact, or a selection, by id (the list takes the same filter).
    let ids = app.get("/api/v1/contacts?tag=vip&sort=name").await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    let one = app
        .get(&format!("/api/v1/contacts/export?format=vcf&id={}", ids[0]))
        .await;
    assert_eq!(one.text.matches("BEGIN:VCARD").count(), 1);
    assert!(one.text.contains("FN:Ada Lovelace"));
    let both = app.get(&format!("/api/v1/contacts?id={},{}", ids[0], ids[1])).await;
    assert_eq!(both.body["items"].as_array().unwrap().len(), 2);
    let bad = app.get("/api/v1/contacts/export?format=vcf&id=nope").await;
    bad.problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["id"]);
    // Companies and deals are not address-book entries.
    let bad = app.get("/api/v1/companies/export?format=vcf").await;
    bad.problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["format"]);
}
