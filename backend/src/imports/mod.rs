//! Imports of contacts (with their companies) from CSV files — Google Contacts, Outlook,
//! LinkedIn Connections, HubSpot, Pipedrive or any spreadsheet — and vCard files: upload, a
//! mapping suggested from the header, a preview of every record's outcome, a commit that runs
//! as a background job in one transaction, and a rollback of the whole batch. Email (`.eml`,
//! mbox) and calendar (`.ics`) files go the same way and become interactions on the contacts
//! their addresses match.

pub mod dto;
pub mod file;
pub mod mapping;
pub mod messages;
pub mod plan;
pub mod restore;
pub mod routes;
pub mod service;
pub mod store;
pub mod vcard;
