//! Driving an incident through the API as the pages do: report, read, phase
//! commands, finishing the required tasks.

use axum::http::StatusCode;
use serde_json::Value;

use super::{Client, Response};

pub async fn report(c: &mut Client, kind: &str) -> String {
    let r = c
        .post(
            "/api/incidents/report",
            &[
                ("form[title]", "Beaconing from pc-0042"),
                (
                    "form[observed]",
                    "Proxy log shows periodic POSTs to an unknown host.",
                ),
                ("form[noticed_at]", "2026-01-05T09:30"),
                ("form[location]", "pc-0042"),
                ("form[discovery]", "internal_detection"),
                ("form[kind]", kind),
                ("form[reporter_contact]", "soc@example.jp"),
            ],
        )
        .await;
    r.json()["Done"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.text))
        .to_string()
}

pub async fn incident(c: &mut Client, id: &str) -> Value {
    let r = c.post("/api/incidents/get", &[("id", id)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()
}

pub async fn command(c: &mut Client, id: &str, cmd: &str, extra: &[(&str, &str)]) -> Response {
    let mut form = vec![("id", id), ("command", cmd)];
    form.extend_from_slice(extra);
    c.post("/api/incidents/command", &form).await
}

pub fn done() -> Value {
    serde_json::json!({ "Done": null })
}

pub fn refusal(r: &Response) -> String {
    let v = r.json();
    let code = &v["Invalid"][0]["code"]["Refused"];
    match code {
        Value::String(s) => s.clone(),
        Value::Object(o) => o.keys().next().cloned().unwrap_or_default(),
        _ => panic!("not a refusal: {}", r.text),
    }
}

/// Marks every required, unfinished task of the current phase done, as `c`.
pub async fn finish_required(c: &mut Client, id: &str) -> usize {
    let tasks = open_required(c, id).await;
    for task in &tasks {
        let r = c
            .post(
                "/api/incidents/task",
                &[
                    ("id", id),
                    ("task", task),
                    ("status", "done"),
                    ("note", "done in test"),
                ],
            )
            .await;
        assert_eq!(r.json(), done(), "{task}: {}", r.text);
    }
    tasks.len()
}

/// The task with this id in an incident as the API returns it.
pub fn task_in(i: &Value, id: &str) -> Value {
    i["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()
        .clone()
}

pub fn phase_of(i: &Value) -> &str {
    i["phase"].as_str().unwrap()
}

/// The ids of the current phase's required tasks that are neither done nor waived.
pub async fn open_required(c: &mut Client, id: &str) -> Vec<String> {
    let i = incident(c, id).await;
    let phase = i["phase"].as_str().unwrap().to_string();
    i["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["phase"] == phase.as_str() && t["required"] == true)
        .filter(|t| !matches!(t["status"].as_str(), Some("done" | "waived")))
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

/// Accepts every recurrence-prevention measure still undecided, as `c`:
/// phase G closes only once each is decided.
pub async fn decide_all_prevention(c: &mut Client, id: &str) {
    let r = c
        .post(
            "/api/incidents/prevention/decide",
            &[
                ("id", id),
                ("item", "*"),
                ("form[decision]", "accepted"),
                ("form[note]", "in place (test)"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
}
