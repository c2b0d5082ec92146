//! Accounts: the people who sign in, the workspaces they belong to and their role in each,
//! browser sessions, personal API tokens, invitations and the security log.

pub mod actor;
pub mod credentials;
pub mod dto;
pub mod password;
pub mod routes;
pub mod secret;
pub mod service;
pub mod store;
