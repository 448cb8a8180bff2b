//! A lock file shared by every sparkform process on the machine, so that two runs (two test
//! binaries, a test and a terminal) never install into the same venv at once. The lock is the
//! operating system's (`flock`), so it goes away with a process that crashes or is killed.

use std::fs::File;
use std::path::Path;

pub struct Lock {
    _file: File,
}

impl Lock {
    /// Takes the lock at `path` (created if missing), waiting for it when another process
    /// holds it; `waiting` is said once if it has to wait.
    pub fn acquire(path: &Path, waiting: &str) -> Result<Lock, String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| format!("cannot open the lock file {}: {e}", path.display()))?;
        imp::lock(&file, waiting).map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
        Ok(Lock { _file: file })
    }
}

#[cfg(unix)]
mod imp {
    use std::fs::File;
    use std::io;
    use std::os::fd::AsRawFd;

    pub fn lock(file: &File, waiting: &str) -> io::Result<()> {
        let fd = file.as_raw_fd();
        // SAFETY: flock on a descriptor this function borrows; no memory is involved.
        if unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EWOULDBLOCK) {
            return Err(err);
        }
        eprintln!("{waiting}");
        loop {
            // SAFETY: as above.
            if unsafe { libc::flock(fd, libc::LOCK_EX) } == 0 {
                return Ok(());
            }
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(err);
            }
        }
    }
}

#[cfg(not(unix))]
mod imp {
    pub fn lock(_file: &std::fs::File, _waiting: &str) -> std::io::Result<()> {
        // Without flock, concurrent installs are the user's to avoid.
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_waits_for_the_first() {
        let dir = std::env::temp_dir().join(format!("sparkform-lock-test-{}", std::process::id()));
        let path = dir.join("x.lock");
        let first = Lock::acquire(&path, "waiting").unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let p = path.clone();
        let t = std::thread::spawn(move || {
            let _second = Lock::acquire(&p, "waiting for the first lock").unwrap();
            tx.send(()).unwrap();
        });
        assert!(
            rx.recv_timeout(std::time::Duration::from_millis(200)).is_err(),
            "the second lock waits"
        );
        drop(first);
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("the second lock follows the first");
        t.join().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
