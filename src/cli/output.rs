//! Where `tfc compile` writes, and how: the destination `-o` names, the manifest of the files
//! tfc wrote into an output directory, stale-file removal, atomic writes and `--check`.
//!
//! - **Manifest.** A directory output holds [`MANIFEST`] (`.tfc-files`): the relative paths
//!   of the files this compile wrote there, one per line, sorted, `\n` line endings, `/`
//!   separators (the manifest does not list itself). The next compile into that directory
//!   deletes exactly the files the old manifest lists and the new output does not contain; no
//!   other file is ever touched, and directories are left in place. The manifest is untrusted
//!   (it is committed, and arrives in pull requests): an entry that is absolute, has a `.` or
//!   `..` component, a backslash or a NUL, reaches through a symbolic link, or names a
//!   directory is never deleted (a warning says so).
//! - **Atomic writes.** Every file is first written in full (and flushed to disk) to a
//!   temporary file next to it, then renamed over the old one, so an interrupted compile leaves
//!   each file either old or new, never half-written. All temporary files are written before the
//!   first rename: when any write fails, the temporary files and the directories created for
//!   them are removed and nothing has changed. Renames come next, then the stale files are
//!   deleted, and the manifest is renamed last, so a compile interrupted before the end still
//!   leaves the old manifest naming every file the next compile may have to delete.
//! - Files whose contents are already what would be written are not rewritten (their mtime
//!   stays).

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use crate::targets::OutputFile;

/// The name of the manifest tfc writes into an output directory.
pub const MANIFEST: &str = ".tfc-files";

