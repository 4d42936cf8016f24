//! Response targets: how long support may take to answer, per plan and
//! priority, counted in business hours. Internal to support: customers are
//! told what usually happens, never promised a resolution time.
//!
//! A request has at most one target running. The first response target
//! starts when it is filed; an agent's public reply meets it. A customer's
//! reply after that starts the next response target. While the request
//! waits on the customer the clock is paused, and it resumes where it was
//! when the customer replies (or an agent reopens it). Solving ends it.
use crate::hours::BusinessHours;
use crate::ticket::TicketStatus;

const MINUTE: i64 = 60_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    FirstResponse,
    NextResponse,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::FirstResponse => "first_response",
            TargetKind::NextResponse => "next_response",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "first_response" => Some(TargetKind::FirstResponse),
            "next_response" => Some(TargetKind::NextResponse),
            _ => None,
        }
    }
}

/// The targets of one plan and priority, in business minutes; `None` is no
/// target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResponseTargets {
    pub first_response: Option<i64>,
    pub next_response: Option<i64>,
}

impl ResponseTargets {
    fn of(&self, kind: TargetKind) -> Option<i64> {
        match kind {
            TargetKind::FirstResponse => self.first_response,
            TargetKind::NextResponse => self.next_response,
        }
    }
}

/// The running (or paused) target of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TargetClock {
    pub kind: Option<TargetKind>,
    /// The target's length in business minutes.
    pub minutes: i64,
    /// When the clock last started; `None` while paused.
    pub started_at: Option<i64>,
    /// Business milliseconds used before the last pause.
    pub spent_ms: i64,
}

/// What happened to a request, as far as its target is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetEvent {
    Filed,
    /// A public reply by support.
    AgentResponded,
    CustomerResponded,
    /// Nothing but the status (and maybe priority) changed.
    Changed,
}

impl TargetClock {
    pub fn running(&self) -> bool {
        self.kind.is_some() && self.started_at.is_some()
    }

    pub fn paused(&self) -> bool {
        self.kind.is_some() && self.started_at.is_none()
    }

    /// Business milliseconds left (negative: overdue) at `now`.
    pub fn left_ms(&self, hours: &BusinessHours, now: i64) -> Option<i64> {
        self.kind?;
        let used = self.spent_ms + self.started_at.map(|s| hours.between(s, now)).unwrap_or(0);
        let left = self.minutes * MINUTE - used;
        if left < 0 {
            // Overdue time is calendar time past the deadline.
            return Some(self.due_at(hours).map(|d| d - now).unwrap_or(left));
        }
        Some(left)
    }

    /// When the target is due, while it runs.
    pub fn due_at(&self, hours: &BusinessHours) -> Option<i64> {
        let started = self.started_at?;
        self.kind?;
        hours.add(started, (self.minutes * MINUTE - self.spent_ms).max(0))
    }

    /// Whether the target was missed if it ended at `now`.
    pub fn missed_at(&self, hours: &BusinessHours, now: i64) -> bool {
        self.kind.is_some() && self.left_ms(hours, now).is_some_and(|l| l < 0)
    }

    fn start(kind: TargetKind, targets: &ResponseTargets, now: i64) -> Self {
        match targets.of(kind) {
            Some(minutes) => TargetClock {
                kind: Some(kind),
                minutes,
                started_at: Some(now),
                spent_ms: 0,
            },
            None => TargetClock::default(),
        }
    }

