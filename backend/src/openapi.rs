//! The OpenAPI document: its header, and the problem responses every operation can give,
//! added by rule so no endpoint can forget to document them.

use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::{ContentBuilder, OpenApi, OpenApiBuilder, Ref, RefOr};

use crate::error::Problem;

/// The API's sections, in the order Swagger UI shows them.
const TAGS: &[(&str, &str)] = &[
    ("contacts", "People you do business with"),
    ("companies", "Organisations your contacts work at"),
    ("deals", "Opportunities moving through a pipeline"),
    ("pipelines", "Sales processes: ordered stages, and the deal board"),
    ("revenue", "Payments received and revenue reports"),
    ("products", "The catalogue of products and services you sell"),
    (
        "proposals",
        "Quotes for deals: line items, totals, a printable page and a PDF",
    ),
    ("dashboard", "The figures of the dashboard"),
    (
        "ai",
        "The AI assistant: insights, drafts and analysis; every answer memoized",
    ),
    ("interactions", "The timeline of touchpoints with contacts"),
    ("follow-ups", "Who needs a touchpoint, and why"),
    ("reminders", "Dated to-dos about contacts"),
    ("templates", "Email templates with variables"),
    (
        "calendar",
        "A private iCalendar feed of follow-ups, reminders and expected close dates",
    ),
    (
        "activity",
        "What changed, when: the workspace feed and each record's history",
    ),
    (
        "custom-fields",
        "Fields a workspace adds to contacts, companies and deals",
    ),
    ("settings", "Workspace settings: follow-up cadences, time zone"),
    (
        "onboarding",
        "A new workspace's first run: the checklist, and demo data to load and remove",
    ),
    (
        "imports",
        "Bringing contacts in from CSV and vCard files, and interactions from email and calendar files: \
         preview, commit, rollback",
    ),
    (
        "search",
        "One ranked search across contacts, companies, deals, interactions, templates and products",
    ),
    (
        "trash",
        "Contacts, companies and deals in the trash: restorable for 30 days, then deleted for good",
    ),
    (
        "duplicates",
        "Records that look like the same person or company, with the reasons; pairs dismissed; merging them, undoable for 30 days",
    ),
    (
        "views",
        "Saved views (segments): named filters and sorts of the contact, company and deal lists, private or shared",
    ),
    (
        "bulk",
        "One change to up to 10,000 contacts, companies or deals at once, undoable as a batch for 30 days",
    ),
    (
        "webhooks",
        "Signed HTTP callbacks of the workspace's events (admins): endpoints, test events, the delivery log",
    ),
    (
        "events",
        "Live updates: the workspace's changes as server-sent events, resumable with Last-Event-ID",
    ),
    (
        "mail",
        "Outgoing email over the workspace's SMTP server (admins set it): test emails, and emails to contacts logged as interactions",
    ),
    (
        "exports",
        "A full export of the workspace as one .zip (JSON, CSV, vCard, iCalendar), kept 7 days",
    ),
    (
        "accounts",
        "Signing in, your workspaces, members and roles, invitations, API tokens and the security log",
    ),
    ("system", "Health and readiness probes"),
];

pub fn base() -> OpenApi {
    use utoipa::openapi::tag::TagBuilder;
    use utoipa::openapi::{InfoBuilder, LicenseBuilder};
    let mut doc = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Rapport API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "The JSON API of Rapport, an open-source CRM for freelancers, consultants and small teams.\n\n\
                     Conventions: ids are UUIDs; timestamps RFC 3339 in UTC; lists return `{items, next_cursor}` \
                     (pass `next_cursor` back as `cursor`); every object has a `version` that `If-Match` can \
                     check on writes; errors are RFC 9457 `application/problem+json` with a stable `code` and \
                     the offending `errors[].field`.",
                ))
                .license(Some(LicenseBuilder::new().name("AGPL-3.0-or-later").build()))
                .build(),
        )
        .tags(Some(
            TAGS.iter()
                .map(|(name, about)| TagBuilder::new().name(*name).description(Some(*about)).build())
                .collect::<Vec<_>>(),
        ))
        .build();
    let mut components = doc.components.take().unwrap_or_default();
    components.schemas.insert("Problem".into(), {
        use utoipa::PartialSchema;
        Problem::schema()
    });
    components.schemas.insert("LiveEvent".into(), {
        use utoipa::PartialSchema;
        crate::events::dto::LiveEvent::schema()
    });
    components.schemas.insert("FieldError".into(), {
        use utoipa::PartialSchema;
        crate::error::FieldError::schema()
    });
    doc.components = Some(components);
    // OpenAPI 3.1 `webhooks`: what Rapport sends to a webhook's URL, per event.
    let mut extensions = doc.extensions.take().unwrap_or_default();
    extensions.insert("webhooks".into(), webhooks());
    doc.extensions = Some(extensions);
    doc
}

