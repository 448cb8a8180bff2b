//! CloudWatch Logs retention periods.

use super::Problem;

/// The retention periods CloudWatch Logs accepts, in days.
pub const RETENTION_DAYS: &[i128] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

pub fn check_retention(days: i128) -> Result<u32, Problem> {
    if RETENTION_DAYS.contains(&days) {
        return Ok(days as u32);
    }
    let near = RETENTION_DAYS
        .iter()
        .min_by_key(|r| (**r - days).abs())
        .copied()
        .unwrap_or(7);
    Err((
        format!("CloudWatch Logs cannot keep logs for {days} days"),
        format!("the nearest allowed value is {near}"),
    ))
}
