//! E-mail through a persistent outbox. A change that should notify someone
//! queues the mail in its own transaction (`enqueue`), in the recipient's
//! language, unless they opted out of that kind; a background sender
//! (`spawn_sender`, or `deliver_due` directly) sends what is due over SMTP,
//! or writes `.eml` files when no SMTP server is configured, and retries
//! failures with back-off. Nothing blocks a request; a restart loses nothing;
//! the last error of every undelivered mail stays visible.

use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use app::i18n::Lang;

use crate::config::{MailConfig, MailTransport, SmtpSecurity};
use crate::entity::{outbox, user, user_role};

/// After this many failed attempts a mail is given up (and stays listed).
pub const MAX_ATTEMPTS: i32 = 12;

/// The kinds of mail, as users choose them.
pub use app::domain::account::MailKind;

/// 30 s, doubling, at most an hour.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let secs = 30i64.saturating_mul(1 << attempts.clamp(0, 10));
    chrono::Duration::seconds(secs.min(3600))
}

/// What a mail says, in both languages; `{…}` are filled in by `enqueue`.
fn template(kind: MailKind, lang: Lang) -> (&'static str, &'static str) {
    use MailKind::*;
    match (kind, lang) {
        (NewReport, Lang::Ja) => (
            "[Hikeshi] 新しい通報 {id}: {title}",
            "新しい事象が通報されました。トリアージしてください。\n\n{id} {title}\n{url}\n",
        ),
        (NewReport, Lang::En) => (
            "[Hikeshi] New report {id}: {title}",
            "A new event was reported and waits for triage.\n\n{id} {title}\n{url}\n",
        ),
        (Assigned, Lang::Ja) => (
            "[Hikeshi] {id} の担当になりました",
            "あなたがインシデントの担当に割り当てられました。\n\n{id} {title}\n{url}\n",
        ),
        (Assigned, Lang::En) => (
            "[Hikeshi] You were assigned to {id}",
            "You were assigned to an incident.\n\n{id} {title}\n{url}\n",
        ),
        (ContainmentProposed, Lang::Ja) => (
            "[Hikeshi] {id}: 暫定対処の承認依頼 — {detail}",
            "暫定対処が提案され、あなたの承認を待っています。\n\n{detail}\n{id} {title}\n{url}#containment\n",
        ),
        (ContainmentProposed, Lang::En) => (
            "[Hikeshi] {id}: containment awaits your approval — {detail}",
            "A containment measure was proposed and awaits your approval.\n\n{detail}\n{id} {title}\n{url}#containment\n",
        ),
        (ContainmentDecided, Lang::Ja) => (
            "[Hikeshi] {id}: 暫定対処の提案が判断されました — {detail}",
            "あなたの暫定対処の提案が判断されました。\n\n{detail}\n{id} {title}\n{url}#containment\n",
        ),
        (ContainmentDecided, Lang::En) => (
            "[Hikeshi] {id}: your containment proposal was decided — {detail}",
            "Your containment proposal was decided.\n\n{detail}\n{id} {title}\n{url}#containment\n",
        ),
        (EngagementGranted, Lang::Ja) => (
            "[Hikeshi] {id} への参加が許可されました",
            "あなたの組織がインシデントの対応に参加できるようになりました。\n\n{detail}\n{id} {title}\n{url}\n",
        ),
        (EngagementGranted, Lang::En) => (
            "[Hikeshi] You were engaged on {id}",
            "Your organisation was engaged on an incident.\n\n{detail}\n{id} {title}\n{url}\n",
        ),
        (EngagementExpiring, Lang::Ja) => (
            "[Hikeshi] {id} へのアクセスがまもなく終了します",
            "外部組織のアクセス期限が近づいています。延長が必要なら情報セキュリティ責任者が新たに許可してください。\n\n{detail}\n{id} {title}\n{url}\n",
        ),
        (EngagementExpiring, Lang::En) => (
            "[Hikeshi] Access to {id} ends soon",
            "An external organisation's access ends soon. If it must go on, the security officer grants a new engagement.\n\n{detail}\n{id} {title}\n{url}\n",
        ),
        (ChecklistDeadline, Lang::Ja) => (
            "[Hikeshi] {id}: ログの保存期限が近づいています — {detail}",
            "証拠保全チェックリストの項目が、ログのローテーションで失われる前に保全されていません。\n\n{detail}\n{id} {title}\n{url}#evidence\n",
        ),
        (ChecklistDeadline, Lang::En) => (
            "[Hikeshi] {id}: logs rotate away soon — {detail}",
            "An item of the evidence-preservation checklist is not secured yet and its logs rotate away soon.\n\n{detail}\n{id} {title}\n{url}#evidence\n",
        ),
        (TargetBreached, Lang::Ja) => (
            "[Hikeshi] {id}: 目標時間を超過しました — {detail}",
            "インシデントの目標時間を過ぎています。\n\n{detail}\n{id} {title}\n{url}\n",
        ),
        (TargetBreached, Lang::En) => (
            "[Hikeshi] {id}: time target breached — {detail}",
            "A time target of the incident was missed.\n\n{detail}\n{id} {title}\n{url}\n",
        ),
    }
}

