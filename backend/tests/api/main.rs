//! HTTP integration tests: the real app on a real socket against a real PostgreSQL database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod accounts;
mod activity;
mod ai;
mod ai_compat;
mod backups;
mod bulk;
mod calendar;

mod companies;

mod contacts;
mod contacts_bad_input;
mod custom_fields;
mod deals;
mod demo;
mod duplicates;
mod events;
mod exports;
mod followups;
mod forms;
mod hostile;
mod idempotency;
mod imports;
mod instances;
mod interactions;
mod isolation;
mod jobs;
mod mail;
mod merges;
mod message_imports;
mod migrations;
mod onboarding;
mod privacy;
mod proposals;
mod reminders;
mod replica;
mod revenue;
mod search;
mod sequences;
mod statements;
mod system;
mod templates;
mod trash;
mod views;
mod webhooks;
mod workspace_export;
