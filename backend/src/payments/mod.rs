//! Payments received from contacts, and revenue reports built from payments and won deals.

pub mod dto;
pub mod revenue;
pub mod routes;
pub mod service;
pub mod store;
