//! The status desk and outbox for staff, and the staff API of the status page.
pub mod api;
pub mod branding;
pub mod desk;
pub mod outbox;
