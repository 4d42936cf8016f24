//! The support inbox, the agents' queue and the request API.
pub mod api;
pub mod pages;
