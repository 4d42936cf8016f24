//! Black-box tests: each starts the real server on a random port with its
//! own database and talks HTTP to it. Tests marked with `on_both!` run on
//! SQLite and on PostgreSQL.
mod fuzz;
mod harness;
mod integrations;
mod mail;
mod matrix;

mod accounts;
mod api;
mod browser;
mod chat;
mod cli;
mod community;
mod content;
mod crash;
mod help;
mod shell;
mod slow_clients;
mod status;
mod support;
mod twins;
mod two_factor;
mod workspace;