/// What a mail is about.
pub struct About<'a> {
    pub human_id: &'a str,
    pub title: &'a str,
    /// The kind-specific line (a measure and its target, a decision), in
    /// Japanese and English.
    pub detail: (&'a str, &'a str),
}

/// Links in queued mail start with this; the sender puts the configured
/// base URL in its place, so the URL is the one in force when it is sent.
const BASE: &str = "{base}";

/// Fills the `{name}` placeholders of a template in one pass over it: a value
/// goes in as it is and is never scanned again, so a title that reads
/// `{url}` arrives as typed. `{{` stands for a literal `{` (see [`escape`]);
/// an unknown `{…}` stays as it is.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let tail = &rest[open + 1..];
        if let Some(after) = tail.strip_prefix('{') {
            out.push('{');
            rest = after;
            continue;
        }
        let known = values.iter().find_map(|(name, value)| {
            tail.strip_prefix(name)
                .and_then(|t| t.strip_prefix('}'))
                .map(|after| (*value, after))
        });
        match known {
            Some((value, after)) => {
                out.push_str(value);
                rest = after;
            }
            None => {
                out.push('{');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Text for a template that is filled again later: `{` doubled.
fn escape(value: &str) -> String {
    value.replace('{', "{{")
}

/// Queues one mail per recipient who has an address, is active and has not
/// opted out of `kind`, in their language. Runs inside the caller's
/// transaction: the mail is queued exactly when the change is made.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    recipients: &[Uuid],
    kind: MailKind,
    about: &About<'_>,
) -> Result<usize, sea_orm::DbErr> {
    if recipients.is_empty() {
        return Ok(0);
    }
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(recipients.to_vec()))
        .filter(user::Column::IsActive.eq(true))
        .all(conn)
        .await?;
    let now = Utc::now();
    let mut queued = 0;
    for u in users {
        let Some(address) = u.email.clone().filter(|e| !e.trim().is_empty()) else {
            continue;
        };
        if u.mail_opt_out.split(',').any(|k| k.trim() == kind.id()) {
            continue;
        }
        let lang = u
            .language
            .as_deref()
            .and_then(Lang::from_code)
            .unwrap_or_default();
        let (subject, body) = template(kind, lang);
        let detail = match lang {
            Lang::Ja => about.detail.0,
            Lang::En => about.detail.1,
        };
        // The body is filled again when it is sent (`{base}`): what users
        // typed goes in escaped, so it stays as typed. The subject is final.
        let url = format!("{BASE}/incidents/{}", escape(about.human_id));
        let subject = fill(
            subject,
            &[
                ("id", about.human_id),
                ("title", about.title),
                ("detail", detail),
            ],
        );
        let body = fill(
            body,
            &[
                ("id", &escape(about.human_id)),
                ("title", &escape(about.title)),
                ("detail", &escape(detail)),
                ("url", &url),
            ],
        );
        outbox::ActiveModel {
            id: Set(Uuid::new_v4()),
            user_id: Set(Some(u.id)),
            to_address: Set(address),
            kind: Set(kind.id().into()),
            subject: Set(subject),
            body: Set(body),
            created_at: Set(now),
            attempts: Set(0),
            next_attempt_at: Set(now),
            sent_at: Set(None),
            last_error: Set(None),
        }
        .insert(conn)
        .await?;
        queued += 1;
    }
    Ok(queued)
}

