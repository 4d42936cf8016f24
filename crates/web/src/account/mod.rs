//! One's own account: sign-in, sessions, password, language, tokens.
pub mod api;
pub mod pages;
