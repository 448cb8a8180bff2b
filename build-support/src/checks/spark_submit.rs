//! `spark-submit` parameter strings: known options, `--conf key=value` pairs.

use super::Problem;
use crate::diag::did_you_mean;

/// spark-submit options that take a value.
const OPTIONS: &[&str] = &[
    "--conf",
    "--class",
    "--name",
    "--jars",
    "--packages",
    "--exclude-packages",
    "--repositories",
    "--py-files",
    "--files",
    "--archives",
    "--driver-memory",
    "--driver-cores",
    "--driver-java-options",
    "--driver-library-path",
    "--driver-class-path",
    "--executor-memory",
    "--executor-cores",
    "--num-executors",
    "--total-executor-cores",
    "--properties-file",
    "--proxy-user",
    "--queue",
    "--principal",
    "--keytab",
    "--deploy-mode",
    "--master",
];

/// Returns every `--conf` key=value pair after checking the whole string.
pub fn check(params: &str) -> Result<Vec<(String, String)>, Problem> {
    let mut confs = Vec::new();
    let mut words = params.split_whitespace().peekable();
    while let Some(w) = words.next() {
        let (opt, inline) = match w.split_once('=') {
            Some((o, v)) if o.starts_with("--") && o != "--conf" => (o, Some(v)),
            _ => (w, None),
        };
        if !opt.starts_with("--") {
            return Err((
                format!("`{w}` in spark_submit_parameters is not an option"),
                "spark-submit parameters are `--option value` pairs, e.g. `--conf spark.executor.cores=4`; put job arguments in `arguments`".into(),
            ));
        }
        if !OPTIONS.contains(&opt) {
            let hint = match did_you_mean(opt, OPTIONS.iter().copied()) {
                Some(o) => format!("did you mean `{o}`?"),
                None => format!("spark-submit options are: {}", OPTIONS.join(" ")),
            };
            return Err((format!("`{opt}` is not a spark-submit option"), hint));
        }
        let value = match inline {
            Some(v) => v,
            None => match words.next() {
                Some(v) if !v.starts_with("--") => v,
                _ => return Err((format!("`{opt}` needs a value"), format!("write `{opt} <value>`"))),
            },
        };
        if opt == "--conf" {
            match value.split_once('=') {
                Some((k, v)) if !k.is_empty() && !v.is_empty() => confs.push((k.to_string(), v.to_string())),
                _ => {
                    let key = value.split('=').next().filter(|k| !k.is_empty());
                    // `--conf key value`: the value is the next word.
                    let next = words.peek().filter(|n| !n.starts_with("--") && !value.contains('='));
                    let help = match (key, next) {
                        (Some(k), Some(n)) => format!("join the key and its value with `=`: `--conf {k}={n}`"),
                        (Some(k), None) => format!("join the key and its value with `=`: `--conf {k}=<value>`"),
                        (None, _) => {
                            "join the key and its value with `=`, e.g. `--conf spark.executor.memory=4g`".into()
                        }
                    };
                    return Err((format!("`--conf {value}` is not `key=value`"), help));
                }
            }
        }
    }
    Ok(confs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params() {
        let c = check("--conf spark.executor.instances=2 --conf spark.executor.memory=2G --executor-cores 4").unwrap();
        assert_eq!(c.len(), 2);
        assert!(check("--conf spark.executor.memory")
            .unwrap_err()
            .0
            .contains("key=value"));
        assert!(check("--conf spark.executor.memory 4g")
            .unwrap_err()
            .1
            .contains("`--conf spark.executor.memory=4g`"));
        assert!(check("--conff a=b").unwrap_err().1.contains("--conf"));
        assert!(check("--conf").is_err());
        assert!(check("foo").is_err());
        assert!(check("--driver-memory=2g").is_ok());
    }
}
