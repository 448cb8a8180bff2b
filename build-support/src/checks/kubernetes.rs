//! Kubernetes values: EKS versions (a dated table, like the EMR releases), object names
//! (DNS-1123 labels) and resource quantities.

use super::Problem;
use crate::diag::did_you_mean;

/// An EKS Kubernetes version and the end of its standard and extended support.
pub struct EksVersion {
    pub version: &'static str,
    pub standard_until: &'static str,
    pub extended_until: &'static str,
}

/// The date the table was last read from the EKS user guide ("Kubernetes version
/// lifecycle"); support states below are as of this date, so builds stay deterministic.
pub const TABLE_DATE: &str = "2026-12-06";

/// Versions EKS creates clusters on (standard or extended support as of [`TABLE_DATE`]),
/// newest first. 1.31 left extended support on 2026-11-26.
pub const EKS_VERSIONS: &[EksVersion] = &[
    EksVersion {
        version: "1.36",
        standard_until: "2027-08-02",
        extended_until: "2028-08-02",
    },
    EksVersion {
        version: "1.35",
        standard_until: "2027-03-27",
        extended_until: "2028-03-27",
    },
    EksVersion {
        version: "1.34",
        standard_until: "2026-12-02",
        extended_until: "2027-12-02",
    },
    EksVersion {
        version: "1.33",
        standard_until: "2026-07-29",
        extended_until: "2027-07-29",
    },
    EksVersion {
        version: "1.32",
        standard_until: "2026-03-23",
        extended_until: "2027-03-23",
    },
];

/// The newest version in standard support: the default for new clusters.
pub const DEFAULT_EKS_VERSION: &str = "1.36";

fn minor(v: &str) -> Option<u32> {
    let rest = v.strip_prefix("1.")?;
    (!rest.is_empty() && rest.len() <= 3 && rest.chars().all(|c| c.is_ascii_digit()))
        .then(|| rest.parse().ok())
        .flatten()
}

/// Checks a cluster's Kubernetes version against the table. Versions past their standard
/// support are accepted (EKS still creates them, at the extended-support price) with that
/// said in the docs; versions newer than the table need `unlisted("1.x")`.
pub fn check_eks_version(v: &str) -> Result<(), Problem> {
    if EKS_VERSIONS.iter().any(|e| e.version == v) {
        return Ok(());
    }
    let listed: Vec<&str> = EKS_VERSIONS.iter().map(|e| e.version).collect();
    let newest = minor(DEFAULT_EKS_VERSION).unwrap_or(0);
    let oldest = EKS_VERSIONS.last().and_then(|e| minor(e.version)).unwrap_or(0);
    match minor(v) {
        None => Err((
            format!(
                "`{v}` is not a Kubernetes version{}",
                did_you_mean(v, listed.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default()
            ),
            format!(
                "EKS versions look like \"{DEFAULT_EKS_VERSION}\"; EKS creates clusters on {}",
                listed.join(", ")
            ),
        )),
        Some(m) if m > newest => Err((
            format!("Kubernetes {v} is newer than sparkform's table of EKS versions (as of {TABLE_DATE})"),
            format!(
                "if EKS offers it now, write `kubernetes_version: unlisted(\"{v}\")`; the table has {}",
                listed.join(", ")
            ),
        )),
        Some(m) if m < oldest => Err((
            format!("EKS no longer creates clusters on Kubernetes {v}: its extended support has ended"),
            format!(
                "use {DEFAULT_EKS_VERSION} (the newest in standard support), or another of {}",
                listed.join(", ")
            ),
        )),
        Some(_) => Err((
            format!("`{v}` is not an EKS version"),
            format!("EKS creates clusters on {}", listed.join(", ")),
        )),
    }
}

/// A version given as `unlisted("1.37")`: well formed and newer than the table.
pub fn check_unlisted_eks_version(v: &str) -> Result<(), Problem> {
    match minor(v) {
        Some(m) if m > minor(DEFAULT_EKS_VERSION).unwrap_or(0) => Ok(()),
        Some(_) => match check_eks_version(v) {
            Ok(()) => Err((
                format!("Kubernetes {v} is in sparkform's table of EKS versions"),
                format!("`unlisted` is for versions newer than the table; write `kubernetes_version: \"{v}\"`"),
            )),
            Err(e) => Err(e),
        },
        None => Err((
            format!("`{v}` is not a Kubernetes version"),
            "versions look like \"1.37\"".into(),
        )),
    }
}

/// Whether `v` (from the table) is past its standard support as of [`TABLE_DATE`].
pub fn in_extended_support(v: &str) -> bool {
    EKS_VERSIONS
        .iter()
        .any(|e| e.version == v && e.standard_until < TABLE_DATE)
}

/// A DNS-1123 label (namespaces, most object names): 1-63 lowercase letters, digits and
/// `-`, starting and ending with a letter or digit.
pub fn check_dns_label(name: &str, what: &str) -> Result<(), Problem> {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    let problem = if name.is_empty() {
        Some("is empty".to_string())
    } else if name.len() > 63 {
        Some(format!("has {} characters, more than 63", name.len()))
    } else if let Some(c) = name.chars().find(|c| !ok_char(*c)) {
        Some(format!("contains {}", super::names::describe_char(c)))
    } else if name.starts_with('-') || name.ends_with('-') {
        Some("starts or ends with `-`".to_string())
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(p) => Err((
            format!("the {what} `{name}` {p}"),
            format!(
                "a {what} is 1-63 lowercase letters, digits and `-`, starting and ending with a letter or digit, e.g. \"{}\"",
                suggest_label(name)
            ),
        )),
    }
}

/// A DNS-1123 label close to `name`.
fn suggest_label(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            'a'..='z' | '0'..='9' => c,
            _ => '-',
        })
        .collect();
    s.truncate(63);
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "spark-jobs".into()
    } else {
        s
    }
}

