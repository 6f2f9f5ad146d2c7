//! The built-in model, and one broken file per kind of mistake: each must be
//! reported with the right file, line and key.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::{PHASE_IDS, ROLE_IDS};

/// A fresh playbook directory holding the built-in files, with `file`'s text
/// replaced by `edit` of it. Removed again when dropped.
struct Playbooks {
    dir: PathBuf,
    /// The edited file's text, to find the expected line in.
    text: String,
}

impl Playbooks {
    fn with(file: &str, edit: impl Fn(&str) -> String) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "hikeshi-playbooks-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let mut text = String::new();
        for (name, contents) in builtin_files() {
            let contents = if *name == file {
                text = edit(contents);
                text.clone()
            } else {
                contents.to_string()
            };
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, contents).unwrap();
        }
        assert!(!text.is_empty(), "no built-in file named {file}");
        Playbooks { dir, text }
    }

    /// The 1-based line of the `nth` (from 0) line containing `needle`.
    fn line_of(&self, needle: &str, nth: usize) -> usize {
        self.text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .nth(nth)
            .unwrap_or_else(|| panic!("`{needle}` not found {} times", nth + 1))
            .0
            + 1
    }

    fn issues(&self) -> Vec<Issue> {
        match HandlingModel::load_dir(&self.dir) {
            Err(PlaybookError::Invalid(issues)) => issues,
            other => panic!("expected PlaybookError::Invalid, got {other:?}"),
        }
    }
}

impl Drop for Playbooks {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn issue(file: &str, line: usize, key: &str) -> (String, usize, String) {
    (file.to_string(), line, key.to_string())
}

fn where_(issues: &[Issue]) -> Vec<(String, usize, String)> {
    issues
        .iter()
        .map(|i| (i.file.clone(), i.line, i.key.clone()))
        .collect()
}

#[test]
fn builtin_model_has_seven_phases_in_order_and_six_roles() {
    let model = HandlingModel::builtin();
    let phases: Vec<(&str, u8)> = model
        .phases
        .iter()
        .map(|p| (p.id.as_str(), p.order))
        .collect();
    assert_eq!(
        phases,
        vec![
            ("A", 1),
            ("B", 2),
            ("C", 3),
            ("D", 4),
            ("E", 5),
            ("F", 6),
            ("G", 7)
        ]
    );
    let roles: Vec<&str> = model.roles.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(roles, ROLE_IDS.to_vec());
    assert_eq!(
        model.phase("C").unwrap().name.ja,
        "被害拡大の防止や抑制のための初動対処"
    );
    assert_eq!(model.phase("G").unwrap().name.en, "Recurrence prevention");
    assert_eq!(
        model.role("security_officer").unwrap().name.ja,
        "情報セキュリティ責任者"
    );
    assert!(model.phase("H").is_none());
    let external: Vec<&str> = model
        .roles
        .iter()
        .filter(|r| r.external)
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(external, ["external_specialist", "isp"]);
    assert_eq!(model.content_hash.len(), 64);
    assert!(model.content_hash.bytes().all(|b| b.is_ascii_hexdigit()));
}

#[test]
fn builtin_japanese_names_match_the_source_wording() {
    let model = HandlingModel::builtin();
    let names: Vec<&str> = PHASE_IDS
        .iter()
        .map(|id| model.phase(id).unwrap().name.ja.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "事象の発見・通報",
            "初動対処の可否判断と情報伝達",
            "被害拡大の防止や抑制のための初動対処",
            "原因推定のための簡易的調査",
            "本格調査",
            "技術的調査結果と運用的調査結果の関係性分析",
            "再発防止策の立案",
        ]
    );
    // The seed PDFs' text uses Kangxi radicals (⽂, ⾒) that look like the
    // ordinary kanji but do not match in search; keep them out.
    for (name, text) in builtin_files() {
        let odd = text.chars().find(|c| ('\u{2F00}'..='\u{2FDF}').contains(c));
        assert_eq!(odd, None, "{name} contains a Kangxi radical");
    }
}

#[test]
fn written_out_builtin_files_load_to_the_same_model_and_hash() {
    let copy = Playbooks::with("roles.toml", str::to_string);
    assert_eq!(
        HandlingModel::load_dir(&copy.dir).unwrap(),
        HandlingModel::builtin()
    );
}

