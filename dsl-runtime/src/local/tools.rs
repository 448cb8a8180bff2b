//! What a local run takes from the machine: Java (for Spark's JVM) and a Python 3 to create
//! the cached venvs from.

use std::path::{Path, PathBuf};
use std::process::Command;

/// How to install Java, said when it is missing.
pub const JAVA_HINT: &str = "Spark 3.5 needs Java 8, 11 or 17. Install one and run again:\n  \
     Debian/Ubuntu:  sudo apt-get install -y openjdk-17-jre-headless\n  \
     Fedora/RHEL:    sudo dnf install -y java-17-openjdk-headless\n  \
     macOS:          brew install openjdk@17\n\
     or set JAVA_HOME to an installed JDK or JRE.";

/// The `java` Spark will use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Java {
    pub path: PathBuf,
    /// Major version (8, 11, 17, 21), when `java -version` said it.
    pub major: Option<u32>,
    /// `JAVA_HOME` to give Spark (`None`: leave the environment as it is).
    pub home: Option<PathBuf>,
}

/// Finds Java: `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` on PATH.
pub fn find_java() -> Result<Java, String> {
    let java_home = std::env::var_os("JAVA_HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    let path = match &java_home {
        Some(home) => {
            let java = home.join("bin").join(exe("java"));
            if !java.is_file() {
                return Err(format!(
                    "JAVA_HOME is {}, which has no bin/java; point it at a JDK or JRE, or unset it to use the `java` on PATH.\n{JAVA_HINT}",
                    home.display()
                ));
            }
            java
        }
        None => which("java")
            .ok_or_else(|| format!("Java was not found (no JAVA_HOME, and no `java` on PATH).\n{JAVA_HINT}"))?,
    };
    let out = Command::new(&path)
        .arg("-version")
        .output()
        .map_err(|e| format!("cannot run {}: {e}\n{JAVA_HINT}", path.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} -version failed: {}\n{JAVA_HINT}",
            path.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    // `java -version` writes to stderr: `openjdk version "17.0.15" 2025-04-15`.
    let text = String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    Ok(Java {
        path,
        major: java_major(&text),
        home: java_home,
    })
}

/// The major version in `java -version` output: `"1.8.0_392"` is 8, `"17.0.15"` is 17.
pub fn java_major(version_output: &str) -> Option<u32> {
    let quoted = version_output.split('"').nth(1)?;
    let mut parts = quoted.split(['.', '_', '-', '+']);
    let first: u32 = parts.next()?.parse().ok()?;
    if first == 1 {
        parts.next()?.parse().ok()
    } else {
        Some(first)
    }
}

/// A warning for Java versions Spark 3.5 does not support, if this is one.
pub fn java_warning(java: &Java) -> Option<String> {
    match java.major {
        Some(8 | 11 | 17) | None => None,
        Some(v) => Some(format!(
            "warning: {} is Java {v}; Spark 3.5 supports Java 8, 11 and 17 (set JAVA_HOME to one of those if the run fails)",
            java.path.display()
        )),
    }
}

/// A Python 3 (at least 3.8, with `venv`) to create the cached venvs from:
/// `$SPARKFORM_LOCAL_PYTHON`, else `python3`, else `python` on PATH. Returns it and its
/// `major.minor`.
pub fn find_python() -> Result<(PathBuf, String), String> {
    const HINT: &str =
        "Install Python 3 with its venv module (Debian/Ubuntu: `sudo apt-get install -y python3 python3-venv`, \
         macOS: `brew install python@3.11`), or set SPARKFORM_LOCAL_PYTHON to a Python 3.8-3.11 interpreter.";
    let candidates: Vec<PathBuf> = match std::env::var_os("SPARKFORM_LOCAL_PYTHON").filter(|p| !p.is_empty()) {
        Some(p) => vec![PathBuf::from(p)],
        None => ["python3", "python"].iter().filter_map(|n| which(n)).collect(),
    };
    let mut tried = Vec::new();
    for python in candidates {
        let out = Command::new(&python)
            .args(["-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"])
            .output();
        match out {
            Ok(o) if o.status.success() => {
                let version = String::from_utf8_lossy(&o.stdout).trim().to_string();
                let ok = version
                    .split_once('.')
                    .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
                    .is_some_and(|v| v >= (3, 8));
                if ok {
                    return Ok((python, version));
                }
                tried.push(format!("{} is Python {version}", python.display()));
            }
            Ok(o) => tried.push(format!(
                "{}: {}",
                python.display(),
                String::from_utf8_lossy(&o.stderr).trim()
            )),
            Err(e) => tried.push(format!("{}: {e}", python.display())),
        }
    }
    if tried.is_empty() {
        Err(format!("Python 3 was not found on PATH. {HINT}"))
    } else {
        Err(format!("no usable Python 3.8 or later ({}). {HINT}", tried.join("; ")))
    }
}

/// The first `name` on PATH that is a file.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(exe(name)))
        .find(|p| is_executable(p))
}

fn exe(name: &str) -> String {
    if cfg!(windows) {
        format!("{name}.exe")
    } else {
        name.to_string()
    }
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_java_versions() {
        assert_eq!(
            java_major("openjdk version \"17.0.15\" 2025-04-15\nOpenJDK Runtime"),
            Some(17)
        );
        assert_eq!(java_major("java version \"1.8.0_392\"\nJava(TM) SE"), Some(8));
        assert_eq!(java_major("openjdk version \"21\" 2023-09-19"), Some(21));
        assert_eq!(java_major("openjdk version \"11.0.2-ea\""), Some(11));
        assert_eq!(java_major("no version here"), None);
    }

    #[test]
    fn warns_only_for_unsupported_java() {
        let j = |major| Java {
            path: "/usr/bin/java".into(),
            major,
            home: None,
        };
        assert_eq!(java_warning(&j(Some(17))), None);
        assert_eq!(java_warning(&j(None)), None);
        assert!(java_warning(&j(Some(21))).unwrap().contains("Java 21"));
    }

    #[test]
    fn the_hint_says_how_to_install_java() {
        assert!(JAVA_HINT.contains("apt-get install -y openjdk-17-jre-headless"));
        assert!(JAVA_HINT.contains("JAVA_HOME"));
    }
}
