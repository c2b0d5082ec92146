//! Saved views (segments): a named list query — filters and sort, exactly as the list endpoint
//! takes them — and columns, for contacts, companies or deals; private or shared with the
//! workspace; listed with live counts; the target of bulk changes (`view_id`).

pub mod dto;
pub mod routes;
pub mod service;
pub mod store;
