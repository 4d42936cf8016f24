//! E-mail subscriptions to the status page.
pub mod api;
pub mod pages;
