//! EventBridge schedule expressions: `cron(...)` with six fields and the `?` rule, and
//! `rate(N unit)` with the singular/plural rule EventBridge enforces.

use super::Problem;

pub fn check_schedule(expr: &str) -> Result<(), Problem> {
    let e = expr.trim();
    if let Some(body) = e.strip_prefix("cron(").and_then(|b| b.strip_suffix(')')) {
        return check_cron(body);
    }
    if let Some(body) = e.strip_prefix("rate(").and_then(|b| b.strip_suffix(')')) {
        return check_rate(body);
    }
    Err((
        format!("`{expr}` is not a schedule expression"),
        "write `cron(0 2 * * ? *)` (minutes hours day-of-month month day-of-week year) or `rate(1 day)`".into(),
    ))
}

fn check_rate(body: &str) -> Result<(), Problem> {
    let parts: Vec<&str> = body.split_whitespace().collect();
    let help = "write `rate(1 hour)`, `rate(15 minutes)` or `rate(1 day)`".to_string();
    let [n, unit] = parts.as_slice() else {
        return Err((format!("`rate({body})` needs a number and a unit"), help));
    };
    let Ok(n) = n.parse::<u64>() else {
        return Err((format!("`{n}` in `rate({body})` is not a whole number"), help));
    };
    if n == 0 {
        return Err((format!("`rate({body})` must be at least 1"), help));
    }
    let (singular, plural) = match unit.trim_end_matches('s') {
        "minute" => ("minute", "minutes"),
        "hour" => ("hour", "hours"),
        "day" => ("day", "days"),
        "week" => {
            let days = n.saturating_mul(7);
            return Err((
                format!("`{unit}` is not a rate unit"),
                format!("EventBridge rates are in minutes, hours or days: write `rate({days} days)`"),
            ));
        }
        _ => {
            let units = ["minute", "minutes", "hour", "hours", "day", "days"];
            let help = match crate::diag::did_you_mean(unit, units) {
                Some(u) => {
                    let u = u.trim_end_matches('s');
                    format!("did you mean `rate({n} {u}{})`?", if n == 1 { "" } else { "s" })
                }
                None => "use minute(s), hour(s) or day(s), e.g. `rate(15 minutes)`".into(),
            };
            return Err((format!("`{unit}` is not a rate unit"), help));
        }
    };
    let want = if n == 1 { singular } else { plural };
    if *unit != want {
        return Err((
            format!("EventBridge rejects `rate({body})`"),
            format!("write `rate({n} {want})`"),
        ));
    }
    Ok(())
}

fn check_cron(body: &str) -> Result<(), Problem> {
    let fields: Vec<&str> = body.split_whitespace().collect();
    if fields.len() != 6 {
        let hint = if fields.len() == 5 {
            // Unix cron: add the year, and a `?` in one of the day fields.
            // Unix numbers the days of the week 0-6 from Sunday, EventBridge 1-7: use names.
            let dow = unix_days_as_names(fields[4]);
            let mut six: Vec<&str> = fields.clone();
            if let Some(d) = &dow {
                six[4] = d;
            }
            six.push("*");
            let fixed = with_question_mark(&six).unwrap_or_else(|| six.join(" "));
            let note = match &dow {
                Some(d) => format!(
                    " (EventBridge numbers the days of the week 1-7 from Sunday: Unix `{}` is `{d}`)",
                    fields[4]
                ),
                None => String::new(),
            };
            format!("EventBridge cron has six fields (minutes hours day-of-month month day-of-week year) and `?` in day-of-month or day-of-week: write `cron({fixed})`{note}")
        } else {
            "EventBridge cron has six fields: minutes hours day-of-month month day-of-week year, e.g. `cron(0 2 * * ? *)`".into()
        };
        return Err((format!("`cron({body})` has {} fields, not 6", fields.len()), hint));
    }
    let specs: [(&str, u32, u32, &[&str]); 6] = [
        ("minutes", 0, 59, &[]),
        ("hours", 0, 23, &[]),
        ("day-of-month", 1, 31, &[]),
        (
            "month",
            1,
            12,
            &[
                "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
            ],
        ),
        ("day-of-week", 1, 7, &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]),
        ("year", 1970, 2199, &[]),
    ];
    for (i, (f, (name, lo, hi, names))) in fields.iter().zip(specs).enumerate() {
        check_field(f, name, lo, hi, names, i == 2 || i == 4)?;
    }
    let (dom, dow) = (fields[2], fields[4]);
    if (dom == "?") == (dow == "?") {
        let hint = match with_question_mark(&fields) {
            Some(fixed) => format!("write `cron({fixed})`"),
            None => "EventBridge cannot match both a day of the month and a day of the week: put `?` in one of them, e.g. `cron(0 2 1 * ? *)` (the 1st of each month) or `cron(0 2 ? * MON *)` (Mondays)".into(),
        };
        return Err((
            format!("`cron({body})`: exactly one of day-of-month (`{dom}`) and day-of-week (`{dow}`) must be `?`"),
            hint,
        ));
    }
    Ok(())
}

