//! STIX 2.1 checks by the OASIS libraries: the validator in strict mode,
//! and the `stix2` library reading a bundle back.

use serde_json::Value;

/// Runs the OASIS validator (strict) on a bundle; the messages, if any.
pub fn validate(bundle: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bundle.json");
    std::fs::write(&path, bundle).unwrap();
    let script = r#"
import sys
from stix2validator import ValidationOptions, validate_file
results = validate_file(sys.argv[1], ValidationOptions(strict=True, version="2.1"))
problems = []
for o in results.object_results:
    for e in o.errors:
        problems.append(f"{o.object_id}: error: {e}")
    for w in o.warnings:
        problems.append(f"{o.object_id}: warning: {w}")
for f in getattr(results, "fatal", None) or []:
    problems.append(f"fatal: {f}")
print("\n".join(problems))
sys.exit(0 if results.is_valid and not problems else 1)
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .expect("python3 with stix2-validator (make setup-test installs it)");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
    .trim()
    .to_string()
}

/// The bundle read with the OASIS `stix2` library: (type, id) of every
/// object, and the ids it computes itself for the SCOs.
pub fn read_back(bundle: &str) -> Value {
    let script = r#"
import sys, json, stix2
b = stix2.parse(sys.stdin.read(), allow_custom=False)
out = {"objects": [[o.type, o.id] for o in b.objects], "computed": {}}
for o in b.objects:
    if o.type in ("domain-name", "ipv4-addr", "ipv6-addr", "url", "email-addr"):
        cls = type(o)
        out["computed"][o.id] = cls(value=o.value).id
print(json.dumps(out))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 with stix2");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(bundle.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