/// One entry per event a webhook can subscribe to: the signed `POST` its URL receives.
fn webhooks() -> serde_json::Value {
    let header = |name: &str, description: &str, example: &str| {
        serde_json::json!({
            "name": name, "in": "header", "required": true, "description": description,
            "schema": {"type": "string"}, "example": example,
        })
    };
    let entries = crate::webhooks::events::EventType::subscribable().map(|event| {
        (
            event.as_str().to_owned(),
            serde_json::json!({"post": {
                "summary": format!("`{event}` sent to a webhook's URL"),
                "description": "At least once, in order per record, retried with backoff for 3 days until the \
                    endpoint answers 2xx. Verify `webhook-signature` before trusting the body (see docs/webhooks.md).",
                "tags": ["webhooks"],
                "parameters": [
                    header("webhook-id", "The event's id, the same on every attempt: drop repeats by it", "01938f5e-7c1a-7b3e-9a51-2f0c4d8e6b10"),
                    header("webhook-timestamp", "Unix seconds when this attempt was signed: reject old ones (replays)", "1764756900"),
                    header("webhook-signature", "`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the secret's bytes after `whsec_`", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
                ],
                "requestBody": {"required": true, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/WebhookEvent"}}}},
                "responses": {"2XX": {"description": "Received. Any other status, or none within the timeout, is retried."}},
            }}),
        )
    });
    serde_json::Value::Object(entries.collect())
}

fn problem(description: &str, code: &str, status: u16, detail: &str) -> RefOr<Response> {
    let example = serde_json::json!({
        "type": format!("urn:rapport:problem:{code}"),
        "title": actix_web::http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error"),
        "status": status,
        "detail": detail,
        "code": code,
    });
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .example(Some(example))
                .build(),
        )
        .build()
        .into()
}

fn add(op: &mut Operation, status: u16, response: impl FnOnce() -> RefOr<Response>) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(response);
}

/// A string schema with a pattern and a length range.
fn constrained(pattern: &str, min: usize, max: usize) -> RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(pattern))
        .min_length(Some(min))
        .max_length(Some(max))
        .into()
}

/// States in each operation's parameters the syntax the server checks: `If-Match` (an entity
/// tag list), `Idempotency-Key` (visible ASCII), cursors (base64url, as issued).
fn constrain_parameters(op: &mut Operation) {
    for p in op.parameters.iter_mut().flatten() {
        let schema = match (p.name.as_str(), &p.parameter_in) {
            ("If-Match", utoipa::openapi::path::ParameterIn::Header) => {
                constrained(crate::http::precondition::IF_MATCH_PATTERN, 1, 1024)
            }
            ("Idempotency-Key", utoipa::openapi::path::ParameterIn::Header) => {
                constrained(crate::http::idempotency::KEY_PATTERN, 1, 255)
            }
            ("cursor", utoipa::openapi::path::ParameterIn::Query) => constrained(crate::db::cursor::PATTERN, 1, 1024),
            _ => continue,
        };
        p.schema = Some(schema);
    }
}

fn has_header(op: &Operation, name: &str) -> bool {
    op.parameters.as_ref().is_some_and(|ps| {
        ps.iter()
            .any(|p| p.name == name && matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Header))
    })
}

