//! Reminders: dated to-dos about a contact; open ones bring its next follow-up forward.

pub mod dto;
pub mod routes;
pub mod service;
pub mod store;
