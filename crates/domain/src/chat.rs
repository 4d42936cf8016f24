//! The chat lifecycle: a chat waits in the queue until an agent takes it
//! (or is given it by routing), is active while they talk, may move to
//! another agent, and ends when either side ends it. Ended is final: a
//! problem that needs more becomes a support request.
use crate::types::{ParseError, string_enum};
use serde::{Deserialize, Serialize};
use std::fmt;

string_enum!(
    /// Where a chat is in its life.
    ChatState, "state", { Waiting => "waiting", Active => "active", Ended => "ended" }
);

/// What happens to a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatEvent {
    /// An agent takes a waiting chat (by hand or by routing).
    Accept,
    /// The agent hands an active chat to another agent.
    Transfer,
    /// The customer or the agent ends it.
    End,
}

/// A refused change, with a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {event:?} a chat that is {from}: {why}")]
pub struct ChatRefused {
    pub from: ChatState,
    pub event: ChatEvent,
    pub code: &'static str,
    pub why: &'static str,
}

pub fn chat_transition(from: ChatState, event: ChatEvent) -> Result<ChatState, ChatRefused> {
    use ChatEvent as E;
    use ChatState as S;
    let refuse = |code, why| ChatRefused {
        from,
        event,
        code,
        why,
    };
    match (from, event) {
        (S::Ended, _) => Err(refuse("chat_ended", "ended chats are final")),
        (S::Waiting, E::Accept) => Ok(S::Active),
        (S::Active, E::Accept) => Err(refuse("chat_taken", "another agent has it already")),
        (S::Active, E::Transfer) => Ok(S::Active),
        (S::Waiting, E::Transfer) => Err(refuse("chat_not_active", "nobody has it yet")),
        (_, E::End) => Ok(S::Ended),
    }
}

/// A chat's rating by the customer, once it has ended.
pub fn parse_rating(good: bool) -> &'static str {
    if good { "good" } else { "bad" }
}

/// Checks a rating value as stored.
pub fn rating_of(s: &str) -> Result<bool, ParseError> {
    match s {
        "good" => Ok(true),
        "bad" => Ok(false),
        other => Err(ParseError::new(
            "rating",
            "not_one_of",
            format!("'{other}' is not good or bad"),
        )
        .with("value", other)
        .with("allowed", "good, bad")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ChatEvent::*;
    use ChatState::*;

    /// Every state × event, written out.
    #[test]
    fn full_transition_table() {
        let table = [
            (Waiting, Accept, Ok(Active)),
            (Waiting, Transfer, Err("chat_not_active")),
            (Waiting, End, Ok(Ended)),
            (Active, Accept, Err("chat_taken")),
            (Active, Transfer, Ok(Active)),
            (Active, End, Ok(Ended)),
            (Ended, Accept, Err("chat_ended")),
            (Ended, Transfer, Err("chat_ended")),
            (Ended, End, Err("chat_ended")),
        ];
        assert_eq!(table.len(), ChatState::ALL.len() * 3);
        for (from, event, want) in table {
            assert_eq!(
                chat_transition(from, event).map_err(|e| e.code),
                want,
                "{from} {event:?}"
            );
        }
    }

    #[test]
    fn ratings_parse() {
        assert_eq!(rating_of(parse_rating(true)), Ok(true));
        assert_eq!(rating_of(parse_rating(false)), Ok(false));
        assert!(rating_of("meh").is_err());
    }
}
