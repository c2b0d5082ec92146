//! Bulk changes: one change (tags, stage of life, owner, a custom field, trash, restore) to many
//! contacts, companies or deals at once, recorded per record and undoable as a batch.

pub mod dto;
pub mod routes;
pub mod service;
pub mod store;
