//! The trash: contacts, companies and deals moved there (`DELETE` on the record) in one list,
//! each restorable from its own `restore` endpoint or deleted for good; a daily job deletes for
//! good what has been there 30 days — counted from the trashing or from the upgrade that
//! introduced the purge, whichever is later. Money stays: payments and accepted proposals
//! outlive what they were attached to.

pub mod dto;
pub mod routes;
pub mod service;
pub mod store;
