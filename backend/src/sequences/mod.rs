//! Email sequences: an ordered list of template steps with delays ("day 0 intro, day 3 follow-up,
//! day 10 last try"), each sent over the workspace's mail server inside a sending window in the
//! contact's time zone, stopped by a reply (any inbound interaction, whichever way it was
//! recorded) or an unsubscribe, with an optional second subject (A/B) per step.

pub mod dto;
pub mod routes;
pub mod service;
pub mod store;
