//! "Chat with us": the chat pages, the agents' console, the REST API and
//! the WebSocket.
pub mod api;
pub mod pages;
pub mod ws;