/// A Unix day-of-week field with numbers (0-6 from Sunday) written with EventBridge's
/// names, or None when it has no numbers or is not a plain list of days and ranges.
fn unix_days_as_names(field: &str) -> Option<String> {
    const NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    if !field.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut parts = Vec::new();
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        let days: Option<Vec<&str>> = range
            .split('-')
            .map(|d| d.parse::<usize>().ok().and_then(|n| NAMES.get(n).copied()))
            .collect();
        let mut out = days?.join("-");
        if let Some(s) = step {
            out = format!("{out}/{s}");
        }
        parts.push(out);
    }
    Some(parts.join(","))
}

/// The six fields with exactly one `?` in the day fields, when the fix is unambiguous: `*`
/// in the other day field becomes `?` (`0 2 * * MON *` → `0 2 ? * MON *`), or one of two
/// `?` becomes `*`.
fn with_question_mark(fields: &[&str]) -> Option<String> {
    let mut f: Vec<&str> = fields.to_vec();
    match (f[2], f[4]) {
        ("?", "?") => f[4] = "*",
        (dom, dow) if dom == "?" || dow == "?" => {}
        (_, "*") => f[4] = "?",
        ("*", _) => f[2] = "?",
        _ => return None,
    }
    // `*` in both day fields means every day; `?` in day-of-week says it the EventBridge way.
    Some(f.join(" "))
}

fn check_field(f: &str, name: &str, lo: u32, hi: u32, names: &[&str], day: bool) -> Result<(), Problem> {
    let bad = |value: &str, why: &str| {
        let what = if value == f {
            format!("cron {name} field `{f}` {why}")
        } else {
            format!("cron {name} field `{f}`: `{value}` {why}")
        };
        Err((
            what,
            format!("{name} takes {lo}-{hi}, `*`, lists `a,b`, ranges `a-b` and steps `*/n`"),
        ))
    };
    if f == "*" || (f == "?" && day) {
        return Ok(());
    }
    for part in f.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        if let Some(s) = step {
            if s.parse::<u32>().map_or(true, |n| n == 0) {
                return bad(s, "is not a step");
            }
        }
        if range == "*" {
            continue;
        }
        // Day fields also take L, W and # forms (last day, weekday, nth weekday).
        let value = if day { range.trim_end_matches(['L', 'W']) } else { range };
        if day && (range == "L" || value.is_empty()) {
            continue;
        }
        let value = if day {
            value.split('#').next().unwrap_or(value)
        } else {
            value
        };
        for v in value.split('-') {
            let ok = v.parse::<u32>().map(|n| (lo..=hi).contains(&n)).unwrap_or(false)
                || names.iter().any(|n| n.eq_ignore_ascii_case(v));
            if !ok {
                return bad(v, "is out of range");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        assert!(check_schedule("cron(0 2 * * ? *)").is_ok());
        assert!(check_schedule("cron(0/15 8-18 ? * MON-FRI *)").is_ok());
        assert!(check_schedule("cron(0 10 L * ? *)").is_ok());
        assert!(check_schedule("cron(0 2 * * * *)")
            .unwrap_err()
            .0
            .contains("must be `?`"));
        assert!(check_schedule("cron(0 2 * * *)")
            .unwrap_err()
            .1
            .contains("`cron(0 2 * * ? *)`"));
        let (_, help) = check_schedule("cron(0 2 * * 1-5)").unwrap_err();
        assert!(help.contains("`cron(0 2 ? * MON-FRI *)`"), "{help}");
        assert!(help.contains("Unix `1-5` is `MON-FRI`"), "{help}");
        assert!(check_schedule("cron(0 2 * * MON-FRI)")
            .unwrap_err()
            .1
            .contains("`cron(0 2 ? * MON-FRI *)`"));
        assert!(check_schedule("cron(0 2 * * MON *)")
            .unwrap_err()
            .1
            .contains("`cron(0 2 ? * MON *)`"));
        assert!(check_schedule("cron(0 2 ? * ? *)")
            .unwrap_err()
            .1
            .contains("`cron(0 2 ? * * *)`"));
        assert!(check_schedule("cron(0 2 1 * MON *)")
            .unwrap_err()
            .1
            .contains("put `?` in one"));
        assert_eq!(
            check_schedule("cron(0 25 * * ? *)").unwrap_err().0,
            "cron hours field `25` is out of range"
        );
        assert_eq!(
            check_schedule("cron(0 1,25 * * ? *)").unwrap_err().0,
            "cron hours field `1,25`: `25` is out of range"
        );
        assert!(check_schedule("cron(61 2 * * ? *)").is_err());
        assert!(check_schedule("rate(1 day)").is_ok());
        assert!(check_schedule("rate(5 minutes)").is_ok());
        assert!(check_schedule("rate(1 days)").unwrap_err().1.contains("rate(1 day)"));
        assert!(check_schedule("rate(2 hour)").unwrap_err().1.contains("rate(2 hours)"));
        assert!(check_schedule("rate(2 weeks)").unwrap_err().1.contains("rate(14 days)"));
        assert!(check_schedule("rate(15 minuts)")
            .unwrap_err()
            .1
            .contains("rate(15 minutes)"));
        assert!(check_schedule("rate(1 hr)").unwrap_err().1.contains("rate(1 hour)"));
        assert!(check_schedule("every day").is_err());
    }
}
