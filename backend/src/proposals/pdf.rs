//! The PDF of a proposal, laid out by hand on A4 with the PDF standard fonts (Helvetica), so no
//! font files are embedded and the file stays a few kilobytes. Text is WinAnsi-encoded: Latin
//! scripts print as typed, other characters as "?".

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

use super::dto::Proposal;
use super::html::quantity;
use crate::money;

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;
const BOTTOM: f32 = 60.0;

/// Advance widths of Helvetica for ASCII 32–126, in thousandths of the font size.
#[rustfmt::skip]
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space–/
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0–?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @–O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P–_
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // `–o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,      // p–~
];

/// A character in WinAnsiEncoding (Windows-1252), or `?` when it has none.
fn win_ansi(ch: char) -> u8 {
    match ch {
        ' '..='~' => ch as u8,
        '\u{a0}'..='\u{ff}' => ch as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        '„' => 0x84,
        '…' => 0x85,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '−' => b'-',
        '\t' => b' ',
        _ => b'?',
    }
}

fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .filter(|c| *c != '\r' && *c != '\n')
        .map(win_ansi)
        .collect()
}

/// Width of text in points (bold is close enough to regular for alignment).
fn width(text: &str, size: f32) -> f32 {
    let units: u32 = encode(text)
        .iter()
        .map(|b| match b {
            32..=126 => u32::from(HELVETICA[usize::from(b - 32)]),
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// Breaks text into lines no wider than `max` points (long words are cut).
fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if width(&candidate, size) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let mut rest = word.to_owned();
            while width(&rest, size) > max {
                let mut cut = rest.len();
                while cut > 1 && width(&rest[..cut], size) > max {
                    cut = rest[..cut].char_indices().last().map(|(i, _)| i).unwrap_or(1);
                }
                lines.push(rest[..cut].to_owned());
                rest = rest[cut..].to_owned();
            }
            line = rest;
        }
        lines.push(line);
    }
    lines
}

/// Pages being written, top to bottom.
struct Layout {
    pages: Vec<Content>,
    y: f32,
}

impl Layout {
    fn new() -> Layout {
        Layout {
            pages: vec![Content::new()],
            y: PAGE_H - MARGIN,
        }
    }

