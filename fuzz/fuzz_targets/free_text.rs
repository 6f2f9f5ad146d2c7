//! The one cleaning function and every validator of free text built on it:
//! organisations, accounts, custody, waivers, assets, the investigation
//! report. Cleaning is idempotent and leaves nothing invisible behind.
//! Fields: six texts used in turn by each form; the input's length picks the
//! custody kind.
#![no_main]

use app::domain::account::{NewUserForm, validate_new_user};
use app::domain::classification::validate_asset;
use app::domain::evidence::{CustodyKind, validate_custody};
use app::domain::external::{
    OrganisationForm, ReportParts, validate_organisation, validate_report,
};
use app::domain::form::{Lines, clean};
use app::domain::workflow::validate_waive_reason;
use hikeshi_fuzz::{assert_clean_text, assert_one_clean_line, fields};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (_, [a, b, c, d, e, f]) = fields(data);
    let pick = data.len();
    let one = clean(&a, Lines::One);
    assert_one_clean_line(&one);
    assert_eq!(
        clean(&one, Lines::One),
        one,
        "cleaning a line twice changes it"
    );
    let many = clean(&a, Lines::Many);
    assert_clean_text(&many);
    assert!(!many.contains('\r'));
    assert_eq!(
        clean(&many, Lines::Many),
        many,
        "cleaning text twice changes it"
    );

    if let Ok(o) = validate_organisation(&OrganisationForm {
        name_ja: a.clone(),
        name_en: b.clone(),
        kind: c.clone(),
        contract_ref: d.clone(),
        contact: e.clone(),
    }) {
        assert_one_clean_line(&o.name_ja);
        assert_one_clean_line(&o.name_en);
    }
    if let Ok(u) = validate_new_user(&NewUserForm {
        username: a.clone(),
        display_name: b.clone(),
        email: c.clone(),
        password: d.clone(),
        roles: vec![e.clone()],
        organisation: f.clone(),
    }) {
        assert_one_clean_line(&u.display_name);
    }
    let kind = CustodyKind::ALL[pick % CustodyKind::ALL.len()];
    if let Ok(v) = validate_custody(kind, &a, &b, &c) {
        assert_one_clean_line(&v.from);
        assert_one_clean_line(&v.to);
        assert_clean_text(&v.reason);
    }
    if let Ok(r) = validate_waive_reason(&d) {
        assert_clean_text(&r);
    }
    if let Ok(v) = validate_asset(&e, &f) {
        assert_one_clean_line(&v.identifier);
    }
    let _ = validate_report(&ReportParts {
        intrusion_path: a,
        spread: b,
        exfiltration: c,
        recovery: d,
    });
});