#[test]
fn any_edit_changes_the_content_hash() {
    let edited = Playbooks::with("phases.toml", |t| format!("{t}\n# local note\n"));
    let model = HandlingModel::load_dir(&edited.dir).unwrap();
    assert_ne!(model.content_hash, HandlingModel::builtin().content_hash);
}

#[test]
fn phases_listed_out_of_order_are_returned_in_order() {
    let pb = Playbooks::with("phases.toml", |t| {
        let (head, rest) = t.split_once("\n[[phase]]\n").unwrap();
        let tables: Vec<String> = rest
            .rsplit("\n[[phase]]\n")
            .map(|table| format!("\n[[phase]]\n{}\n", table.trim()))
            .collect();
        format!("{head}{}", tables.concat())
    });
    assert!(pb.line_of("id = \"G\"", 0) < pb.line_of("id = \"A\"", 0));
    let model = HandlingModel::load_dir(&pb.dir).unwrap();
    let ids: Vec<&str> = model.phases.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, PHASE_IDS.to_vec());
}

#[test]
fn unknown_phase_id_names_its_line_and_the_missing_phase() {
    let pb = Playbooks::with("phases.toml", |t| t.replace("id = \"D\"", "id = \"H\""));
    let issues = pb.issues();
    let last = pb.text.trim_end().lines().count();
    assert_eq!(
        where_(&issues),
        [
            issue("phases.toml", pb.line_of("id = \"H\"", 0), "phase[3].id"),
            issue("phases.toml", last, "phase"),
        ]
    );
    assert!(
        issues[0].message.contains("unknown phase id `H`"),
        "{}",
        issues[0]
    );
    assert!(
        issues[1].message.contains("missing phase `D`"),
        "{}",
        issues[1]
    );
}

#[test]
fn duplicate_role_id_points_at_the_second_use() {
    let pb = Playbooks::with("roles.toml", |t| {
        t.replace("id = \"isp\"", "id = \"reporter\"")
    });
    let issues = pb.issues();
    let first = pb.line_of("id = \"reporter\"", 0);
    let second = pb.line_of("id = \"reporter\"", 1);
    assert_eq!(
        where_(&issues),
        [
            issue("roles.toml", second, "role[5].id"),
            issue("roles.toml", pb.text.trim_end().lines().count(), "role"),
        ]
    );
    assert_eq!(
        issues[0].message,
        format!("duplicate role id `reporter`; already used on line {first}")
    );
    assert!(issues[1].message.starts_with("missing role `isp`"));
}

