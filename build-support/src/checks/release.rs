//! EMR release labels: a known table, a floor of 6.9 for EMR Serverless (as DSF enforces),
//! near-miss suggestions, and `unlisted("...")` for releases newer than the table.

use super::Problem;
use crate::diag::did_you_mean;

/// EMR releases that EMR Serverless and EMR on EKS support, newest first.
pub const RELEASES: &[&str] = &[
    "emr-7.12.0",
    "emr-7.11.0",
    "emr-7.10.0",
    "emr-7.9.0",
    "emr-7.8.0",
    "emr-7.7.0",
    "emr-7.6.0",
    "emr-7.5.0",
    "emr-7.4.0",
    "emr-7.3.0",
    "emr-7.2.0",
    "emr-7.1.0",
    "emr-7.0.0",
    "emr-6.15.0",
    "emr-6.14.0",
    "emr-6.13.0",
    "emr-6.12.0",
    "emr-6.11.1",
    "emr-6.11.0",
    "emr-6.10.1",
    "emr-6.10.0",
    "emr-6.9.0",
];

/// The default release for new runtimes and jobs.
pub const DEFAULT_RELEASE: &str = "emr-7.9.0";

/// Parses `emr-X.Y.Z` (an optional `-latest` or `-<date>` suffix is the EKS form).
pub fn version_of(label: &str) -> Option<(u32, u32, u32)> {
    let rest = label.strip_prefix("emr-")?;
    let core = rest.split('-').next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u32>().ok());
    let v = (parts.next()??, parts.next()??, parts.next().flatten().unwrap_or(0));
    Some(v)
}

/// `emr-X.Y.Z` exactly: what `unlisted("...")` must be (the service takes no other form).
pub fn is_full_label(label: &str) -> bool {
    label.strip_prefix("emr-").is_some_and(|v| {
        let parts: Vec<&str> = v.split('.').collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
    })
}

/// The newest release in the table.
fn newest() -> Option<(u32, u32, u32)> {
    RELEASES.iter().filter_map(|r| version_of(r)).max()
}

/// Checks an EMR Serverless release label against the table.
pub fn check_serverless(label: &str) -> Result<(), Problem> {
    check(label, false)
}

/// Checks an EMR on EKS release label (`emr-7.3.0-latest` or a dated form).
pub fn check_containers(label: &str) -> Result<(), Problem> {
    check(label, true)
}

fn check(label: &str, eks: bool) -> Result<(), Problem> {
    let base = if eks {
        match label
            .split_once("-latest")
            .or_else(|| label.rsplit_once('-').filter(|(b, _)| b.matches('-').count() == 1))
        {
            Some((b, _)) => b,
            None => label,
        }
    } else {
        label
    };
    if RELEASES.contains(&base) {
        return Ok(());
    }
    let (service, suffix) = if eks {
        ("EMR on EKS", "-latest")
    } else {
        ("EMR Serverless", "")
    };
    let escape = format!("if `{label}` is a release newer than sparkform's table, write `unlisted(\"{label}\")`");
    match version_of(base) {
        Some(v) if v < (6, 9, 0) && eks => Err((
            format!("`{label}` is older than the EMR on EKS releases sparkform supports (emr-6.9.0 and later)"),
            format!("use `{DEFAULT_RELEASE}-latest` or another release from emr-6.9.0 on, e.g. `emr-6.15.0-latest`"),
        )),
        Some(v) if v < (6, 9, 0) => Err((
            format!("EMR Serverless supports release EMR 6.9 and above, provided release is {label}"),
            format!("use {DEFAULT_RELEASE} or another release from emr-6.9.0 on"),
        )),
        // A well-formed label newer than every release in the table: most likely a release
        // sparkform does not know yet, so offer `unlisted` rather than an older look-alike.
        Some(v) if is_full_label(base) && newest().is_some_and(|n| v > n) => Err((
            format!(
                "`{label}` is newer than every EMR release sparkform knows (the newest is {}{suffix})",
                RELEASES[0]
            ),
            format!("if {service} offers it, write `unlisted(\"{label}\")`; otherwise use {DEFAULT_RELEASE}{suffix}"),
        )),
        Some(_) | None => {
            let near = did_you_mean(base, RELEASES.iter().copied()).or_else(|| {
                RELEASES
                    .iter()
                    .copied()
                    .find(|r| r.starts_with(base) && r[base.len()..].starts_with('.'))
            });
            let msg = format!("`{label}` is not a known EMR release label");
            // `unlisted` only takes full `emr-X.Y.Z` labels, so only offer it for one.
            let offer_escape = is_full_label(base);
            let form = if eks {
                format!(
                    "EMR on EKS labels are `emr-`, a three-part version and `-latest` (or a release date), e.g. `{DEFAULT_RELEASE}-latest`"
                )
            } else {
                format!("labels are `emr-` and a three-part version, e.g. `{DEFAULT_RELEASE}`")
            };
            Err(match near {
                Some(n) => (
                    format!("{msg}; did you mean `{n}{suffix}`?"),
                    if offer_escape { escape } else { form },
                ),
                None if offer_escape => (msg, format!("labels look like `{DEFAULT_RELEASE}{suffix}`; {escape}")),
                None => (msg, form),
            })
        }
    }
}

