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
        _ => {
            return Err((
                format!("`{unit}` is not a rate unit"),
                "use minute(s), hour(s) or day(s)".into(),
            ))
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
            format!("EventBridge cron has six fields (minutes hours day-of-month month day-of-week year); add a year, e.g. `cron({body} *)`, and use `?` in day-of-month or day-of-week")
        } else {
            "EventBridge cron has six fields: minutes hours day-of-month month day-of-week year".into()
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
        return Err((
            format!("`cron({body})`: exactly one of day-of-month (`{dom}`) and day-of-week (`{dow}`) must be `?`"),
            "e.g. `cron(0 2 * * ? *)` runs every day at 02:00 UTC".into(),
        ));
    }
    Ok(())
}

fn check_field(f: &str, name: &str, lo: u32, hi: u32, names: &[&str], day: bool) -> Result<(), Problem> {
    let bad = |why: String| {
        Err((
            format!("cron {name} field `{f}`: {why}"),
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
                return bad(format!("`{s}` is not a step"));
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
                return bad(format!("`{v}` is out of range"));
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
        assert!(check_schedule("cron(0 2 * * *)").unwrap_err().1.contains("six fields"));
        assert!(check_schedule("cron(61 2 * * ? *)").is_err());
        assert!(check_schedule("rate(1 day)").is_ok());
        assert!(check_schedule("rate(5 minutes)").is_ok());
        assert!(check_schedule("rate(1 days)").unwrap_err().1.contains("rate(1 day)"));
        assert!(check_schedule("rate(2 hour)").unwrap_err().1.contains("rate(2 hours)"));
        assert!(check_schedule("rate(2 weeks)").is_err());
        assert!(check_schedule("every day").is_err());
    }
}
