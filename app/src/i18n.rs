//! Japanese and English text. The language of a page is decided on the server
//! (a `hikeshi_lang` cookie, else the browser's Accept-Language) and written to
//! `<html lang>`, where the browser reads it back when it hydrates, so both
//! sides render the same words.

use serde::{Deserialize, Serialize};

use crate::domain::ErrorCode;
use crate::domain::incident::{Discovery, IncidentKind};
use crate::domain::workflow::Refusal;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    Ja,
    #[default]
    En,
}

pub const LANG_COOKIE: &str = "hikeshi_lang";

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The preferred of Japanese and English in an Accept-Language header,
    /// honouring q-values; English when neither is asked for.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|v| v.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let lang = match tag.split('-').next() {
                Some("ja") => Lang::Ja,
                Some("en") => Lang::En,
                _ => continue,
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    /// Picks the text for this language.
    pub fn pick<'a>(self, en: &'a str, ja: &'a str) -> &'a str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}

/// A UI string by key. Unknown keys come back as the key itself, which the
/// `every_key_used_in_the_ui_has_both_languages` test catches.
pub fn t(lang: Lang, key: &str) -> &'static str {
    match lookup(key) {
        Some((en, ja)) => lang.pick(en, ja),
        None => "??",
    }
}

fn lookup(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "app.name" => ("Hikeshi", "火消し"),
        "app.tagline" => (
            "Incident handling for CSIRTs",
            "CSIRTのためのインシデントハンドリング",
        ),
        "nav.incidents" => ("Incidents", "インシデント"),
        "nav.report" => ("Report an event", "事象を通報"),
        "nav.users" => ("Users", "ユーザー"),
        "nav.account" => ("My account", "アカウント"),
        "nav.signout" => ("Sign out", "サインアウト"),
        "nav.language" => ("日本語", "English"),
        "login.title" => ("Sign in", "サインイン"),
        "login.username" => ("Username", "ユーザー名"),
        "login.password" => ("Password", "パスワード"),
        "login.submit" => ("Sign in", "サインイン"),
        "report.title" => ("Report an event", "事象の通報"),
        "report.intro" => (
            "Phase A — discovery and report. Tell the security team what you noticed; they triage it next.",
            "フェーズA（事象の発見・通報）。気づいた事象をセキュリティ担当に伝えてください。次にトリアージが行われます。",
        ),
        "report.f.title" => ("Title", "件名"),
        "report.f.observed" => ("What was observed", "確認した事象"),
        "report.f.noticed_at" => ("When it was noticed", "発見日時"),
        "report.f.location" => (
            "Where (host, account, segment or service)",
            "場所（ホスト、アカウント、セグメント、サービス）",
        ),
        "report.f.discovery" => ("How it was discovered", "発見の経緯"),
        "report.f.kind" => ("Kind of incident", "インシデントの種類"),
        "report.f.reporter_contact" => (
            "Your contact (mail, phone)",
            "通報者の連絡先（メール、電話）",
        ),
        "report.submit" => ("Submit report", "通報する"),
        "choose" => ("— choose —", "— 選択してください —"),
        "list.title" => ("Incidents", "インシデント一覧"),
        "list.empty" => ("No incidents match.", "該当するインシデントはありません。"),
        "list.filter" => ("Filter", "絞り込み"),
        "list.all" => ("All", "すべて"),
        "list.reporter" => ("Reporter (username)", "通報者（ユーザー名）"),
        "list.count" => ("incidents", "件"),
        "list.prev" => ("Previous", "前へ"),
        "list.next" => ("Next", "次へ"),
        "list.page" => ("Page", "ページ"),
        "col.id" => ("ID", "ID"),
        "col.title" => ("Title", "件名"),
        "col.phase" => ("Phase", "フェーズ"),
        "col.kind" => ("Kind", "種類"),
        "col.reporter" => ("Reporter", "通報者"),
        "col.reported" => ("Reported", "通報日時"),
        "incident.reported_by" => ("Reported by", "通報者"),
        "incident.contact" => ("Contact", "連絡先"),
        "incident.noticed" => ("Noticed", "発見日時"),
        "incident.location" => ("Where", "場所"),
        "incident.discovery" => ("Discovered by", "発見の経緯"),
        "incident.observed" => ("What was observed", "確認した事象"),
        "incident.phase" => ("Current phase", "現在のフェーズ"),
        "users.title" => ("Users", "ユーザー管理"),
        "users.create" => ("Create a user", "ユーザーを作成"),
        "users.f.username" => ("Username", "ユーザー名"),
        "users.f.display_name" => ("Display name", "表示名"),
        "users.f.email" => ("E-mail (optional)", "メールアドレス（任意）"),
        "users.f.password" => ("Initial password", "初期パスワード"),
        "users.f.roles" => ("Roles", "ロール"),
        "users.submit" => ("Create user", "作成する"),
        "users.created" => ("User created.", "ユーザーを作成しました。"),
        "users.active" => ("Active", "有効"),
        "users.inactive" => ("Deactivated", "無効"),
        "users.deactivate" => ("Deactivate", "無効にする"),
        "users.activate" => ("Reactivate", "有効にする"),
        "users.save_roles" => ("Save roles", "ロールを保存"),
        "users.reset" => ("Reset password", "パスワードを再設定"),
        "users.new_password" => ("New password", "新しいパスワード"),
        "users.saved" => ("Saved.", "保存しました。"),
        "users.status" => ("Status", "状態"),
        "account.title" => ("My account", "アカウント"),
        "account.change" => ("Change password", "パスワード変更"),
        "account.current" => ("Current password", "現在のパスワード"),
        "account.new" => ("New password", "新しいパスワード"),
        "account.confirm" => ("New password again", "新しいパスワード（確認）"),
        "account.changed" => ("Password changed.", "パスワードを変更しました。"),
        "account.roles" => ("Your roles", "あなたのロール"),
        "error.forbidden" => (
            "You are not allowed to do this.",
            "この操作は許可されていません。",
        ),
        "error.not_found" => ("Not found.", "見つかりません。"),
        "error.internal" => (
            "Something went wrong on the server. Try again.",
            "サーバーでエラーが発生しました。もう一度お試しください。",
        ),
        "error.unauthenticated" => ("Please sign in.", "サインインしてください。"),
        "error.malformed" => (
            "The request could not be read. Reload the page and try again.",
            "リクエストを読み取れませんでした。ページを再読み込みしてやり直してください。",
        ),
        "error.form" => (
            "Please correct the marked fields.",
            "エラーのある項目を修正してください。",
        ),
        "error.busy" => (
            "The server is busy. Try again in a moment.",
            "サーバーが混み合っています。少し待ってから再度お試しください。",
        ),
        "col.severity" => ("Severity", "深刻度"),
        "col.tlp" => ("TLP", "TLP"),
        "list.overdue" => ("Overdue only", "期限超過のみ"),
        "list.mine" => ("Assigned to me", "自分の担当"),
        "badge.overdue" => ("Overdue", "期限超過"),
        "badge.closed" => ("Closed", "クローズ"),
        "badge.required" => ("Required", "必須"),
        "badge.kind" => ("Kind-specific", "種類別"),
        "nav.tasks" => ("My tasks", "自分のタスク"),
        "tasks.title" => ("My tasks", "自分のタスク"),
        "tasks.empty" => (
            "Nothing to do right now.",
            "現在対応が必要なタスクはありません。",
        ),
        "tasks.assigned" => ("assigned to you", "あなたに割り当て"),
        "ws.closed" => ("Closed", "クローズ済み"),
        "close.not_an_incident" => ("not an incident", "インシデントではない"),
        "close.resolved" => ("resolved", "対応完了"),
        "target.triage" => ("Triage due", "トリアージ期限"),
        "target.first_response" => ("First response due", "初動対処期限"),
        "ws.to_leave" => (
            "Still needed to leave this phase",
            "このフェーズを終えるために必要なこと",
        ),
        "ws.outputs_done" => (
            "All required tasks of this phase are done or waived.",
            "このフェーズの必須タスクはすべて完了または免除されています。",
        ),
        "ws.no_commands" => (
            "No phase action is open to you here.",
            "あなたが実行できるフェーズ操作はありません。",
        ),
        "cmd.take_into_triage" => ("Take into triage", "トリアージを開始"),
        "cmd.decide" => ("First-response decision", "初動対処の可否判断"),
        "cmd.advance" => ("Complete phase and advance", "フェーズを完了して次へ"),
        "cmd.close" => ("Close incident", "インシデントをクローズ"),
        "cmd.reopen" => ("Reopen", "再オープン"),
        "ws.reason" => ("Reason", "理由"),
        "ws.decision" => ("Decision", "判断"),
        "decision.respond_now" => ("Respond now", "直ちに対処する"),
        "decision.watch" => ("Watch", "経過を観察する"),
        "decision.not_an_incident" => ("Not an incident", "インシデントではない"),
        "ws.severity_definitions" => ("Severity definitions", "深刻度の定義"),
        "ws.record_decision" => ("Record decision", "判断を記録"),
        "ws.tasks" => ("Tasks of the current phase", "現在のフェーズのタスク"),
        "ws.all_tasks" => ("Tasks of the other phases", "他のフェーズのタスク"),
        "task.open" => ("Open", "未着手"),
        "task.in_progress" => ("In progress", "対応中"),
        "task.done" => ("Done", "完了"),
        "task.waived" => ("Waived", "免除"),
        "ws.outputs" => ("Outputs", "アウトプット"),
        "ws.waived_because" => ("Waived:", "免除理由:"),
        "ws.status" => ("Status", "状態"),
        "ws.note" => ("Note", "メモ"),
        "ws.save" => ("Save", "保存"),
        "ws.waive_reason" => ("Reason to waive", "免除の理由"),
        "ws.waive" => ("Waive", "免除"),
        "ws.report" => ("Report", "通報内容"),
        "ws.durations" => ("Time in each phase", "フェーズごとの所要時間"),
        "ws.playbook" => ("Playbook version", "プレイブックのバージョン"),
        "ws.classification" => ("Classification", "分類"),
        "ws.stage" => ("Attack stage", "攻撃段階"),
        "ws.route" => ("Attack route", "攻撃経路"),
        "stage.reconnaissance" => ("① Reconnaissance", "① 事前調査"),
        "stage.delivery" => ("② Initial intrusion (delivery)", "② 初期潜入"),
        "stage.foothold" => ("③ Foothold", "③ 攻撃基盤構築"),
        "stage.lateral_spread" => ("④ Lateral spread", "④ システム調査・侵害拡大"),
        "stage.command_and_control" => ("⑤ C2 communication", "⑤ C2通信"),
        "stage.objective" => ("⑥ Objective (exfiltration, destruction)", "⑥ 目的遂行"),
        "route.targeted_email" => ("Targeted e-mail", "標的型メール"),
        "route.drive_by_download" => ("Drive-by download", "ドライブバイダウンロード"),
        "route.tampered_software" => ("Tampered software", "改ざんされたソフトウェア"),
        "route.usb_memory" => ("USB memory", "USBメモリ"),
        "route.maintenance_device" => {
            ("Device brought in by maintenance", "保守業者の持ち込み機器")
        }
        "route.cloud_service" => ("Cloud service", "クラウドサービス"),
        "route.other" => ("Other", "その他"),
        "ws.assets" => ("Affected assets", "影響を受けた資産"),
        "asset.host" => ("Host", "ホスト"),
        "asset.account" => ("Account", "アカウント"),
        "asset.segment" => ("Segment", "セグメント"),
        "asset.service" => ("Service", "サービス"),
        "ws.remove" => ("Remove", "削除"),
        "ws.asset_type" => ("Type", "種類"),
        "ws.identifier" => (
            "Host, account, segment or service",
            "ホスト・アカウント・セグメント・サービス",
        ),
        "ws.add_asset" => ("Add asset", "資産を追加"),
        "ws.assignment" => ("Assignment", "担当"),
        "ws.responder" => ("Responder", "対応担当者"),
        "ws.officer" => ("Security officer", "セキュリティ責任者"),
        "ws.prevention" => ("Recurrence prevention", "再発防止策"),
        "ws.prevention_technical" => ("Technical measures", "技術的な再発防止策"),
        "ws.prevention_operational" => ("Operational measures", "運用的な再発防止策"),
        "ws.timeline" => ("Timeline", "タイムライン"),
        "ws.comment" => ("Comment", "コメント"),
        "ws.post" => ("Post comment", "コメントを投稿"),
        "ws.audience" => ("For", "公開範囲"),
        "aud.internal" => ("Handling team only (internal)", "対応チームのみ（内部）"),
        "aud.reporter" => ("Also the reporter", "通報者にも公開"),
        "aud.parties" => (
            "Also the engaged outside parties",
            "参加中の外部組織にも公開",
        ),
        "ev.reported" => ("Reported", "通報"),
        "ev.taken_into_triage" => ("Taken into triage", "トリアージ開始"),
        "ev.first_response_decided" => ("First-response decision", "初動対処の可否判断"),
        "ev.phase_advanced" => ("Phase completed", "フェーズ完了"),
        "ev.closed" => ("Closed", "クローズ"),
        "ev.reopened" => ("Reopened", "再オープン"),
        "ev.task_updated" => ("Task updated", "タスク更新"),
        "ev.task_waived" => ("Task waived", "タスク免除"),
        "ev.classified" => ("Classification changed", "分類の変更"),
        "ev.asset_added" => ("Asset added", "資産の追加"),
        "ev.asset_removed" => ("Asset removed", "資産の削除"),
        "ev.assigned" => ("Assignment changed", "担当の変更"),
        "ev.prevention_recorded" => ("Recurrence prevention recorded", "再発防止策の記録"),
        "ev.comment" => ("Comment", "コメント"),
        "ev.task_assigned" => ("Task assigned", "タスクの割り当て"),
        "ws.take" => ("Take this task", "このタスクを担当する"),
        "ws.assignee" => ("Assigned to", "担当者"),
        "ws.about_task" => ("About a task (optional)", "対象のタスク（任意）"),
        "mail.title" => ("E-mail notifications", "メール通知"),
        "mail.saved" => ("Mail settings saved.", "メール設定を保存しました。"),
        "mail.email" => ("E-mail address", "メールアドレス"),
        "mail.language" => ("Language of mail", "メールの言語"),
        "mail.not_wanted" => (
            "Do not send me mail about",
            "次の通知はメールで受け取らない",
        ),
        "mail.save" => ("Save mail settings", "メール設定を保存"),
        "mail.admin_title" => ("Undelivered mail", "未送信のメール"),
        "mail.all_sent" => (
            "All mail has been delivered.",
            "すべてのメールが送信済みです。",
        ),
        "mail.to" => ("To", "宛先"),
        "mail.subject" => ("Subject", "件名"),
        "mail.attempts" => ("Attempts", "試行回数"),
        "mail.next" => ("Next attempt", "次回の試行"),
        "mail.error" => ("Last error", "最後のエラー"),
        "nav.mail" => ("Mail", "メール"),
        "mail.kind.new_report" => ("New reports awaiting triage", "トリアージ待ちの新しい通報"),
        "mail.kind.assigned" => (
            "Being assigned to an incident",
            "インシデントの担当への割り当て",
        ),
        "mail.kind.containment_proposed" => {
            ("Containment awaiting my approval", "承認待ちの暫定対処")
        }
        "mail.kind.containment_decided" => (
            "Decisions on my containment proposals",
            "自分の暫定対処の提案への判断",
        ),
        "nav.organisations" => ("Organisations", "外部組織"),
        "mail.kind.engagement_granted" => (
            "My organisation engaged on an incident",
            "所属組織のインシデントへの参加許可",
        ),
        "mail.kind.engagement_expiring" => (
            "Engagements about to expire",
            "期限が近い外部組織のアクセス",
        ),
        "mail.kind.checklist_deadline" => (
            "Logs about to rotate away (checklist deadlines)",
            "ログの保存期限が近い証拠保全項目",
        ),
        "mail.kind.target_breached" => ("Time targets missed", "目標時間の超過"),
        "ext.orgs_title" => ("External organisations", "外部組織"),
        "ext.orgs_intro" => (
            "Forensics vendors work under contract, ISPs under their terms of service. Their users see only the incidents an officer engages them on, and only what the engagement covers.",
            "外部専門組織は契約に基づき、ISPは約款に基づいて対応します。その利用者は、情報セキュリティ責任者が参加を許可したインシデントの、許可された範囲だけを閲覧できます。",
        ),
        "ext.no_orgs" => (
            "No organisations recorded yet.",
            "外部組織はまだ登録されていません。",
        ),
        "ext.name" => ("Name", "名称"),
        "ext.name_ja" => ("Name (Japanese)", "名称（日本語）"),
        "ext.name_en" => ("Name (English)", "名称（英語）"),
        "ext.kind" => ("Kind", "種別"),
        "ext.contract_ref" => ("Contract or terms of service", "契約番号・約款"),
        "ext.contact" => ("Contact", "連絡先"),
        "ext.members" => ("Users", "利用者"),
        "ext.add_org" => ("Record organisation", "外部組織を登録"),
        "ext.org_created" => ("Organisation recorded.", "外部組織を登録しました。"),
        "ext.organisation" => ("Organisation", "所属組織"),
        "ext.no_organisation" => ("— none (internal) —", "— なし（社内） —"),
        "ext.set_organisation" => ("Set organisation", "所属組織を設定"),
        "ext.title" => ("External parties", "外部組織"),
        "ext.none" => (
            "No organisation is engaged on this incident.",
            "このインシデントに参加している外部組織はありません。",
        ),
        "ext.engage" => ("Engage an organisation", "外部組織に参加を許可"),
        "ext.phases" => ("Phases", "フェーズ"),
        "ext.evidence" => ("Evidence items", "証拠"),
        "ext.all_evidence" => ("All evidence", "すべての証拠"),
        "ext.containment" => ("Containment", "暫定対処"),
        "ext.timeline" => ("Timeline", "タイムライン"),
        "ext.see_evidence" => (
            "May see, download and upload evidence",
            "証拠の閲覧・ダウンロード・アップロードを許可",
        ),
        "ext.evidence_items" => (
            "Only these items (none ticked: all)",
            "対象の証拠（未選択ならすべて）",
        ),
        "ext.see_containment" => ("May see the containment measures", "暫定対処の閲覧を許可"),
        "ext.see_timeline" => (
            "May see the timeline and comment",
            "タイムラインの閲覧とコメントを許可",
        ),
        "ext.starts_at" => ("Starts (empty: now)", "開始日時（空欄なら今から）"),
        "ext.expires_at" => ("Expires", "有効期限"),
        "ext.granted_by" => ("granted by", "許可者"),
        "ext.revoked_by" => ("Revoked by", "取消者"),
        "ext.revoke" => ("Revoke now", "今すぐ取り消す"),
        "ext.reports" => (
            "Full-investigation reports (input to phase F)",
            "本格調査報告書（フェーズFの入力）",
        ),
        "ext.no_reports" => (
            "No report submitted yet.",
            "報告書はまだ提出されていません。",
        ),
        "ext.your_engagement" => ("Your engagement", "あなたの組織の参加範囲"),
        "ext.until" => ("Access until", "アクセス期限"),
        "ext.report_title" => ("Full-investigation report", "本格調査報告書"),
        "ext.report_intro" => (
            "The four parts of seed 000 §3.3. The security team correlates them with the operational findings in phase F. You can revise the report until the incident is closed.",
            "本格調査の4項目です。セキュリティチームがフェーズFで運用的調査結果と突き合わせます。インシデントのクローズまで修正できます。",
        ),
        "ext.report_saved" => ("Report submitted.", "報告書を提出しました。"),
        "ext.submit_report" => ("Submit report", "報告書を提出"),
        "rp.intrusion_path" => ("Intrusion path", "侵入経路"),
        "rp.spread" => ("Spread: from where to where", "拡散元・拡散先"),
        "rp.exfiltration" => ("Exfiltration path and data taken", "情報流出経路・流出情報"),
        "rp.recovery" => ("What recovery needs", "復旧に必要な情報"),
        "ev.engagement_granted" => ("Organisation engaged", "外部組織の参加を許可"),
        "ev.engagement_revoked" => ("Engagement revoked", "外部組織の参加を取消"),
        "ev.investigation_report_submitted" => {
            ("Investigation report submitted", "本格調査報告書の提出")
        }
        "ok.forensics_vendor" => ("Forensics vendor", "外部専門組織"),
        "ok.isp" => ("ISP", "ISP事業者"),
        "es.pending" => ("Not started", "開始前"),
        "es.active" => ("Active", "有効"),
        "es.expired" => ("Expired", "期限切れ"),
        "es.revoked" => ("Revoked", "取消済み"),
        "evd.title" => ("Evidence", "証拠"),
        "evd.alarm" => (
            "ALARM: a stored evidence file no longer matches its recorded SHA-256. See the registry below.",
            "警告：保管中の証拠ファイルが記録済みのSHA-256と一致しません。下の一覧を確認してください。",
        ),
        "evd.checklist" => ("Preservation checklist", "証拠保全チェックリスト"),
        "evd.checklist_empty" => (
            "No checklist yet: it is generated when the incident is taken into triage, from its kind, its assets and the log sources the organisation declared.",
            "チェックリストはまだありません。トリアージ開始時に、種別・資産・組織が登録したログソースから作成されます。",
        ),
        "evd.lost" => (
            "LOST: the oldest needed entries have rotated away",
            "消失：必要な最古の記録はすでにローテーションで失われています",
        ),
        "evd.near" => (
            "DUE SOON: secure it now",
            "期限間近：すぐに保全してください",
        ),
        "evd.window" => ("Window from", "対象期間の開始"),
        "evd.deadline" => ("Deadline", "期限"),
        "evd.days_kept" => ("days kept", "日間保存"),
        "evd.not_default" => ("Not recorded by default:", "既定では記録されません："),
        "evd.fulfilled_by" => ("Fulfilled by", "保全済み："),
        "evd.upload" => ("Upload evidence", "証拠をアップロード"),
        "evd.uploaded" => ("Evidence stored.", "証拠を保管しました。"),
        "evd.upload_failed" => (
            "The upload was refused: check the field",
            "アップロードできませんでした。次の項目を確認してください",
        ),
        "evd.registry" => ("Evidence registry", "証拠一覧"),
        "evd.custody_report" => ("Custody report", "保管記録（Chain of custody）"),
        "evd.bundle" => (
            "Evidence bundle (zip with SHA256SUMS)",
            "証拠一式（SHA256SUMS付きzip）",
        ),
        "evd.for_item" => ("Fulfils checklist item", "対応するチェックリスト項目"),
        "evd.kind" => ("What it is", "種類"),
        "evd.description" => ("Description", "説明"),
        "evd.source_host" => ("Source host", "取得元ホスト"),
        "evd.acquired_how" => ("How it was acquired", "取得方法"),
        "evd.acquired_by" => ("Acquired by", "取得者"),
        "evd.acquired_at" => ("When it was acquired", "取得日時"),
        "evd.file" => ("File", "ファイル"),
        "evd.acquired" => ("Acquired", "取得"),
        "evd.uploaded_by" => ("Uploaded by", "アップロード"),
        "evd.sample_warning" => (
            "Live malware sample: download deliberately",
            "実働するマルウェア検体：意図して取得してください",
        ),
        "evd.download_sample" => (
            "Download as zip (password: infected)",
            "zipで取得（パスワード: infected）",
        ),
        "evd.download" => ("Download", "ダウンロード"),
        "evd.verify" => ("Re-verify hash", "ハッシュを再検証"),
        "evd.record_custody" => ("Record custody", "保管記録を追加"),
        "evd.custody_kind" => ("Event", "記録の種類"),
        "evd.from" => ("From", "引き渡し元"),
        "evd.to" => ("To", "引き渡し先"),
        "ek.log" => ("Log", "ログ"),
        "ek.memory_dump" => ("Memory dump", "メモリダンプ"),
        "ek.disk_image" => ("Disk image", "ディスクイメージ"),
        "ek.mail_sample" => ("Mail sample", "メール検体"),
        "ek.screenshot" => ("Screenshot", "スクリーンショット"),
        "ek.malware_sample" => ("Malware sample", "マルウェア検体"),
        "ek.other" => ("Other", "その他"),
        "cu.acquired" => ("Acquired", "取得"),
        "cu.uploaded" => ("Uploaded", "アップロード"),
        "cu.transferred" => ("Transferred", "引き渡し"),
        "cu.downloaded" => ("Downloaded", "ダウンロード"),
        "cu.verified" => ("Hash verified", "ハッシュ検証"),
        "cu.returned" => ("Returned", "返却"),
        "cu.disposed" => ("Disposed", "廃棄"),
        "cs.open" => ("Open", "未保全"),
        "cs.fulfilled" => ("Preserved", "保全済み"),
        "cs.waived" => ("Waived", "免除"),
        "in.unverified" => ("Unverified", "未検証"),
        "in.intact" => ("Intact", "改ざんなし"),
        "in.mismatch" => ("MISMATCH", "不一致"),
        "in.disposed" => ("Disposed", "廃棄済み"),
        "nav.log_sources" => ("Log sources", "ログソース"),
        "ls.title" => ("The organisation's log sources", "組織のログソース"),
        "ls.intro" => (
            "Declare the systems that keep logs and how long they actually keep them. Preservation checklists and their deadlines are computed from these.",
            "ログを保存しているシステムと実際の保存期間を登録します。証拠保全チェックリストと期限はこれをもとに計算されます。",
        ),
        "ls.source" => ("Kind of source", "ログソースの種類"),
        "ls.system" => ("System", "システム"),
        "ls.retention" => ("Retention (days)", "保存期間（日）"),
        "ls.recommended" => ("Recommended", "推奨"),
        "ls.note" => ("Note", "メモ"),
        "ls.active" => ("Active", "有効"),
        "ls.add" => ("Declare a log source", "ログソースを登録"),
        "ls.save" => ("Save", "保存"),
        "ls.none" => (
            "No log source declared yet.",
            "ログソースはまだ登録されていません。",
        ),
        "ev.checklist_waived" => ("Checklist item waived", "チェックリスト項目の免除"),
        "ev.custody_recorded" => ("Custody recorded", "保管記録の追加"),
        "ev.evidence_verified" => ("Evidence hash verified", "証拠ハッシュの検証"),
        "ev.evidence_mismatch" => ("EVIDENCE HASH MISMATCH", "証拠ハッシュ不一致"),
        "ev.evidence_uploaded" => ("Evidence uploaded", "証拠のアップロード"),
        "ev.evidence_downloaded" => ("Evidence downloaded", "証拠のダウンロード"),
        "ct.title" => ("Containment", "暫定対処"),
        "ct.in_force" => ("In force now", "現在有効な対処"),
        "ct.none_in_force" => (
            "No containment measure is in force.",
            "有効な暫定対処はありません。",
        ),
        "ct.combined" => (
            "Combined effect of the measures in force",
            "有効な対処の影響（合計）",
        ),
        "ct.protects" => ("protects", "保護"),
        "ct.degrades" => ("degrades", "低下"),
        "ct.confidentiality" => ("Confidentiality", "機密性"),
        "ct.integrity" => ("Integrity", "完全性"),
        "ct.availability" => ("Availability", "可用性"),
        "ct.target" => ("Target", "対象"),
        "ct.measure" => ("Measure", "対処策"),
        "ct.since" => ("Since", "開始"),
        "ct.by" => ("By", "実施者"),
        "ct.measures" => ("Measures", "対処の一覧"),
        "ct.propose" => ("Propose a measure", "対処を提案する"),
        "ct.reason" => ("Reason", "理由"),
        "ct.expected_effect" => ("Expected effect", "期待する効果"),
        "ct.emergency" => (
            "Emergency: execute now and record the approval",
            "緊急：直ちに実施し、承認を記録する",
        ),
        "ct.justification" => (
            "Justification for executing before approval",
            "承認前に実施する理由",
        ),
        "ct.emergency_flag" => ("Emergency: executed before approval", "緊急：承認前に実施"),
        "ct.impact" => ("C/I/A impact", "C/I/Aへの影響"),
        "ct.side_effects" => ("Side effects", "副作用"),
        "ct.evidence_lost" => ("Evidence destroyed", "失われる証拠"),
        "ct.preserve_first" => ("Preserve first", "先に保全する証拠"),
        "ct.confirm_evidence" => (
            "I confirm the evidence listed has been preserved, or may be lost.",
            "記載の証拠を保全済み、または失われてもよいことを確認しました。",
        ),
        "ct.reversible" => ("Reversible", "元に戻せる"),
        "ct.irreversible" => ("Cannot be undone", "元に戻せない"),
        "ct.executor" => ("Normally executed by", "通常の実施者"),
        "ct.proposed" => ("Proposed", "提案"),
        "ct.decided" => ("Decided", "判断"),
        "ct.executed" => ("Executed", "実施"),
        "ct.verified" => ("Verified", "確認"),
        "ct.ended" => ("Ended", "終了"),
        "ct.effective" => ("It worked", "効果あり"),
        "ct.not_effective" => ("It did not work", "効果なし"),
        "ct.note" => ("Rationale / note", "根拠・メモ"),
        "ct.no_assets" => (
            "Add the affected assets first: measures act on them.",
            "先に影響を受けた資産を登録してください。対処は資産に対して行います。",
        ),
        "ct.choose" => ("Choose…", "選択してください"),
        "ct.pending_approval" => ("awaiting approval", "承認待ち"),
        "nav.notifications" => ("Notifications", "通知"),
        "nt.title" => ("Notifications", "通知"),
        "nt.none" => ("Nothing new.", "新しい通知はありません。"),
        "nt.mark_read" => ("Mark all as read", "すべて既読にする"),
        "nt.containment_proposed" => (
            "A containment measure awaits your approval",
            "暫定対処があなたの承認を待っています",
        ),
        "nt.containment_decided" => (
            "Your containment proposal was decided",
            "あなたの暫定対処の提案が判断されました",
        ),
        "ms.proposed" => ("Proposed", "提案中"),
        "ms.approved" => ("Approved", "承認済み"),
        "ms.rejected" => ("Rejected", "却下"),
        "ms.withdrawn" => ("Withdrawn", "取り下げ"),
        "ms.executed" => ("Executed", "実施済み"),
        "ms.verified" => ("Verified", "効果確認済み"),
        "ms.lifted" => ("Lifted", "解除済み"),
        "ms.permanent" => ("Made permanent", "恒久化"),
        "step.approve" => ("Approve", "承認"),
        "step.reject" => ("Reject", "却下"),
        "step.withdraw" => ("Withdraw", "取り下げ"),
        "step.emergency" => ("Execute now (emergency)", "緊急実施"),
        "step.execute" => ("Record execution", "実施を記録"),
        "step.verify" => ("Record verification", "効果を記録"),
        "step.lift" => ("Lift", "解除"),
        "step.make_permanent" => ("Make permanent", "恒久化"),
        "ev.containment_proposed" => ("Containment proposed", "暫定対処の提案"),
        "ev.containment_approve" => ("Containment approved", "暫定対処の承認"),
        "ev.containment_reject" => ("Containment rejected", "暫定対処の却下"),
        "ev.containment_withdraw" => ("Containment withdrawn", "暫定対処の取り下げ"),
        "ev.containment_emergency" => (
            "Containment executed on the emergency path",
            "暫定対処の緊急実施",
        ),
        "ev.containment_execute" => ("Containment executed", "暫定対処の実施"),
        "ev.containment_verify" => ("Containment verified", "暫定対処の効果確認"),
        "ev.containment_lift" => ("Containment lifted", "暫定対処の解除"),
        "ev.containment_make_permanent" => ("Containment made permanent", "暫定対処の恒久化"),
        _ => return None,
    })
}

