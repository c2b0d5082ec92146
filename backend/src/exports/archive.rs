//! Writing a workspace archive (.zip) off the async runtime: the job sends [`Piece`]s through a
//! bounded channel and [`write`] turns them into entries of a zip in a temporary file, so memory
//! stays flat whatever the workspace's size. Each table becomes `json/<name>.json` (an array,
//! one record per line) and `csv/<name>.csv` (the same columns; the CSV is spooled to a second
//! temporary file while the JSON is written, then added).

use std::io::{BufWriter, Seek, SeekFrom, Write};

use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use super::neutralise;

/// What the archive writer is sent, in order.
#[derive(Debug)]
pub enum Piece {
    /// A plain entry, its bytes in the `Data` pieces that follow.
    Begin(String),
    Data(Vec<u8>),
    /// A table of records: `json/<name>.json` and `csv/<name>.csv` with these columns.
    Table {
        name: String,
        columns: Vec<String>,
    },
    /// Records of the current table, each a JSON object.
    Rows(Vec<String>),
}

enum Current {
    None,
    Plain,
    Table {
        name: String,
        columns: Vec<String>,
        first: bool,
        csv: Box<csv::Writer<BufWriter<std::fs::File>>>,
    },
}

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true)
        .unix_permissions(0o644)
}

/// A cell of the CSV: text as it is (formula-neutralised), numbers and booleans as written in
/// JSON, lists and objects as JSON text, nothing for null.
fn cell(value: Option<&serde_json::Value>) -> String {
    match value {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => neutralise(s).into_owned(),
        Some(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => v.to_string(),
        Some(v) => neutralise(&v.to_string()).into_owned(),
    }
}

fn close(zip: &mut ZipWriter<std::fs::File>, current: Current) -> anyhow::Result<()> {
    if let Current::Table { name, csv, .. } = current {
        zip.write_all(b"\n]\n")?;
        let mut spool = csv
            .into_inner()
            .map_err(|e| anyhow::anyhow!("{}", e.error()))?
            .into_inner()?;
        spool.seek(SeekFrom::Start(0))?;
        zip.start_file(format!("csv/{name}.csv"), options())?;
        std::io::copy(&mut spool, zip)?;
    }
    Ok(())
}

/// Writes the pieces received until the channel closes; returns the finished archive.
pub fn write(mut pieces: tokio::sync::mpsc::Receiver<Piece>) -> anyhow::Result<std::fs::File> {
    let mut zip = ZipWriter::new(tempfile::tempfile()?);
    let mut current = Current::None;
    while let Some(piece) = pieces.blocking_recv() {
        match piece {
            Piece::Begin(name) => {
                close(&mut zip, std::mem::replace(&mut current, Current::Plain))?;
                zip.start_file(name, options())?;
            }
            Piece::Data(bytes) => match current {
                Current::Plain => zip.write_all(&bytes)?,
                _ => anyhow::bail!("archive data outside an entry"),
            },
            Piece::Table { name, columns } => {
                let mut spool = BufWriter::new(tempfile::tempfile()?);
                // A byte-order mark, so spreadsheet apps read accents right.
                spool.write_all("\u{feff}".as_bytes())?;
                let mut csv = Box::new(csv::Writer::from_writer(spool));
                csv.write_record(&columns)?;
                let next = Current::Table {
                    name: name.clone(),
                    columns,
                    first: true,
                    csv,
                };
                close(&mut zip, std::mem::replace(&mut current, next))?;
                zip.start_file(format!("json/{name}.json"), options())?;
                zip.write_all(b"[")?;
            }
            Piece::Rows(rows) => {
                let Current::Table {
                    columns, first, csv, ..
                } = &mut current
                else {
                    anyhow::bail!("archive rows outside a table");
                };
                for row in rows {
                    zip.write_all(if *first { b"\n" } else { b",\n" })?;
                    *first = false;
                    zip.write_all(row.as_bytes())?;
                    let record: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&row)?;
                    csv.write_record(columns.iter().map(|c| cell(record.get(c))))?;
                }
            }
        }
    }
    close(&mut zip, current)?;
    let mut file = zip.finish()?;
    file.seek(SeekFrom::Start(0))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn tables_become_json_and_csv_entries_and_plain_entries_are_copied() {
        let (tx, rx) = tokio::sync::mpsc::channel(8);
        let pieces = vec![
            Piece::Begin("README.md".into()),
            Piece::Data(b"# Hello\n".to_vec()),
            Piece::Table {
                name: "contacts".into(),
                columns: vec!["id".into(), "first_name".into(), "tags".into(), "n".into()],
            },
            Piece::Rows(vec![
                r#"{"id":"a","first_name":"=cmd()","tags":["x","y"],"n":3}"#.into(),
                r#"{"id":"b","first_name":"Zoë","tags":[],"n":null}"#.into(),
            ]),
            Piece::Table {
                name: "empty".into(),
                columns: vec!["id".into()],
            },
            Piece::Begin("manifest.json".into()),
            Piece::Data(b"{}".to_vec()),
        ];
        for p in pieces {
            tx.try_send(p).unwrap();
        }
        drop(tx);
        let file = write(rx).unwrap();
        let mut zip = zip::ZipArchive::new(file).unwrap();
        let mut read = |name: &str| {
            let mut s = String::new();
            zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
            s
        };
        assert_eq!(read("README.md"), "# Hello\n");
        let json: serde_json::Value = serde_json::from_str(&read("json/contacts.json")).unwrap();
        assert_eq!(json[1]["first_name"], "Zoë");
        assert_eq!(json.as_array().unwrap().len(), 2);
        let csv = read("csv/contacts.csv");
        assert_eq!(
            csv,
            "\u{feff}id,first_name,tags,n\na,'=cmd(),\"[\"\"x\"\",\"\"y\"\"]\",3\nb,Zoë,[],\n"
        );
        let empty: serde_json::Value = serde_json::from_str(&read("json/empty.json")).unwrap();
        assert_eq!(empty, serde_json::json!([]));
        assert_eq!(read("csv/empty.csv"), "\u{feff}id\n");
        assert_eq!(read("manifest.json"), "{}");
    }
}
