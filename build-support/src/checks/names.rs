//! Names AWS constrains: EMR Serverless application names, stack names, logical IDs.

use super::Problem;

/// EMR Serverless application name: 1 to 64 of `A-Za-z0-9._/#-`.
pub fn check_application_name(name: &str) -> Result<(), Problem> {
    if name.is_empty() {
        return Err((
            "the application name is empty".into(),
            "write 1 to 64 letters, digits and . _ / # -, e.g. \"spark-serverless-demo\"".into(),
        ));
    }
    let len = name.chars().count();
    if len > 64 {
        return Err((
            format!("the application name must be 1 to 64 characters, `{name}` has {len}"),
            "shorten the name to at most 64 characters".into(),
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "._/#-".contains(*c)))
    {
        return Err((
            format!("the application name `{name}` contains {}", describe_char(c)),
            "use only letters, digits and . _ / # -".into(),
        ));
    }
    Ok(())
}

/// An IAM role name: 1 to 64 letters, digits and `+=,.@_-`.
pub fn check_role_name(name: &str) -> Result<(), Problem> {
    let ok = (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if ok {
        Ok(())
    } else {
        Err((
            format!("`{name}` is not a valid IAM role name"),
            "role names are 1 to 64 letters, digits and + = , . @ _ -".into(),
        ))
    }
}

/// The name a role gets in the stage being synthesized ([`Context::staged_name`]), checked
/// with its prefix: a name that fits alone can be too long in a stage.
pub fn staged_role_name(ctx: &crate::model::Context, name: &str) -> Result<String, Problem> {
    check_role_name(name)?;
    let staged = ctx.staged_name(name);
    if staged.len() > 64 {
        return Err((
            format!(
                "in stage `{}` this role is named `{staged}`, {} characters: IAM allows 64",
                ctx.stage.as_deref().unwrap_or_default(),
                staged.len()
            ),
            "a stage's roles are named `<stage>-<name>` (so stages can share an account): shorten the name".into(),
        ));
    }
    Ok(staged)
}

/// A character for a message: visible ones quoted, blanks named.
pub fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '\t' => "a tab".into(),
        c if c.is_whitespace() || c.is_control() => format!("the character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

/// CloudFormation stack name: a letter, then letters, digits and hyphens; at most 128.
pub fn check_stack_name(name: &str) -> Result<(), Problem> {
    let ok = name.len() <= 128
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err((
            format!("`{name}` is not a valid stack name"),
            "start with a letter and use only letters, digits and hyphens (at most 128)".into(),
        ))
    }
}

/// A CloudFormation export name: 1 to 255 letters, digits, `-` and `:`.
pub fn check_export_name(name: &str) -> Result<(), Problem> {
    let ok = (1..=255).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':');
    if ok {
        Ok(())
    } else {
        Err((
            format!("`{name}` is not a valid export name"),
            "export names are 1 to 255 letters, digits, `-` and `:`".into(),
        ))
    }
}

/// `NIGHTLY_JOB` -> `NightlyJob`: the prefix of every logical ID a construct creates.
pub fn pascal_case(ident: &str) -> String {
    ident
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut cs = p.chars();
            let first = cs.next().map(|c| c.to_ascii_uppercase()).into_iter();
            let all_upper = p.chars().all(|c| !c.is_ascii_lowercase());
            let rest: String = if all_upper {
                cs.map(|c| c.to_ascii_lowercase()).collect()
            } else {
                cs.collect()
            };
            first.chain(rest.chars()).collect::<String>()
        })
        .collect()
}

/// IAM role name from a role ARN (`arn:aws:iam::123456789012:role/path/name` -> `name`).
pub fn role_name_from_arn(arn: &str) -> Result<String, Problem> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let name = parts.last().and_then(|r| r.rsplit('/').next()).unwrap_or("");
    let why = if parts.len() != 6 || parts[0] != "arn" {
        Some("an ARN has six `:`-separated parts, `arn:partition:iam::account:role/name`".to_string())
    } else if parts[2] != "iam" {
        Some(format!("its service is `{}`, not `iam`", parts[2]))
    } else if parts[4].len() != 12 || !parts[4].chars().all(|c| c.is_ascii_digit()) {
        Some(format!("the account id `{}` is not 12 digits", parts[4]))
    } else if !parts[5].starts_with("role/") {
        Some(format!("`{}` is not `role/<name>`", parts[5]))
    } else if name.is_empty() {
        Some("the role name is missing".into())
    } else if name.len() > 64 {
        Some(format!("the role name has {} characters; IAM allows 64", name.len()))
    } else {
        None
    };
    if let Some(why) = why {
        return Err((
            format!("`{arn}` is not an IAM role ARN: {why}"),
            "write it like \"arn:aws:iam::123456789012:role/my-role\"".into(),
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "+=,.@_-".contains(*c)))
    {
        return Err((
            format!("the role name `{name}` contains {}", describe_char(c)),
            "role names use letters, digits and +=,.@_-".into(),
        ));
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_application_name("spark-serverless-demo").is_ok());
        assert!(check_application_name("bad name").is_err());
        assert!(check_application_name(&"a".repeat(65)).is_err());
        assert!(check_application_name(&"a".repeat(64)).is_ok());
        assert!(check_application_name("").unwrap_err().0.contains("empty"));
        assert!(check_application_name("a b").unwrap_err().0.contains("a space"));
        assert!(role_name_from_arn("arn:aws:iam::1234:role/x")
            .unwrap_err()
            .0
            .contains("12 digits"));
        assert!(role_name_from_arn("arn:aws:s3:::bucket").is_err());
        assert!(check_stack_name("my-stack").is_ok());
        assert!(check_stack_name("1stack").is_err());
        assert_eq!(pascal_case("SPARK_RUNTIME"), "SparkRuntime");
        assert_eq!(pascal_case("nightlyJob"), "NightlyJob");
        assert_eq!(
            role_name_from_arn("arn:aws:iam::123456789012:role/a/b-c").unwrap(),
            "b-c"
        );
        assert!(role_name_from_arn("arn:aws:iam::1234:role/x").is_err());
    }
}
