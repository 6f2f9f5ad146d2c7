//! The handling phases A–G (インシデントハンドリングフェーズ).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Phase {
    /// 事象の発見・通報 — discovery and report.
    A,
    /// 初動対処の可否判断と情報伝達 — triage.
    B,
    /// 被害拡大の防止や抑制のための初動対処 — first response.
    C,
    /// 原因推定のための簡易的調査 — quick investigation.
    D,
    /// 本格調査 — full investigation.
    E,
    /// 技術的調査結果と運用的調査結果の関係性分析 — correlation of findings.
    F,
    /// 再発防止策の立案 — recurrence prevention.
    G,
}

impl Phase {
    pub const ALL: [Phase; 7] = [
        Phase::A,
        Phase::B,
        Phase::C,
        Phase::D,
        Phase::E,
        Phase::F,
        Phase::G,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Phase::A => "A",
            Phase::B => "B",
            Phase::C => "C",
            Phase::D => "D",
            Phase::E => "E",
            Phase::F => "F",
            Phase::G => "G",
        }
    }

    pub fn from_id(id: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_ids_match_the_playbook_ids() {
        let ours: Vec<&str> = Phase::ALL.into_iter().map(Phase::id).collect();
        assert_eq!(ours, playbooks::PHASE_IDS.to_vec());
        assert_eq!(Phase::from_id("H"), None);
    }
}
