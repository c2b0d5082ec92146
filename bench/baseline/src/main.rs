//! The benchmark's yardstick: the least an actix-web + diesel server can do for each kind of
//! request Rapport serves — one indexed query, rows serialized to JSON, nothing else (no
//! validation, problem documents, activity records, ETags or derived fields). `scripts/bench`
//! runs it against the same database and reports Rapport's throughput as a ratio to it.
//!
//! Configuration: `DATABASE_URL`, `BIND_ADDR` (default 127.0.0.1:8099), `DB_POOL_SIZE`
//! (default 4), `HTTP_WORKERS` (default: one per core).

use actix_web::{App, HttpResponse, HttpServer, get, post, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

diesel::table! {
    contacts (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        first_name -> Text,
        last_name -> Text,
        emails -> Array<Text>,
        lifecycle -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        search_text -> Text,
    }
}

diesel::table! {
    interactions (id) {
        id -> Uuid,
        contact_id -> Uuid,
        kind -> Text,
        occurred_at -> Timestamptz,
        subject -> Nullable<Text>,
        body -> Nullable<Text>,
    }
}

type DbPool = Pool<AsyncPgConnection>;

#[derive(Queryable, Selectable, Serialize)]
#[diesel(table_name = contacts)]
struct Contact {
    id: Uuid,
    first_name: String,
    last_name: String,
    emails: Vec<String>,
    lifecycle: String,
    created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Serialize)]
#[diesel(table_name = interactions)]
struct Interaction {
    id: Uuid,
    kind: String,
    occurred_at: DateTime<Utc>,
    subject: Option<String>,
    body: Option<String>,
}

#[derive(Deserialize)]
struct Workspace {
    workspace: Uuid,
}

#[derive(Deserialize)]
struct Search {
    q: String,
    workspace: Uuid,
}

#[derive(Deserialize)]
struct NewContact {
    workspace: Uuid,
    first_name: String,
    last_name: String,
}

fn fail(e: impl std::fmt::Display) -> HttpResponse {
    HttpResponse::InternalServerError().body(e.to_string())
}

/// One contact by primary key.
#[get("/contacts/{id}")]
async fn get_contact(pool: web::Data<DbPool>, id: web::Path<Uuid>) -> HttpResponse {
    let Ok(mut conn) = pool.get().await else {
        return HttpResponse::ServiceUnavailable().finish();
    };
    match contacts::table
        .find(id.into_inner())
        .select(Contact::as_select())
        .first(&mut conn)
        .await
        .optional()
    {
        Ok(Some(c)) => HttpResponse::Ok().json(c),
        Ok(None) => HttpResponse::NotFound().finish(),
        Err(e) => fail(e),
    }
}

/// Fifty newest live contacts of a workspace, through the keyset index.
#[get("/contacts")]
async fn list_contacts(pool: web::Data<DbPool>, query: web::Query<Workspace>) -> HttpResponse {
    let Ok(mut conn) = pool.get().await else {
        return HttpResponse::ServiceUnavailable().finish();
    };
    match contacts::table
        .filter(contacts::workspace_id.eq(query.workspace))
        .filter(contacts::deleted_at.is_null())
        .select(Contact::as_select())
        .order((contacts::created_at.desc(), contacts::id.desc()))
        .limit(50)
        .load(&mut conn)
        .await
    {
        Ok(rows) => HttpResponse::Ok().json(rows),
        Err(e) => fail(e),
    }
}

/// Fifty newest live contacts whose search text contains `q`, through the trigram index.
#[get("/search")]
async fn search_contacts(pool: web::Data<DbPool>, query: web::Query<Search>) -> HttpResponse {
    let Ok(mut conn) = pool.get().await else {
        return HttpResponse::ServiceUnavailable().finish();
    };
    match contacts::table
        .filter(contacts::workspace_id.eq(query.workspace))
        .filter(contacts::deleted_at.is_null())
        .filter(contacts::search_text.like(format!("%{}%", query.q.to_lowercase())))
        .select(Contact::as_select())
        .order((contacts::created_at.desc(), contacts::id.desc()))
        .limit(50)
        .load(&mut conn)
        .await
    {
        Ok(rows) => HttpResponse::Ok().json(rows),
        Err(e) => fail(e),
    }
}

/// Fifty newest interactions of one contact.
#[get("/contacts/{id}/interactions")]
async fn timeline(pool: web::Data<DbPool>, id: web::Path<Uuid>) -> HttpResponse {
    let Ok(mut conn) = pool.get().await else {
        return HttpResponse::ServiceUnavailable().finish();
    };
    match interactions::table
        .filter(interactions::contact_id.eq(id.into_inner()))
        .select(Interaction::as_select())
        .order((interactions::occurred_at.desc(), interactions::id.desc()))
        .limit(50)
        .load(&mut conn)
        .await
    {
        Ok(rows) => HttpResponse::Ok().json(rows),
        Err(e) => fail(e),
    }
}

/// Inserts one contact and returns it.
#[post("/contacts")]
async fn create_contact(pool: web::Data<DbPool>, body: web::Json<NewContact>) -> HttpResponse {
    let Ok(mut conn) = pool.get().await else {
        return HttpResponse::ServiceUnavailable().finish();
    };
    let now = Utc::now();
    match diesel::insert_into(contacts::table)
        .values((
            contacts::id.eq(Uuid::now_v7()),
            contacts::workspace_id.eq(body.workspace),
            contacts::first_name.eq(&body.first_name),
            contacts::last_name.eq(&body.last_name),
            contacts::created_at.eq(now),
            contacts::updated_at.eq(now),
        ))
        .returning(Contact::as_returning())
        .get_result(&mut conn)
        .await
    {
        Ok(c) => HttpResponse::Created().json(c),
        Err(e) => fail(e),
    }
}

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let url = std::env::var("DATABASE_URL").map_err(|_| std::io::Error::other("DATABASE_URL is not set"))?;
    let pool_size = env("DB_POOL_SIZE", "4").parse().unwrap_or(4);
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url);
    let pool = Pool::builder(manager)
        .max_size(pool_size)
        .build()
        .map_err(std::io::Error::other)?;
    let bind = env("BIND_ADDR", "127.0.0.1:8099");
    let workers = std::env::var("HTTP_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(pool.clone()))
            .app_data(web::JsonConfig::default().limit(64 * 1024))
            .service(get_contact)
            .service(list_contacts)
            .service(search_contacts)
            .service(timeline)
            .service(create_contact)
    })
    .workers(workers)
    .bind(bind)?
    .run()
    .await
}
