//! A person's data on request: everything the workspace holds about one contact, in one JSON
//! document (the same shapes as the API), for access requests under GDPR and CCPA; and the
//! erasure of a person on request.

pub mod dto;
pub mod routes;
pub mod service;
pub mod store;
