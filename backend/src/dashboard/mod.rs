//! The dashboard: pipeline, forecast, win rates, revenue, leads, follow-ups and recent activity
//! in one response, each figure one aggregate query.

pub mod dto;
pub mod routes;
pub mod service;
pub mod store;
