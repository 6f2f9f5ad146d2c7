use super::*;
use crate::triage::detect::mail::{
    DISPLAY_NAME_SPOOF, EXECUTABLE_ATTACHMENT, NameRisk, address_in,
};
use crate::triage::detect::{ObservableKind as K, Severity};
use crate::triage::record::{MailEvent, MailLine};

fn line(queue_id: &str, event: MailEvent) -> Record {
    Record::Mail(MailLine {
        time: Some(jst(2025, 2, 16, 11, 43, 32)),
        host: "mail-server".into(),
        queue_id: queue_id.into(),
        event,
    })
}

fn from(queue_id: &str, display: Option<&str>, address: &str) -> Record {
    line(
        queue_id,
        MailEvent::HeaderFrom {
            value: format!("\"{}\" <{address}>", display.unwrap_or_default()),
            display: display.map(String::from),
            address: address.into(),
            envelope_from: "root@example.com".into(),
            envelope_to: "info@example.co.jp".into(),
        },
    )
}

fn attachment(queue_id: &str, name: &str) -> Record {
    line(
        queue_id,
        MailEvent::Attachment {
            name: name.into(),
            envelope_from: "attacker@example.com".into(),
            envelope_to: "sample@example.co.jp".into(),
        },
    )
}

fn envelope() -> Record {
    line(
        "C0FFEE",
        MailEvent::Envelope {
            from: Some("attacker@example.com".into()),
            to: None,
            status: None,
        },
    )
}

#[test]
fn display_name_that_is_another_address_is_spoofing() {
    // Seed 001: header From: "sample@example.co.jp" <attack@example.com>
    let records = [
        from("A1", Some("Yamada Taro"), "yamada@example.co.jp"),
        from(
            "B1467845E2",
            Some("sample@example.co.jp"),
            "attack@example.com",
        ),
        envelope(),
    ];
    let found = run(Config::default(), &records);
    let spoofs = of(&found, DISPLAY_NAME_SPOOF);
    assert_eq!(spoofs.len(), 1, "{found:#?}");
    let f = spoofs[0];
    assert_eq!(lines(f), [2]);
    assert_eq!(f.line_count, 1);
    assert_eq!(f.severity, Severity::Medium);
    assert!(has(f, K::Email, "attack@example.com"));
    assert!(has(f, K::Email, "sample@example.co.jp"));
    assert!(has(f, K::Email, "root@example.com"));
    assert!(f.explanation.ja.contains("「sample@example.co.jp」"));
    assert!(f.explanation.ja.contains("attack@example.com"));
    assert!(
        f.explanation
            .en
            .contains("envelope sender root@example.com")
    );
    assert_eq!(found.len(), 1);
}

#[test]
fn honest_display_names_are_not_spoofing() {
    let records = [
        from("A1", Some("Yamada Taro"), "yamada@example.co.jp"),
        from("A2", Some("info@example.co.jp"), "INFO@example.co.jp"),
        from(
            "A3",
            Some("山田 (yamada＠example.co.jp)"),
            "yamada@example.co.jp",
        ),
        from("A4", None, "yamada@example.co.jp"),
        from("A5", Some("Support @ Example"), "support@example.co.jp"),
    ];
    assert!(run(Config::default(), &records).is_empty());
}

#[test]
fn address_inside_a_display_name_is_extracted() {
    assert_eq!(
        address_in("sample@example.co.jp").as_deref(),
        Some("sample@example.co.jp")
    );
    assert_eq!(
        address_in("Sato <Sato@Example.co.jp> via list").as_deref(),
        Some("sato@example.co.jp")
    );
    assert_eq!(address_in("Sato Hanako"), None);
    assert_eq!(address_in("@home"), None);
}

#[test]
fn executable_attachment_from_the_seed_is_found() {
    // Seed 001: name="=?Shift_JIS?B?gXmDfYOLlOmBeozai3GP7pXxgUkuZXhl=?=" decodes to this.
    let records = [
        attachment("08C08845EF", "【マル秘】顧客情報！.exe"),
        attachment("08C08845EF", "【マル秘】顧客情報！.exe"),
    ];
    let found = run(Config::default(), &records);
    let hits = of(&found, EXECUTABLE_ATTACHMENT);
    assert_eq!(hits.len(), 1);
    let f = hits[0];
    assert_eq!(f.severity, Severity::High);
    assert_eq!(lines(f), [1, 2]);
    assert!(has(f, K::FileName, "【マル秘】顧客情報！.exe"));
    assert!(has(f, K::Email, "attacker@example.com"));
    assert!(
        f.explanation.ja.contains("拡張子 .exe は実行ファイル形式"),
        "{}",
        f.explanation.ja
    );
    // Content-Type and Content-Disposition of one message: one message.
    assert!(
        f.explanation.en.contains("(1 message)"),
        "{}",
        f.explanation.en
    );
}

