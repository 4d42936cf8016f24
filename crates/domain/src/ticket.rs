//! Support requests: priorities, statuses and the one state machine that
//! says how a request's status may change.
use crate::types::ParseError;
use serde::{Deserialize, Serialize};
use std::fmt;

crate::types::string_enum!(
    /// How much the problem hurts the business. Priorities do not promise a
    /// faster or slower resolution; they let support focus on what is urgent.
    Priority, "priority", { High => "high", Normal => "normal", Low => "low" }
);

impl Priority {
    /// Sort key: most urgent first.
    pub fn rank(self) -> i64 {
        match self {
            Priority::High => 0,
            Priority::Normal => 1,
            Priority::Low => 2,
        }
    }

    pub fn from_rank(rank: i64) -> Option<Priority> {
        Priority::ALL.iter().copied().find(|p| p.rank() == rank)
    }
}

crate::types::string_enum!(
    /// Where a request is in its life.
    TicketStatus, "status", {
        New => "new",
        Open => "open",
        WaitingOnCustomer => "waiting_on_customer",
        Solved => "solved",
        Closed => "closed",
    }
);

impl TicketStatus {
    /// Statuses in which the request still needs someone.
    pub fn is_active(self) -> bool {
        !matches!(self, TicketStatus::Solved | TicketStatus::Closed)
    }
}

/// Something that happens to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketEvent {
    /// An agent posted a public reply.
    AgentReplied,
    /// An agent posted an internal note (never changes the status).
    AgentNoted,
    /// A customer posted a reply.
    CustomerReplied,
    /// An agent set the status.
    AgentSetStatus(TicketStatus),
    /// A customer marked the request solved.
    CustomerSolved,
    /// A customer reopened a solved request.
    CustomerReopened,
    /// The request had been solved long enough to close itself.
    AutoClose,
}

/// Why a transition was refused, for the error message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {what} a request that is {from}: {why}")]
pub struct Refused {
    pub from: TicketStatus,
    pub what: &'static str,
    /// A stable code for the reason, for messages in the reader's language.
    pub code: &'static str,
    pub why: &'static str,
}

impl TicketEvent {
    fn verb(self) -> &'static str {
        match self {
            TicketEvent::AgentReplied | TicketEvent::CustomerReplied => "reply to",
            TicketEvent::AgentNoted => "add a note to",
            TicketEvent::AgentSetStatus(TicketStatus::New) => "set back to new",
            TicketEvent::AgentSetStatus(TicketStatus::Open) => "open",
            TicketEvent::AgentSetStatus(TicketStatus::WaitingOnCustomer) => {
                "set waiting on customer"
            }
            TicketEvent::AgentSetStatus(TicketStatus::Solved) | TicketEvent::CustomerSolved => {
                "solve"
            }
            TicketEvent::AgentSetStatus(TicketStatus::Closed) | TicketEvent::AutoClose => "close",
            TicketEvent::CustomerReopened => "reopen",
        }
    }
}