#[test]
fn missing_translations_are_all_reported() {
    let pb = Playbooks::with("roles.toml", |t| {
        let blanked = t
            .lines()
            .map(|l| {
                if l.starts_with("description.en = \"Staff in the IT department") {
                    "description.en = \"  \""
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        blanked.replace("name.ja = \"ISP事業者\"\n", "")
    });
    let issues = pb.issues();
    assert_eq!(
        where_(&issues),
        [
            issue(
                "roles.toml",
                pb.line_of("description.en = \"  \"", 0),
                "role[1].description.en"
            ),
            issue(
                "roles.toml",
                pb.line_of("name.en = \"ISP\"", 0),
                "role[5].name.ja"
            ),
        ]
    );
    assert_eq!(issues[1].message, "missing Japanese text");
    assert_eq!(issues[0].message, "empty English text");
    assert_eq!(
        PlaybookError::Invalid(issues.clone()).to_string(),
        format!("{}\n{}", issues[0], issues[1])
    );
    assert_eq!(
        issues[1].to_string(),
        format!(
            "roles.toml:{}: role[5].name.ja: missing Japanese text",
            issues[1].line
        )
    );
}

#[test]
fn wrong_order_is_reported_at_the_order_key() {
    let pb = Playbooks::with("phases.toml", |t| {
        t.replace("id = \"E\"\norder = 5", "id = \"E\"\norder = 6")
    });
    let issues = pb.issues();
    assert_eq!(
        where_(&issues),
        [issue(
            "phases.toml",
            pb.line_of("order = 6", 0),
            "phase[4].order"
        )]
    );
    assert_eq!(issues[0].message, "phase E must have order 5, not 6");
}

#[test]
fn syntax_error_names_the_line_and_key() {
    let pb = Playbooks::with("phases.toml", |t| {
        t.replace("name.en = \"Triage\"", "name.en = \"Triage")
    });
    let issues = pb.issues();
    assert_eq!(
        where_(&issues),
        [issue(
            "phases.toml",
            pb.line_of("name.en = \"Triage", 0),
            "phase[1].name.en"
        )]
    );
    assert!(
        issues[0].message.starts_with("TOML syntax error"),
        "{}",
        issues[0]
    );
}

#[test]
fn syntax_error_on_a_line_the_parser_cannot_read_names_the_written_key() {
    let pb = Playbooks::with("roles.toml", |t| {
        t.replace("name.en = \"ISP\"", "name.en \"ISP\"")
    });
    let issues = pb.issues();
    assert_eq!(
        where_(&issues),
        [issue(
            "roles.toml",
            pb.line_of("name.en \"ISP\"", 0),
            "role[5].name.en"
        )]
    );
}

#[test]
fn unknown_key_is_refused() {
    let pb = Playbooks::with("roles.toml", |t| {
        t.replace(
            "name.en = \"Business-unit LAN admin\"",
            "name.eng = \"Business-unit LAN admin\"",
        )
    });
    let issues = pb.issues();
    assert_eq!(
        where_(&issues),
        [issue(
            "roles.toml",
            pb.line_of("name.eng", 0),
            "role[2].name.eng"
        )]
    );
    assert!(
        issues[0].message.contains("unknown field `eng`"),
        "{}",
        issues[0]
    );
}

#[test]
fn missing_role_is_reported_against_the_file() {
    let pb = Playbooks::with("roles.toml", |t| {
        let start = t.find("[[role]]\nid = \"bu_lan_admin\"").unwrap();
        let end =
            start + t[start..].find("external = false\n").unwrap() + "external = false\n".len();
        format!("{}{}", &t[..start], &t[end..])
    });
    let issues = pb.issues();
    assert_eq!(
        where_(&issues),
        [issue(
            "roles.toml",
            pb.text.trim_end().lines().count(),
            "role"
        )]
    );
    assert!(
        issues[0].message.starts_with("missing role `bu_lan_admin`"),
        "{}",
        issues[0]
    );
}

#[test]
fn issues_from_both_files_are_collected_in_file_order() {
    let pb = Playbooks::with("roles.toml", |t| {
        t.replace("external = true", "external = false")
    });
    std::fs::write(
        pb.dir.join("phases.toml"),
        builtin_files()
            .iter()
            .find(|(n, _)| *n == "phases.toml")
            .unwrap()
            .1
            .replace("order = 7", "order = 8"),
    )
    .unwrap();
    let issues = pb.issues();
    let keys: Vec<&str> = issues.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(
        keys,
        ["phase[6].order", "role[4].external", "role[5].external"]
    );
}

#[test]
fn missing_file_and_missing_directory_name_the_path() {
    let pb = Playbooks::with("roles.toml", str::to_string);
    std::fs::remove_file(pb.dir.join("roles.toml")).unwrap();
    match HandlingModel::load_dir(&pb.dir) {
        Err(PlaybookError::MissingFile { path }) => assert_eq!(path, pb.dir.join("roles.toml")),
        other => panic!("expected MissingFile, got {other:?}"),
    }
    let nowhere = pb.dir.join("no-such-dir");
    let err = HandlingModel::load_dir(&nowhere).unwrap_err();
    assert!(matches!(&err, PlaybookError::Directory { path, .. } if *path == nowhere));
    assert!(err.to_string().contains("no-such-dir"), "{err}");
}

// ---- the action matrix, kind playbooks and severities ----------------------

#[test]
fn the_builtin_matrix_has_required_outputs_in_every_phase_and_kind_tasks() {
    let m = HandlingModel::builtin();
    for p in crate::PHASE_IDS {
        assert!(!m.required_actions("other", p).is_empty(), "phase {p}");
    }
    assert_eq!(m.kinds.len(), 6);
    // Seed 000: phase D is for events confirmed directly *and* indirectly.
    assert!(
        m.phase("D")
            .unwrap()
            .purpose
            .ja
            .contains("直接的及び間接的")
    );
    // Seed 003: IPA receives the mail as received and anonymises it itself
    // when it shares it among the J-CSIP members.
    let report = m.action("k.te.report_national").unwrap();
    assert!(
        report.description.ja.contains("IPA が匿名化"),
        "{}",
        report.description.ja
    );
    assert!(report.description.en.contains("JPCERT/CC"));
    assert!(!report.description.ja.starts_with("匿名化したうえで"));
    // 不正アクセス (seed 001, seed 003) has a playbook of its own.
    let ua = m.tasks_for_kind("unauthorised_access");
    assert!(ua.iter().any(|a| a.id == "k.ua.lock_accounts"));
    assert!(ua.iter().any(|a| a.id == "k.ua.report_ipa"));
    assert_eq!(
        m.severities
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>(),
        crate::SEVERITY_IDS
    );
    let te = m.tasks_for_kind("targeted_email");
    assert!(te.iter().any(|a| a.id == "k.te.other_recipients"));
    assert!(
        !te.iter().any(|a| a.id.starts_with("k.mw.")),
        "other kinds' tasks stay out"
    );
    let phases: Vec<&str> = te.iter().map(|a| a.phase.as_str()).collect();
    let mut sorted = phases.clone();
    sorted.sort();
    assert_eq!(phases, sorted, "sorted by phase");
    assert!(m.tasks_for_kind("other").iter().all(|a| a.kind.is_none()));
}

#[test]
fn unknown_role_in_an_action_is_named() {
    let pb = Playbooks::with("actions.toml", |t| {
        t.replacen("role = \"bu_lan_admin\"", "role = \"intern\"", 1)
    });
    let issues = pb.issues();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].file, "actions.toml");
    assert_eq!(issues[0].line, pb.line_of("role = \"intern\"", 0));
    assert!(issues[0].key.ends_with(".role"), "{}", issues[0]);
    assert!(issues[0].message.contains("unknown role `intern`"));
}

#[test]
fn duplicate_id_across_the_matrix_and_a_kind_file_is_named() {
    let pb = Playbooks::with("kinds/malware_infection.toml", |t| {
        t.replace(
            "id = \"k.mw.other_hosts\"",
            "id = \"d.quick_investigation\"",
        )
    });
    let issues = pb.issues();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].file, "kinds/malware_infection.toml");
    assert_eq!(
        issues[0].line,
        pb.line_of("id = \"d.quick_investigation\"", 0)
    );
    assert_eq!(issues[0].key, "task[3].id");
    assert!(
        issues[0].message.contains("already used in actions.toml"),
        "{}",
        issues[0]
    );
}

