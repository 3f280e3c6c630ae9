//! policy-search: index a folder of health-policy texts and answer keyword
//! queries with ranked, verbatim, citable passages.
//!
//! A document flows one way (see ARCHITECTURE.md): [`ingest`] walks the
//! files → [`extract`] turns each into text and blocks → `passage` splits
//! blocks into passages → [`index`] stores them, tokenized by the one
//! [`analysis`] analyzer. A query flows `query` (parse, expand) →
//! [`search`] (retrieve, rank, highlight) → [`render`].

#![warn(missing_docs)]

pub mod analysis;
pub mod error;
pub mod eval;
pub mod extract;
pub mod index;
pub mod ingest;
pub(crate) mod limits;
pub mod mcp;
pub(crate) mod passage;
pub(crate) mod paths;
pub(crate) mod query;
pub mod render;
pub mod search;
pub mod serve;
pub mod status;
pub mod terminal;

pub use error::{Error, Result};
