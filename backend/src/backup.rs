//! Backups of the whole database with PostgreSQL's own tools: `rapport backup` writes a
//! consistent `pg_dump` archive (custom format, one snapshot) named with its time and the schema's
//! migration version, keeping the newest N; `rapport restore FILE` loads one into an empty
//! database (or, with `--force`, over an existing one) in a single transaction.

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
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

/// The `--dbname` argument for `database_url` without its password (a command line is visible
/// to every user of the machine); [`password_of`] hands the password over in `PGPASSWORD`.
fn connect_to(database_url: &str) -> [String; 1] {
    let mut shown = database_url.to_owned();
    if let Ok(mut url) = url::Url::parse(database_url)
        && url.password().is_some()
        && url.set_password(None).is_ok()
    {
        shown = url.to_string();
    }
    [format!("--dbname={shown}")]
}

fn password_of(database_url: &str) -> Option<(&'static str, String)> {
    let url = url::Url::parse(database_url).ok()?;
    let encoded = url.password()?;
    Some(("PGPASSWORD", percent_decode(encoded)))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(Some(h)), Some(Some(l))) =
                (bytes.get(i + 1).map(|b| hex(*b)), bytes.get(i + 2).map(|b| hex(*b)))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes a backup of `database_url` into `dir` (created if needed) and deletes all but the
/// newest `keep`. The archive is written under a temporary name and renamed when complete, so
/// a failed or interrupted backup never leaves a file that looks like a backup.
pub fn backup(database_url: &str, dir: &Path, keep: usize, schema_version: &str) -> anyhow::Result<PathBuf> {
    // A backup holds every record: a directory made here, and each file, are their owner's alone.
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create the backup directory {}", dir.display()))?;
    let target = dir.join(file_name(Utc::now(), schema_version));
    let partial = target.with_extension("dump.partial");
    // Made before pg_dump writes into it, so that it is never readable by others, even half-written.
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&partial)
        .with_context(|| format!("cannot write the backup into {}", dir.display()))?;
    let output = Command::new(pg_program("pg_dump"))
        .arg("--format=custom")
        .arg("--no-owner")
        .arg("--no-privileges")
        .arg(format!("--file={}", partial.display()))
        .args(connect_to(database_url))
        .envs(password_of(database_url))
        .output()
        .context("could not run pg_dump (install the PostgreSQL client, or set PG_BIN_DIR)")?;
    if !output.status.success() {
        let _ = std::fs::remove_file(&partial);
        bail!("pg_dump failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    std::fs::set_permissions(&partial, std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("cannot write the backup into {}", dir.display()))?;
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
        .args(connect_to(database_url))
        .envs(password_of(database_url));
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
    fn the_password_stays_off_the_command_line() {
        let url = "postgres://postgres:s%40cr%2Ft@127.0.0.1:5432/rapport";
        assert_eq!(
            connect_to(url),
            ["--dbname=postgres://postgres@127.0.0.1:5432/rapport".to_owned()]
        );
        assert_eq!(password_of(url), Some(("PGPASSWORD", "s@cr/t".to_owned())));
        let plain = "postgres://postgres@127.0.0.1:5432/rapport";
        assert_eq!(connect_to(plain), [format!("--dbname={plain}")]);
        assert_eq!(password_of(plain), None);
    }

    #[test]
    fn names_sort_by_time_and_carry_the_schema_version() {
        let a = file_name("2026-01-02T03:04:05Z".parse().unwrap(), "20261202000006");
        let b = file_name("2026-11-02T03:04:05Z".parse().unwrap(), "20261202000006");
        assert_eq!(a, "rapport-20260102T030405000Z-v20261202000006.dump");
        assert!(a < b);
    }
}
