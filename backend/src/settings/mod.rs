//! Workspace settings: follow-up cadences per lifecycle stage, the overdue grace period and the
//! time zone that decides what "today" means.

pub mod dto;
pub mod routes;
pub mod service;
pub mod store;