/// A record with a trash (contacts, companies, deals) or something that hangs under one.
fn trashable(path: &str) -> bool {
    ["/api/v1/contacts/{id}", "/api/v1/companies/{id}", "/api/v1/deals/{id}"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// Adds the problem responses that follow from an operation's shape.
/// A path under one contact or company (`/api/v1/contacts/{id}/timeline`), not the record itself.
fn under_mergeable(path: &str) -> bool {
    ["/api/v1/contacts/{id}/", "/api/v1/companies/{id}/"]
        .iter()
        .any(|p| path.starts_with(p))
}

pub fn add_problem_responses(doc: &mut OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let has_id = path.contains('{');
        let system = path.starts_with("/api/health");
        let ops: Vec<(HttpMethod, &mut Operation)> = [
            (HttpMethod::Get, item.get.as_mut()),
            (HttpMethod::Post, item.post.as_mut()),
            (HttpMethod::Patch, item.patch.as_mut()),
            (HttpMethod::Delete, item.delete.as_mut()),
            (HttpMethod::Put, item.put.as_mut()),
        ]
        .into_iter()
        .filter_map(|(m, op)| op.map(|op| (m, op)))
        .collect();
        for (method, op) in ops {
            if system {
                continue;
            }
            constrain_parameters(op);
            if has_header(op, "If-Match") {
                add(op, 400, || {
                    problem(
                        "If-Match is not an entity tag list, or disagrees with the body's `version`",
                        "invalid_if_match",
                        400,
                        "If-Match must be * or the record's ETag, e.g. \"3\" (its version)",
                    )
                });
            }
            if method != HttpMethod::Get {
                add(op, 409, || {
                    problem(
                        "The change conflicts with the current state: a stale `version` in the body, a \
                         name or SKU already taken, records still linked, a record merged into another \
                         (`merged`, naming it in `survivor_id`), or an Idempotency-Key reused",
                        "version_conflict",
                        409,
                        "the record was changed by someone else (it is now at version 3); reload it and apply your change again",
                    )
                });
            }
            // What hangs under a merged contact or company answers 409 `merged`, naming the
            // record that stands for it (the record itself redirects, 308).
            if method == HttpMethod::Get && under_mergeable(path) {
                add(op, 409, || {
                    problem(
                        "The record was merged into another (`merged`): `survivor_id` names the one that \
                         stands for it now",
                        "merged",
                        409,
                        "the contact was merged into 0190f0a0-0000-7000-8000-000000000001, which stands for it now; use that one",
                    )
                });
            }
            let has_body = op.request_body.is_some();
            let has_query = op.parameters.as_ref().is_some_and(|ps| {
                ps.iter()
                    .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query))
            });
            if has_body {
                add(op, 400, || {
                    problem(
                        "The body is not valid JSON",
                        "malformed_json",
                        400,
                        "the body is not valid JSON: expected value at line 1 column 1",
                    )
                });
                add(op, 408, || {
                    problem(
                        "The body did not arrive within the server's body timeout (BODY_TIMEOUT_SECS)",
                        "request_timeout",
                        408,
                        "the request body did not arrive within 30 s; send it again",
                    )
                });
                add(op, 413, || {
                    problem(
                        "The body is larger than this endpoint accepts",
                        "payload_too_large",
                        413,
                        "the request body is larger than the 64 KiB this endpoint accepts",
                    )
                });
                add(op, 415, || {
                    problem(
                        "The body is not sent as application/json",
                        "unsupported_media_type",
                        415,
                        "Content-Type 'text/plain' is not accepted here; send application/json",
                    )
                });
            }
            if has_body || has_query {
                add(op, 422, || {
                    problem(
                        "A field or parameter is invalid; `errors` names each one",
                        "validation_failed",
                        422,
                        "emails: 'ada@' is not a valid email address",
                    )
                });
            }
            if has_id && trashable(path) {
                add(op, 404, || {
                    problem(
                        "No record has this id (`not_found`), or the record is in the trash (`trashed`: \
                         restore it, or read it with include_trashed=true where offered)",
                        "trashed",
                        404,
                        "the contact is in the trash: restore it first, or read it with include_trashed=true",
                    )
                });
            } else if has_id {
                add(op, 404, || {
                    problem("No record has this id", "not_found", 404, "the contact was not found")
                });
            }
            if matches!(method, HttpMethod::Patch | HttpMethod::Delete) || (has_id && method == HttpMethod::Post) {
                add(op, 412, || {
                    problem(
                        "The record changed since the version given in If-Match or `version`",
                        "version_conflict",
                        412,
                        "the record was changed by someone else (it is now at version 3); reload it and apply your change again",
                    )
                });
            }
            if path.starts_with("/api/v1/") {
                add(op, 429, || {
                    problem(
                        "Over the request budget of this credential or address (see `RateLimit-*` and \
                         `Retry-After`)",
                        "too_many_requests",
                        429,
                        "more than 1200 requests a minute; try again in 1 s",
                    )
                });
            }
            add(op, 431, || {
                problem(
                    "The request's header fields are over 16 KiB",
                    "headers_too_large",
                    431,
                    "the request's header fields are over 16 KiB; send fewer or shorter headers",
                )
            });
            add(op, 503, || {
                problem(
                    "The database is unreachable (`database_unavailable`) or the answer took longer than \
                     the server's handler timeout (`timeout`); retry after the Retry-After delay",
                    "database_unavailable",
                    503,
                    "the database is unreachable right now; try again in a moment",
                )
            });
            add(op, 500, || {
                problem(
                    "An unexpected failure; quote request_id when reporting it",
                    "internal_error",
                    500,
                    "something went wrong on our side",
                )
            });
        }
    }
}

