//! Web-to-lead forms: an admin designs a form (fields mapped to contact fields, tags, an
//! optional deal, a thank-you message or redirect, the origins allowed to use it) and puts it on
//! a website with a snippet or links to its hosted page at `/f/{id}`. Each submission creates a
//! contact or — when its email is known — is logged on that contact, filling only empty fields.

pub mod dto;
pub mod page;
pub mod routes;
pub mod service;
pub mod store;
