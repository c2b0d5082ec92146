//! Interactions: the timeline of every touchpoint with a contact. Each change reschedules the
//! contact's follow-up in the same transaction.

pub mod dto;
pub mod routes;
pub mod service;
pub mod store;
