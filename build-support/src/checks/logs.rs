//! CloudWatch Logs retention periods.

use super::Problem;

/// The retention periods CloudWatch Logs accepts, in days.
pub const RETENTION_DAYS: &[i128] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/// `days` if CloudWatch Logs accepts it, else the nearest value it accepts as the hint.
pub fn check_retention(days: i128) -> Result<u32, Problem> {
    if RETENTION_DAYS.contains(&days) {
        return Ok(days as u32);
    }
    let near = RETENTION_DAYS
        .iter()
        .min_by_key(|r| r.abs_diff(days))
        .copied()
        .unwrap_or(7);
    let all: Vec<String> = RETENTION_DAYS.iter().map(i128::to_string).collect();
    Err((
        format!("CloudWatch Logs cannot keep logs for {days} days"),
        format!(
            "use {near} (the nearest allowed value); CloudWatch Logs keeps logs for {} days",
            all.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention() {
        assert_eq!(check_retention(731), Ok(731));
        assert!(check_retention(8).unwrap_err().1.starts_with("use 7 "));
        assert!(check_retention(5000).unwrap_err().1.starts_with("use 3653 "));
        // No overflow at the ends of the range.
        assert!(check_retention(i128::MIN).unwrap_err().1.starts_with("use 1 "));
        assert!(check_retention(i128::MAX).unwrap_err().1.starts_with("use 3653 "));
    }
}