/// An EMR on EKS label given as `unlisted("...")`: `emr-X.Y.Z`, then `-latest` or a
/// `-YYYYMMDD` release date, at least 6.9.
pub fn check_unlisted_containers(label: &str) -> Result<(), Problem> {
    let (base, suffix) = label.rsplit_once('-').unwrap_or((label, ""));
    let dated = suffix.len() == 8 && suffix.chars().all(|c| c.is_ascii_digit());
    if is_full_label(label) {
        return Err((
            format!("`{label}` has no `-latest` or release date, which EMR on EKS labels end with"),
            format!("write `unlisted(\"{label}-latest\")`"),
        ));
    }
    if !is_full_label(base) || !(suffix == "latest" || dated) {
        return Err((
            format!("`{label}` does not look like an EMR on EKS release label"),
            format!("labels look like \"{DEFAULT_RELEASE}-latest\" or \"emr-7.3.0-20240901\""),
        ));
    }
    match version_of(base) {
        Some(v) if v < (6, 9, 0) => check_containers(label),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(check_serverless("emr-7.3.0").is_ok());
        assert!(check_serverless("emr-6.8.0").unwrap_err().0.contains("6.9 and above"));
        assert!(check_serverless("emr-7.3").unwrap_err().0.contains("emr-7.3.0"));
        assert!(check_serverless("emr-7.30.0").is_err());
        let (msg, help) = check_serverless("emr-9.1.0").unwrap_err();
        assert!(msg.contains("newer"), "{msg}");
        assert!(help.contains("unlisted(\"emr-9.1.0\")"), "{help}");
        let (_, help) = check_serverless("emr-7.3").unwrap_err();
        assert!(!help.contains("unlisted"), "{help}");
        assert!(check_containers("emr-7.3.0-latest").is_ok());
        assert!(check_containers("emr-7.3.0-20240101").is_ok());
        let (msg, help) = check_containers("emr-6.8.0-latest").unwrap_err();
        assert!(msg.contains("EMR on EKS") && !msg.contains("Serverless"), "{msg}");
        assert!(help.contains("emr-7.9.0-latest"), "{help}");
        let (msg, help) = check_containers("emr-9.1.0-latest").unwrap_err();
        assert!(msg.contains("newer"), "{msg}");
        assert!(help.contains("unlisted(\"emr-9.1.0-latest\")"), "{help}");
        let (msg, help) = check_containers("emr-7.3-latest").unwrap_err();
        assert!(msg.contains("emr-7.3.0-latest"), "{msg}");
        assert!(!help.contains("unlisted"), "{help}");
        assert!(check_unlisted_containers("emr-9.1.0-latest").is_ok());
        assert!(check_unlisted_containers("emr-9.1.0-20300101").is_ok());
        assert!(check_unlisted_containers("emr-9.1.0")
            .unwrap_err()
            .1
            .contains("emr-9.1.0-latest"));
        assert!(check_unlisted_containers("emr-9.1-latest").is_err());
        assert!(check_unlisted_containers("emr-6.2.0-latest").is_err());
        assert_eq!(version_of("emr-6.11.1"), Some((6, 11, 1)));
        assert!(is_full_label("emr-8.0.0"));
        assert!(!is_full_label("emr-8.0"));
        assert!(!is_full_label("emr-8.0.0-latest"));
        assert!(!is_full_label("8.0.0"));
    }
}
