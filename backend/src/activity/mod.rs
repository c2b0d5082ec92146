//! The activity history: an append-only record of every change, for the workspace feed and each
//! record's history.

pub mod message;
pub mod routes;
pub mod service;
pub mod store;
