//! Lists as files (the HTTP side is `http::download`): CSV (UTF-8 with a byte-order mark, so spreadsheet apps read accents right)
//! streamed page by page, and Excel `.xlsx` written row by row in constant memory to a temporary
//! file, then sent. Every text cell that a spreadsheet would run as a formula (starting with `=`,
//! `+`, `-`, `@`, a tab or a carriage return) is written with a leading `'`, so a name such as
//! `=HYPERLINK(…)` stays text.
//!
//! A full export of a workspace (a .zip built in the background) is [`service`].

pub mod archive;
pub mod dto;
pub mod routes;
pub mod service;
pub mod store;

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{AppError, FieldError};

/// Rows fetched from the database per page.
pub const PAGE: i64 = 1000;

pub const CSV_TYPE: &str = "text/csv; charset=utf-8";
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const VCARD_TYPE: &str = "text/vcard; charset=utf-8";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    /// vCard 3.0, for contacts: the version Apple Contacts, Google Contacts and Outlook all read.
    Vcard,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Vcard => "vcf",
        }
    }
}

/// The file format of a contacts export.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactFormatParams {
    /// `csv` (default), `xlsx` or `vcf` (vCard 3.0, one card per contact).
    #[param(value_type = Option<String>, pattern = "^(csv|xlsx|vcf)$", example = "vcf")]
    pub format: Option<String>,
}

impl ContactFormatParams {
    pub fn parse(&self) -> Result<Format, FieldError> {
        match self.format.as_deref().map(str::trim) {
            Some("vcf") => Ok(Format::Vcard),
            other => FormatParams {
                format: other.map(str::to_owned),
            }
            .parse()
            .map_err(|_| FieldError::new("format", "must be csv, xlsx or vcf")),
        }
    }
}

/// A contact as a vCard 3.0 card (names, emails, phones, company, title, web pages, notes, tags,
/// its id and last change).
pub fn vcard(c: &crate::contacts::dto::Contact) -> String {
    use calcard::vcard::{VCard, VCardEntry, VCardParameter, VCardProperty, VCardValue, VCardVersion};
    let text = |p: VCardProperty, v: &str| VCardEntry::new(p).with_value(v.to_owned());
    let mut entries = vec![
        text(VCardProperty::Fn, &c.display_name),
        VCardEntry::new(VCardProperty::N).with_values(vec![
            VCardValue::Text(c.last_name.clone()),
            VCardValue::Text(c.first_name.clone()),
            VCardValue::Text(String::new()),
            VCardValue::Text(String::new()),
            VCardValue::Text(String::new()),
        ]),
    ];
    for (i, email) in c.emails.iter().enumerate() {
        let mut e = text(VCardProperty::Email, email).with_param(VCardParameter::typ("INTERNET".to_owned()));
        if i == 0 {
            e = e.with_param(VCardParameter::typ("PREF".to_owned()));
        }
        entries.push(e);
    }
    for (i, phone) in c.phones.iter().enumerate() {
        let mut e = text(VCardProperty::Tel, phone);
        if i == 0 {
            e = e.with_param(VCardParameter::typ("PREF".to_owned()));
        }
        entries.push(e);
    }
    if let Some(company) = &c.company {
        entries.push(text(VCardProperty::Org, &company.name));
    }
    if let Some(title) = &c.job_title {
        entries.push(text(VCardProperty::Title, title));
    }
    for url in [&c.website, &c.linkedin_url, &c.twitter_url].into_iter().flatten() {
        entries.push(text(VCardProperty::Url, url));
    }
    if let Some(notes) = &c.notes {
        entries.push(text(VCardProperty::Note, notes));
    }
    if !c.tags.is_empty() {
        entries.push(
            VCardEntry::new(VCardProperty::Categories)
                .with_values(c.tags.iter().map(|t| VCardValue::Text(t.clone())).collect()),
        );
    }
    entries.push(text(VCardProperty::Uid, &format!("urn:uuid:{}", c.id)));
    entries.push(text(
        VCardProperty::Rev,
        &c.updated_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    ));
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = VCard { entries }.write_to(&mut out, VCardVersion::V3_0);
    out
}

/// The file format of an export.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParams {
    /// `csv` (default) or `xlsx`.
    #[param(value_type = Option<String>, pattern = "^(csv|xlsx)$", example = "csv")]
    pub format: Option<String>,
}

impl FormatParams {
    pub fn parse(&self) -> Result<Format, FieldError> {
        match self.format.as_deref().map(str::trim) {
            None | Some("csv") => Ok(Format::Csv),
            Some("xlsx") => Ok(Format::Xlsx),
            Some(_) => Err(FieldError::new("format", "must be csv or xlsx")),
        }
    }
}

/// One cell of an exported row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    Time(DateTime<Utc>),
    Date(NaiveDate),
    /// An amount in minor units with its currency's number of decimals.
    Money {
        minor: i64,
        digits: u8,
    },
}

