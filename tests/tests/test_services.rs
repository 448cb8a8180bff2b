//! `scripts/test-services mirror`: the base image comes from the Debian mirror this
//! machine's apt uses (one-line and deb822 sources, security suites skipped), with
//! `SPARKFORM_DEBIAN_MIRROR` as the override and deb.debian.org as the last resort.

use std::path::Path;
use std::process::Command;

fn mirror(apt: &Path, env_override: Option<&str>) -> String {
    let mut cmd = Command::new(sparkform_tests::workspace().join("scripts/test-services"));
    cmd.arg("mirror")
        .env("SPARKFORM_APT_DIR", apt)
        .env_remove("SPARKFORM_DEBIAN_MIRROR");
    if let Some(m) = env_override {
        cmd.env("SPARKFORM_DEBIAN_MIRROR", m);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn the_mirror_comes_from_apt_sources() {
    let dir = std::env::temp_dir().join(format!("sparkform-apt-{}", std::process::id()));
    let d = dir.join("sources.list.d");
    std::fs::create_dir_all(&d).unwrap();

    // Nothing configured: Debian's own.
    assert_eq!(mirror(&dir, None), "http://deb.debian.org/debian");

    // deb822, security first in the file: the main archive is taken.
    std::fs::write(
        d.join("debian.sources"),
        "Types: deb\nURIs: http://mirror.corp/debian-security\nSuites: bookworm-security\nComponents: main\n\n\
         Types: deb\nURIs: http://mirror.corp/debian\nSuites: bookworm bookworm-updates\nComponents: main\n",
    )
    .unwrap();
    assert_eq!(mirror(&dir, None), "http://mirror.corp/debian");

    // A one-line list with options comes first (sources.list is read before the folder).
    std::fs::write(
        dir.join("sources.list"),
        "deb [arch=amd64 signed-by=/k.gpg] http://apt.local/debian bookworm main\n",
    )
    .unwrap();
    assert_eq!(mirror(&dir, None), "http://apt.local/debian");

    // The variable wins.
    assert_eq!(mirror(&dir, Some("http://override/debian")), "http://override/debian");
    std::fs::remove_dir_all(&dir).unwrap();
}
