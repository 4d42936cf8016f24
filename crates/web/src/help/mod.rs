//! The help center: articles in three collections, search across them,
//! "Was this information helpful?" and the staff's editor and report.
pub mod api;
pub mod pages;
pub mod staff;