#[test]
fn missing_translation_in_a_list_item_is_named() {
    let pb = Playbooks::with("actions.toml", |t| {
        t.replacen(
            "outputs = [{ ja = \"確認済みの事象情報\", en = \"Confirmed facts of the event\" }]",
            "outputs = [{ ja = \"確認済みの事象情報\" }]",
            1,
        )
    });
    let issues = pb.issues();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].key, "action[1].outputs[0].en");
    assert_eq!(
        issues[0].line,
        pb.line_of("outputs = [{ ja = \"確認済みの事象情報\" }]", 0)
    );
}

#[test]
fn unknown_dependency_and_dependency_on_a_later_phase_are_named() {
    let pb = Playbooks::with("actions.toml", |t| {
        t.replace(
            "depends_on = [\"a.report_event\"]",
            "depends_on = [\"a.nothing\"]",
        )
        .replace(
            "depends_on = [\"a.confirm_receipt\"]",
            "depends_on = [\"g.inform_users\"]",
        )
    });
    let issues = pb.issues();
    let got: Vec<(usize, &str)> = issues.iter().map(|i| (i.line, i.key.as_str())).collect();
    assert_eq!(
        got,
        [
            (
                pb.line_of("depends_on = [\"a.nothing\"]", 0),
                "action[1].depends_on[0]"
            ),
            (
                pb.line_of("depends_on = [\"g.inform_users\"]", 0),
                "action[3].depends_on[0]"
            ),
        ]
    );
    assert!(issues[0].message.contains("unknown action `a.nothing`"));
    assert!(issues[1].message.contains("phase G"), "{}", issues[1]);
}

