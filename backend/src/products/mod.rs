//! The product and service catalogue that proposals pick their lines from.

pub mod dto;
pub mod routes;
pub mod service;
pub mod store;