/// What an engagement covers, in one line: on the incident page and in the
/// engagement mail.
pub fn scope_text(lang: Lang, s: &crate::domain::external::Scope) -> String {
    let mut parts = Vec::new();
    if !s.phases.is_empty() {
        let phases: Vec<&str> = s.phases.iter().map(|p| p.id()).collect();
        parts.push(format!("{} {}", t(lang, "ext.phases"), phases.join(", ")));
    }
    if s.evidence {
        parts.push(if s.evidence_items.is_empty() {
            t(lang, "ext.all_evidence").to_string()
        } else {
            format!("{} ({})", t(lang, "ext.evidence"), s.evidence_items.len())
        });
    }
    if s.containment {
        parts.push(t(lang, "ext.containment").into());
    }
    if s.timeline {
        parts.push(t(lang, "ext.timeline").into());
    }
    parts.join(" · ")
}

/// The message shown next to a field.
pub fn error_text(lang: Lang, code: &ErrorCode) -> String {
    match code {
        ErrorCode::Required => lang
            .pick("This field is required.", "必須項目です。")
            .into(),
        ErrorCode::TooLong(n) => match lang {
            Lang::En => format!("At most {n} characters."),
            Lang::Ja => format!("{n}文字以内で入力してください。"),
        },
        ErrorCode::TooShort(n) => match lang {
            Lang::En => format!("At least {n} characters."),
            Lang::Ja => format!("{n}文字以上で入力してください。"),
        },
        ErrorCode::InvalidChoice => lang
            .pick("Choose one of the options.", "選択肢から選んでください。")
            .into(),
        ErrorCode::InvalidDateTime => lang
            .pick("Enter a date and time.", "日時を入力してください。")
            .into(),
        ErrorCode::DateOutOfRange(from, to) => match lang {
            Lang::En => format!("Enter a date between {from} and {to}."),
            Lang::Ja => format!("{from}年から{to}年までの日時を入力してください。"),
        },
        ErrorCode::InvalidTimeZone => lang
            .pick(
                "The browser reported a time zone more than 14 hours from UTC; check the computer's clock and reload the page.",
                "ブラウザーのタイムゾーンがUTCから14時間以上ずれています。コンピューターの時計の設定を確認し、ページを再読み込みしてください。",
            )
            .into(),
        ErrorCode::InFuture => lang
            .pick(
                "This time is in the future.",
                "未来の日時は指定できません。",
            )
            .into(),
        ErrorCode::MustBeLater => lang
            .pick(
                "This time must be later: after the start and in the future.",
                "開始日時より後の、未来の日時を指定してください。",
            )
            .into(),
        ErrorCode::InvalidUsername => lang
            .pick(
                "2–64 characters: lower-case letters, digits, '.', '_', '-', '@'.",
                "2〜64文字の英小文字・数字・「.」「_」「-」「@」で入力してください。",
            )
            .into(),
        ErrorCode::InvalidEmail => lang
            .pick(
                "Enter a valid e-mail address.",
                "正しいメールアドレスを入力してください。",
            )
            .into(),
        ErrorCode::UsernameTaken => lang
            .pick(
                "This username is already taken.",
                "このユーザー名は既に使われています。",
            )
            .into(),
        ErrorCode::CannotDeactivateSelf => lang
            .pick(
                "You cannot deactivate your own account.",
                "自分のアカウントは無効にできません。",
            )
            .into(),
        ErrorCode::PasswordMismatch => lang
            .pick("The passwords do not match.", "パスワードが一致しません。")
            .into(),
        ErrorCode::WrongPassword => lang
            .pick(
                "The current password is wrong.",
                "現在のパスワードが違います。",
            )
            .into(),
        ErrorCode::InvalidCredentials => lang
            .pick(
                "Wrong username or password.",
                "ユーザー名またはパスワードが違います。",
            )
            .into(),
        ErrorCode::Refused(r) => refusal_text(lang, r),
        ErrorCode::Throttled(s) => match lang {
            Lang::En => format!("Too many failed sign-ins. Wait {s} seconds before trying again."),
            Lang::Ja => {
                format!("サインインの失敗が続いたため、{s}秒待ってから再度お試しください。")
            }
        },
    }
}

