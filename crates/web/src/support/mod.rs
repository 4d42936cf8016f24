//! The support inbox, the agents' queue and the request API.
pub mod api;
pub mod macros;
pub mod pages;
pub mod queue;
pub mod reports;
pub mod targets;
pub mod teams;
pub mod workspace;
