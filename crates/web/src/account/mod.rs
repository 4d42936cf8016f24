//! One's own account: sign-in, sessions, password, language, tokens,
//! two-factor sign-in.
pub mod api;
pub mod pages;
pub mod two_factor;
