//! The local cache of built assets: `<root>/<content hash>/<file name>`. An entry exists only
//! once complete (written to a temporary file, then renamed), so a crash or Ctrl-C during a
//! build never leaves a half-written archive that a later run would trust.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Built assets by content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetCache {
    root: PathBuf,
}

const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by sparkform.\n\
# For information about cache directory tags see https://bford.info/cachedir/\n";

impl AssetCache {
    /// A cache rooted at `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        AssetCache { root: root.into() }
    }

    /// The cache at [`AssetCache::default_root`].
    pub fn from_env() -> Self {
        Self::new(Self::default_root())
    }

    /// `$SPARKFORM_CACHE_DIR`; else `<cargo target dir>/sparkform/cache` when this program
    /// runs from a cargo target directory (the nearest ancestor of the executable holding the
    /// `CACHEDIR.TAG` cargo writes); else `~/.cache/sparkform/assets`.
    pub fn default_root() -> PathBuf {
        if let Some(dir) = std::env::var_os("SPARKFORM_CACHE_DIR").filter(|d| !d.is_empty()) {
            return PathBuf::from(dir);
        }
        if let Some(target) = std::env::current_exe().ok().as_deref().and_then(cargo_target_dir) {
            return target.join("sparkform").join("cache");
        }
        let cache_home = std::env::var_os("XDG_CACHE_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .unwrap_or_else(std::env::temp_dir);
        cache_home.join("sparkform").join("assets")
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder of one entry.
    pub fn entry_dir(&self, hash: &str) -> PathBuf {
        self.root.join(hash)
    }

    /// Where the file `name` of entry `hash` is (or would be).
    pub fn path(&self, hash: &str, name: &str) -> PathBuf {
        self.entry_dir(hash).join(name)
    }

    /// The complete file of entry `hash`, if there is one.
    pub fn get(&self, hash: &str) -> Option<PathBuf> {
        let mut files: Vec<PathBuf> = fs::read_dir(self.entry_dir(hash))
            .ok()?
            .flatten()
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            .collect();
        files.sort();
        files.into_iter().next()
    }

    /// The file `name` of entry `hash`, if it is complete.
    pub fn get_file(&self, hash: &str, name: &str) -> Option<PathBuf> {
        let path = self.path(hash, name);
        path.is_file().then_some(path)
    }

    /// A fresh temporary path inside entry `hash`'s folder (created) to write `name` to
    /// before [`AssetCache::commit`]. Hidden, so [`AssetCache::get`] never returns it.
    pub fn temp_path(&self, hash: &str, name: &str) -> io::Result<PathBuf> {
        static N: AtomicU64 = AtomicU64::new(0);
        self.ensure_root()?;
        let dir = self.entry_dir(hash);
        fs::create_dir_all(&dir)?;
        let n = N.fetch_add(1, Ordering::Relaxed);
        Ok(dir.join(format!(".{name}.{}.{n}.tmp", std::process::id())))
    }

    /// Makes the finished temporary file `tmp` the entry `hash`/`name`: syncs it, then
    /// renames it into place, so the entry appears whole or not at all.
    pub fn commit(&self, tmp: &Path, hash: &str, name: &str) -> io::Result<PathBuf> {
        fs::File::open(tmp)?.sync_all()?;
        let dest = self.path(hash, name);
        fs::rename(tmp, &dest)?;
        if let Ok(dir) = fs::File::open(self.entry_dir(hash)) {
            let _ = dir.sync_all();
        }
        Ok(dest)
    }

    /// Creates the root with a `CACHEDIR.TAG`, so backup tools skip it.
    fn ensure_root(&self) -> io::Result<()> {
        fs::create_dir_all(&self.root)?;
        let tag = self.root.join("CACHEDIR.TAG");
        if !tag.exists() {
            fs::File::create(tag)?.write_all(CACHEDIR_TAG.as_bytes())?;
        }
        Ok(())
    }
}

/// The nearest ancestor of `exe` that holds cargo's `CACHEDIR.TAG` (the target directory).
fn cargo_target_dir(exe: &Path) -> Option<PathBuf> {
    exe.ancestors()
        .skip(1)
        .find(|d| d.join("CACHEDIR.TAG").is_file())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_appear_only_when_committed() {
        let root = std::env::temp_dir().join(format!("sparkform-cache-test-{}", std::process::id()));
        let cache = AssetCache::new(&root);
        assert_eq!(cache.get("abc"), None);
        let tmp = cache.temp_path("abc", "venv.tar.gz").unwrap();
        fs::write(&tmp, b"data").unwrap();
        assert_eq!(cache.get("abc"), None, "a temporary file is not an entry");
        let path = cache.commit(&tmp, "abc", "venv.tar.gz").unwrap();
        assert_eq!(cache.get("abc"), Some(path.clone()));
        assert_eq!(cache.get_file("abc", "venv.tar.gz"), Some(path));
        assert!(root.join("CACHEDIR.TAG").is_file());
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn finds_the_cargo_target_dir() {
        let root = std::env::temp_dir().join(format!("sparkform-target-test-{}", std::process::id()));
        fs::create_dir_all(root.join("debug/deps")).unwrap();
        fs::write(root.join("CACHEDIR.TAG"), CACHEDIR_TAG).unwrap();
        assert_eq!(cargo_target_dir(&root.join("debug/deps/app")), Some(root.clone()));
        assert_eq!(cargo_target_dir(Path::new("/usr/bin/app")), None);
        fs::remove_dir_all(&root).unwrap();
    }
}