/// Why a workflow command cannot be applied (yet).
pub fn refusal_text(lang: Lang, r: &Refusal) -> String {
    match r {
        Refusal::Role => lang
            .pick(
                "Your roles do not allow this.",
                "あなたのロールではこの操作はできません。",
            )
            .into(),
        Refusal::NotNow => lang
            .pick(
                "This does not apply in the incident's current phase or status.",
                "現在のフェーズ・状態ではこの操作はできません。",
            )
            .into(),
        Refusal::OutputsMissing(n) => match lang {
            Lang::En => format!("{n} required task(s) of this phase are neither done nor waived."),
            Lang::Ja => format!("このフェーズの必須タスクが{n}件、完了も免除もされていません。"),
        },
        Refusal::ContainmentPending(n) => match lang {
            Lang::En => {
                format!("{n} approved containment measure(s) are neither executed nor withdrawn.")
            }
            Lang::Ja => format!("承認済みの暫定対処が{n}件、実施も取り下げもされていません。"),
        },
        Refusal::ContainmentActive(n) => match lang {
            Lang::En => format!(
                "{n} temporary containment measure(s) are still in force: lift them or make them permanent."
            ),
            Lang::Ja => format!(
                "暫定対処が{n}件まだ有効です。解除するか恒久対処にしてください。"
            ),
        },
        Refusal::OwnProposal => lang
            .pick(
                "No one decides on their own proposal.",
                "自分の提案を自分で承認・却下することはできません。",
            )
            .into(),
        Refusal::EvidenceNotConfirmed => lang
            .pick(
                "This measure destroys evidence: confirm that what must be preserved first has been preserved.",
                "この対処は証拠を失わせます。先に保全すべき証拠を保全したことを確認してください。",
            )
            .into(),
        Refusal::DecisionNeeded => lang
            .pick(
                "Triage ends with the decision to respond now.",
                "トリアージを終えるには「直ちに対処する」の判断が必要です。",
            )
            .into(),
        Refusal::PreventionMissing => lang
            .pick(
                "Record technical and operational recurrence-prevention measures first.",
                "先に技術的・運用的な再発防止策を記録してください。",
            )
            .into(),
        Refusal::ReasonRequired => lang
            .pick("A reason is required.", "理由を入力してください。")
            .into(),
    }
}

