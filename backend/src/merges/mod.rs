//! Merging duplicates: two contacts (or two companies) become one, field by field as chosen,
//! with everything that hangs under them; the merged record's id resolves to the survivor; a
//! merge can be undone for 30 days.

pub mod dto;
pub mod fields;
pub mod routes;
pub mod service;
pub mod store;
