//! Email templates with `{{contact.first_name}}`-style variables, rendered for a contact.

pub mod dto;
pub mod render;
pub mod routes;
pub mod service;
pub mod store;