pub fn kind_label(lang: Lang, kind: IncidentKind) -> &'static str {
    match kind {
        IncidentKind::TargetedEmail => lang.pick("Targeted e-mail", "標的型メール"),
        IncidentKind::MalwareInfection => lang.pick("Malware infection", "マルウェア感染"),
        IncidentKind::InformationLeak => lang.pick("Information leak", "情報漏えい"),
        IncidentKind::DenialOfService => lang.pick("Denial of service", "サービス妨害（DoS）"),
        IncidentKind::WebsiteDefacement => lang.pick("Website defacement", "Webサイト改ざん"),
        IncidentKind::Other => lang.pick("Other", "その他"),
    }
}

pub fn discovery_label(lang: Lang, d: Discovery) -> &'static str {
    match d {
        Discovery::InternalDetection => lang.pick("Internal detection", "内部での検知"),
        Discovery::UserReport => lang.pick("Report from a user", "利用者からの報告"),
        Discovery::ExternalNotification => lang.pick("Notification from outside", "外部からの通知"),
    }
}

/// Every key the UI uses; the test below holds the table to it.
pub const UI_KEYS: &[&str] = &[
    "app.name",
    "app.tagline",
    "nav.incidents",
    "nav.report",
    "nav.users",
    "nav.account",
    "nav.signout",
    "nav.language",
    "login.title",
    "login.username",
    "login.password",
    "login.submit",
    "report.title",
    "report.intro",
    "report.f.title",
    "report.f.observed",
    "report.f.noticed_at",
    "report.f.location",
    "report.f.discovery",
    "report.f.kind",
    "report.f.reporter_contact",
    "report.submit",
    "choose",
    "list.title",
    "list.empty",
    "list.filter",
    "list.all",
    "list.reporter",
    "list.count",
    "list.prev",
    "list.next",
    "list.page",
    "col.id",
    "col.title",
    "col.phase",
    "col.kind",
    "col.reporter",
    "col.reported",
    "incident.reported_by",
    "incident.contact",
    "incident.noticed",
    "incident.location",
    "incident.discovery",
    "incident.observed",
    "incident.phase",
    "users.title",
    "users.create",
    "users.f.username",
    "users.f.display_name",
    "users.f.email",
    "users.f.password",
    "users.f.roles",
    "users.submit",
    "users.created",
    "users.active",
    "users.inactive",
    "users.deactivate",
    "users.activate",
    "users.save_roles",
    "users.reset",
    "users.new_password",
    "users.saved",
    "users.status",
    "account.title",
    "account.change",
    "account.current",
    "account.new",
    "account.confirm",
    "account.changed",
    "account.roles",
    "error.forbidden",
    "error.not_found",
    "error.internal",
    "error.unauthenticated",
    "error.malformed",
    "error.form",
    "error.busy",
    "col.severity",
    "col.tlp",
    "list.overdue",
    "list.mine",
    "badge.overdue",
    "badge.closed",
    "badge.required",
    "badge.kind",
    "nav.tasks",
    "tasks.title",
    "tasks.empty",
    "tasks.assigned",
    "ws.closed",
    "ws.to_leave",
    "ws.outputs_done",
    "ws.no_commands",
    "ws.reason",
    "ws.decision",
    "ws.severity_definitions",
    "ws.record_decision",
    "ws.tasks",
    "ws.all_tasks",
    "ws.outputs",
    "ws.waived_because",
    "ws.status",
    "ws.note",
    "ws.save",
    "ws.waive_reason",
    "ws.waive",
    "ws.report",
    "ws.durations",
    "ws.playbook",
    "ws.classification",
    "ws.stage",
    "ws.route",
    "ws.assets",
    "ws.remove",
    "ws.asset_type",
    "ws.identifier",
    "ws.add_asset",
    "ws.assignment",
    "ws.responder",
    "ws.officer",
    "ws.prevention",
    "ws.prevention_technical",
    "ws.prevention_operational",
    "ws.timeline",
    "ws.comment",
    "ws.post",
    "ws.audience",
    "ws.take",
    "ws.assignee",
    "ws.about_task",
    "mail.title",
    "mail.saved",
    "mail.email",
    "mail.language",
    "mail.not_wanted",
    "mail.save",
    "mail.admin_title",
    "mail.all_sent",
    "mail.to",
    "mail.subject",
    "mail.attempts",
    "mail.next",
    "mail.error",
    "nav.mail",
    "mail.kind.new_report",
    "mail.kind.assigned",
    "mail.kind.containment_proposed",
    "mail.kind.containment_decided",
    "nav.organisations",
    "mail.kind.engagement_granted",
    "mail.kind.engagement_expiring",
    "mail.kind.checklist_deadline",
    "mail.kind.target_breached",
    "ext.orgs_title",
    "ext.orgs_intro",
    "ext.no_orgs",
    "ext.name",
    "ext.name_ja",
    "ext.name_en",
    "ext.kind",
    "ext.contract_ref",
    "ext.contact",
    "ext.members",
    "ext.add_org",
    "ext.org_created",
    "ext.organisation",
    "ext.no_organisation",
    "ext.set_organisation",
    "ext.title",
    "ext.none",
    "ext.engage",
    "ext.phases",
    "ext.evidence",
    "ext.all_evidence",
    "ext.containment",
    "ext.timeline",
    "ext.see_evidence",
    "ext.evidence_items",
    "ext.see_containment",
    "ext.see_timeline",
    "ext.starts_at",
    "ext.expires_at",
    "ext.granted_by",
    "ext.revoked_by",
    "ext.revoke",
    "ext.reports",
    "ext.no_reports",
    "ext.your_engagement",
    "ext.until",
    "ext.report_title",
    "ext.report_intro",
    "ext.report_saved",
    "ext.submit_report",
    "rp.intrusion_path",
    "rp.spread",
    "rp.exfiltration",
    "rp.recovery",
    "evd.title",
    "evd.alarm",
    "evd.checklist",
    "evd.checklist_empty",
    "evd.lost",
    "evd.near",
    "evd.window",
    "evd.deadline",
    "evd.days_kept",
    "evd.not_default",
    "evd.fulfilled_by",
    "evd.upload",
    "evd.uploaded",
    "evd.upload_failed",
    "evd.registry",
    "evd.custody_report",
    "evd.bundle",
    "evd.for_item",
    "evd.kind",
    "evd.description",
    "evd.source_host",
    "evd.acquired_how",
    "evd.acquired_by",
    "evd.acquired_at",
    "evd.file",
    "evd.acquired",
    "evd.uploaded_by",
    "evd.sample_warning",
    "evd.download_sample",
    "evd.download",
    "evd.verify",
    "evd.record_custody",
    "evd.custody_kind",
    "evd.from",
    "evd.to",
    "nav.log_sources",
    "ls.title",
    "ls.intro",
    "ls.source",
    "ls.system",
    "ls.retention",
    "ls.recommended",
    "ls.note",
    "ls.active",
    "ls.add",
    "ls.save",
    "ls.none",
    "ct.title",
    "ct.in_force",
    "ct.none_in_force",
    "ct.combined",
    "ct.protects",
    "ct.degrades",
    "ct.confidentiality",
    "ct.integrity",
    "ct.availability",
    "ct.target",
    "ct.measure",
    "ct.since",
    "ct.by",
    "ct.measures",
    "ct.propose",
    "ct.reason",
    "ct.expected_effect",
    "ct.emergency",
    "ct.justification",
    "ct.emergency_flag",
    "ct.impact",
    "ct.side_effects",
    "ct.evidence_lost",
    "ct.preserve_first",
    "ct.confirm_evidence",
    "ct.reversible",
    "ct.irreversible",
    "ct.executor",
    "ct.proposed",
    "ct.decided",
    "ct.executed",
    "ct.verified",
    "ct.ended",
    "ct.effective",
    "ct.not_effective",
    "ct.note",
    "ct.no_assets",
    "ct.choose",
    "ct.pending_approval",
    "nav.notifications",
    "nt.title",
    "nt.none",
    "nt.mark_read",
    "nt.containment_proposed",
    "nt.containment_decided",
];

