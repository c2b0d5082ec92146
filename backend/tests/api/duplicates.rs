//! Duplicates: pairs found by equal keys and similar names, with reasons and a score; a pair
//! dismissed is not proposed again; bad requests change nothing.

use serde_json::json;

use crate::common::TestApp;

#[actix_web::test]
async fn contacts_and_companies_that_look_alike_are_paired_with_their_reasons_until_dismissed() {
    let app = TestApp::spawn().await;
    let engines = app
        .post(
            "/api/v1/companies",
            &json!({"name": "Analytical Engines", "domain": "engines.example"}),
        )
        .await;
    assert_eq!(engines.status, 201, "{}", engines.text);
    let engines_id = engines.body["id"].as_str().unwrap().to_owned();
    let ada = app
        .contact(json!({"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@engines.example"], "company_id": engines_id}))
        .await;
    // The same person again: another case of the same email, the name misspelt, same company.
    let ada2 = app
        .contact(json!({"first_name": "Ada", "last_name": "Lovelance", "emails": ["ADA@engines.example"], "company_id": engines_id}))
        .await;
    // The same phone written another way, and the same LinkedIn profile written another way.
    let grace = app
        .contact(json!({"first_name": "Grace", "last_name": "Hopper", "phones": ["+1 202 555 0143"], "linkedin_url": "https://www.linkedin.com/in/grace/"}))
        .await;
    let grace2 = app
        .contact(json!({"first_name": "G.", "last_name": "Hopper", "phones": ["(202) 555-0143"], "linkedin_url": "http://linkedin.com/in/grace"}))
        .await;
    // Not a duplicate of anyone.
    app.contact(json!({"first_name": "Alan", "last_name": "Turing", "emails": ["alan@bletchley.example"]}))
        .await;
    // Trashed records are not proposed.
    let trashed = app
        .contact(json!({"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@engines.example"]}))
        .await;
    let res = app
        .delete(&format!("/api/v1/contacts/{}", trashed["id"].as_str().unwrap()))
        .await;
    assert_eq!(res.status, 204, "{}", res.text);

    let res = app.get("/api/v1/duplicates?type=contact").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", res.text);
    let ids = |v: &serde_json::Value| {
        let mut ids = vec![v["id"].as_str().unwrap().to_owned()];
        ids.sort();
        ids
    };
    let pair_of = |a: &serde_json::Value, b: &serde_json::Value| {
        let mut p = [ids(a), ids(b)].concat();
        p.sort();
        serde_json::json!(p)
    };
    let ada_pair = items
        .iter()
        .find(|i| i["ids"] == pair_of(&ada, &ada2))
        .expect("Ada twice");
    assert_eq!(
        ada_pair["reasons"],
        json!(["same email", "similar name at the same company"]),
        "{ada_pair}"
    );
    assert!(ada_pair["score"].as_f64().unwrap() > 0.95);
    assert_eq!(ada_pair["type"], "contact");
    let names: Vec<&str> = ada_pair["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Ada Lovelace") && names.contains(&"Ada Lovelance"),
        "{names:?}"
    );
    let grace_pair = items
        .iter()
        .find(|i| i["ids"] == pair_of(&grace, &grace2))
        .expect("Grace twice");
    assert_eq!(grace_pair["reasons"], json!(["same LinkedIn URL", "same phone"]));

    // A page at a time: two pages of one pair, the same pairs in the same order.
    let res = app.get("/api/v1/duplicates?limit=1").await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 1, "{}", res.text);
    assert_eq!(res.body["items"][0]["ids"], items[0]["ids"]);
    let cursor = res.body["next_cursor"].as_str().expect("a next page").to_owned();
    let res = app.get(&format!("/api/v1/duplicates?limit=1&cursor={cursor}")).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["items"][0]["ids"], items[1]["ids"]);
    assert_eq!(res.body["next_cursor"], serde_json::Value::Null);
    assert_eq!(
        app.get("/api/v1/duplicates?cursor=bm90LWEtY3Vyc29y")
            .await
            .problem(422, "validation_failed")["errors"][0]["field"],
        "cursor"
    );

    // Dismissed: not proposed again.
    let res = app
        .post(
            "/api/v1/duplicates/dismiss",
            &json!({"type": "contact", "ids": [grace2["id"], grace["id"]]}),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    let res = app.get("/api/v1/duplicates").await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 1, "{}", res.text);
    assert_eq!(res.body["items"][0]["ids"], pair_of(&ada, &ada2));
    let res = app
        .post(
            "/api/v1/duplicates/dismiss",
            &json!({"type": "contact", "ids": [grace["id"], grace2["id"]]}),
        )
        .await;
    assert_eq!(res.status, 204, "dismissing twice is harmless: {}", res.text);

    // Companies: the same domain written another way, and a near-identical name.
    let res = app
        .post(
            "/api/v1/companies",
            &json!({"name": "Engines Ltd", "domain": "https://www.engines.example/about"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let res = app
        .post("/api/v1/companies", &json!({"name": "analytical engines, inc."}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    app.post("/api/v1/companies", &json!({"name": "Bletchley Park"})).await;
    let res = app.get("/api/v1/duplicates?type=company").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let reasons: Vec<String> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reasons"].to_string())
        .collect();
    assert_eq!(reasons.len(), 2, "{}", res.text);
    assert!(
        reasons.contains(&json!(["same website domain"]).to_string()),
        "{reasons:?}"
    );
    assert!(reasons.contains(&json!(["same name"]).to_string()), "{reasons:?}");
}

#[actix_web::test]
async fn bad_duplicate_requests_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let a = app
        .contact(json!({"first_name": "Ada", "emails": ["a@x.example"]}))
        .await;
    let b = app
        .contact(json!({"first_name": "Ada", "emails": ["a@x.example"]}))
        .await;
    let res = app.get("/api/v1/duplicates?type=deal").await;
    assert_eq!(res.problem(422, "validation_failed")["errors"][0]["field"], "type");
    let res = app.get("/api/v1/duplicates?limit=0").await;
    assert_eq!(res.problem(422, "validation_failed")["errors"][0]["field"], "limit");
    for body in [
        json!({"type": "contact", "ids": [a["id"], a["id"]]}),
        json!({"type": "contact", "ids": [a["id"]]}),
        json!({"type": "company", "ids": [a["id"], b["id"]]}),
        json!({"type": "contact", "ids": [a["id"], "0190f0a0-0000-7000-8000-000000000001"]}),
    ] {
        let res = app.post("/api/v1/duplicates/dismiss", &body).await;
        assert_eq!(res.status, 422, "{body}: {}", res.text);
    }
    let res = app
        .post("/api/v1/duplicates/dismiss", &json!({"type": "person", "ids": []}))
        .await;
    assert!(res.status == 400 || res.status == 422, "{}", res.text);
    assert_eq!(app.scalar("SELECT count(*) FROM duplicate_dismissals").await, 0);
    let res = app.get("/api/v1/duplicates").await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 1, "{}", res.text);
}

#[actix_web::test]
async fn creating_a_look_alike_answers_201_naming_the_records_it_looks_like() {
    let app = TestApp::spawn().await;
    let ada = app
        .contact(
            json!({"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@engines.example"],
                        "phones": ["+1 202 555 0143"], "linkedin_url": "https://www.linkedin.com/in/ada/"}),
        )
        .await;
    assert!(
        ada.get("possible_duplicates").is_none(),
        "the first one looks like nobody: {ada}"
    );
    let ada_id = ada["id"].as_str().unwrap();

    // The same email in another case: still created, with Ada named.
    let res = app
        .post(
            "/api/v1/contacts",
            &json!({"first_name": "A.", "last_name": "Lovelace", "emails": ["ADA@Engines.example"]}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(
        res.body["possible_duplicates"],
        json!([{"id": ada_id, "name": "Ada Lovelace", "subtitle": "ada@engines.example", "reasons": ["same email"], "score": 0.95}]),
        "{}",
        res.text
    );
    let lovelace_id = res.body["id"].as_str().unwrap().to_owned();
    // The same phone written another way and the same profile: both reasons, a higher score.
    let res = app
        .post(
            "/api/v1/contacts",
            &json!({"first_name": "Augusta", "last_name": "King", "phones": ["(202) 555-0143"],
                    "linkedin_url": "http://linkedin.com/in/ada"}),
        )
        .await;
    let found = res.body["possible_duplicates"].as_array().expect("possible duplicates");
    let first = &found[0];
    assert_eq!(first["id"], ada_id);
    assert_eq!(first["reasons"], json!(["same LinkedIn URL", "same phone"]));
    assert_eq!(first["score"], 1.0);
    let augusta_id = res.body["id"].as_str().unwrap().to_owned();
    // Looking like three at once: every one of them, best first.
    let res = app
        .post(
            "/api/v1/contacts",
            &json!({"first_name": "Ada", "last_name": "King", "emails": ["ada@engines.example"],
                    "phones": ["202-555-0143"]}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let found: Vec<(String, Vec<String>, f64)> = res.body["possible_duplicates"]
        .as_array()
        .expect("possible duplicates")
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap().to_owned(),
                serde_json::from_value(m["reasons"].clone()).unwrap(),
                m["score"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                ada_id.to_owned(),
                vec!["same email".to_owned(), "same phone".to_owned()],
                1.0
            ),
            (lovelace_id, vec!["same email".to_owned()], 0.95),
            (augusta_id, vec!["same phone".to_owned()], 0.85),
        ],
        "{}",
        res.text
    );
    // A similar name at the same company.
    app.contact(json!({"first_name": "Grace", "last_name": "Hopper", "company_name": "Navy Labs"}))
        .await;
    let res = app
        .post(
            "/api/v1/contacts",
            &json!({"first_name": "Grace", "last_name": "Hoper", "company_name": "Navy Labs"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(
        res.body["possible_duplicates"][0]["reasons"],
        json!(["similar name at the same company"]),
        "{}",
        res.text
    );
    // Someone else entirely: no list at all.
    let alan = app
        .contact(json!({"first_name": "Alan", "last_name": "Turing", "emails": ["alan@bletchley.example"]}))
        .await;
    assert!(alan.get("possible_duplicates").is_none(), "{alan}");
    // A record in the trash is not proposed.
    assert_eq!(
        app.delete(&format!("/api/v1/contacts/{}", alan["id"].as_str().unwrap()))
            .await
            .status,
        204
    );
    let again = app
        .contact(json!({"first_name": "Alan", "last_name": "Turing", "emails": ["alan@bletchley.example"]}))
        .await;
    assert!(again.get("possible_duplicates").is_none(), "{again}");

    // Companies: the same name once legal forms and punctuation are set aside, the same website.
    let acme = app
        .post(
            "/api/v1/companies",
            &json!({"name": "ACME Corp", "domain": "https://www.acme.example/"}),
        )
        .await;
    assert!(acme.body.get("possible_duplicates").is_none(), "{}", acme.text);
    let acme_id = acme.body["id"].as_str().unwrap();
    let res = app
        .post(
            "/api/v1/companies",
            &json!({"name": "Acme, Ltd.", "domain": "acme.example"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let found = &res.body["possible_duplicates"];
    assert_eq!(found[0]["id"], acme_id, "{}", res.text);
    assert_eq!(found[0]["reasons"], json!(["same name", "same website domain"]));
    let other = app.post("/api/v1/companies", &json!({"name": "Globex"})).await;
    assert!(other.body.get("possible_duplicates").is_none(), "{}", other.text);
    // A GET never carries the list.
    let got = app.get(&format!("/api/v1/contacts/{ada_id}")).await;
    assert!(got.body.get("possible_duplicates").is_none());
}
