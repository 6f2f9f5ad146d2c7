//! Time targets: per severity, how soon triage (phase B left) and first
//! response (phase C left) must be done after the report.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::string_enum;

string_enum! {
    pub enum Target {
        Triage = "triage",
        FirstResponse = "first_response",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetState {
    pub target: Target,
    pub due_at: DateTime<Utc>,
    pub met_at: Option<DateTime<Utc>>,
    pub overdue: bool,
}

/// The due time of a target, `minutes` after the report. The report time
/// is stored: the sum saturates rather than overflow.
pub fn due(reported_at: DateTime<Utc>, minutes: u32) -> DateTime<Utc> {
    super::dates::add(reported_at, Duration::minutes(minutes.into()))
}

/// A target is overdue when it is not met and its time has passed, or when
/// it was met late.
pub fn state(
    target: Target,
    due_at: DateTime<Utc>,
    met_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> TargetState {
    let overdue = match met_at {
        Some(m) => m > due_at,
        None => now > due_at,
    };
    TargetState {
        target,
        due_at,
        met_at,
        overdue,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn targets_are_overdue_when_late_or_missed() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap();
        let d = due(t0, 30);
        assert_eq!(d, t0 + Duration::minutes(30));
        assert!(!state(Target::Triage, d, None, t0 + Duration::minutes(29)).overdue);
        assert!(state(Target::Triage, d, None, t0 + Duration::minutes(31)).overdue);
        assert!(
            !state(
                Target::Triage,
                d,
                Some(t0 + Duration::minutes(10)),
                t0 + Duration::days(3)
            )
            .overdue
        );
        assert!(
            state(
                Target::Triage,
                d,
                Some(t0 + Duration::minutes(45)),
                t0 + Duration::days(3)
            )
            .overdue
        );
    }

    #[test]
    fn a_target_of_a_report_at_the_end_of_time_is_due_then_not_later() {
        let max = DateTime::<Utc>::MAX_UTC;
        assert_eq!(due(max, u32::MAX), crate::domain::dates::ceiling());
        assert_eq!(
            due(DateTime::<Utc>::MIN_UTC, 30),
            crate::domain::dates::floor()
        );
    }
}
