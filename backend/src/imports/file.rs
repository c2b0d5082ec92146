//! Reading an uploaded CSV: its encoding (a byte-order mark, UTF-16 without one, UTF-8, else what
//! `chardetng` guesses — Windows-1252 for most spreadsheet exports), its delimiter (`,` `;` or
//! tab, whichever splits the first records into the same number of fields) and its records
//! (quoted fields may hold delimiters and newlines). Pure code.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// More columns than this is not a contact list.
pub const MAX_COLUMNS: usize = 500;
/// More records than this is refused (a 50 MB file of short rows).
pub const MAX_ROWS: usize = 250_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    Empty,
    NotText,
    NoRows,
    TooManyColumns(usize),
    TooManyRows,
}

impl FileError {
    pub fn code(&self) -> &'static str {
        match self {
            FileError::Empty => "empty_file",
            FileError::NotText => "not_a_text_file",
            FileError::NoRows => "no_rows",
            FileError::TooManyColumns(_) => "too_many_columns",
            FileError::TooManyRows => "too_many_rows",
        }
    }

    pub fn message(&self) -> String {
        match self {
            FileError::Empty => "the file is empty".into(),
            FileError::NotText => {
                "the file is not a text file (a CSV exported from a spreadsheet or an address book)".into()
            }
            FileError::NoRows => "the file has a header but no records".into(),
            FileError::TooManyColumns(n) => format!("the file has {n} columns; at most {MAX_COLUMNS} are read"),
            FileError::TooManyRows => format!("the file has more than {MAX_ROWS} records; split it"),
        }
    }
}

/// Text decoded from the upload, and the name of the encoding it was in.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    /// Some bytes were not valid in that encoding (they became U+FFFD).
    pub had_errors: bool,
}

/// UTF-16 without a byte-order mark shows as a zero byte in every other position of ASCII text.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_zero = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_zero = sample.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    if odd_zero * 10 >= pairs * 6 && even_zero * 10 < pairs {
        Some(UTF_16LE)
    } else if even_zero * 10 >= pairs * 6 && odd_zero * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// More than two zero bytes, and more than one in a hundred, at the start of the file.
fn zeros(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    let n = sample.iter().filter(|b| **b == 0).count();
    n > 2 && n * 100 > sample.len()
}

/// UTF-8 with a few invalid bytes (a record pasted from elsewhere): its valid multi-byte
/// characters far outnumber the invalid runs. Reading it as a legacy encoding would garble
/// every other accented letter; as UTF-8 only the records with invalid bytes are in error.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    valid > 0 && valid >= invalid * 4
}

pub fn decode(bytes: &[u8]) -> Result<Decoded, FileError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(FileError::Empty);
    }
    let (encoding, body) = if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        (enc, &bytes[bom..])
    } else if let Some(enc) = utf16_without_bom(bytes) {
        (enc, bytes)
    } else if zeros(bytes) {
        // Text in a one-byte encoding holds no zero bytes (a stray one is a record's error);
        // an image or a zip holds many.
        return Err(FileError::NotText);
    } else if std::str::from_utf8(bytes).is_ok() || mostly_utf8(bytes) {
        (UTF_8, bytes)
    } else {
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        detector.feed(bytes, true);
        (detector.guess(None, chardetng::Utf8Detection::Allow), bytes)
    };
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    let text = text.into_owned();
    // Decoded binary is mostly control characters and replacement marks.
    let sample: Vec<char> = text.chars().take(8192).collect();
    let odd = sample
        .iter()
        .filter(|c| (c.is_control() && !matches!(c, '\t' | '\r' | '\n')) || **c == '\u{FFFD}')
        .count();
    if odd * 20 > sample.len() {
        return Err(FileError::NotText);
    }
    if text.trim().is_empty() {
        return Err(FileError::Empty);
    }
    Ok(Decoded {
        text,
        encoding: encoding.name(),
        had_errors,
    })
}

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// The delimiter that splits the first records most consistently into the most fields.
pub fn sniff_delimiter(text: &str) -> u8 {
    let mut best = (b',', 0usize);
    for delimiter in [b',', b';', b'\t'] {
        let widths: Vec<usize> = reader(text, delimiter)
            .records()
            .take(20)
            .filter_map(Result::ok)
            .map(|r| r.len())
            .collect();
        let Some(&first) = widths.first() else { continue };
        let consistent = widths.iter().filter(|w| **w == first).count();
        // Fields per record, weighted by how many records agree with the header.
        let score = if first > 1 { first * consistent } else { 0 };
        if score > best.1 {
            best = (delimiter, score);
        }
    }
    best.0
}

/// A parsed file: its header (names made unique and non-empty) and its records (blank lines
/// dropped; a record keeps its own width, shorter or longer than the header).
#[derive(Debug)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A record with nothing but blanks (spreadsheets end files with them).
fn blank(record: &csv::StringRecord) -> bool {
    record.iter().all(|f| f.trim().is_empty())
}

/// The records of a CSV, kept as its decoded text and split into fields only as they are read
/// (a batch at a time when stored): a large file is never held as millions of small strings.
#[derive(Debug)]
pub struct CsvRecords {
    text: String,
    delimiter: u8,
    count: usize,
}

impl CsvRecords {
    /// How many records follow the header (blank ones left out).
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The records after the header, in file order, blank ones left out.
    pub fn iter(&self) -> impl Iterator<Item = Vec<String>> + Send + '_ {
        reader(&self.text, self.delimiter)
            .into_records()
            .map_while(Result::ok)
            .filter(|r| !blank(r))
            .skip(1)
            .take(self.count)
            .map(|r| r.iter().map(str::to_owned).collect())
    }
}

