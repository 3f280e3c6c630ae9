//! policy-search: index a folder of health-policy texts and answer keyword
//! queries with ranked, verbatim, citable passages.
//!
//! A document flows through the modules in this order (see ARCHITECTURE.md):
//! [`walk`] finds files → [`extract`] turns each into text and blocks →
//! [`passage`] splits blocks into passages → [`ingest`] writes them through
//! [`schema`] and [`index`] with the [`analysis`] analyzer. A query flows
//! [`query`] (plan) → [`expand`] (acronyms, corrections, via [`glossary`]
//! and [`lexicon`]) → [`search`] (rank) → [`highlight`] → [`render`].
//! [`app`] ties commands together for the binary.

#![warn(missing_docs)]

pub mod analysis;
pub mod app;
pub mod deadline;
pub mod error;
pub mod eval;
pub mod expand;
pub mod extract;
pub mod glossary;
pub mod highlight;
pub mod index;
pub mod ingest;
pub mod integrity;
pub mod isolate;
pub mod lexicon;
pub mod limits;
pub mod passage;
pub mod paths;
pub mod progress;
pub mod query;
pub mod rank;
pub mod render;
pub mod schema;
pub mod search;
pub mod spelling;
pub mod status;
pub mod terminal;
pub mod walk;

pub use error::{Error, Result};
