//! Duplicate detection: pairs of contacts (same email, phone or LinkedIn profile, or a similar
//! name at the same company) or companies (same website domain, or the same name) found by
//! set-based SQL, with their reasons and a score; a pair dismissed as "not a duplicate" is never
//! proposed again.

pub mod dto;
pub mod routes;
pub mod service;
pub mod store;
