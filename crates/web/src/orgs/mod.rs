//! Customer organisations: the admin panel and the staff pages, and their API.
pub mod api;
pub mod pages;
pub mod people;