/// The active holders of any of these roles.
pub async fn holders(
    conn: &impl ConnectionTrait,
    roles: &[app::domain::Role],
) -> Result<Vec<Uuid>, sea_orm::DbErr> {
    let ids: Vec<&str> = roles.iter().map(|r| r.id()).collect();
    let mut users: Vec<Uuid> = user_role::Entity::find()
        .filter(user_role::Column::Role.is_in(ids))
        .select_only()
        .column(user_role::Column::UserId)
        .into_tuple()
        .all(conn)
        .await?;
    users.sort();
    users.dedup();
    Ok(users)
}

/// Sends what is due. Each mail is claimed first (its next attempt moved on
/// by a lease), so several instances never send one mail twice. Returns
/// (sent, failed).
pub async fn deliver_due(
    db: &DatabaseConnection,
    config: &MailConfig,
    now: DateTime<Utc>,
) -> Result<(usize, usize), sea_orm::DbErr> {
    let due = outbox::Entity::find()
        .filter(outbox::Column::SentAt.is_null())
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .filter(outbox::Column::Attempts.lt(MAX_ATTEMPTS))
        .order_by_asc(outbox::Column::CreatedAt)
        .limit(50)
        .all(db)
        .await?;
    let (mut sent, mut failed) = (0, 0);
    for m in due {
        let lease = now + chrono::Duration::minutes(5);
        let claimed = outbox::Entity::update_many()
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(lease))
            .filter(outbox::Column::Id.eq(m.id))
            .filter(outbox::Column::NextAttemptAt.eq(m.next_attempt_at))
            .filter(outbox::Column::SentAt.is_null())
            .exec(db)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        let result = send(config, &m).await;
        let mut a: outbox::ActiveModel = m.clone().into();
        match result {
            Ok(()) => {
                a.sent_at = Set(Some(Utc::now()));
                a.last_error = Set(None);
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(to = %m.to_address, error = %e, "mail not delivered; will retry");
                a.attempts = Set(m.attempts + 1);
                a.next_attempt_at = Set(now + backoff(m.attempts));
                a.last_error = Set(Some(e));
                failed += 1;
            }
        }
        a.update(db).await?;
    }
    Ok((sent, failed))
}

fn message(config: &MailConfig, m: &outbox::Model) -> Result<Message, String> {
    let from: Mailbox = config.from.parse().map_err(|e| format!("from: {e}"))?;
    let to: Mailbox = m.to_address.parse().map_err(|e| format!("to: {e}"))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(fill(&m.body, &[("base", &config.base_url)]))
        .map_err(|e| e.to_string())
}

async fn send(config: &MailConfig, m: &outbox::Model) -> Result<(), String> {
    let msg = message(config, m)?;
    match &config.transport {
        MailTransport::Dir(dir) => {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| e.to_string())?;
            let path = dir.join(format!("{}.eml", m.id));
            tokio::fs::write(&path, msg.formatted())
                .await
                .map_err(|e| e.to_string())
        }
        MailTransport::Smtp {
            host,
            port,
            security,
            user,
            password,
        } => {
            let builder = match security {
                SmtpSecurity::None => {
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str())
                }
                SmtpSecurity::StartTls => {
                    AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                        .map_err(|e| e.to_string())?
                }
                SmtpSecurity::Tls => {
                    AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(|e| e.to_string())?
                }
            };
            let mut builder = builder.port(*port).timeout(Some(Duration::from_secs(20)));
            if let (Some(u), Some(p)) = (user, password) {
                builder = builder.credentials(Credentials::new(u.clone(), p.expose().to_owned()));
            }
            builder
                .build()
                .send(msg)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
    }
}

/// Runs `deliver_due` every few seconds for the life of the server.
pub fn spawn_sender(db: DatabaseConnection, config: MailConfig) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            if let Err(e) = deliver_due(&db, &config, Utc::now()).await {
                tracing::warn!(error = %e, "mail sender");
            }
        }
    });
}