impl Cell {
    pub fn money(minor: i64, currency: &str) -> Cell {
        Cell::Money {
            minor,
            digits: crate::money::minor_digits(currency).unwrap_or(2),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        if s.is_empty() { Cell::Empty } else { Cell::Text(s) }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::from(s.to_owned())
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map_or(Cell::Empty, Into::into)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}

impl From<i32> for Cell {
    fn from(n: i32) -> Cell {
        Cell::Int(n.into())
    }
}

impl From<i16> for Cell {
    fn from(n: i16) -> Cell {
        Cell::Int(n.into())
    }
}

impl From<DateTime<Utc>> for Cell {
    fn from(t: DateTime<Utc>) -> Cell {
        Cell::Time(t)
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Cell {
        Cell::Date(d)
    }
}

/// Several values in one cell (emails, phones, tags), separated by `; `.
pub fn joined(values: &[String]) -> Cell {
    Cell::from(values.join("; "))
}

/// A custom field's value as a cell.
pub fn json_cell(value: Option<&serde_json::Value>) -> Cell {
    match value {
        None | Some(serde_json::Value::Null) => Cell::Empty,
        Some(serde_json::Value::String(s)) => Cell::from(s.clone()),
        Some(serde_json::Value::Array(items)) => Cell::from(
            items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Some(serde_json::Value::Number(n)) => n.as_i64().map_or_else(|| Cell::Text(n.to_string()), Cell::Int),
        Some(other) => Cell::Text(other.to_string()),
    }
}

/// Text a spreadsheet would not run as a formula.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

fn cell_text(cell: &Cell) -> Cow<'_, str> {
    match cell {
        Cell::Empty => Cow::Borrowed(""),
        Cell::Text(s) => neutralise(s),
        Cell::Int(n) => Cow::Owned(n.to_string()),
        Cell::Time(t) => Cow::Owned(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        Cell::Date(d) => Cow::Owned(d.to_string()),
        Cell::Money { minor, digits } => {
            let scale = 10_u64.pow(u32::from(*digits));
            let (sign, abs) = (if *minor < 0 { "-" } else { "" }, minor.unsigned_abs());
            Cow::Owned(match digits {
                0 => format!("{sign}{abs}"),
                d => format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = usize::from(*d)),
            })
        }
    }
}

/// CSV lines for these rows (with the byte-order mark and the header first when `header` is
/// given).
pub fn csv_chunk(header: Option<&[String]>, rows: &[Vec<Cell>]) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::with_capacity(rows.len() * 128 + 256);
    if header.is_some() {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    {
        let mut w = csv::WriterBuilder::new().from_writer(&mut out);
        let fail = |e: csv::Error| AppError::internal(anyhow::anyhow!("writing CSV: {e}"));
        if let Some(h) = header {
            w.write_record(h.iter().map(|s| neutralise(s).into_owned()))
                .map_err(fail)?;
        }
        for row in rows {
            w.write_record(row.iter().map(|c| cell_text(c).into_owned()))
                .map_err(fail)?;
        }
        w.flush()
            .map_err(|e| AppError::internal(anyhow::anyhow!("writing CSV: {e}")))?;
    }
    Ok(out)
}

/// An `.xlsx` workbook with one sheet, written in constant memory (rows go to a temporary file
/// as they come). Blocking: use it off the async runtime.
pub struct Xlsx {
    workbook: rust_xlsxwriter::Workbook,
    row: u32,
    date_format: rust_xlsxwriter::Format,
    time_format: rust_xlsxwriter::Format,
    money_format: rust_xlsxwriter::Format,
    whole_format: rust_xlsxwriter::Format,
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::internal(anyhow::anyhow!("writing xlsx: {e}"))
}

impl Xlsx {
    pub fn new(sheet: &str, header: &[String]) -> Result<Xlsx, AppError> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let header_format = rust_xlsxwriter::Format::new().set_bold();
        {
            let ws = workbook.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
            ws.set_name(sheet).map_err(xlsx_error)?;
            for (col, name) in header.iter().enumerate() {
                ws.write_string_with_format(0, col as u16, name.as_str(), &header_format)
                    .map_err(xlsx_error)?;
            }
            ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        }
        Ok(Xlsx {
            workbook,
            row: 1,
            date_format: rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd"),
            time_format: rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            money_format: rust_xlsxwriter::Format::new().set_num_format("#,##0.00"),
            whole_format: rust_xlsxwriter::Format::new().set_num_format("#,##0"),
        })
    }

    pub fn add(&mut self, rows: &[Vec<Cell>]) -> Result<(), AppError> {
        let ws = self.workbook.worksheet_from_index(0).map_err(xlsx_error)?;
        for row in rows {
            // Excel's limit; the rest would be lost silently otherwise.
            if self.row >= 1_048_576 {
                return Err(AppError::conflict(
                    "too_many_rows",
                    "more than 1,048,575 rows do not fit in one Excel sheet; export as CSV",
                ));
            }
            for (col, cell) in row.iter().enumerate() {
                let col = col as u16;
                let written = match cell {
                    Cell::Empty => continue,
                    Cell::Int(n) => ws.write_number(self.row, col, *n as f64),
                    Cell::Money { minor, digits } => {
                        let value = *minor as f64 / 10_f64.powi(i32::from(*digits));
                        let format = match digits {
                            0 => &self.whole_format,
                            _ => &self.money_format,
                        };
                        ws.write_number_with_format(self.row, col, value, format)
                    }
                    Cell::Time(t) => match excel_time(t) {
                        Some(dt) => ws.write_datetime_with_format(self.row, col, &dt, &self.time_format),
                        // Before 1900 or after 9999 Excel has no date for it: the exact text.
                        None => ws.write_string(self.row, col, cell_text(cell).as_ref()),
                    },
                    Cell::Date(d) => match excel_date(d) {
                        Some(dt) => ws.write_datetime_with_format(self.row, col, &dt, &self.date_format),
                        None => ws.write_string(self.row, col, cell_text(cell).as_ref()),
                    },
                    // Text cells are never formulas in xlsx, but a CSV made from the sheet would
                    // carry them on: neutralised all the same.
                    Cell::Text(s) => ws.write_string(self.row, col, excel_text(s).as_ref()),
                };
                written.map_err(xlsx_error)?;
            }
            self.row += 1;
        }
        Ok(())
    }

    /// Writes the workbook into a new temporary file (deleted when the handle is dropped).
    pub fn finish(mut self) -> Result<std::fs::File, AppError> {
        let tmp = tempfile::tempfile().map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?;
        let mut writer = std::io::BufWriter::new(tmp);
        self.workbook.save_to_writer(&mut writer).map_err(xlsx_error)?;
        let mut file = writer
            .into_inner()
            .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?;
        std::io::Seek::rewind(&mut file).map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?;
        Ok(file)
    }
}

/// The most characters an Excel cell holds.
const EXCEL_MAX_TEXT: usize = 32_767;

/// Text for an Excel cell: neutralised, and cut (with `…`) to what a cell holds.
fn excel_text(s: &str) -> Cow<'_, str> {
    let text = neutralise(s);
    if text.chars().count() <= EXCEL_MAX_TEXT {
        return text;
    }
    let mut cut: String = text.chars().take(EXCEL_MAX_TEXT - 1).collect();
    cut.push('…');
    Cow::Owned(cut)
}

fn excel_date(d: &NaiveDate) -> Option<rust_xlsxwriter::ExcelDateTime> {
    use chrono::Datelike;
    let year = u16::try_from(d.year()).ok().filter(|y| (1900..=9999).contains(y))?;
    rust_xlsxwriter::ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
}

fn excel_time(t: &DateTime<Utc>) -> Option<rust_xlsxwriter::ExcelDateTime> {
    use chrono::Timelike;
    excel_date(&t.date_naive())?
        .and_hms(t.hour() as u16, t.minute() as u8, t.second())
        .ok()
}

/// `contacts-2026-12-02.csv`.
pub fn file_name(what: &str, format: Format, now: DateTime<Utc>) -> String {
    format!("{what}-{}.{}", now.format("%Y-%m-%d"), format.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        for (input, expected) in [
            ("=1+1", "'=1+1"),
            ("+44 20", "'+44 20"),
            ("-5", "'-5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=x", "'\t=x"),
            ("Ada", "Ada"),
            ("", ""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(neutralise(input), expected);
        }
    }

    #[test]
    fn csv_has_a_bom_a_header_and_quotes_what_needs_it() {
        let header = vec!["name".to_owned(), "notes".to_owned()];
        let rows = vec![vec![Cell::from("Ada, Countess"), Cell::from("line 1\nline \"2\"")]];
        let text = String::from_utf8(csv_chunk(Some(&header), &rows).unwrap()).unwrap();
        assert_eq!(
            text,
            "\u{feff}name,notes\n\"Ada, Countess\",\"line 1\nline \"\"2\"\"\"\n"
        );
        let more = String::from_utf8(csv_chunk(None, &[vec![Cell::Int(3), Cell::Empty]]).unwrap()).unwrap();
        assert_eq!(more, "3,\n");
        let money = [
            Cell::money(150_000, "EUR"),
            Cell::money(-5, "EUR"),
            Cell::money(1500, "JPY"),
        ];
        let text = String::from_utf8(csv_chunk(None, &[money.to_vec()]).unwrap()).unwrap();
        assert_eq!(text, "1500.00,-0.05,1500\n");
    }

    #[test]
    fn a_workbook_is_a_zip_with_the_sheet() {
        let mut x = Xlsx::new("Contacts", &["name".to_owned(), "when".to_owned()]).unwrap();
        x.add(&[vec![Cell::from("=cmd"), Cell::Time(Utc::now())]]).unwrap();
        // What Excel cannot hold is written as text, never an error.
        let far = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        x.add(&[
            vec![Cell::from("x".repeat(40_000)), Cell::Time(far("0001-01-01T00:00:00Z"))],
            vec![Cell::Empty, Cell::Time(far("9999-12-31T23:59:59Z"))],
            vec![Cell::Empty, Cell::Date(NaiveDate::from_ymd_opt(1899, 12, 31).unwrap())],
        ])
        .unwrap();
        let mut file = x.finish().unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
