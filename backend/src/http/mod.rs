//! Everything HTTP-specific that is not a domain route: request ids and access logs, the JSON
//! body extractor, query/path error handling, preconditions, unknown routes and the SPA, CORS
//! and request budgets.

pub mod auth;
pub mod cors;
pub mod download;
pub mod fields;
pub mod idempotency;
pub mod json;
pub mod load;
pub mod params;
pub mod path_pattern;
pub mod precondition;
pub mod rate_limit;
pub mod replica;
pub mod request_id;
pub mod routes_table;
pub mod security;
pub mod spa;
