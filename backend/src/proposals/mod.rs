//! Quotes and proposals for deals: line items, computed totals, status, a printable page and a PDF.

pub mod dto;
pub mod html;
pub mod pdf;
pub mod routes;
pub mod service;
pub mod store;
pub mod totals;