/// Keys built from enum ids (`task.done`, `stage.foothold`, …).
pub fn enum_keys() -> Vec<String> {
    use crate::domain::classification::{AssetType, AttackRoute, AttackStage};
    use crate::domain::targets::Target;
    use crate::domain::workflow::{CloseReason, Decision, TaskStatus};
    use crate::domain::workspace::CommandKind;
    let mut keys = Vec::new();
    keys.extend(Decision::ALL.iter().map(|v| format!("decision.{}", v.id())));
    keys.extend(TaskStatus::ALL.iter().map(|v| format!("task.{}", v.id())));
    keys.extend(AttackStage::ALL.iter().map(|v| format!("stage.{}", v.id())));
    keys.extend(AttackRoute::ALL.iter().map(|v| format!("route.{}", v.id())));
    keys.extend(AssetType::ALL.iter().map(|v| format!("asset.{}", v.id())));
    keys.extend(CloseReason::ALL.iter().map(|v| format!("close.{}", v.id())));
    keys.extend(Target::ALL.iter().map(|v| format!("target.{}", v.id())));
    keys.extend(CommandKind::ALL.iter().map(|v| format!("cmd.{}", v.id())));
    keys.extend(EVENT_KINDS.iter().map(|k| format!("ev.{k}")));
    keys.extend(
        crate::domain::policy::Audience::ALL
            .iter()
            .map(|v| format!("aud.{}", v.id())),
    );
    use crate::domain::containment::{MeasureStatus, StepKind};
    keys.extend(MeasureStatus::ALL.iter().map(|v| format!("ms.{}", v.id())));
    keys.extend(StepKind::ALL.iter().map(|v| format!("step.{}", v.id())));
    use crate::domain::evidence::{ChecklistStatus, CustodyKind, EvidenceKind, Integrity};
    keys.extend(EvidenceKind::ALL.iter().map(|v| format!("ek.{}", v.id())));
    keys.extend(CustodyKind::ALL.iter().map(|v| format!("cu.{}", v.id())));
    keys.extend(
        ChecklistStatus::ALL
            .iter()
            .map(|v| format!("cs.{}", v.id())),
    );
    keys.extend(Integrity::ALL.iter().map(|v| format!("in.{}", v.id())));
    use crate::domain::external::{EngagementState, OrgKind};
    keys.extend(OrgKind::ALL.iter().map(|v| format!("ok.{}", v.id())));
    keys.extend(
        EngagementState::ALL
            .iter()
            .map(|v| format!("es.{}", v.id())),
    );
    keys
}

