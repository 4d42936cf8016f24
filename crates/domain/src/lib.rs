//! The statusdesk domain: plans, roles, parsed values and the one policy that
//! answers "may this actor do that to this thing". Nothing here knows about
//! HTTP, SQL or HTML.
#![forbid(unsafe_code)]

pub mod chat;
pub mod clock;
pub mod hours;
pub mod policy;
pub mod status;
pub mod targets;
pub mod text;
pub mod ticket;
pub mod types;

pub use clock::{Clock, ManualClock, OffsetClock, SystemClock};
pub use policy::{Action, Decision, DenyReason, Permit, Scope, authorize, decide};
pub use ticket::{Priority, Refused, TicketEvent, TicketStatus, transition};
pub use types::*;
