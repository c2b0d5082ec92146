//! Custom fields: typed fields a workspace adds to contacts, companies and deals.

pub mod dto;
pub mod routes;
pub mod service;
pub mod store;
pub mod values;