    fn page(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.pages.push(Content::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Starts a new page when fewer than `space` points are left.
    fn ensure(&mut self, space: f32) {
        if self.y - space < BOTTOM {
            self.pages.push(Content::new());
            self.y = PAGE_H - MARGIN;
        }
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        let bytes = encode(text);
        let font = if bold { Name(b"F2") } else { Name(b"F1") };
        let page = self.page();
        page.begin_text();
        page.set_font(font, size);
        page.next_line(x, y);
        page.show(Str(&bytes));
        page.end_text();
    }

    fn text_right(&mut self, right: f32, y: f32, size: f32, bold: bool, text: &str) {
        let x = right - width(text, size);
        self.text(x, y, size, bold, text);
    }

    fn rule(&mut self, y: f32, weight: f32) {
        let page = self.page();
        page.set_line_width(weight);
        page.move_to(MARGIN, y);
        page.line_to(PAGE_W - MARGIN, y);
        page.stroke();
    }

    /// A wrapped paragraph across the page width.
    fn paragraph(&mut self, text: &str, size: f32) {
        for line in wrap(text, size, PAGE_W - 2.0 * MARGIN) {
            self.ensure(size * 1.5);
            self.y -= size * 1.45;
            self.text(MARGIN, self.y, size, false, &line);
        }
        self.y -= size;
    }
}

pub fn render(p: &Proposal) -> Vec<u8> {
    let m = |minor: i64| money::format(minor, &p.currency);
    let mut doc = Layout::new();
    let right = PAGE_W - MARGIN;

    // Heading: title left, number and dates right.
    doc.y -= 20.0;
    let title_lines = wrap(&p.title, 20.0, 330.0);
    for (i, line) in title_lines.iter().enumerate() {
        doc.text(MARGIN, doc.y - i as f32 * 24.0, 20.0, true, line);
    }
    doc.text_right(right, doc.y, 10.0, true, &format!("Proposal #{}", p.number));
    doc.text_right(
        right,
        doc.y - 14.0,
        9.0,
        false,
        &p.created_at.format("%e %B %Y").to_string(),
    );
    if let Some(valid) = p.valid_until {
        doc.text_right(
            right,
            doc.y - 27.0,
            9.0,
            false,
            &format!("Valid until {}", valid.format("%e %B %Y")),
        );
    }
    doc.y -= (title_lines.len().max(1) as f32 - 1.0) * 24.0 + 18.0;
    let prepared: Vec<&str> = [p.contact_name.as_deref(), p.company_name.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !prepared.is_empty() {
        doc.text(
            MARGIN,
            doc.y,
            10.0,
            false,
            &format!("Prepared for {}", prepared.join(", ")),
        );
    }
    doc.y -= 22.0;
    doc.rule(doc.y, 1.5);
    doc.y -= 10.0;
    if let Some(intro) = &p.introduction {
        doc.paragraph(intro, 10.0);
    }

    // Lines: description wraps; numbers align right in their columns.
    let (qty_r, unit_r, disc_r) = (340.0, 420.0, 470.0);
    let header = |doc: &mut Layout| {
        doc.ensure(40.0);
        doc.y -= 18.0;
        doc.text(MARGIN, doc.y, 8.0, true, "DESCRIPTION");
        doc.text_right(qty_r, doc.y, 8.0, true, "QTY");
        doc.text_right(unit_r, doc.y, 8.0, true, "UNIT PRICE");
        doc.text_right(disc_r, doc.y, 8.0, true, "DISC.");
        doc.text_right(right, doc.y, 8.0, true, "AMOUNT");
        doc.y -= 6.0;
        doc.rule(doc.y, 0.5);
    };
    header(&mut doc);
    for line in &p.lines {
        let described = wrap(&line.description, 10.0, qty_r - MARGIN - 50.0);
        let height = described.len() as f32 * 13.0 + 8.0;
        if doc.y - height < BOTTOM {
            doc.ensure(height + 40.0);
            header(&mut doc);
        }
        doc.y -= 15.0;
        let top = doc.y;
        for (i, text) in described.iter().enumerate() {
            doc.text(MARGIN, top - i as f32 * 13.0, 10.0, false, text);
        }
        doc.text_right(qty_r, top, 10.0, false, &quantity(line.quantity));
        doc.text_right(unit_r, top, 10.0, false, &m(line.unit_price_minor));
        if line.discount_percent > 0.0 {
            doc.text_right(
                disc_r,
                top,
                10.0,
                false,
                &format!("{}%", quantity(line.discount_percent)),
            );
        }
        doc.text_right(right, top, 10.0, false, &m(line.total_minor));
        doc.y = top - (described.len() as f32 - 1.0) * 13.0 - 6.0;
        doc.rule(doc.y, 0.25);
    }
    if p.lines.is_empty() {
        doc.y -= 15.0;
        doc.text(MARGIN, doc.y, 10.0, false, "No lines yet.");
    }

    // Totals.
    let mut rows: Vec<(String, String, bool)> = vec![("Subtotal".into(), m(p.totals.subtotal_minor), false)];
    if p.totals.discount_minor > 0 {
        rows.push(("Discounts".into(), format!("-{}", m(p.totals.discount_minor)), false));
    }
    if p.tax_rate_percent > 0.0 {
        rows.push((
            format!("Tax ({}%)", quantity(p.tax_rate_percent)),
            m(p.totals.tax_minor),
            false,
        ));
    }
    rows.push(("Total".into(), m(p.totals.total_minor), true));
    doc.ensure(rows.len() as f32 * 18.0 + 30.0);
    doc.y -= 12.0;
    for (label, value, strong) in rows {
        doc.y -= if strong { 20.0 } else { 15.0 };
        let size = if strong { 12.0 } else { 10.0 };
        doc.text_right(unit_r, doc.y, size, strong, &label);
        doc.text_right(right, doc.y, size, strong, &value);
    }
    doc.y -= 24.0;
    if let Some(terms) = &p.terms {
        doc.ensure(40.0);
        doc.y -= 6.0;
        doc.text(MARGIN, doc.y, 9.0, true, "TERMS");
        doc.y -= 4.0;
        doc.paragraph(terms, 9.0);
    }

    // Footer with page numbers, then the document.
    let count = doc.pages.len();
    for i in 0..count {
        let label = format!("Proposal #{} · page {} of {}", p.number, i + 1, count);
        let bytes = encode(&label);
        let x = (PAGE_W - width(&label, 8.0)) / 2.0;
        let page = &mut doc.pages[i];
        page.begin_text();
        page.set_font(Name(b"F1"), 8.0);
        page.next_line(x, 30.0);
        page.show(Str(&bytes));
        page.end_text();
    }
    assemble(doc.pages, &p.title)
}

fn assemble(pages: Vec<Content>, title: &str) -> Vec<u8> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(6 + 2 * i as i32)).collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(pages.len() as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(pdf_writer::TextStr(title))
        .producer(pdf_writer::TextStr("Rapport"));
    for (content, id) in pages.into_iter().zip(page_ids) {
        let content_id = Ref::new(id.get() + 1);
        let mut page = pdf.page(id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(content_id);
        let mut resources = page.resources();
        resources.fonts().pair(Name(b"F1"), regular).pair(Name(b"F2"), bold);
        resources.finish();
        page.finish();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_measured_and_wrapped() {
        assert!((width("0000", 10.0) - 22.24).abs() < 0.01);
        let lines = wrap("one two three four five six seven", 10.0, 60.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| width(l, 10.0) <= 60.0), "{lines:?}");
        let long = wrap(&"x".repeat(200), 10.0, 50.0);
        assert!(long.iter().all(|l| width(l, 10.0) <= 50.0));
        assert_eq!(long.concat().len(), 200);
    }

    #[test]
    fn text_is_encoded_for_the_standard_fonts() {
        assert_eq!(encode("Café €5 – ok"), b"Caf\xe9 \x805 \x96 ok".to_vec());
        assert_eq!(encode("東京"), b"??".to_vec());
    }
}
