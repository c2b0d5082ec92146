//! Reading a vCard file (3.0 or 4.0; folded lines, quoted-printable and legacy charsets are
//! handled by `calcard`) into the same table a CSV becomes, so both go through one mapping,
//! preview, commit and rollback. Pure code.

use calcard::vcard::{VCard, VCardProperty, VCardValue};

use super::file::{FileError, MAX_ROWS, Table};

pub const COLUMNS: &[&str] = &[
    "First name",
    "Last name",
    "Email",
    "Phone",
    "Organization",
    "Title",
    "Note",
    "Birthday",
    "Website",
    "LinkedIn",
    "Categories",
];

fn texts(values: &[VCardValue]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| match v {
            VCardValue::Component(parts) => parts.clone(),
            other => other.as_text().map(str::to_owned).into_iter().collect(),
        })
        .map(|s| s.trim().to_owned())
        .collect()
}

fn first(card: &VCard, prop: &VCardProperty) -> String {
    card.property(prop)
        .map(|e| texts(&e.values).into_iter().find(|s| !s.is_empty()).unwrap_or_default())
        .unwrap_or_default()
}

fn all(card: &VCard, prop: &VCardProperty) -> Vec<String> {
    card.properties(prop)
        .filter_map(|e| texts(&e.values).into_iter().find(|s| !s.is_empty()))
        .collect()
}

fn birthday(card: &VCard) -> String {
    let Some(e) = card.property(&VCardProperty::Bday) else {
        return String::new();
    };
    match e.values.first() {
        Some(VCardValue::PartialDateTime(d)) => match (d.year, d.month, d.day) {
            (Some(y), Some(m), Some(day)) => format!("{y:04}-{m:02}-{day:02}"),
            (None, Some(m), Some(day)) => format!("--{m:02}-{day:02}"),
            _ => String::new(),
        },
        _ => texts(&e.values).join(" "),
    }
}

fn row(card: &VCard) -> Vec<String> {
    // N is family;given;additional;prefix;suffix.
    let n: Vec<String> = card
        .property(&VCardProperty::N)
        .map(|e| texts(&e.values))
        .unwrap_or_default();
    let (mut given, mut family) = (
        n.get(1).cloned().unwrap_or_default(),
        n.first().cloned().unwrap_or_default(),
    );
    if given.is_empty() && family.is_empty() {
        let full = first(card, &VCardProperty::Fn);
        match full.rsplit_once(' ') {
            Some((g, f)) => (given, family) = (g.to_owned(), f.to_owned()),
            None => given = full,
        }
    }
    let urls = all(card, &VCardProperty::Url);
    let (linkedin, web): (Vec<String>, Vec<String>) =
        urls.into_iter().partition(|u| u.to_lowercase().contains("linkedin."));
    let phones: Vec<String> = all(card, &VCardProperty::Tel)
        .into_iter()
        .map(|t| t.strip_prefix("tel:").unwrap_or(&t).to_owned())
        .collect();
    let categories: Vec<String> = card
        .properties(&VCardProperty::Categories)
        .flat_map(|e| texts(&e.values))
        .filter(|s| !s.is_empty())
        .collect();
    vec![
        given,
        family,
        all(card, &VCardProperty::Email).join(", "),
        phones.join(", "),
        first(card, &VCardProperty::Org),
        first(card, &VCardProperty::Title),
        all(card, &VCardProperty::Note).join("\n\n"),
        birthday(card),
        web.first().cloned().unwrap_or_default(),
        linkedin.first().cloned().unwrap_or_default(),
        categories.join(", "),
    ]
}