/// The lists that take `fields=` (see [`crate::http::fields`]): the path, the item's schema and
/// its fields, and the page's schema.
const SPARSE_LISTS: &[(&str, &str, &[&str], &str)] = &[
    (
        "/api/v1/contacts",
        "Contact",
        crate::contacts::dto::Contact::FIELDS,
        "ContactPage",
    ),
    (
        "/api/v1/companies",
        "Company",
        crate::companies::dto::Company::FIELDS,
        "CompanyPage",
    ),
    ("/api/v1/deals", "Deal", crate::deals::dto::Deal::FIELDS, "DealPage"),
];

/// States sparse fieldsets: `fields` gets the pattern of the record's field names, and the list's
/// answer is `anyOf` its page and a page of `…Fields` items — the record's schema with only `id`
/// required.
pub fn add_sparse_fieldsets(doc: &mut OpenApi) {
    use utoipa::openapi::schema::{ArrayItems, Schema};
    for (path, item, fields, page) in SPARSE_LISTS {
        let (item_fields, page_fields) = (format!("{item}Fields"), format!("{page}Fields"));
        let Some(components) = doc.components.as_mut() else {
            continue;
        };
        let Some(RefOr::T(Schema::Object(mut sparse))) = components.schemas.get(*item).cloned() else {
            continue;
        };
        sparse.required = vec!["id".to_owned()];
        sparse.description = Some(format!(
            "{} With `fields`: only the fields asked for, and `id`.",
            sparse.description.as_deref().unwrap_or_default()
        ));
        let Some(RefOr::T(Schema::Object(mut sparse_page))) = components.schemas.get(*page).cloned() else {
            continue;
        };
        if let Some(RefOr::T(Schema::Array(items))) = sparse_page.properties.get_mut("items") {
            items.items = ArrayItems::RefOrSchema(Box::new(Ref::from_schema_name(item_fields.clone()).into()));
        }
        sparse_page.description = Some(format!("A page of {item} records with only the fields of `fields`."));
        components.schemas.insert(item_fields, Schema::Object(sparse).into());
        components
            .schemas
            .insert(page_fields.clone(), Schema::Object(sparse_page).into());
        let Some(op) = doc.paths.paths.get_mut(*path).and_then(|p| p.get.as_mut()) else {
            continue;
        };
        for p in op.parameters.iter_mut().flatten() {
            if p.name == "fields" {
                let pattern = crate::http::fields::FieldSet::pattern(fields);
                p.schema = Some(constrained(&pattern, 2, crate::http::fields::MAX_LEN));
            }
        }
        if let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200")
            && let Some(json) = ok.content.get_mut("application/json")
        {
            json.schema = Some(
                utoipa::openapi::schema::AnyOfBuilder::new()
                    .item(Ref::from_schema_name(*page))
                    .item(Ref::from_schema_name(page_fields))
                    .into(),
            );
        }
    }
}