#[test]
fn a_dependency_cycle_is_reported_with_its_path() {
    let pb = Playbooks::with("actions.toml", |t| {
        t.replace(
            "depends_on = [\"a.report_event\"]",
            "depends_on = [\"a.report_event\", \"b.assess_impact\"]",
        )
        .replace(
            "id = \"b.assess_impact\"\nphase = \"B\"",
            "id = \"b.assess_impact\"\nphase = \"A\"",
        )
    });
    let issues = pb.issues();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(
        issues[0].message.contains(
            "dependency cycle: a.confirm_receipt -> b.assess_impact -> a.confirm_receipt"
        ),
        "{}",
        issues[0]
    );
    assert_eq!(issues[0].line, pb.line_of("id = \"a.confirm_receipt\"", 0));
}

#[test]
fn a_kind_file_must_name_its_own_kind() {
    let pb = Playbooks::with("kinds/denial_of_service.toml", |t| {
        t.replace(
            "kind = \"denial_of_service\"",
            "kind = \"website_defacement\"",
        )
    });
    let issues = pb.issues();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(
        (issues[0].file.as_str(), issues[0].key.as_str()),
        ("kinds/denial_of_service.toml", "kind")
    );
    assert_eq!(
        issues[0].line,
        pb.line_of("kind = \"website_defacement\"", 0)
    );
}

#[test]
fn severity_targets_must_make_sense() {
    let pb = Playbooks::with("severity.toml", |t| {
        t.replacen(
            "first_response_minutes = 240",
            "first_response_minutes = 10",
            1,
        )
        .replacen("triage_minutes = 480", "triage_minutes = 0", 1)
    });
    let issues = pb.issues();
    let got: Vec<&str> = issues.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(
        got,
        ["level[0].first_response_minutes", "level[2].triage_minutes"]
    );
    assert_eq!(issues[0].line, pb.line_of("first_response_minutes = 10", 0));
}

// ---- the containment catalogue ---------------------------------------------

#[test]
fn the_builtin_catalogue_has_every_measure_of_the_seed() {
    let m = HandlingModel::builtin();
    let ids: Vec<&str> = m.measures.iter().map(|d| d.id.as_str()).collect();
    for id in [
        "account.alert",
        "account.change_credentials",
        "account.disable",
        "account.delete",
        "host.alert",
        "host.raise_detection",
        "host.quarantine_malware",
        "host.block_destination",
        "host.move_network",
        "host.block_ip",
        "host.unplug",
        "host.power_off",
        "segment.alert",
        "segment.raise_detection",
        "segment.dns_sinkhole_hosts",
        "segment.dns_block_domains",
        "segment.block_destination",
        "segment.block_between_segments",
        "segment.change_network",
        "segment.unplug",
        "service.stop_part",
        "service.stop_all",
    ] {
        assert!(ids.contains(&id), "missing {id}");
    }
    // By target, in the order of the targets.
    let targets: Vec<&str> = m.measures.iter().map(|d| d.target.as_str()).collect();
    let mut sorted = targets.clone();
    sorted.sort_by_key(|t| crate::CONTAINMENT_TARGETS.iter().position(|x| x == t));
    assert_eq!(targets, sorted);
    // The seed's examples of side effects hold in the data.
    let power_off = m.measure("host.power_off").unwrap();
    assert!(power_off.destroys_evidence() && power_off.impact.a < 0);
    assert!(!power_off.preserve_first.is_empty());
    let delete = m.measure("account.delete").unwrap();
    assert!(delete.destroys_evidence() && !delete.reversible);
    assert!(m.measure("segment.unplug").unwrap().impact.a <= -2);
    assert!(!m.measure("account.alert").unwrap().destroys_evidence());
}