    /// The clock after `event`, with the request now in `status` and its
    /// plan and priority's `targets`.
    pub fn after(
        self,
        event: TargetEvent,
        status: TicketStatus,
        targets: &ResponseTargets,
        hours: &BusinessHours,
        now: i64,
    ) -> Self {
        let mut clock = match event {
            TargetEvent::Filed => Self::start(TargetKind::FirstResponse, targets, now),
            TargetEvent::AgentResponded => TargetClock::default(),
            TargetEvent::CustomerResponded if self.kind.is_none() => {
                Self::start(TargetKind::NextResponse, targets, now)
            }
            TargetEvent::CustomerResponded | TargetEvent::Changed => self,
        };
        // A new priority may mean another length; a target the new
        // priority does not have ends.
        if let Some(kind) = clock.kind {
            match targets.of(kind) {
                Some(minutes) => clock.minutes = minutes,
                None => clock = TargetClock::default(),
            }
        }
        match status {
            TicketStatus::Solved | TicketStatus::Closed => TargetClock::default(),
            TicketStatus::WaitingOnCustomer => {
                if let Some(started) = clock.started_at {
                    clock.spent_ms += hours.between(started, now);
                    clock.started_at = None;
                }
                clock
            }
            TicketStatus::New | TicketStatus::Open => {
                if clock.paused() {
                    clock.started_at = Some(now);
                }
                clock
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;

    const T: ResponseTargets = ResponseTargets {
        first_response: Some(60),
        next_response: Some(120),
    };

    #[test]
    fn first_response_runs_pauses_resumes_and_is_met() {
        let h = BusinessHours::always();
        let c = TargetClock::default().after(TargetEvent::Filed, New, &T, &h, 0);
        assert_eq!(c.kind, Some(TargetKind::FirstResponse));
        assert_eq!(c.due_at(&h), Some(60 * MINUTE));
        // After 20 minutes support asks something without answering:
        // waiting on the customer pauses with 40 minutes left.
        let c = c.after(TargetEvent::Changed, WaitingOnCustomer, &T, &h, 20 * MINUTE);
        assert!(c.paused());
        assert_eq!(c.due_at(&h), None);
        assert_eq!(c.left_ms(&h, 500 * MINUTE), Some(40 * MINUTE));
        // The customer replies hours later: 40 minutes from then.
        let c = c.after(TargetEvent::CustomerResponded, Open, &T, &h, 300 * MINUTE);
        assert_eq!(c.due_at(&h), Some(340 * MINUTE));
        assert!(!c.missed_at(&h, 330 * MINUTE));
        assert!(c.missed_at(&h, 341 * MINUTE));
        // Support answers: met, nothing runs.
        let c = c.after(TargetEvent::AgentResponded, Open, &T, &h, 330 * MINUTE);
        assert_eq!(c, TargetClock::default());
        // The customer writes again: the next response target.
        let c = c.after(TargetEvent::CustomerResponded, Open, &T, &h, 400 * MINUTE);
        assert_eq!(c.kind, Some(TargetKind::NextResponse));
        assert_eq!(c.due_at(&h), Some(520 * MINUTE));
        // Solving ends it.
        assert_eq!(
            c.after(TargetEvent::Changed, Solved, &T, &h, 401 * MINUTE),
            TargetClock::default()
        );
    }

    #[test]
    fn priorities_without_targets_start_none_and_new_priorities_retarget() {
        let h = BusinessHours::always();
        let none = ResponseTargets::default();
        assert_eq!(
            TargetClock::default().after(TargetEvent::Filed, New, &none, &h, 0),
            TargetClock::default()
        );
        let c = TargetClock::default().after(TargetEvent::Filed, New, &T, &h, 0);
        let faster = ResponseTargets {
            first_response: Some(30),
            next_response: Some(60),
        };
        let c = c.after(TargetEvent::Changed, New, &faster, &h, 10 * MINUTE);
        assert_eq!(c.due_at(&h), Some(30 * MINUTE));
        assert_eq!(
            c.after(TargetEvent::Changed, New, &none, &h, 11 * MINUTE),
            TargetClock::default()
        );
    }

    #[test]
    fn a_second_customer_message_does_not_restart_the_clock() {
        let h = BusinessHours::always();
        let c = TargetClock::default().after(TargetEvent::Filed, New, &T, &h, 0);
        let c2 = c.after(TargetEvent::CustomerResponded, New, &T, &h, 30 * MINUTE);
        assert_eq!(c2.due_at(&h), Some(60 * MINUTE));
        assert_eq!(
            TargetKind::parse(TargetKind::NextResponse.as_str()),
            Some(TargetKind::NextResponse)
        );
    }
}