/// States each operation's access rule — the same [`crate::http::auth::policy`] the server
/// enforces: its security schemes (none for public operations; the session cookie only where API
/// tokens are refused), the role needed (in words and as `x-required-role`), and its 401/403
/// answers.
pub fn add_security(doc: &mut OpenApi) {
    use actix_web::http::Method;
    use utoipa::openapi::extensions::ExtensionsBuilder;
    use utoipa::openapi::security::{
        ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
    };

    use crate::http::auth::{Access, policy};

    let mut components = doc.components.take().unwrap_or_default();
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("rpt_…")
                .description(Some(
                    "A personal API token (Account → API tokens in the web app). It acts as its user, in the workspace it was made in.",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            crate::http::auth::SESSION_COOKIE,
            "The web app's session cookie, set by `POST /api/v1/auth/login`.",
        ))),
    );
    doc.components = Some(components);
    let both = || {
        vec![
            SecurityRequirement::new("bearer", Vec::<String>::new()),
            SecurityRequirement::new("session", Vec::<String>::new()),
        ]
    };
    for item in doc.paths.paths.values_mut() {
        let ops = [
            (Method::GET, item.get.as_mut()),
            (Method::POST, item.post.as_mut()),
            (Method::PATCH, item.patch.as_mut()),
            (Method::DELETE, item.delete.as_mut()),
            (Method::PUT, item.put.as_mut()),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let p = policy(op.operation_id.as_deref().unwrap_or_default(), &method);
            let (rule, role) = match p.access {
                Access::Public => {
                    op.security = Some(vec![SecurityRequirement::default()]);
                    continue;
                }
                Access::SignedIn => ("Anyone signed in.".to_owned(), None),
                Access::Role(role) => (
                    format!("Role `{}` or above in the current workspace.", role.as_str()),
                    Some(role),
                ),
            };
            let token_rule = if p.session_only {
                " Browser session only: API tokens are refused (403 `session_required`)."
            } else if !p.writes {
                " API tokens: `read` or `write` scope."
            } else {
                " API tokens: `write` scope."
            };
            op.security = Some(if p.session_only {
                vec![SecurityRequirement::new("session", Vec::<String>::new())]
            } else {
                both()
            });
            let description = op.description.take().unwrap_or_default();
            let sep = if description.is_empty() { "" } else { "\n\n" };
            op.description = Some(format!("{description}{sep}**Access:** {rule}{token_rule}"));
            // One extension only: utoipa keeps extensions in a HashMap, so two would be written in
            // a different order from run to run (session-only shows in `security` already).
            if let Some(role) = role {
                let ext = ExtensionsBuilder::new().add("x-required-role", role.as_str()).build();
                match op.extensions.as_mut() {
                    Some(existing) => existing.merge(ext),
                    None => op.extensions = Some(ext),
                }
            }
            add(op, 401, || {
                problem(
                    "No credential, or one that is not valid, expired or revoked (`unauthenticated`, `invalid_credentials`, `session_expired`, `token_expired`)",
                    "unauthenticated",
                    401,
                    "sign in, or send an API token as `Authorization: Bearer rpt_…`",
                )
            });
            add(op, 403, || {
                problem(
                    "Your role, your token's scope or where the request came from does not allow this (`forbidden`, `insufficient_scope`, `session_required`, `cross_site_request`, `no_workspace`)",
                    "forbidden",
                    403,
                    "this needs the member role or above; you are read_only in this workspace",
                )
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The value of `key = …` inside `args` (up to the next comma or parenthesis).
    fn arg<'a>(args: &'a str, key: &str) -> Option<&'a str> {
        let start = args.find(&format!("{key} = "))? + key.len() + 3;
        let rest = &args[start..];
        let end = rest.find([',', ')']).unwrap_or(rest.len());
        Some(rest[..end].trim())
    }

    /// `fields=` names exactly the record's properties, and its `…Fields` schema only requires `id`.
    #[test]
    fn sparse_fieldsets_name_every_field_of_the_record() {
        let doc = serde_json::to_value(crate::api_doc()).unwrap();
        for (path, item, fields, page) in super::SPARSE_LISTS {
            let schema = &doc["components"]["schemas"][item];
            let mut names: Vec<&str> = schema["properties"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            let mut ours = fields.to_vec();
            names.sort_unstable();
            ours.sort_unstable();
            assert_eq!(ours, names, "{item}::FIELDS");
            let sparse = &doc["components"]["schemas"][format!("{item}Fields")];
            assert_eq!(sparse["required"], serde_json::json!(["id"]));
            assert_eq!(sparse["properties"], schema["properties"]);
            let ok = &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
            assert_eq!(ok["anyOf"][0]["$ref"], format!("#/components/schemas/{page}"));
            assert_eq!(ok["anyOf"][1]["$ref"], format!("#/components/schemas/{page}Fields"));
            let param = doc["paths"][path]["get"]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "fields")
                .unwrap();
            assert_eq!(
                param["schema"]["pattern"].as_str().unwrap(),
                crate::http::fields::FieldSet::pattern(fields)
            );
        }
    }

    /// Every rule a request field's validator enforces that JSON Schema can state is stated in
    /// its `#[schema(…)]` too (so the OpenAPI document, generated clients and the fuzzer know
    /// it): lengths, ranges, not-blank, email, and non-null PATCH fields.
    #[test]
    fn validator_rules_are_mirrored_in_the_schema() {
        let mut files = Vec::new();
        sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let mut missing = Vec::new();
        let mut checked = 0;
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let field = line.trim();
                if !field.starts_with("pub ") || !field.ends_with(',') || !field.contains(": ") {
                    continue;
                }
                // The attributes and doc comments right above the field.
                let mut block = Vec::new();
                let mut j = i;
                while j > 0 && (lines[j - 1].trim().starts_with("#[") || lines[j - 1].trim().starts_with("///")) {
                    j -= 1;
                    block.push(lines[j].trim());
                }
                let validate = block.iter().find(|l| l.starts_with("#[validate("));
                let non_null = block.iter().any(|l| l.contains("\"non_null\""));
                if validate.is_none() && !non_null {
                    continue;
                }
                checked += 1;
                let schema = block
                    .iter()
                    .find(|l| l.starts_with("#[schema(") || l.starts_with("#[param("))
                    .copied()
                    .unwrap_or("");
                let name = format!("{}:{} {}", file.file_name().unwrap().to_string_lossy(), i + 1, field);
                let mut want = |ok: bool, what: &str| {
                    if !ok {
                        missing.push(format!("{name}: {what}"));
                    }
                };
                if non_null {
                    want(schema.contains("nullable = false"), "nullable = false");
                }
                let Some(v) = validate else { continue };
                let is_list = field.contains("Vec<") || schema.contains("value_type = Vec<");
                if let Some(length) = v.find("length(").map(|k| &v[k..]) {
                    let length = &length[..length.find(')').unwrap_or(length.len())];
                    for (bound, str_key, list_key) in
                        [("min", "min_length", "min_items"), ("max", "max_length", "max_items")]
                    {
                        if let Some(n) = arg(length, bound) {
                            let key = if is_list { list_key } else { str_key };
                            want(arg(schema, key) == Some(n), &format!("{key} = {n}"));
                        }
                    }
                }
                if let Some(range) = v.find("range(").map(|k| &v[k..]) {
                    let range = &range[..range.find(')').unwrap_or(range.len())];
                    for (bound, key) in [
                        ("min", "minimum"),
                        ("max", "maximum"),
                        ("exclusive_min", "exclusive_minimum"),
                    ] {
                        if arg(range, bound).is_some() {
                            want(arg(schema, key).is_some(), key);
                        }
                    }
                }
                if v.contains("validate_not_blank") {
                    want(schema.contains("pattern"), "pattern (not blank)");
                }
                if v.contains("(email") || v.contains(" email,") {
                    want(schema.contains("format = Email"), "format = Email");
                }
            }
        }
        assert!(checked > 100, "the request types were not found ({checked} fields)");
        assert!(
            missing.is_empty(),
            "validator rules missing from #[schema]:\n{}",
            missing.join("\n")
        );
    }
}