/// The request lifecycle New → Open → Waiting on customer → Solved → Closed.
///
/// - An agent's first public reply moves New to Open.
/// - A customer reply moves Waiting on customer or Solved back to Open.
/// - Agents set Open, Waiting on customer or Solved on any request that is
///   not closed, and close a solved one; nothing returns to New.
/// - Customers mark a request solved, and reopen a solved one.
/// - Solved closes itself after a while; Closed is final: a follow-up is a
///   new request linked to it.
pub fn transition(from: TicketStatus, event: TicketEvent) -> Result<TicketStatus, Refused> {
    use TicketEvent as E;
    use TicketStatus as S;
    let refuse = |code: &'static str, why: &'static str| Refused {
        from,
        what: event.verb(),
        code,
        why,
    };
    if from == S::Closed {
        return Err(refuse(
            "closed_final",
            "closed requests are final; start a follow-up request instead",
        ));
    }
    match event {
        E::AgentReplied => Ok(if from == S::New { S::Open } else { from }),
        E::AgentNoted => Ok(from),
        E::CustomerReplied => Ok(match from {
            S::WaitingOnCustomer | S::Solved => S::Open,
            other => other,
        }),
        E::AgentSetStatus(to) => match to {
            S::New => Err(refuse("never_new", "a request never returns to new")),
            S::Closed if from == S::Solved => Ok(S::Closed),
            S::Closed => Err(refuse(
                "close_unsolved",
                "only solved requests can be closed",
            )),
            to if to == from => Err(refuse("same_status", "it already has that status")),
            to => Ok(to),
        },
        E::CustomerSolved => match from {
            S::Solved => Err(refuse("already_solved", "it is already solved")),
            _ => Ok(S::Solved),
        },
        E::CustomerReopened => match from {
            S::Solved => Ok(S::Open),
            _ => Err(refuse(
                "reopen_unsolved",
                "only solved requests can be reopened",
            )),
        },
        E::AutoClose => match from {
            S::Solved => Ok(S::Closed),
            _ => Err(refuse(
                "autoclose_unsolved",
                "only solved requests close themselves",
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;

    fn events() -> Vec<TicketEvent> {
        let mut v = vec![
            TicketEvent::AgentReplied,
            TicketEvent::AgentNoted,
            TicketEvent::CustomerReplied,
            TicketEvent::CustomerSolved,
            TicketEvent::CustomerReopened,
            TicketEvent::AutoClose,
        ];
        v.extend(
            TicketStatus::ALL
                .iter()
                .map(|s| TicketEvent::AgentSetStatus(*s)),
        );
        v
    }

    /// Every status × event, written out by hand.
    fn expected(from: TicketStatus, e: TicketEvent) -> Option<TicketStatus> {
        use TicketEvent as E;
        match (from, e) {
            (Closed, _) => None,
            (New, E::AgentReplied) => Some(Open),
            (s, E::AgentReplied) => Some(s),
            (s, E::AgentNoted) => Some(s),
            (WaitingOnCustomer | Solved, E::CustomerReplied) => Some(Open),
            (s, E::CustomerReplied) => Some(s),
            (Solved, E::CustomerSolved) => None,
            (_, E::CustomerSolved) => Some(Solved),
            (Solved, E::CustomerReopened) => Some(Open),
            (_, E::CustomerReopened) => None,
            (Solved, E::AutoClose) => Some(Closed),
            (_, E::AutoClose) => None,
            (_, E::AgentSetStatus(New)) => None,
            (Solved, E::AgentSetStatus(Closed)) => Some(Closed),
            (_, E::AgentSetStatus(Closed)) => None,
            (s, E::AgentSetStatus(t)) if s == t => None,
            (_, E::AgentSetStatus(t)) => Some(t),
        }
    }

    #[test]
    fn every_transition_matches_the_table() {
        let mut n = 0;
        for from in TicketStatus::ALL {
            for e in events() {
                assert_eq!(
                    transition(*from, e).ok(),
                    expected(*from, e),
                    "{from} on {e:?}"
                );
                n += 1;
            }
        }
        assert_eq!(n, 5 * 11);
    }

    #[test]
    fn refusals_explain_themselves() {
        let e = transition(Closed, TicketEvent::CustomerReplied).expect_err("closed");
        assert_eq!(
            e.to_string(),
            "cannot reply to a request that is closed: closed requests are final; start a follow-up request instead"
        );
        let e = transition(Open, TicketEvent::AgentSetStatus(Closed)).expect_err("open");
        assert!(e.to_string().contains("only solved requests can be closed"));
    }

    #[test]
    fn priorities_rank_and_parse() {
        assert!(Priority::High.rank() < Priority::Normal.rank());
        for p in Priority::ALL {
            assert_eq!(Priority::from_rank(p.rank()), Some(*p));
        }
        assert_eq!(
            TicketStatus::parse("waiting_on_customer"),
            Ok(WaitingOnCustomer)
        );
    }
}