/// A Kubernetes CPU quantity: `"1000"`, `"2.5"` or `"500m"`.
pub fn check_cpu(q: &str) -> Result<(), Problem> {
    let number = q.strip_suffix('m').unwrap_or(q);
    let ok = !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit() || c == '.')
        && number.matches('.').count() <= 1
        && !number.starts_with('.')
        && !number.ends_with('.')
        && (!q.ends_with('m') || !number.contains('.'));
    if ok {
        Ok(())
    } else {
        Err((
            format!("`{q}` is not a CPU quantity"),
            "write cores as \"1000\" or \"2.5\", or millicores as \"500m\"".into(),
        ))
    }
}

/// A Kubernetes memory quantity: a number with an optional binary (`Ki`..`Ei`) or decimal
/// (`k`, `M`, `G`, `T`, `P`, `E`) suffix, e.g. `"4000Gi"`.
pub fn check_memory(q: &str) -> Result<(), Problem> {
    const SUFFIXES: &[&str] = &["Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "k", "M", "G", "T", "P", "E", ""];
    let digits = q.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &q[digits.len()..];
    let ok = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) && SUFFIXES.contains(&suffix);
    if ok {
        Ok(())
    } else {
        let hint = match suffix {
            "GB" | "gb" | "Gb" => format!("Kubernetes writes gibibytes as `Gi`: \"{digits}Gi\""),
            "MB" | "mb" | "Mb" => format!("Kubernetes writes mebibytes as `Mi`: \"{digits}Mi\""),
            _ => "write a number with a suffix such as `Mi` or `Gi`, e.g. \"4000Gi\"".into(),
        };
        Err((format!("`{q}` is not a memory quantity"), hint))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert!(check_eks_version("1.36").is_ok());
        assert!(check_eks_version("1.32").is_ok());
        assert!(in_extended_support("1.33"));
        assert!(!in_extended_support("1.36"));
        let (m, h) = check_eks_version("1.37").unwrap_err();
        assert!(m.contains("newer") && h.contains("unlisted(\"1.37\")"), "{m} / {h}");
        let (m, _) = check_eks_version("1.30").unwrap_err();
        assert!(m.contains("no longer"), "{m}");
        assert!(check_eks_version("1.3x").is_err());
        assert!(check_unlisted_eks_version("1.37").is_ok());
        assert!(check_unlisted_eks_version("1.35")
            .unwrap_err()
            .1
            .contains("newer than the table"));
        assert_eq!(DEFAULT_EKS_VERSION, EKS_VERSIONS[0].version);
    }

    #[test]
    fn labels_and_quantities() {
        assert!(check_dns_label("dailyjobns", "namespace").is_ok());
        let (m, h) = check_dns_label("Daily_Job", "namespace").unwrap_err();
        assert!(m.contains("`D`") || m.contains("upper"), "{m}");
        assert!(h.contains("\"daily-job\""), "{h}");
        assert!(check_dns_label("-a", "namespace").is_err());
        assert!(check_dns_label(&"a".repeat(64), "namespace").is_err());
        assert!(check_cpu("1000").is_ok() && check_cpu("2.5").is_ok() && check_cpu("500m").is_ok());
        assert!(check_cpu("1.5m").is_err() && check_cpu("x").is_err());
        assert!(check_memory("4000Gi").is_ok() && check_memory("100Mi").is_ok() && check_memory("1024").is_ok());
        assert!(check_memory("4000GB").unwrap_err().1.contains("4000Gi"));
    }
}