/// The cards of a file as a table, and notices about what was left out.
pub fn table(text: &str) -> Result<(Table, Vec<String>), FileError> {
    let mut parser = calcard::Parser::new(text);
    let mut rows = Vec::new();
    let mut photos = 0;
    let mut unreadable = 0;
    loop {
        match parser.entry() {
            calcard::Entry::VCard(card) => {
                if rows.len() == MAX_ROWS {
                    return Err(FileError::TooManyRows);
                }
                if card.property(&VCardProperty::Photo).is_some() {
                    photos += 1;
                }
                rows.push(row(&card));
            }
            calcard::Entry::Eof => break,
            calcard::Entry::TooManyComponents => return Err(FileError::TooManyRows),
            _ => unreadable += 1,
        }
    }
    if rows.is_empty() {
        return Err(if unreadable > 0 {
            FileError::NotText
        } else {
            FileError::NoRows
        });
    }
    let mut notices = Vec::new();
    if photos > 0 {
        notices.push(format!("{photos} photo(s) ignored: contacts have no pictures."));
    }
    if unreadable > 0 {
        notices.push(format!("{unreadable} line(s) outside any card were ignored."));
    }
    Ok((
        Table {
            columns: COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
            rows,
        },
        notices,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apple_google_and_outlook_cards() {
        // Apple Contacts writes 3.0 with item groups, a PHOTO and folded lines.
        let apple = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//macOS 14.0//EN\r\nN:Muñoz;José;;;\r\nFN:José Muñoz\r\nORG:Café Muñoz;\r\nTITLE:Owner\r\nEMAIL;type=INTERNET;type=WORK;type=pref:jose@cafe-munoz.es\r\nEMAIL;type=INTERNET;type=HOME:pepe@example.com\r\nTEL;type=CELL;type=VOICE;type=pref:+34 612 345 678\r\nitem1.URL;type=pref:https://www.linkedin.com/in/josemunoz\r\nitem1.X-ABLabel:_$!<HomePage>!$_\r\nNOTE:Met at the coffee fair\\, Madrid.\\nLikes single origin.\r\nBDAY:1980-04-12\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDA\r\n UUDQwLCwwZEhMPFB0aHx4dGhwcICQuJyAiLCMcHCg3KSwwMTQ0NB8nOT04MjwuMzQy\r\nCATEGORIES:coffee,vip\r\nEND:VCARD\r\n";
        // Google Contacts writes 3.0 with ITEM groups and TYPE lists.
        let google = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\nEMAIL;TYPE=INTERNET;TYPE=HOME:ada@example.com\r\nTEL;TYPE=CELL:+44 20 7946 0958\r\nORG:Analytical Engines\r\nTITLE:CTO\r\nCATEGORIES:myContacts,Friends\r\nEND:VCARD\r\n";
        // Outlook writes 2.1/3.0 with quoted-printable and a Windows charset.
        let outlook = "BEGIN:VCARD\r\nVERSION:2.1\r\nN;LANGUAGE=fr-fr;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:Lef=E8vre;Fran=E7ois\r\nFN;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:Fran=E7ois Lef=E8vre\r\nORG:Zo=C3=AB & Cie\r\nEMAIL;PREF;INTERNET:francois@zoe.fr\r\nTEL;WORK;VOICE:01 42 68 53 00\r\nEND:VCARD\r\n";
        let nameless = "BEGIN:VCARD\r\nVERSION:4.0\r\nEMAIL:someone@example.org\r\nEND:VCARD\r\n";
        let text = format!("{apple}{google}{outlook}{nameless}");
        let (t, notices) = table(&text).unwrap();
        assert_eq!(t.rows.len(), 4);
        let jose = &t.rows[0];
        assert_eq!(&jose[..2], ["José", "Muñoz"]);
        assert_eq!(jose[2], "jose@cafe-munoz.es, pepe@example.com");
        assert_eq!(jose[4], "Café Muñoz");
        assert_eq!(jose[6], "Met at the coffee fair, Madrid.\nLikes single origin.");
        assert_eq!(jose[7], "1980-04-12");
        assert_eq!(jose[9], "https://www.linkedin.com/in/josemunoz");
        assert_eq!(jose[10], "coffee, vip");
        assert_eq!(&t.rows[1][..3], ["Ada", "Lovelace", "ada@example.com"]);
        assert_eq!(&t.rows[2][..2], ["François", "Lefèvre"], "{:?}", t.rows[2]);
        assert_eq!(t.rows[2][3], "01 42 68 53 00");
        assert_eq!(&t.rows[3][..3], ["", "", "someone@example.org"]);
        assert_eq!(notices, ["1 photo(s) ignored: contacts have no pictures."]);
        // Mapped as suggested, every card reads.
        let m = super::super::mapping::suggest(&t.columns, &[]);
        assert_eq!(m["Organization"], "company");
        assert_eq!(m["LinkedIn"], "linkedin_url");
        assert_eq!(m["Categories"], "tags");
        assert_eq!(m["Note"], "notes");
    }

    #[test]
    fn files_without_cards_are_refused() {
        assert_eq!(table("hello\r\n").unwrap_err(), FileError::NotText);
        assert_eq!(table("").unwrap_err(), FileError::NoRows);
    }
}