/// A manifest larger than this is not one tfc wrote (it lists a handful of files).
const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// Where compiled output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination<'a> {
    Stdout,
    File(&'a Path),
    Directory(&'a Path),
}

impl<'a> Destination<'a> {
    /// What `-o PATH` names: a directory when PATH ends with a slash or is an existing
    /// directory; a file when PATH is an existing file or its name has an extension; otherwise
    /// a directory (created if missing).
    pub fn of(output: Option<&'a Path>) -> Self {
        let Some(p) = output else {
            return Destination::Stdout;
        };
        let bytes = p.as_os_str().as_encoded_bytes();
        let trailing_slash = bytes
            .last()
            .is_some_and(|b| *b == b'/' || (cfg!(windows) && *b == b'\\'));
        if trailing_slash || p.is_dir() {
            Destination::Directory(p)
        } else if p.exists() || p.extension().is_some() {
            Destination::File(p)
        } else {
            Destination::Directory(p)
        }
    }
}

/// What a compile would do to the file system.
#[derive(Debug, Default)]
pub struct Plan {
    /// Files to (over)write, in output order.
    writes: Vec<(PathBuf, String)>,
    /// The new manifest, for a directory output.
    manifest: Option<(PathBuf, String)>,
    /// Files an earlier compile wrote that this one does not: deleted.
    deletes: Vec<PathBuf>,
    /// Manifest entries tfc refuses to act on, said as warnings.
    pub warnings: Vec<String>,
}

impl Plan {
    /// Decides what writing `files` to `dest` means. Reads the old manifest; writes nothing.
    /// Takes the files: their text is not copied (for a large stack it is megabytes).
    pub fn new(dest: Destination<'_>, files: Vec<OutputFile>) -> Result<Plan, String> {
        match dest {
            Destination::Stdout => Err("no -o given".into()),
            Destination::File(path) => match <[OutputFile; 1]>::try_from(files) {
                Ok([one]) => Ok(Plan {
                    writes: vec![(path.to_path_buf(), one.contents)],
                    ..Plan::default()
                }),
                Err(files) => Err(format!(
                    "this target writes {} files; give -o a directory (e.g. `-o {}/`)",
                    files.len(),
                    path.with_extension("").display()
                )),
            },
            Destination::Directory(dir) => Plan::directory(dir, files),
        }
    }

    fn directory(dir: &Path, files: Vec<OutputFile>) -> Result<Plan, String> {
        if dir.exists() && !dir.is_dir() {
            return Err(format!(
                "-o {}: exists and is not a directory",
                dir.display()
            ));
        }
        let mut plan = Plan::default();
        let mut listed = BTreeSet::new();
        for f in files {
            // tfc's own paths; checked all the same, so no output can leave the directory.
            let Some(rel) = safe_relative(&f.path) else {
                return Err(format!("internal error: output path `{}`", f.path));
            };
            plan.writes.push((dir.join(rel), f.contents));
            listed.insert(f.path);
        }
        let manifest_text: String = listed.iter().map(|p| format!("{p}\n")).collect();
        plan.manifest = Some((dir.join(MANIFEST), manifest_text));
        for entry in read_manifest(dir, &mut plan.warnings)? {
            if listed.contains(&entry) || entry == MANIFEST {
                continue;
            }
            let Some(rel) = safe_relative(&entry) else {
                plan.warnings.push(format!(
                    "{}: not deleting `{}`: not a plain relative path inside the directory",
                    dir.join(MANIFEST).display(),
                    entry.escape_debug()
                ));
                continue;
            };
            match stale_file(dir, &rel) {
                Ok(Some(path)) => plan.deletes.push(path),
                Ok(None) => {}
                Err(why) => plan.warnings.push(format!(
                    "{}: not deleting `{}`: {why}",
                    dir.join(MANIFEST).display(),
                    entry.escape_debug()
                )),
            }
        }
        Ok(plan)
    }

    /// Carries the plan out: every file written atomically, stale files deleted, the manifest
    /// last. On failure before the first rename nothing has changed.
    pub fn apply(&self) -> Result<(), String> {
        let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
        let mut created_dirs: Vec<PathBuf> = Vec::new();
        let all = self.writes.iter().chain(self.manifest.iter());
        let mut manifest_temp = None;
        for (i, (path, contents)) in all.enumerate() {
            if unchanged(path, contents) {
                continue;
            }
            let staged_one =
                create_parents(path, &mut created_dirs).and_then(|()| write_temp(path, contents));
            match staged_one {
                Ok(temp) if i == self.writes.len() => manifest_temp = Some((temp, path.clone())),
                Ok(temp) => staged.push((temp, path.clone())),
                Err(msg) => {
                    let temps = staged
                        .iter()
                        .map(|(t, _)| t)
                        .chain(manifest_temp.iter().map(|(t, _)| t));
                    for t in temps {
                        let _ = std::fs::remove_file(t);
                    }
                    for d in created_dirs.iter().rev() {
                        let _ = std::fs::remove_dir(d);
                    }
                    return Err(msg);
                }
            }
        }
        let cleanup = |rest: &[(PathBuf, PathBuf)], manifest: &Option<(PathBuf, PathBuf)>| {
            for (t, _) in rest.iter().chain(manifest.iter()) {
                let _ = std::fs::remove_file(t);
            }
        };
        for (n, (temp, path)) in staged.iter().enumerate() {
            if let Err(e) = std::fs::rename(temp, path) {
                cleanup(&staged[n..], &manifest_temp);
                return Err(format!("cannot write {}: {e}", path.display()));
            }
        }
        for path in &self.deletes {
            if let Err(e) = std::fs::remove_file(path) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    cleanup(&[], &manifest_temp);
                    return Err(format!("cannot delete stale {}: {e}", path.display()));
                }
            }
        }
        if let Some((temp, path)) = &manifest_temp {
            if let Err(e) = std::fs::rename(temp, path) {
                let _ = std::fs::remove_file(temp);
                return Err(format!("cannot write {}: {e}", path.display()));
            }
        }
        sync_dirs(
            self.writes
                .iter()
                .chain(self.manifest.iter())
                .map(|(p, _)| p.as_path()),
        );
        Ok(())
    }

    /// `--check`: a unified diff of every file that would change (missing files diff against
    /// `/dev/null`, stale files diff to `/dev/null`), and how many are out of date. Writes
    /// nothing.
    pub fn diff(&self) -> Result<(String, usize), String> {
        let mut out = String::new();
        let mut stale = 0;
        for (path, contents) in self.writes.iter().chain(self.manifest.iter()) {
            if unchanged(path, contents) {
                continue;
            }
            // A checkout with CRLF line endings (git's core.autocrlf on Windows) holds the same
            // output: compare ignoring the line-ending convention.
            let on_disk = match std::fs::read_to_string(path) {
                Ok(s) if s.contains("\r\n") => Some(s.replace("\r\n", "\n")),
                Ok(s) => Some(s),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
            };
            if on_disk.as_deref() == Some(contents.as_str()) {
                continue;
            }
            stale += 1;
            let shown = path.display().to_string();
            let old_name = if on_disk.is_some() {
                shown.clone()
            } else {
                "/dev/null".into()
            };
            out.push_str(&unified(
                on_disk.as_deref().unwrap_or(""),
                contents,
                &old_name,
                &shown,
            ));
        }
        for path in &self.deletes {
            stale += 1;
            let shown = path.display().to_string();
            match std::fs::read_to_string(path) {
                Ok(text) => out.push_str(&unified(&text, "", &shown, "/dev/null")),
                Err(_) => out.push_str(&format!(
                    "deleted file {shown} (stale: an earlier tfc compile wrote it; not text)\n"
                )),
            }
        }
        Ok((out, stale))
    }

    /// The stale files this plan deletes.
    pub fn deletes(&self) -> &[PathBuf] {
        &self.deletes
    }
}

fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .header(old_name, new_name)
        .to_string()
}

/// `entry` as a path of plain names (`lib/x.ts`), or `None` when it could name anything
/// outside the directory or is not what tfc writes.
fn safe_relative(entry: &str) -> Option<PathBuf> {
    if entry.is_empty() || entry.contains(['\\', '\0']) || entry.starts_with('/') {
        return None;
    }
    let mut rel = PathBuf::new();
    for part in entry.split('/') {
        let mut components = Path::new(part).components();
        match (components.next(), components.next()) {
            (Some(Component::Normal(name)), None) if name == part => rel.push(name),
            _ => return None,
        }
    }
    Some(rel)
}

/// The path of a stale entry when it is a file (or a symbolic link, which is removed itself)
/// reached without following a symbolic link; `None` when it is gone already.
fn stale_file(dir: &Path, rel: &Path) -> Result<Option<PathBuf>, String> {
    let mut at = dir.to_path_buf();
    let parts: Vec<_> = rel.components().collect();
    for (i, part) in parts.iter().enumerate() {
        at.push(part);
        let meta = match std::fs::symlink_metadata(&at) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot inspect {}: {e}", at.display())),
        };
        let last = i + 1 == parts.len();
        if !last && !meta.is_dir() {
            return Err(format!(
                "{} is {}",
                at.display(),
                if meta.file_type().is_symlink() {
                    "a symbolic link"
                } else {
                    "not a directory"
                }
            ));
        }
        if last && meta.is_dir() {
            return Err(format!("{} is a directory", at.display()));
        }
    }
    Ok(Some(at))
}