/// Undelivered mail, for the administrator: (to, subject, attempts, last error).
pub async fn undelivered(db: &DatabaseConnection) -> Result<Vec<outbox::Model>, sea_orm::DbErr> {
    outbox::Entity::find()
        .filter(outbox::Column::SentAt.is_null())
        .order_by_asc(outbox::Column::CreatedAt)
        .limit(500)
        .all(db)
        .await
}

/// A user's mail settings.
pub async fn settings(
    db: &DatabaseConnection,
    user_id: Uuid,
) -> Result<app::domain::account::MailSettings, sea_orm::DbErr> {
    let u = user::Entity::find_by_id(user_id).one(db).await?;
    Ok(u.map(|u| app::domain::account::MailSettings {
        email: u.email.unwrap_or_default(),
        language: u.language.unwrap_or_else(|| "ja".into()),
        opt_out: u
            .mail_opt_out
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(String::from)
            .collect(),
    })
    .unwrap_or_default())
}

/// Saves a user's own mail settings; the address is checked.
pub async fn save_settings(
    db: &DatabaseConnection,
    user_id: Uuid,
    s: app::domain::account::MailSettings,
) -> Result<app::domain::FormResult<()>, sea_orm::DbErr> {
    use app::domain::{ErrorCode, FieldError, FormResult};
    let email = s.email.trim().to_string();
    let mut errors = Vec::new();
    if !email.is_empty() && (email.len() > 254 || email.parse::<lettre::Address>().is_err()) {
        errors.push(FieldError {
            field: "email".into(),
            code: ErrorCode::InvalidChoice,
        });
    }
    if Lang::from_code(&s.language).is_none() {
        errors.push(FieldError {
            field: "language".into(),
            code: ErrorCode::InvalidChoice,
        });
    }
    if !errors.is_empty() {
        return Ok(FormResult::Invalid(errors));
    }
    let opt_out: Vec<&str> = MailKind::ALL
        .iter()
        .map(|k| k.id())
        .filter(|k| s.opt_out.iter().any(|o| o == k))
        .collect();
    let txn = sea_orm::TransactionTrait::begin(db).await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::Email,
            Expr::value(Some(email.clone()).filter(|e| !e.is_empty())),
        )
        .col_expr(
            user::Column::Language,
            Expr::value(Some(s.language.clone())),
        )
        .col_expr(user::Column::MailOptOut, Expr::value(opt_out.join(",")))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    crate::integrity::seal(&txn, crate::integrity::Covered::User(user_id)).await?;
    crate::services::audit::record(
        &txn,
        Some(user_id),
        "mail_settings_changed",
        "user",
        user_id,
        serde_json::json!({ "email": email, "language": s.language, "opt_out": opt_out }),
    )
    .await?;
    txn.commit().await?;
    Ok(FormResult::Done(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_30_seconds_to_an_hour() {
        let s = |n| backoff(n).num_seconds();
        assert_eq!([s(0), s(1), s(2), s(3)], [30, 60, 120, 240]);
        assert_eq!(s(7), 3600);
        assert_eq!(s(50), 3600);
    }

    #[test]
    fn placeholders_are_filled_once_and_typed_braces_stay() {
        let values = [
            ("id", "INC-2026-0001"),
            ("title", "{url} {id}"),
            ("url", "U"),
        ];
        assert_eq!(
            fill("{id}: {title} <{url}> {unknown} {", &values),
            "INC-2026-0001: {url} {id} <U> {unknown} {"
        );
        // Stored, then filled at sending: the escaped title survives both.
        let stored = fill(
            "{title}\n{url}",
            &[("title", &escape("{base} {{x}}")), ("url", "{base}/i")],
        );
        assert_eq!(
            fill(&stored, &[("base", "https://h.example")]),
            "{base} {{x}}\nhttps://h.example/i"
        );
        assert_eq!(fill("", &values), "");
        assert_eq!(fill("{{", &values), "{");
        assert_eq!(fill("{id", &values), "{id");
        assert_eq!(fill("火{id}火", &values), "火INC-2026-0001火");
    }

    #[test]
    fn every_kind_has_both_languages() {
        for &kind in MailKind::ALL {
            let (ja, _) = template(kind, Lang::Ja);
            let (en, _) = template(kind, Lang::En);
            assert_ne!(ja, en, "{kind:?}");
            assert!(ja.contains("{id}") && en.contains("{id}"), "{kind:?}");
        }
    }
}
