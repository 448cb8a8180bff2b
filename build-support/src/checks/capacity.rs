//! EMR Serverless capacity strings ("4 vCPU", "16 GB") and worker configurations.

use super::Problem;

/// Parses "<n> vCPU" (the unit is optional, as the service allows).
pub fn parse_cpu(text: &str) -> Result<u32, Problem> {
    parse_unit(text, "vCPU", "4")
}

/// Parses "<n> GB" into GB.
pub fn parse_gb(text: &str) -> Result<u32, Problem> {
    parse_unit(text, "GB", "16")
}

fn parse_unit(text: &str, unit_name: &str, example: &str) -> Result<u32, Problem> {
    let t = text.trim();
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    let unit = t[digits.len()..].trim();
    let n = digits.parse::<u32>().ok().filter(|n| *n > 0);
    match n {
        Some(n) if unit.is_empty() || unit.eq_ignore_ascii_case(unit_name) => Ok(n),
        Some(n) if unit_name == "GB" && unit.eq_ignore_ascii_case("TB") => Err((
            format!("`{text}` is not a capacity: the unit is GB, not `{unit}`"),
            format!("write it in GB: \"{} GB\"", u64::from(n) * 1024),
        )),
        Some(n) if unit.starts_with(|c: char| c.is_alphabetic()) => Err((
            format!("`{text}` is not a capacity: the unit is {unit_name}, not `{unit}`"),
            format!("write \"{n} {unit_name}\""),
        )),
        _ => Err((
            format!("`{text}` is not a capacity"),
            format!("write a positive whole number and {unit_name}, e.g. \"{example} {unit_name}\""),
        )),
    }
}

/// The part of a worker configuration a problem is about, so it can be reported there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerPart {
    Cpu,
    Memory,
    Disk,
}

/// Checks one worker's size against what EMR Serverless offers.
pub fn check_worker(cpu: u32, memory_gb: u32, disk_gb: Option<u32>, shuffle_optimized: bool) -> Result<(), Problem> {
    check_worker_part(cpu, memory_gb, disk_gb, shuffle_optimized).map_err(|(_, p)| p)
}

/// Like [`check_worker`], also saying which setting is wrong.
pub fn check_worker_part(
    cpu: u32,
    memory_gb: u32,
    disk_gb: Option<u32>,
    shuffle_optimized: bool,
) -> Result<(), (WorkerPart, Problem)> {
    let (lo, hi) = match cpu {
        1 => (2, 8),
        2 => (4, 16),
        4 => (8, 30),
        8 => (16, 60),
        16 => (32, 120),
        _ => {
            return Err((
                WorkerPart::Cpu,
                (
                    format!("{cpu} vCPU is not a worker size"),
                    "workers have 1, 2, 4, 8 or 16 vCPU".into(),
                ),
            ))
        }
    };
    if memory_gb < lo || memory_gb > hi {
        return Err((
            WorkerPart::Memory,
            (
                format!("a {cpu} vCPU worker takes {lo} to {hi} GB of memory, not {memory_gb} GB"),
                format!("set memory between \"{lo} GB\" and \"{hi} GB\", or change `cpu`"),
            ),
        ));
    }
    let max_disk = if shuffle_optimized { 2000 } else { 200 };
    if let Some(d) = disk_gb {
        if !(20..=max_disk).contains(&d) {
            let help = if shuffle_optimized {
                "set disk between \"20 GB\" and \"2000 GB\"".to_string()
            } else {
                "set disk between \"20 GB\" and \"200 GB\", or use `disk_type: SHUFFLE_OPTIMIZED` for up to \"2000 GB\""
                    .to_string()
            };
            return Err((
                WorkerPart::Disk,
                (format!("worker disk must be 20 to {max_disk} GB, not {d} GB"), help),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities() {
        assert_eq!(parse_cpu("4 vCPU").unwrap(), 4);
        assert_eq!(parse_cpu("4vcpu").unwrap(), 4);
        assert_eq!(parse_gb("16 GB").unwrap(), 16);
        assert!(parse_gb("16 TB").is_err());
        assert!(parse_cpu("four").is_err());
        assert!(parse_cpu("4 cores").unwrap_err().1.contains("\"4 vCPU\""));
        assert!(!parse_cpu("4.5 vCPU").unwrap_err().0.contains("unit"));
        assert!(check_worker(4, 16, Some(20), false).is_ok());
        assert!(check_worker(3, 16, None, false).is_err());
        assert!(check_worker(4, 64, None, false).is_err());
        assert!(check_worker(4, 16, Some(500), false).is_err());
        assert!(check_worker(4, 16, Some(500), true).is_ok());
    }
}
