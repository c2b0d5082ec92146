//! Companies: the organisations contacts work at. For now they are created and linked through
//! contacts (by name); their own endpoints come with the relationships features.

pub mod service;
pub mod store;