/// Every kind of timeline event the server writes.
pub const EVENT_KINDS: &[&str] = &[
    "reported",
    "taken_into_triage",
    "first_response_decided",
    "phase_advanced",
    "closed",
    "reopened",
    "task_updated",
    "task_waived",
    "classified",
    "asset_added",
    "asset_removed",
    "assigned",
    "prevention_recorded",
    "comment",
    "task_assigned",
    "containment_proposed",
    "containment_approve",
    "containment_reject",
    "containment_withdraw",
    "containment_emergency",
    "containment_execute",
    "containment_verify",
    "containment_lift",
    "containment_make_permanent",
    "checklist_waived",
    "custody_recorded",
    "evidence_verified",
    "evidence_mismatch",
    "evidence_uploaded",
    "evidence_downloaded",
    "engagement_granted",
    "engagement_revoked",
    "investigation_report_submitted",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_used_in_the_ui_has_both_languages() {
        let dynamic = enum_keys();
        for key in UI_KEYS
            .iter()
            .copied()
            .chain(dynamic.iter().map(String::as_str))
        {
            let (en, ja) = lookup(key).unwrap_or_else(|| panic!("missing text for {key}"));
            assert!(!en.is_empty() && !ja.is_empty(), "{key}");
        }
    }

    #[test]
    fn accept_language_prefers_the_higher_q() {
        assert_eq!(
            Lang::from_accept_language("ja,en-US;q=0.9,en;q=0.8"),
            Lang::Ja
        );
        assert_eq!(
            Lang::from_accept_language("en-GB,en;q=0.9,ja;q=0.5"),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language("fr-FR,ja;q=0.3"), Lang::Ja);
        assert_eq!(Lang::from_accept_language("de"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
    }

    #[test]
    fn every_error_has_text_in_both_languages() {
        for code in [
            ErrorCode::Required,
            ErrorCode::TooLong(5),
            ErrorCode::Throttled(30),
            ErrorCode::DateOutOfRange(1970, 2036),
            ErrorCode::InvalidTimeZone,
        ] {
            assert_ne!(error_text(Lang::Ja, &code), error_text(Lang::En, &code));
        }
    }
}
