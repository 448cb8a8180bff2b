//! IAM actions are checked against a catalog of real actions (data/iam-actions.txt), so a
//! typo such as DSF's `emrserverless:StartJobRun` or `emr-container:DescribeJobRun` is a
//! compile error instead of a silent deny at run time.

use crate::diag::did_you_mean;
use std::collections::HashMap;
use std::sync::OnceLock;

const CATALOG: &str = include_str!("../../data/iam-actions.txt");

struct Catalog {
    /// service prefix -> actions (original case)
    services: HashMap<&'static str, Vec<&'static str>>,
}

fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| {
        let services = CATALOG
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .filter_map(|l| l.split_once(':'))
            .map(|(prefix, actions)| (prefix, actions.split(',').collect()))
            .collect();
        Catalog { services }
    })
}

/// Matches an IAM action pattern (`*` any run, `?` one character), without case.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Verbs AWS services use for the same operation: `Describe*` in one API is `Get*` in the
/// next (DSF's `emr-serverless:DescribeApplication` is `GetApplication`).
const VERB_SYNONYMS: &[(&str, &[&str])] = &[
    ("Describe", &["Get", "List"]),
    ("Get", &["Describe", "List"]),
    ("List", &["Describe", "Get"]),
    ("Stop", &["Cancel"]),
    ("Cancel", &["Stop"]),
    ("Remove", &["Delete"]),
    ("Delete", &["Remove"]),
    ("Update", &["Put", "Modify"]),
    ("Put", &["Update"]),
    ("Modify", &["Update"]),
];

/// The real action that acts on the same object with a synonymous verb, if there is one.
fn same_object_other_verb(name: &str, actions: &[&'static str]) -> Option<&'static str> {
    VERB_SYNONYMS.iter().find_map(|(verb, others)| {
        let object = name
            .get(..verb.len())
            .filter(|v| v.eq_ignore_ascii_case(verb))
            .map(|_| &name[verb.len()..])?;
        if object.is_empty() {
            return None;
        }
        others.iter().find_map(|o| {
            actions.iter().copied().find(|a| {
                a.len() == o.len() + object.len()
                    && a[..o.len()].eq_ignore_ascii_case(o)
                    && a[o.len()..].eq_ignore_ascii_case(object)
            })
        })
    })
}

/// Checks one action; the error says what is wrong and what to write instead.
pub fn check_action(action: &str) -> Result<(), (String, String)> {
    if action == "*" {
        return Err((
            "the action `*` grants every permission on every service".into(),
            "list the actions the role needs, e.g. \"s3:GetObject\"".into(),
        ));
    }
    let Some((prefix, name)) = action.split_once(':') else {
        return Err((
            format!("`{action}` is not an IAM action"),
            "write actions as `service:Action`, e.g. \"s3:GetObject\"".into(),
        ));
    };
    let cat = catalog();
    let Some(actions) = cat.services.get(prefix) else {
        let hint = match did_you_mean(prefix, cat.services.keys().copied()) {
            Some(p) => format!("did you mean the service prefix `{p}`?"),
            None => "check the prefix in AWS's Service Authorization Reference".into(),
        };
        return Err((format!("`{prefix}` is not an IAM service prefix (in `{action}`)"), hint));
    };
    if name.is_empty() || name == "*" {
        return Err((
            format!("`{action}` grants every {prefix} permission"),
            format!("list the {prefix} actions the role needs (a partial wildcard such as `{prefix}:Get*` is allowed)"),
        ));
    }
    if name.contains(['*', '?']) {
        if actions.iter().any(|a| glob(name, a)) {
            return Ok(());
        }
        return Err((
            format!("`{action}` matches no {prefix} action"),
            format!("check the spelling against the {prefix} actions"),
        ));
    }
    if actions.iter().any(|a| a.eq_ignore_ascii_case(name)) {
        return Ok(());
    }
    let hint = match same_object_other_verb(name, actions).or_else(|| did_you_mean(name, actions.iter().copied())) {
        Some(a) => format!("did you mean `{prefix}:{a}`?"),
        None => format!("see the {prefix} actions in AWS's Service Authorization Reference"),
    };
    Err((format!("`{action}` is not an action of the `{prefix}` service"), hint))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_actions_pass() {
        for a in [
            "s3:GetObject",
            "emr-serverless:StartJobRun",
            "iam:PassRole",
            "s3:Get*",
            "logs:PutLogEvents",
            "states:StartExecution",
        ] {
            assert_eq!(check_action(a), Ok(()), "{a}");
        }
    }

    #[test]
    fn dsf_defects_are_caught_with_suggestions() {
        let (msg, help) = check_action("emrserverless:StartJobRun").unwrap_err();
        assert!(msg.contains("not an IAM service prefix"), "{msg}");
        assert!(help.contains("emr-serverless"), "{help}");
        let (_, help) = check_action("emr-container:DescribeJobRun").unwrap_err();
        assert!(help.contains("emr-containers"), "{help}");
        let (msg, help) = check_action("emr-serverless:DescribeApplication").unwrap_err();
        assert!(msg.contains("not an action of the `emr-serverless` service"), "{msg}");
        assert!(help.contains("GetApplication"), "{help}");
        let (_, help) = check_action("emr-serverless:StopJobRun").unwrap_err();
        assert!(help.contains("CancelJobRun"), "{help}");
        let (_, help) = check_action("emr-containers:GetJobRun").unwrap_err();
        assert!(help.contains("DescribeJobRun"), "{help}");
    }

    #[test]
    fn broad_wildcards_are_refused() {
        assert!(check_action("*").is_err());
        assert!(check_action("s3:*").is_err());
        assert!(check_action("s3:Zzz*").is_err());
        assert!(check_action("GetObject").is_err());
    }

    #[test]
    fn glob_matches() {
        assert!(glob("get*", "GetObject"));
        assert!(glob("Get?bject", "GetObject"));
        assert!(!glob("Put*", "GetObject"));
    }
}