#[test]
fn a_measure_with_an_unknown_target_or_executor_is_named() {
    let pb = Playbooks::with("containment.toml", |t| {
        t.replacen("target = \"host\"", "target = \"printer\"", 1)
            .replacen("executor = \"it_lan_admin\"", "executor = \"reporter\"", 1)
    });
    let issues = pb.issues();
    let keys: Vec<&str> = issues.iter().map(|i| i.key.as_str()).collect();
    assert!(keys.iter().any(|k| k.ends_with(".target")), "{issues:?}");
    assert!(keys.iter().any(|k| k.ends_with(".executor")), "{issues:?}");
    let target = issues.iter().find(|i| i.key.ends_with(".target")).unwrap();
    assert_eq!(target.line, pb.line_of("target = \"printer\"", 0));
    assert!(target.message.contains("unknown value `printer`"));
}

#[test]
fn impact_levels_and_evidence_rules_are_checked() {
    let pb = Playbooks::with("containment.toml", |t| {
        let t = t.replacen("impact = { c = ", "impact = { c = 7, x = ", 1);
        t.replacen("destroys_evidence = true", "destroys_evidence = false", 1)
    });
    let issues = pb.issues();
    assert!(!issues.is_empty());
    // An unknown key inside impact stops the file's shape check first.
    assert!(
        issues.iter().all(|i| i.file == "containment.toml"),
        "{issues:?}"
    );

    let pb = Playbooks::with("containment.toml", |t| {
        t.replacen("destroys_evidence = true", "destroys_evidence = false", 1)
    });
    let issues = pb.issues();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(issues[0].key.ends_with(".evidence_lost"), "{}", issues[0]);

    let pb = Playbooks::with("containment.toml", |t| t.replacen("c = 1", "c = 4", 1));
    let issues = pb.issues();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(issues[0].key.ends_with(".impact.c"), "{}", issues[0]);
    assert!(issues[0].message.contains("-3"));
}

#[test]
fn a_duplicate_measure_id_points_at_the_second_use() {
    let pb = Playbooks::with("containment.toml", |t| {
        t.replacen("id = \"account.disable\"", "id = \"account.alert\"", 1)
    });
    let issues = pb.issues();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(
        issues[0]
            .message
            .contains("duplicate measure id `account.alert`")
    );
    assert_eq!(issues[0].line, pb.line_of("id = \"account.alert\"", 1));
}

// ---- the log-source catalogue ------------------------------------------------

#[test]
fn the_builtin_log_sources_are_the_six_of_the_source_with_their_retention() {
    use crate::Retention;
    let m = HandlingModel::builtin();
    let ids: Vec<&str> = m.log_sources.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        ["mail", "firewall", "proxy", "dns", "directory", "endpoint"]
    );
    let proxy = m.log_source("proxy").unwrap();
    assert!(
        !proxy.default_on,
        "Squid does not log the User-Agent by default"
    );
    assert!(proxy.enable.en.contains("combined"));
    // Seed 001's table, both ends kept: DNS 1–2 years online, 2 years or
    // more offline; the mail server N/A.
    let range = |min, max| {
        Some(Retention {
            min_days: min,
            max_days: max,
        })
    };
    assert_eq!(proxy.retention_online, range(365, Some(365)));
    let dns = m.log_source("dns").unwrap();
    assert!(dns.enable.en.contains("queries"));
    assert_eq!(dns.retention_online, range(365, Some(730)));
    assert_eq!(dns.retention_offline, range(730, None));
    let mail = m.log_source("mail").unwrap();
    assert_eq!(
        (mail.retention_online, mail.retention_offline),
        (None, None)
    );
    let firewall = m.log_source("firewall").unwrap();
    assert_eq!(firewall.retention_online, range(180, Some(365)));
    assert!(
        !firewall.default_on,
        "the destination zone is not logged by default"
    );
    // Proxy and DNS see the callbacks after exploitation; AD events the C&C stage.
    assert!(proxy.stages.contains(&"foothold".to_string()));
    assert!(dns.stages.contains(&"foothold".to_string()));
    let directory = m.log_source("directory").unwrap();
    assert!(
        directory
            .stages
            .contains(&"command_and_control".to_string())
    );
    // The five audit subcategories of seed 001.
    for sub in [
        "ログオンの監査",
        "その他のログオン／ログオフイベントの監査",
        "特殊なログオンの監査",
        "資格情報の確認の監査",
        "Kerberos 認証サービスの監査",
    ] {
        assert!(directory.enable.ja.contains(sub), "{sub}");
    }
    // One entry per event id, with its criticality: 1102 is medium to high.
    let events: Vec<(u32, &str)> = directory
        .events
        .iter()
        .map(|e| (e.id, e.criticality.as_str()))
        .collect();
    assert_eq!(events.len(), 10);
    assert!(events.contains(&(1102, "medium_high")));
    assert!(
        events
            .iter()
            .filter(|(id, _)| *id != 1102)
            .all(|(_, c)| *c == "high")
    );
    // The preservation window reaches back seed 001's average dwell time.
    assert_eq!(m.preservation_margin_days, 356);
}

