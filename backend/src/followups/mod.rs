//! Follow-ups: who needs a touchpoint now, computed from contacts' schedules (and, later,
//! reminders) in the workspace's time zone.

pub mod routes;
pub mod service;
