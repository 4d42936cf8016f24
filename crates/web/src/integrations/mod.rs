//! Status integrations (Slack, Teams, Discord, webhooks) of customer
//! organisations, and Web Push subscriptions of browsers.
pub mod api;
pub mod pages;
pub mod push;
