//! Companies: the organisations contacts work at. Created directly or by naming them on a contact.

pub mod dto;
pub mod query;
pub mod routes;
pub mod service;
pub mod store;
