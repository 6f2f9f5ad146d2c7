//! The kinds of timeline event the server writes, and what each is about as
//! far as the policy needs to know to decide who sees it. Stored by id (the
//! hash chain covers the id), named in both languages in the locale files
//! (`ev.<id>`).

use crate::domain::containment::StepKind;

crate::string_enum! {
    /// One kind of timeline event.
    pub enum EventKind {
        Reported = "reported",
        TakenIntoTriage = "taken_into_triage",
        FirstResponseDecided = "first_response_decided",
        PhaseAdvanced = "phase_advanced",
        Closed = "closed",
        Reopened = "reopened",
        TaskUpdated = "task_updated",
        TaskWaived = "task_waived",
        Classified = "classified",
        AssetAdded = "asset_added",
        AssetRemoved = "asset_removed",
        Assigned = "assigned",
        PreventionRecorded = "prevention_recorded",
        Comment = "comment",
        TaskAssigned = "task_assigned",
        /// A task the playbook did not foresee, opened from a triage finding.
        TaskOpened = "task_opened",
        ContainmentProposed = "containment_proposed",
        ContainmentApprove = "containment_approve",
        ContainmentReject = "containment_reject",
        ContainmentWithdraw = "containment_withdraw",
        ContainmentEmergency = "containment_emergency",
        ContainmentExecute = "containment_execute",
        ContainmentVerify = "containment_verify",
        ContainmentLift = "containment_lift",
        ContainmentMakePermanent = "containment_make_permanent",
        ChecklistWaived = "checklist_waived",
        CustodyRecorded = "custody_recorded",
        EvidenceVerified = "evidence_verified",
        EvidenceMismatch = "evidence_mismatch",
        EvidenceUploaded = "evidence_uploaded",
        EvidenceDownloaded = "evidence_downloaded",
        /// A log-triage analysis of an evidence item finished.
        EvidenceAnalysed = "evidence_analysed",
        /// A triage finding promoted to an observable, or dismissed.
        EvidenceFindingDecided = "evidence_finding_decided",
        EngagementGranted = "engagement_granted",
        EngagementRevoked = "engagement_revoked",
        InvestigationReportSubmitted = "investigation_report_submitted",
        ObservablesAdded = "observables_added",
        ObservableEdited = "observable_edited",
        ObservableRemoved = "observable_removed",
        ObservableMatched = "observable_matched",
        ObservableShared = "observable_shared",
        ObservableUnshared = "observable_unshared",
        CampaignLinked = "campaign_linked",
        CampaignUnlinked = "campaign_unlinked",
        /// A measure of phase G's recurrence-prevention checklist decided.
        PreventionDecided = "prevention_decided",
        /// Who notified us from outside (seed 001 §5), with the report.
        OutsideNotice = "outside_notice",
        /// A report generated from a template (its version, template,
        /// language and for whom).
        ReportGenerated = "report_generated",
    }
}

/// What an event is about, for the policy (`policy::EventAbout` is built
/// from it with what the event names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic {
    /// The report as filed.
    Report,
    /// The ticket's progress: into triage, a phase completed, closed, reopened.
    Progress,
    /// A task (by the event's task).
    Task,
    /// A comment (by its audience and author).
    Comment,
    /// A containment measure (by its executor).
    Measure,
    /// An evidence item (by the item).
    Evidence,
    /// An engagement or its report (by whose it is).
    Engagement,
    /// Observables (by the phase they were recorded in).
    Observable,
    /// The organisation's own handling: decisions, classification, assets,
    /// assignments, the checklist, prevention.
    Handling,
}

impl EventKind {
    /// The event a step on a containment measure writes.
    pub fn of_step(step: StepKind) -> EventKind {
        match step {
            StepKind::Approve => EventKind::ContainmentApprove,
            StepKind::Reject => EventKind::ContainmentReject,
            StepKind::Withdraw => EventKind::ContainmentWithdraw,
            StepKind::Emergency => EventKind::ContainmentEmergency,
            StepKind::Execute => EventKind::ContainmentExecute,
            StepKind::Verify => EventKind::ContainmentVerify,
            StepKind::Lift => EventKind::ContainmentLift,
            StepKind::MakePermanent => EventKind::ContainmentMakePermanent,
        }
    }

    /// What the event is about. A decision's reason is the organisation's
    /// own: the first-response decision is handling, not progress.
    pub fn topic(self) -> Topic {
        use EventKind::*;
        match self {
            Reported => Topic::Report,
            TakenIntoTriage | PhaseAdvanced | Closed | Reopened => Topic::Progress,
            TaskUpdated | TaskWaived | TaskAssigned | TaskOpened => Topic::Task,
            Comment => Topic::Comment,
            ContainmentProposed
            | ContainmentApprove
            | ContainmentReject
            | ContainmentWithdraw
            | ContainmentEmergency
            | ContainmentExecute
            | ContainmentVerify
            | ContainmentLift
            | ContainmentMakePermanent => Topic::Measure,
            CustodyRecorded
            | EvidenceVerified
            | EvidenceMismatch
            | EvidenceUploaded
            | EvidenceDownloaded
            | EvidenceAnalysed
            | EvidenceFindingDecided => Topic::Evidence,
            EngagementGranted | EngagementRevoked | InvestigationReportSubmitted => {
                Topic::Engagement
            }
            ObservablesAdded | ObservableEdited | ObservableRemoved | ObservableShared
            | ObservableUnshared => Topic::Observable,
            // It names other incidents: the organisation's own.
            ObservableMatched | CampaignLinked | CampaignUnlinked => Topic::Handling,
            FirstResponseDecided | Classified | AssetAdded | AssetRemoved | Assigned
            | PreventionRecorded | ChecklistWaived | PreventionDecided | OutsideNotice
            | ReportGenerated => Topic::Handling,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_writes_the_event_named_after_it() {
        for step in StepKind::ALL {
            let kind = EventKind::of_step(*step);
            assert_eq!(kind.id(), format!("containment_{}", step.id()));
            assert_eq!(kind.topic(), Topic::Measure);
        }
    }

    #[test]
    fn the_topics_follow_the_names_the_events_had_before_they_were_typed() {
        // The rule the read model used on strings, kept as the oracle.
        for kind in EventKind::ALL {
            let k = kind.id();
            let expected = match k {
                "reported" => Topic::Report,
                "taken_into_triage" | "phase_advanced" | "closed" | "reopened" => Topic::Progress,
                "task_updated" | "task_waived" | "task_assigned" | "task_opened" => Topic::Task,
                "comment" => Topic::Comment,
                "engagement_granted" | "engagement_revoked" | "investigation_report_submitted" => {
                    Topic::Engagement
                }
                k if k.starts_with("containment_") => Topic::Measure,
                k if k.starts_with("evidence_") || k == "custody_recorded" => Topic::Evidence,
                "observables_added"
                | "observable_edited"
                | "observable_removed"
                | "observable_shared"
                | "observable_unshared" => Topic::Observable,
                _ => Topic::Handling,
            };
            assert_eq!(kind.topic(), expected, "{k}");
        }
    }
}
