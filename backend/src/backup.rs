//! Backups of the whole database with PostgreSQL's own tools: `rapport backup` writes a
//! consistent `pg_dump` archive (custom format, one snapshot) named with its time and the schema's
//! migration version, keeping the newest N; `rapport restore FILE` loads one into an empty
//! database (or, with `--force`, over an existing one) in a single transaction.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};

/// Where backups go unless `BACKUP_DIR` or `--dir` says otherwise.
pub const DEFAULT_DIR: &str = ".data/backups";
/// How many backups are kept unless `BACKUP_KEEP` or `--keep` says otherwise.
pub const DEFAULT_KEEP: usize = 7;

const PREFIX: &str = "rapport-";
const SUFFIX: &str = ".dump";

/// A PostgreSQL client program: from `PG_BIN_DIR`, else the newest `/usr/lib/postgresql/*/bin`,
/// else the `PATH`.
pub fn pg_program(name: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("PG_BIN_DIR") {
        return Path::new(&dir).join(name);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let path = e.path().join("bin").join(name);
            path.exists().then_some((v, path))
        })
        .collect();
    versions.sort();
    versions.pop().map_or_else(|| PathBuf::from(name), |(_, p)| p)
}

/// The file name of a backup taken at `at` of a schema at `version`.
pub fn file_name(at: DateTime<Utc>, version: &str) -> String {
    format!("{PREFIX}{}-v{version}{SUFFIX}", at.format("%Y%m%dT%H%M%S%3fZ"))
}

fn backups_in(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the backup directory {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        })
        .collect();
    // The names start with the time, so they sort oldest first.
    files.sort();
    Ok(files)
}

/// Writes a backup of `database_url` into `dir` (created if needed) and deletes all but the
/// newest `keep`. The archive is written under a temporary name and renamed when complete, so
/// a failed or interrupted backup never leaves a file that looks like a backup.
pub fn backup(database_url: &str, dir: &Path, keep: usize, schema_version: &str) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the backup directory {}", dir.display()))?;
    let target = dir.join(file_name(Utc::now(), schema_version));
    let partial = target.with_extension("dump.partial");
    let output = Command::new(pg_program("pg_dump"))
        .arg("--format=custom")
        .arg("--no-owner")
        .arg("--no-privileges")
        .arg(format!("--file={}", partial.display()))
        .arg(format!("--dbname={database_url}"))
        .output()
        .context("could not run pg_dump (install the PostgreSQL client, or set PG_BIN_DIR)")?;
    if !output.status.success() {
        let _ = std::fs::remove_file(&partial);
        bail!("pg_dump failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    std::fs::rename(&partial, &target).with_context(|| format!("cannot write the backup into {}", dir.display()))?;
    let files = backups_in(dir)?;
    let excess = files.len().saturating_sub(keep.max(1));
    for old in &files[..excess] {
        std::fs::remove_file(old).with_context(|| format!("cannot remove the old backup {}", old.display()))?;
    }
    Ok(target)
}

/// Checks that `file` is a complete `pg_dump` archive (a truncated or foreign file is refused
/// before anything is touched).
pub fn check_archive(file: &Path) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!("{} is not a file", file.display());
    }
    let output = Command::new(pg_program("pg_restore"))
        .arg("--list")
        .arg(file)
        .output()
        .context("could not run pg_restore (install the PostgreSQL client, or set PG_BIN_DIR)")?;
    if !output.status.success() {
        bail!(
            "{} is not a complete Rapport backup (damaged or truncated?): {}",
            file.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Restores `file` into `database_url` in one transaction: on any error nothing is restored.
/// `replace` drops the objects the backup contains first (for a database that is not empty).
pub fn restore(database_url: &str, file: &Path, replace: bool) -> anyhow::Result<()> {
    let mut cmd = Command::new(pg_program("pg_restore"));
    cmd.arg("--no-owner")
        .arg("--no-privileges")
        .arg("--exit-on-error")
        .arg("--single-transaction")
        .arg(format!("--dbname={database_url}"));
    if replace {
        cmd.arg("--clean").arg("--if-exists");
    }
    let output = cmd
        .arg(file)
        .output()
        .context("could not run pg_restore (install the PostgreSQL client, or set PG_BIN_DIR)")?;
    if !output.status.success() {
        bail!(
            "the restore failed and nothing was changed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_by_time_and_carry_the_schema_version() {
        let a = file_name("2026-01-02T03:04:05Z".parse().unwrap(), "20261202000006");
        let b = file_name("2026-11-02T03:04:05Z".parse().unwrap(), "20261202000006");
        assert_eq!(a, "rapport-20260102T030405000Z-v20261202000006.dump");
        assert!(a < b);
    }
}
