//! Reading a workspace export (.zip) back: checking an upload before anything is stored (every
//! entry stays inside the archive, it does not unpack to more than it could honestly hold, it
//! is a Rapport export of a format this version reads), and reading its tables a batch of records
//! at a time. Pure code over a reader; the restore itself is `service::run_restore`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Seek};

use serde::Deserialize;

use crate::error::AppError;

/// What an archive may unpack to, in all.
pub const MAX_UNPACKED: u64 = 4 * 1024 * 1024 * 1024;
/// An entry that unpacks to more than this many times its packed size is refused (text and
/// JSON compress about 10×; a zip bomb 1000× and more).
const MAX_RATIO: u64 = 200;
/// Entries smaller than this are not judged by their ratio (a run of blanks compresses well).
const RATIO_FLOOR: u64 = 1024 * 1024;
/// The manifest is small.
const MAX_MANIFEST: u64 = 1024 * 1024;

#[derive(Debug, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    #[serde(default)]
    pub exported_at: Option<String>,
    #[serde(default)]
    pub counts: BTreeMap<String, i64>,
}

fn unprocessable(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::unprocessable(code, message)
}

/// Checks an uploaded archive; returns its manifest.
pub fn inspect<R: Read + Seek>(reader: R) -> Result<Manifest, AppError> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| {
        unprocessable(
            "not_a_workspace_export",
            format!("the file is not a readable .zip: {e}"),
        )
    })?;
    let mut total = 0_u64;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| unprocessable("not_a_workspace_export", format!("the .zip is damaged: {e}")))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        if entry.enclosed_name().is_none() || name.contains('\\') || name.starts_with('/') {
            return Err(unprocessable(
                "archive_unsafe",
                format!("the archive's entry '{name}' points outside the archive; it is refused"),
            ));
        }
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        total = total.saturating_add(size);
        if size > RATIO_FLOOR && size / packed > MAX_RATIO {
            return Err(unprocessable(
                "archive_too_large",
                format!("the archive's entry '{name}' unpacks to {size} bytes from {packed}; it is refused"),
            ));
        }
    }
    if total > MAX_UNPACKED {
        return Err(unprocessable(
            "archive_too_large",
            format!("the archive unpacks to {total} bytes, more than the {MAX_UNPACKED} a workspace export may"),
        ));
    }
    let mut text = String::new();
    zip.by_name("manifest.json")
        .map_err(|_| {
            unprocessable(
                "not_a_workspace_export",
                "the archive has no manifest.json: it is not a Rapport workspace export",
            )
        })?
        .take(MAX_MANIFEST)
        .read_to_string(&mut text)
        .map_err(|e| unprocessable("not_a_workspace_export", format!("manifest.json cannot be read: {e}")))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| unprocessable("not_a_workspace_export", format!("manifest.json is not valid: {e}")))?;
    if manifest.format != "rapport-workspace-export" {
        return Err(unprocessable(
            "not_a_workspace_export",
            "manifest.json does not describe a Rapport workspace export",
        ));
    }
    if manifest.version != crate::exports::service::FORMAT_VERSION {
        return Err(unprocessable(
            "not_a_workspace_export",
            format!(
                "this is a version {} export; this server reads version {}",
                manifest.version,
                crate::exports::service::FORMAT_VERSION
            ),
        ));
    }
    Ok(manifest)
}

/// A record of a table, as exported.
pub type Record = serde_json::Map<String, serde_json::Value>;

/// Calls `batch` with up to `size` records at a time of `json/<name>.json` (none when the
/// archive has no such file). Entries are read through a limit, whatever their headers claim.
pub fn read_table<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    size: usize,
    mut batch: impl FnMut(Vec<Record>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let path = format!("json/{name}.json");
    let entry = match zip.by_name(&path) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(()),
        Err(e) => anyhow::bail!("{path} cannot be read: {e}"),
    };
    let reader = BufReader::new(entry.take(MAX_UNPACKED));
    let mut records = Vec::with_capacity(size);
    for (n, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| anyhow::anyhow!("{path} cannot be read: {e}"))?;
        let line = line.trim().trim_end_matches(',');
        if matches!(line, "" | "[" | "]" | "[]") {
            continue;
        }
        let record: Record =
            serde_json::from_str(line).map_err(|e| anyhow::anyhow!("{path}, line {}: not a record ({e})", n + 1))?;
        records.push(record);
        if records.len() == size {
            batch(std::mem::replace(&mut records, Vec::with_capacity(size)))?;
        }
    }
    if !records.is_empty() {
        batch(records)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use zip::write::SimpleFileOptions;

    use super::*;

    fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            zip.start_file(*name, SimpleFileOptions::default()).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    const MANIFEST: &[u8] = br#"{"format": "rapport-workspace-export", "version": 1, "counts": {"contacts": 2}}"#;

    #[test]
    fn an_export_is_read_a_batch_at_a_time() {
        let bytes = archive(&[
            ("manifest.json", MANIFEST),
            (
                "json/contacts.json",
                b"[\n{\"id\":\"a\"},\n{\"id\":\"b\"},\n{\"id\":\"c\"}\n]\n",
            ),
        ]);
        let manifest = inspect(Cursor::new(&bytes)).unwrap();
        assert_eq!(manifest.counts["contacts"], 2);
        let mut zip = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
        let mut batches = Vec::new();
        read_table(&mut zip, "contacts", 2, |b| {
            batches.push(b.len());
            Ok(())
        })
        .unwrap();
        assert_eq!(batches, vec![2, 1]);
        read_table(&mut zip, "missing", 2, |_| anyhow::bail!("no batch")).unwrap();
    }

    #[test]
    fn entries_that_climb_out_are_refused() {
        for name in ["../evil.json", "/etc/passwd", "json/../../x", "..\\win.txt"] {
            let bytes = archive(&[("manifest.json", MANIFEST), (name, b"x")]);
            let e = inspect(Cursor::new(bytes)).map(|_| ()).map_err(|e| e.code());
            assert_eq!(e, Err("archive_unsafe"), "{name}");
        }
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_unpacked() {
        let zeros = vec![0_u8; 50 * 1024 * 1024];
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("manifest.json", SimpleFileOptions::default()).unwrap();
        zip.write_all(MANIFEST).unwrap();
        zip.start_file(
            "json/contacts.json",
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated),
        )
        .unwrap();
        zip.write_all(&zeros).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert!(bytes.len() < 200 * 1024, "{}", bytes.len());
        assert_eq!(inspect(Cursor::new(bytes)).unwrap_err().code(), "archive_too_large");
    }

    #[test]
    fn other_files_are_not_workspace_exports() {
        assert_eq!(
            inspect(Cursor::new(b"PK not really")).unwrap_err().code(),
            "not_a_workspace_export"
        );
        let no_manifest = archive(&[("json/contacts.json", b"[]")]);
        assert_eq!(
            inspect(Cursor::new(no_manifest)).unwrap_err().code(),
            "not_a_workspace_export"
        );
        let other = archive(&[("manifest.json", br#"{"format": "other", "version": 1}"#)]);
        assert_eq!(
            inspect(Cursor::new(other)).unwrap_err().code(),
            "not_a_workspace_export"
        );
        let newer = archive(&[(
            "manifest.json",
            br#"{"format": "rapport-workspace-export", "version": 9}"#,
        )]);
        assert_eq!(
            inspect(Cursor::new(newer)).unwrap_err().code(),
            "not_a_workspace_export"
        );
    }
}