/// Reads a CSV's header (the first record that is not blank; empty and repeated names are made
/// unique) and counts its records, reading up to the first record that cannot be read.
pub fn read_csv(text: String, delimiter: u8) -> Result<(Vec<String>, CsvRecords), FileError> {
    let mut record = csv::StringRecord::new();
    let (columns, count) = {
        let mut reader = reader(&text, delimiter);
        let header = loop {
            match reader.read_record(&mut record) {
                Ok(false) => return Err(FileError::Empty),
                Ok(true) if blank(&record) => continue,
                Ok(true) => break record.clone(),
                Err(_) => return Err(FileError::NotText),
            }
        };
        if header.len() > MAX_COLUMNS {
            return Err(FileError::TooManyColumns(header.len()));
        }
        let mut columns: Vec<String> = Vec::with_capacity(header.len());
        for (i, name) in header.iter().enumerate() {
            let base = name.trim().trim_start_matches('\u{feff}').replace('\0', "");
            let base = if base.is_empty() {
                format!("Column {}", i + 1)
            } else {
                base
            };
            let mut candidate = base.clone();
            let mut n = 2;
            while columns.contains(&candidate) {
                candidate = format!("{base} ({n})");
                n += 1;
            }
            columns.push(candidate);
        }
        let mut count = 0usize;
        while let Ok(true) = reader.read_record(&mut record) {
            if blank(&record) {
                continue;
            }
            if count == MAX_ROWS {
                return Err(FileError::TooManyRows);
            }
            count += 1;
        }
        (columns, count)
    };
    if count == 0 {
        return Err(FileError::NoRows);
    }
    Ok((columns, CsvRecords { text, delimiter, count }))
}

/// A CSV read whole: its header and every record.
#[cfg(test)]
pub fn parse(text: &str, delimiter: u8) -> Result<Table, FileError> {
    let (columns, records) = read_csv(text.to_owned(), delimiter)?;
    Ok(Table {
        columns,
        rows: records.iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode("\u{feff}Name,Email\nJosé,j@x.io\n".as_bytes()).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.text.starts_with("Name"));
        let d = decode("Name\nJosé\n".as_bytes()).unwrap();
        assert_eq!((d.encoding, d.text.as_str()), ("UTF-8", "Name\nJosé\n"));
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let text = "First Name,Last Name\nJosé,Muñoz\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let mut le_bom = vec![0xFF, 0xFE];
        le_bom.extend(&le);
        for (bytes, name) in [(le_bom, "UTF-16LE"), (le, "UTF-16LE"), (be, "UTF-16BE")] {
            let d = decode(&bytes).unwrap();
            assert_eq!((d.encoding, d.text.as_str()), (name, text));
        }
    }

    #[test]
    fn windows_1252_is_recognised() {
        // "Müller,Café,Ségolène,François,Zoë" in Windows-1252, as Excel writes it.
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(
            "First Name,Last Name,Company\nSégolène,Müller,Café Crème\nFrançois,Lefèvre,Zoë & Cie\nJürgen,Weiß,Bäckerei\n",
        );
        let d = decode(&bytes).unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains("Ségolène,Müller,Café Crème"));
        assert!(!d.had_errors);
    }

    #[test]
    fn binary_and_empty_files_are_refused() {
        assert_eq!(decode(b"").unwrap_err(), FileError::Empty);
        assert_eq!(decode(b" \n\r\n").unwrap_err(), FileError::Empty);
        let png = [
            0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R',
        ];
        assert_eq!(decode(&png).unwrap_err(), FileError::NotText);
        let noise: Vec<u8> = (0..4000u32).map(|i| (i * 7919 % 251) as u8 | 1).collect();
        assert_eq!(decode(&noise).unwrap_err(), FileError::NotText);
        // A stray NUL in a text file is left for the record's check.
        assert!(decode(b"Name,Email\nAda,ada@x.io\nB\0b,b@x.io\n").is_ok());
    }

    #[test]
    fn utf8_with_a_stray_latin1_byte_stays_utf8() {
        let mut bytes = "Name,City\nJosé,Málaga\nZoë,Zürich\nRené,Besançon\nAnaïs,Orléans\n"
            .as_bytes()
            .to_vec();
        bytes.extend(b"Eve,caf\xe9\n");
        let d = decode(&bytes).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.had_errors);
        assert!(d.text.contains("Zoë,Zürich") && d.text.contains("caf\u{FFFD}"));
    }

    #[test]
    fn delimiters_are_sniffed() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(
            sniff_delimiter("Name;Email;Note\n\"Doe, Jane\";j@x.io;\"a,b,c,d\"\n"),
            b';'
        );
        assert_eq!(sniff_delimiter("Name\tEmail\nJane\tj@x.io\n"), b'\t');
    }

    #[test]
    fn quoted_fields_keep_newlines_and_headers_become_unique() {
        let t = parse(
            "Email,Email,,Note\n\na@x.io,b@x.io,,\"line 1\nline 2\"\n\n,,,\nc@x.io\n",
            b',',
        )
        .unwrap();
        assert_eq!(t.columns, ["Email", "Email (2)", "Column 3", "Note"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0][3], "line 1\nline 2");
        assert_eq!(t.rows[1], ["c@x.io"]);
    }

    #[test]
    fn header_only_and_too_wide_files_are_refused() {
        assert_eq!(parse("Name,Email\n", b',').unwrap_err(), FileError::NoRows);
        let wide = (0..10_000).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",");
        assert_eq!(
            parse(&format!("{wide}\n1\n"), b',').unwrap_err(),
            FileError::TooManyColumns(10_000)
        );
    }
}
