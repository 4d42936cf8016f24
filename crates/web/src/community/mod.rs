//! The help community: questions and answers between customers, with
//! votes, accepted answers and staff moderation.
pub mod api;
pub mod pages;
pub mod staff;
