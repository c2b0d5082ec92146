//! A new workspace's first run: a checklist of the first things worth doing (each ticks itself
//! when done), and demo data that can be loaded into an empty workspace and removed again.

pub mod dto;
pub mod routes;
pub mod service;
pub mod store;
