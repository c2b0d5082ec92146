//! Contacts: the people a user does business with, and the heart of the CRM.

pub mod dto;
pub mod query;
pub mod routes;
pub mod service;
pub mod store;
