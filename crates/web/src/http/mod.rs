//! The transport: who is asking (sessions, tokens, form tokens, client
//! address), bodies and uploads, errors, the page frame, assets, metrics,
//! and the middleware every request passes.
pub mod assets;
pub mod cache;
pub mod csv;
pub mod ctx;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod observe;
pub mod page;
pub mod serve;
pub mod state;
pub mod uploads;