#[test]
fn a_log_source_with_an_unknown_stage_or_bad_retention_is_named() {
    let pb = Playbooks::with("log_sources.toml", |t| {
        t.replacen(
            "stages = [\"delivery\", \"objective\"]",
            "stages = [\"delivery\", \"party\"]",
            1,
        )
        .replacen(
            "retention_online = { min_days = 180, max_days = 365 }",
            "retention_online = { min_days = 180, max_days = 90 }",
            1,
        )
        .replacen(
            "retention_offline = { min_days = 365 }",
            "retention_offline = 365",
            1,
        )
        .replacen(
            "criticality = \"medium_high\"",
            "criticality = \"severe\"",
            1,
        )
    });
    let issues = pb.issues();
    assert_eq!(issues.len(), 4, "{issues:?}");
    assert_eq!(issues[0].key, "source[0].stages[1]");
    assert!(issues[0].message.contains("unknown value `party`"));
    assert_eq!(issues[1].key, "source[1].retention_online");
    assert!(issues[1].message.contains("max_days"));
    assert_eq!(
        issues[1].line,
        pb.line_of("retention_online = { min_days = 180, max_days = 90 }", 0)
    );
    assert_eq!(issues[2].key, "source[1].retention_offline");
    assert!(issues[2].message.contains("n/a"));
    assert_eq!(issues[3].key, "source[4].events[9].criticality");
    assert!(issues[3].message.contains("unknown value `severe`"));
}

#[test]
fn the_builtin_prevention_checklist_cites_seed_003_000_and_004() {
    let m = HandlingModel::builtin();
    assert!(m.prevention.len() >= 25, "{}", m.prevention.len());
    for seed in ["rp.s003.", "rp.s000.", "rp.s004."] {
        assert!(
            m.prevention.iter().any(|p| p.id.starts_with(seed)),
            "{seed}"
        );
    }
    // Seed 003's exit measures (出口対策) are there as such.
    assert!(m.prevention.iter().filter(|p| p.layer == "exit").count() >= 6);
    assert!(m.prevention.iter().all(|p| !p.cite.trim().is_empty()));
    assert!(m.prevention.iter().any(|p| p.category == "operational"));
    // A measure for every kind is offered to every kind.
    for kind in crate::KIND_IDS {
        assert!(!m.prevention_for_kind(kind).is_empty(), "{kind}");
    }
}

#[test]
fn a_prevention_measure_with_an_unknown_layer_or_no_source_is_named() {
    let pb = Playbooks::with("prevention.toml", |t| {
        t.replacen("layer = \"exit\"", "layer = \"outside\"", 1)
            .replacen("cite = ", "# cite = ", 1)
    });
    let issues = pb.issues();
    let keys: Vec<&str> = issues.iter().map(|i| i.key.as_str()).collect();
    assert!(keys.iter().any(|k| k.ends_with(".cite")), "{keys:?}");
    let layer = issues
        .iter()
        .find(|i| i.key.ends_with(".layer"))
        .expect("layer");
    assert!(layer.message.contains("unknown layer `outside`"));
    assert_eq!(layer.line, pb.line_of("layer = \"outside\"", 0));
}

