//! The public status documents: the snapshot (page, v2 JSON, feeds), its
//! routes and live updates.
pub mod feeds;
pub mod routes;
pub mod snapshot;
