//! Global search: one ranked list across contacts, companies, deals, interactions, templates and
//! products. The database keeps a full-text vector per record (accents folded, the name weighted
//! highest); a query matches by word prefixes, by parts of emails, phones and domains, and — when
//! few records match that way — by trigram similarity of names, so typos still find someone.
//! The contact and company lists' `q` use the same matching.

pub mod dto;
pub mod query;
pub mod routes;
pub mod service;
pub mod store;