/// The entries of `dir`'s manifest (none when it has none), read as untrusted text.
fn read_manifest(dir: &Path, warnings: &mut Vec<String>) -> Result<Vec<String>, String> {
    let path = dir.join(MANIFEST);
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        Ok(m) if !m.is_file() => {
            warnings.push(format!(
                "{} is not a regular file: ignored (no stale file is deleted)",
                path.display()
            ));
            return Ok(Vec::new());
        }
        Ok(_) => {}
    }
    let file =
        std::fs::File::open(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_MANIFEST_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        warnings.push(format!(
            "{} is larger than 1 MiB, so tfc did not write it: ignored (no stale file is deleted)",
            path.display()
        ));
        return Ok(Vec::new());
    }
    let Ok(text) = String::from_utf8(bytes) else {
        warnings.push(format!(
            "{} is not UTF-8 text, so tfc did not write it: ignored (no stale file is deleted)",
            path.display()
        ));
        return Ok(Vec::new());
    };
    Ok(text
        .lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

/// Whether `path` is a regular file holding exactly `contents`: compared a block at a time, so
/// a recompile does not hold a second copy of a large output.
fn unchanged(path: &Path, contents: &str) -> bool {
    use std::io::Read;
    let same_size = std::fs::symlink_metadata(path)
        .is_ok_and(|m| m.is_file() && m.len() == contents.len() as u64);
    if !same_size {
        return false;
    }
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut block = vec![0u8; contents.len().clamp(1, 64 * 1024)];
    let mut rest = contents.as_bytes();
    loop {
        match file.read(&mut block) {
            Ok(0) => return rest.is_empty(),
            Ok(n) if n <= rest.len() && block[..n] == rest[..n] => rest = &rest[n..],
            Ok(_) => return false,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

/// Creates the missing ancestors of `path`, recording each one created (outermost first).
fn create_parents(path: &Path, created: &mut Vec<PathBuf>) -> Result<(), String> {
    let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    let missing: Vec<&Path> = parent
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        .collect();
    for dir in missing.into_iter().rev() {
        match std::fs::create_dir(dir) {
            Ok(()) => created.push(dir.to_path_buf()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => {}
            Err(e) => return Err(format!("cannot create {}: {e}", dir.display())),
        }
    }
    Ok(())
}

/// Writes `contents` in full to a new temporary file beside `path` (flushed to disk, with the
/// permissions of the file it replaces) and returns its path.
fn write_temp(path: &Path, contents: &str) -> Result<PathBuf, String> {
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let dir = path.parent().unwrap_or(Path::new(""));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for n in 0..1000 {
        let temp = dir.join(format!(".{name}.tfc-tmp-{}-{n}", std::process::id()));
        let mut file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(fail(e)),
        };
        let written = file
            .write_all(contents.as_bytes())
            .and_then(|()| file.sync_all())
            .and_then(|()| match std::fs::symlink_metadata(path) {
                Ok(m) if m.is_file() => file.set_permissions(m.permissions()),
                _ => Ok(()),
            });
        if let Err(e) = written {
            drop(file);
            let _ = std::fs::remove_file(&temp);
            return Err(fail(e));
        }
        return Ok(temp);
    }
    Err(format!(
        "cannot write {}: no free temporary file name beside it",
        path.display()
    ))
}

/// Flushes the directories that received renames, so the new names survive a crash too (best
/// effort: not every platform can open a directory).
fn sync_dirs<'a>(paths: impl Iterator<Item = &'a Path>) {
    let dirs: BTreeSet<&Path> = paths.filter_map(Path::parent).collect();
    for d in dirs {
        let d = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        if let Ok(f) = std::fs::File::open(d) {
            let _ = f.sync_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_entries_are_safe() {
        for ok in ["main.tf", "lib/my-proj-stack.ts", ".gitignore", "a/b/c"] {
            assert!(safe_relative(ok).is_some(), "{ok}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            ".",
            "..",
            "a//b",
            "a/",
            "a\\b",
            "C:\\x",
            "a\0b",
            "./a",
        ] {
            assert!(safe_relative(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn destinations_follow_the_path() {
        let d = std::env::temp_dir();
        assert_eq!(Destination::of(None), Destination::Stdout);
        assert_eq!(Destination::of(Some(&d)), Destination::Directory(&d));
        let p = Path::new("/nonexistent-tfc/t.json");
        assert_eq!(Destination::of(Some(p)), Destination::File(p));
        let p = Path::new("/nonexistent-tfc/new.d/");
        assert_eq!(Destination::of(Some(p)), Destination::Directory(p));
        let p = Path::new("/nonexistent-tfc/out");
        assert_eq!(Destination::of(Some(p)), Destination::Directory(p));
    }

    #[test]
    fn unchanged_compares_every_block_of_the_file() {
        let dir = std::env::temp_dir().join(format!("tfc-unchanged-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.tf");
        // Three blocks and a bit: a difference in any block, or a file of another size, counts.
        let text: String = (0..200_000)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        std::fs::write(&path, &text).unwrap();
        assert!(unchanged(&path, &text));
        for at in [0, 65_535, 65_536, 131_072, 199_999] {
            let mut other = text.clone().into_bytes();
            other[at] = b'!';
            let other = String::from_utf8(other).unwrap();
            assert!(!unchanged(&path, &other), "a difference at byte {at}");
        }
        assert!(!unchanged(&path, &text[..199_999]));
        assert!(!unchanged(&path, &format!("{text}a")));
        assert!(!unchanged(&dir.join("missing.tf"), ""));
        assert!(!unchanged(&dir, ""), "a directory is not an unchanged file");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