#[test]
fn the_attack_models_are_seed_000s_six_and_two_alternatives() {
    let m = HandlingModel::builtin();
    let ids: Vec<&str> = m.attack_models.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["seed000", "kill_chain", "seed004"]);
    let recorded: Vec<&str> = m.attack_models[0]
        .stages
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(recorded, crate::ATTACK_STAGE_IDS);
    assert_eq!(m.attack_models[1].stages.len(), 7);
    assert_eq!(m.attack_models[2].stages.len(), 5);
    // Weaponisation happens out of the defender's sight.
    let chain = &m.attack_models[1];
    assert!(
        chain
            .reached(&crate::ATTACK_STAGE_IDS)
            .iter()
            .all(|s| s.id != "weaponization")
    );
    let reached: Vec<&str> = chain
        .reached(&["foothold"])
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(reached, ["exploitation", "installation"]);
}

#[test]
fn an_alternative_stage_must_say_what_it_covers() {
    let pb = Playbooks::with("attack_models.toml", |t| {
        t.replacen("covers = [\"delivery\"]", "covers = [\"landing\"]", 1)
            .replacen("covers = []\n", "\n", 1)
    });
    let issues = pb.issues();
    let keys: Vec<&str> = issues.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(
        keys,
        ["model[1].stage[1].covers", "model[1].stage[2].covers[0]"],
        "{issues:?}"
    );
}

#[test]
fn log_importance_is_seed_001s_table_by_attacker_type() {
    let m = HandlingModel::builtin();
    let imp = |id: &str| {
        let s = m.log_source(id).unwrap();
        (
            s.importance.apt.as_str(),
            s.importance.crime.as_str(),
            s.importance.hacktivism.as_str(),
        )
    };
    assert_eq!(imp("dns"), ("very_high", "high", "medium"));
    assert_eq!(imp("proxy"), ("very_high", "very_high", "medium"));
    assert_eq!(imp("mail"), ("high", "high", "medium"));
    assert_eq!(imp("firewall"), ("medium", "medium", "medium"));
    assert_eq!(imp("directory"), ("medium", "medium", "medium"));
    assert_eq!(imp("endpoint"), ("low", "low", "very_low"));
    let pb = Playbooks::with("log_sources.toml", |t| {
        t.replacen("crime = \"high\"", "crime = \"huge\"", 1)
    });
    let issues = pb.issues();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].key, "source[0].importance.crime");
}

#[test]
fn every_action_names_its_skills() {
    let m = HandlingModel::builtin();
    assert!(m.actions.iter().all(|a| !a.skills.is_empty()));
    let pb = Playbooks::with("actions.toml", |t| {
        let first = t.find("skills = [").unwrap();
        // The list may span lines; it ends at the first `]` closing a line.
        let end = first + t[first..].find("]\n").unwrap() + 1;
        format!("{}skills = []{}", &t[..first], &t[end..])
    });
    let issues = pb.issues();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].key, "action[0].skills");
}

#[test]
fn every_detector_cites_its_rule_and_names_known_parameters() {
    let m = HandlingModel::builtin();
    assert_eq!(m.detectors.len(), 16);
    for d in &m.detectors {
        assert!(d.cite.contains("seed 001"), "{}", d.id);
        assert!(m.log_source(&d.source).is_some(), "{}", d.id);
    }
    let beacon = m.detector("proxy.beaconing").unwrap();
    assert_eq!(beacon.name.ja, "定期的な HTTP 通信");
    assert!(beacon.parameters.contains(&"beacon_max_jitter".to_string()));
    let jitter = m.thresholds.iter().find(|t| t.id == "beacon_max_jitter");
    assert_eq!(jitter.map(|t| t.value.as_str()), Some("0.1"));

    let pb = Playbooks::with("detectors.toml", |t| {
        t.replacen("source = \"proxy\"", "source = \"squid\"", 1)
            .replacen("\"beacon_max_jitter\",", "\"jitter\",", 1)
            .replacen("value = 0.1", "value = -1", 1)
            .replacen("id = \"dns.indicator\"", "id = \"proxy.indicator\"", 1)
    });
    let keys: Vec<String> = pb.issues().iter().map(|i| i.key.clone()).collect();
    assert_eq!(
        keys,
        [
            "detector[5].source",
            "detector[8].parameters[1]",
            "detector[11].id",
            "threshold[1].value"
        ],
        "{:?}",
        pb.issues()
    );
}