#[test]
fn double_extension_padding_and_bidi_tricks_are_named() {
    let padded = format!("report.pdf{}.exe", " ".repeat(40));
    let rlo = "invoice_\u{202E}fdp.scr";
    let records = [
        attachment("Q1", "report.pdf.exe"),
        attachment("Q2", &padded),
        attachment("Q3", rlo),
        attachment("Q4", "photo\u{202E}gnp.txt"),
        attachment("Q5", "run.JS. "),
    ];
    let found = run(Config::default(), &records);
    assert_eq!(of(&found, EXECUTABLE_ATTACHMENT).len(), 5);
    let by_line = |n: u64| found.iter().find(|f| f.lines[0].line == n).unwrap();
    assert!(by_line(1).explanation.en.contains(".pdf followed by .exe"));
    assert!(by_line(2).explanation.en.contains("40 blank characters"));
    let f = by_line(3);
    assert!(f.explanation.en.contains("U+202E RIGHT-TO-LEFT OVERRIDE"));
    assert!(
        f.explanation.ja.contains("invoice_<U+202E>fdp.scr"),
        "shown escaped"
    );
    assert!(
        !f.explanation.ja.contains('\u{202E}'),
        "never the raw control"
    );
    assert!(
        has(f, K::FileName, rlo),
        "the observable keeps the real name"
    );
    assert!(by_line(4).explanation.en.contains("bidirectional control"));
    assert!(by_line(5).explanation.en.contains(".js is executable"));
}

#[test]
fn harmless_attachments_give_nothing() {
    let records = [
        attachment("R1", "report.pdf"),
        attachment("R2", "顧客リスト.xlsx"),
        attachment("R3", "setup.exe.pdf"),
        attachment("R4", "exe"),
        attachment("R5", "archive.zip"),
        attachment("R6", "議事録 2025.docx"),
    ];
    assert!(run(Config::default(), &records).is_empty());
}

#[test]
fn name_risk_judges_names() {
    let r = NameRisk::of("資料.docx　　　　.scr").unwrap();
    assert_eq!(r.executable.as_deref(), Some("scr"));
    assert_eq!(r.decoy.as_deref(), Some("docx"));
    assert_eq!(r.padding, 4, "full-width spaces count");
    assert!(NameRisk::of("C:\\Users\\x\\Desktop\\a.lnk").is_some());
    assert!(NameRisk::of("notes.txt").is_none());
}

/// One piece of malware mailed a thousand times by many senders is one
/// finding: every line counted, the first cited, the parties bounded.
#[test]
fn identical_attachments_fold_into_one_finding() {
    let records: Vec<Record> = (0..1000)
        .map(|i| {
            line(
                &format!("Q{i}"),
                MailEvent::Attachment {
                    name: "請求書.pdf.exe".into(),
                    envelope_from: format!("sender{}@example.net", i % 40),
                    envelope_to: "keiri@example.co.jp".into(),
                },
            )
        })
        .collect();
    let found = run(Config::default(), &records);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(f.detector, EXECUTABLE_ATTACHMENT);
    assert_eq!(f.line_count, 1000);
    assert_eq!(f.lines.len(), crate::triage::detect::MAX_LINES);
    assert_eq!(lines(f), (1..=20).collect::<Vec<u64>>());
    assert!(
        f.explanation.en.contains("1000 messages")
            && f.explanation
                .en
                .contains("Sent by 40 senders (sender0@example.net"),
        "{}",
        f.explanation.en
    );
    assert!(f.explanation.ja.contains("送信者 40 件") && f.explanation.ja.contains("1000 通"));
    // The file name, the first senders, the one recipient.
    assert!(has(f, K::FileName, "請求書.pdf.exe"));
    assert!(has(f, K::Email, "keiri@example.co.jp"));
    assert!(f.observables.len() <= 2 + 20, "{}", f.observables.len());
}

/// A display name impersonating one address, used by a thousand real
/// senders (one per message), is one finding naming how many there were.
#[test]
fn one_impersonated_address_is_one_finding_however_many_senders() {
    let records: Vec<Record> = (0..1000)
        .map(|i| {
            line(
                &format!("Q{i}"),
                MailEvent::HeaderFrom {
                    value: String::new(),
                    display: Some("Boss@Example.co.jp".into()),
                    address: format!("attack{i}@example.com"),
                    envelope_from: format!("attack{i}@example.com"),
                    envelope_to: "staff@example.co.jp".into(),
                },
            )
        })
        .collect();
    let found = run(Config::default(), &records);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(f.detector, DISPLAY_NAME_SPOOF);
    assert_eq!((f.line_count, f.lines.len()), (1000, 20));
    assert!(
        f.explanation
            .en
            .contains("1000 messages from 1000 different real senders (attack0@example.com"),
        "{}",
        f.explanation.en
    );
    assert!(f.explanation.en.contains("and 997 more"));
    assert!(f.explanation.ja.contains("1000 件の差出人アドレス"));
    assert!(has(f, K::Email, "boss@example.co.jp"));
    assert!(has(f, K::Email, "attack0@example.com"));
    assert!(!has(f, K::Email, "attack999@example.com"), "bounded");
    assert!(f.observables.len() <= 3 * 20 + 1);
}
