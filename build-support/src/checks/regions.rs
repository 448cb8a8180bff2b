//! AWS Regions and account ids, as a stage names them.

use super::Problem;
use crate::diag::suggestion;

/// The Regions of the public, China and GovCloud partitions: those cfn-lint 1.58 (the
/// version the tests pin) ships resource schemas for, without the isolated partitions
/// (`us-iso*`, `eu-isoe`, `eusc`), plus `me-south-1` (Bahrain), which it lacks.
pub const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

pub fn check_region(region: &str) -> Result<(), Problem> {
    if REGIONS.contains(&region) {
        return Ok(());
    }
    Err((
        format!(
            "`{region}` is not an AWS Region{}",
            suggestion(region, REGIONS.iter().copied())
        ),
        "write a Region code such as \"eu-west-1\"".into(),
    ))
}

/// A 12-digit AWS account id.
pub fn check_account(account: &str) -> Result<(), Problem> {
    if account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()) {
        return Ok(());
    }
    Err((
        format!("`{account}` is not an AWS account id"),
        "account ids are 12 digits, written as a string: \"111111111111\"".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_accounts() {
        assert!(check_region("eu-west-1").is_ok());
        assert!(check_region("eu-wst-1")
            .unwrap_err()
            .0
            .contains("did you mean `eu-west-1`?"));
        assert!(check_region("mars-1").is_err());
        assert!(check_account("111111111111").is_ok());
        assert!(check_account("11111111111").is_err());
        assert!(check_account("11111111111a").is_err());
    }
}
