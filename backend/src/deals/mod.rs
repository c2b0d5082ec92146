//! Deals: opportunities moving through a pipeline's stages, their stage history and the board.

pub mod dto;
pub mod routes;
pub mod service;
pub mod store;
