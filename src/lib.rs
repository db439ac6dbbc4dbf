//! Annals: a static site generator for news archives.
//!
//! A build flows one way through one module per stage:
//! [`config`] (read `site.toml`) → [`content`] (find and parse articles) → [`markdown`] (render
//! bodies) → [`index`] (group articles by term and date) → [`render`] (fill templates) →
//! [`output`] (write the site and swap it in). [`site`] runs the stages in order, and [`cache`]
//! keeps what one build read and wrote for the next.

pub mod cache;
pub mod check;
pub mod config;
pub mod content;
pub mod deploy;
pub mod diagnostics;
pub mod engine;
pub mod hash;
pub mod html;
pub mod import;
pub mod index;
pub mod layout;
pub mod ledger;
pub mod live;
pub mod markdown;
pub mod media;
pub mod output;
pub mod places;
pub mod progress;
pub mod render;
pub mod routes;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
pub mod slug;
pub mod statics;
pub mod text;
pub mod theme;
