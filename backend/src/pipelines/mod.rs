//! Pipelines and their ordered stages: the columns of the deal board.

pub mod dto;
pub mod routes;
pub mod service;
pub mod store;
