//! The organisation's declarations layered over the playbook's thresholds.

use playbooks::HandlingModel;

use crate::triage::detect::{Config, DETECTORS, Thresholds};

#[test]
fn the_playbook_holds_every_detector_and_the_built_in_thresholds() {
    let m = HandlingModel::builtin();
    let mut ids: Vec<&str> = m.detectors.iter().map(|d| d.id.as_str()).collect();
    let mut code = DETECTORS.to_vec();
    ids.sort_unstable();
    code.sort_unstable();
    assert_eq!(ids, code);
    // The library's defaults are the shipped playbook's values.
    assert_eq!(
        Thresholds::from_playbook(&m.thresholds).unwrap(),
        Thresholds::default()
    );
    // Every declaration a detector may name is a key of the settings.
    let keys = toml::Table::try_from(Config::default()).unwrap();
    for d in playbooks::DETECTION_DECLARATIONS {
        assert!(keys.contains_key(d), "{d}");
    }
}

#[test]
fn settings_override_the_playbook_and_name_the_line_of_a_mistake() {
    let mut m = HandlingModel::builtin();
    let jitter = m
        .thresholds
        .iter_mut()
        .find(|t| t.id == "beacon_max_jitter");
    jitter.unwrap().value = "0.2".into();
    let c = Config::from_settings(
        &m.thresholds,
        "proxies = [\"10.0.0.8\"]\n[thresholds]\nbeacon_min_requests = 30\n",
    )
    .unwrap();
    assert_eq!(c.proxies.len(), 1);
    assert_eq!(c.thresholds.beacon_min_requests, 30);
    // Not set by the organisation: the playbook's.
    assert_eq!(c.thresholds.beacon_max_jitter, 0.2);
    assert_eq!(c.business_hours, (8, 20));
    assert_eq!(
        Config::from_settings(&m.thresholds, "")
            .unwrap()
            .thresholds
            .beacon_max_jitter,
        0.2
    );

    let e = Config::from_settings(&m.thresholds, "proxies = [\"10.0.0.8\"]\nproxys = []\n")
        .unwrap_err();
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("proxys"), "{e}");
    let e = Config::from_settings(&m.thresholds, "\nbusiness_hours = [9, 25]\n").unwrap_err();
    assert_eq!(e.line, 2, "{e}");
    let e = Config::from_settings(&m.thresholds, "[thresholds]\nbeacon_min_requests = 2\n")
        .unwrap_err();
    assert_eq!(e.line, 2, "{e}");
    let e = Config::from_settings(&m.thresholds, "[thresholds]\nbeacon_jitter = 2\n").unwrap_err();
    assert!(e.message.contains("beacon_jitter"), "{e}");
    let e = Config::from_settings(&m.thresholds, "proxies = [\"not-an-address\"]").unwrap_err();
    assert_eq!(e.line, 1, "{e}");
}
