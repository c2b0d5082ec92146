//! Which column becomes which contact field: the targets a column can have, and the mapping
//! suggested from a header — the exports of Google Contacts, Outlook, LinkedIn Connections,
//! HubSpot and Pipedrive are recognised by their column names. Pure code.

use std::collections::BTreeMap;

/// Where a column's values go.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    FirstName,
    LastName,
    /// "Ada Lovelace", split at the last space when no first/last name columns are mapped.
    FullName,
    /// One or more addresses (several columns may be emails; a cell may hold several).
    Email,
    Phone,
    Company,
    JobTitle,
    Website,
    LinkedinUrl,
    TwitterUrl,
    Location,
    Notes,
    Tags,
    Lifecycle,
    Source,
    /// A custom field, by key.
    Custom(String),
}

/// The targets every import accepts (custom fields come as `custom.<key>`).
pub const FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "full_name",
    "email",
    "phone",
    "company",
    "job_title",
    "website",
    "linkedin_url",
    "twitter_url",
    "location",
    "notes",
    "tags",
    "lifecycle",
    "source",
];

impl Target {
    pub fn parse(s: &str) -> Option<Target> {
        Some(match s {
            "first_name" => Target::FirstName,
            "last_name" => Target::LastName,
            "full_name" => Target::FullName,
            "email" => Target::Email,
            "phone" => Target::Phone,
            "company" => Target::Company,
            "job_title" => Target::JobTitle,
            "website" => Target::Website,
            "linkedin_url" => Target::LinkedinUrl,
            "twitter_url" => Target::TwitterUrl,
            "location" => Target::Location,
            "notes" => Target::Notes,
            "tags" => Target::Tags,
            "lifecycle" => Target::Lifecycle,
            "source" => Target::Source,
            other => {
                let key = other.strip_prefix("custom.")?;
                if key.is_empty() {
                    return None;
                }
                Target::Custom(key.to_owned())
            }
        })
    }

    pub fn name(&self) -> String {
        match self {
            Target::Custom(key) => format!("custom.{key}"),
            other => FIELDS[other.index()].to_owned(),
        }
    }

    fn index(&self) -> usize {
        match self {
            Target::FirstName => 0,
            Target::LastName => 1,
            Target::FullName => 2,
            Target::Email => 3,
            Target::Phone => 4,
            Target::Company => 5,
            Target::JobTitle => 6,
            Target::Website => 7,
            Target::LinkedinUrl => 8,
            Target::TwitterUrl => 9,
            Target::Location => 10,
            Target::Notes => 11,
            Target::Tags => 12,
            Target::Lifecycle => 13,
            Target::Source => 14,
            Target::Custom(_) => usize::MAX,
        }
    }

    /// Whether several columns may feed it (their values are combined).
    pub fn takes_many(&self) -> bool {
        matches!(
            self,
            Target::Email | Target::Phone | Target::Tags | Target::Location | Target::Notes
        )
    }
}

/// Lower case, punctuation to spaces, one space between words: "E-mail 1 - Value" → "e mail 1 value".
pub fn normalise(header: &str) -> String {
    header
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Which application wrote the file, when its header says so.
pub fn detect_format(columns: &[String]) -> Option<&'static str> {
    let set: Vec<String> = columns.iter().map(|c| normalise(c)).collect();
    let has = |name: &str| set.iter().any(|c| c == name);
    let starts = |prefix: &str| set.iter().any(|c| c.starts_with(prefix));
    if has("connected on") {
        Some("LinkedIn Connections")
    } else if has("given name") && has("family name") || has("e mail 1 value") || has("phone 1 value") {
        Some("Google Contacts")
    } else if has("e mail address") && (has("business phone") || has("mobile phone") || has("e mail 2 address")) {
        Some("Outlook")
    } else if has("record id") && (has("lifecycle stage") || has("contact owner")) {
        Some("HubSpot")
    } else if starts("person ") || has("organization name") && has("person name") {
        Some("Pipedrive")
    } else {
        None
    }
}

/// The target a column suggests by its name, or none.
fn suggest_one(column: &str, linkedin: bool, custom: &[(String, String)]) -> Option<Target> {
    let n = normalise(column);
    // Pipedrive prefixes its person columns: "Person - Email - Work".
    let n = n.strip_prefix("person ").unwrap_or(&n).to_owned();
    for (key, label) in custom {
        if n == normalise(key) || n == normalise(label) {
            return Some(Target::Custom(key.clone()));
        }
    }
    let words: Vec<&str> = n.split(' ').collect();
    let has = |w: &str| words.contains(&w);
    let label_only = has("type") || has("label") || has("display");
    Some(match n.as_str() {
        "first name" | "given name" | "firstname" | "first" | "prenom" | "nombre" => Target::FirstName,
        "last name" | "family name" | "surname" | "lastname" | "last" | "nom" | "apellido" | "apellidos" => {
            Target::LastName
        }
        "name" | "full name" | "display name" | "contact name" | "contact" => Target::FullName,
        "company"
        | "company name"
        | "organization"
        | "organisation"
        | "organization name"
        | "organization 1 name"
        | "account name"
        | "employer" => Target::Company,
        "job title" | "title" | "position" | "organization 1 title" | "organization title" | "role" => Target::JobTitle,
        "url" if linkedin => Target::LinkedinUrl,
        "website" | "web site" | "web page" | "website 1 value" | "homepage" | "url" => Target::Website,
        "location" | "city" | "home city" | "business city" | "address 1 city" | "country" | "address 1 formatted" => {
            Target::Location
        }
        "notes" | "note" | "description" | "comments" => Target::Notes,
        "tags" | "tag" | "labels" | "group membership" | "categories" => Target::Tags,
        "lifecycle" | "lifecycle stage" | "stage" => Target::Lifecycle,
        "source" | "lead source" | "original source" => Target::Source,
        _ if n.contains("linkedin") => Target::LinkedinUrl,
        _ if n.contains("twitter") => Target::TwitterUrl,
        _ if (has("email") || n.contains("e mail")) && !label_only && !has("opt") && !has("subscription") => {
            Target::Email
        }
        _ if (has("phone") || has("mobile") || has("telephone") || has("cell")) && !label_only && !has("fax") => {
            Target::Phone
        }
        _ => return None,
    })
}

/// The suggested mapping (column → target name) for a header; `custom` lists the workspace's
/// contact custom fields as (key, label). A single-valued field goes to its first column.
pub fn suggest(columns: &[String], custom: &[(String, String)]) -> BTreeMap<String, String> {
    let linkedin = detect_format(columns) == Some("LinkedIn Connections");
    let mut out = BTreeMap::new();
    let mut taken: Vec<Target> = Vec::new();
    for column in columns {
        let Some(target) = suggest_one(column, linkedin, custom) else {
            continue;
        };
        if !target.takes_many() && taken.contains(&target) {
            continue;
        }
        taken.push(target.clone());
        out.insert(column.clone(), target.name());
    }
    // A full name column is only needed when there are no name parts.
    if taken.contains(&Target::FirstName) {
        out.retain(|_, t| t != "full_name");
    }
    out
}

/// A fingerprint of a header: files with the same columns (in any order) share it.
pub fn header_key(columns: &[String]) -> String {
    let mut names: Vec<String> = columns.iter().map(|c| normalise(c)).collect();
    names.sort();
    blake3::hash(names.join("\u{1f}").as_bytes()).to_hex()[..32].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    fn mapped(columns: &[&str]) -> Vec<(String, String)> {
        suggest(&cols(columns), &[]).into_iter().collect()
    }

    #[test]
    fn google_contacts() {
        let header = [
            "First Name",
            "Middle Name",
            "Last Name",
            "Nickname",
            "Birthday",
            "Notes",
            "Labels",
            "E-mail 1 - Label",
            "E-mail 1 - Value",
            "E-mail 2 - Label",
            "E-mail 2 - Value",
            "Phone 1 - Label",
            "Phone 1 - Value",
            "Organization Name",
            "Organization Title",
            "Website 1 - Value",
        ];
        assert_eq!(detect_format(&cols(&header)), Some("Google Contacts"));
        let m = suggest(&cols(&header), &[]);
        assert_eq!(m["First Name"], "first_name");
        assert_eq!(m["Last Name"], "last_name");
        assert_eq!(m["E-mail 1 - Value"], "email");
        assert_eq!(m["E-mail 2 - Value"], "email");
        assert_eq!(m["Phone 1 - Value"], "phone");
        assert_eq!(m["Organization Name"], "company");
        assert_eq!(m["Organization Title"], "job_title");
        assert_eq!(m["Labels"], "tags");
        assert_eq!(m["Website 1 - Value"], "website");
        assert_eq!(m["Notes"], "notes");
        for unmapped in [
            "E-mail 1 - Label",
            "Phone 1 - Label",
            "Middle Name",
            "Nickname",
            "Birthday",
        ] {
            assert!(!m.contains_key(unmapped), "{unmapped}");
        }
    }

    #[test]
    fn outlook() {
        let header = [
            "First Name",
            "Last Name",
            "Company",
            "Job Title",
            "Business Phone",
            "Mobile Phone",
            "E-mail Address",
            "E-mail Display Name",
            "E-mail 2 Address",
            "Categories",
            "Notes",
            "Business Fax",
        ];
        assert_eq!(detect_format(&cols(&header)), Some("Outlook"));
        let m = suggest(&cols(&header), &[]);
        assert_eq!(m["E-mail Address"], "email");
        assert_eq!(m["E-mail 2 Address"], "email");
        assert_eq!(m["Business Phone"], "phone");
        assert_eq!(m["Mobile Phone"], "phone");
        assert_eq!(m["Categories"], "tags");
        assert_eq!(m["Job Title"], "job_title");
        assert!(!m.contains_key("E-mail Display Name"));
        assert!(!m.contains_key("Business Fax"));
    }

    #[test]
    fn linkedin_connections_url_is_the_profile() {
        let header = [
            "First Name",
            "Last Name",
            "URL",
            "Email Address",
            "Company",
            "Position",
            "Connected On",
        ];
        assert_eq!(detect_format(&cols(&header)), Some("LinkedIn Connections"));
        let m = mapped(&header);
        assert!(m.contains(&("URL".into(), "linkedin_url".into())));
        assert!(m.contains(&("Position".into(), "job_title".into())));
        assert!(m.contains(&("Email Address".into(), "email".into())));
        assert!(!m.iter().any(|(c, _)| c == "Connected On"));
        // Elsewhere a URL column is a website.
        assert_eq!(suggest(&cols(&["Name", "URL"]), &[])["URL"], "website");
    }

    #[test]
    fn hubspot_and_pipedrive() {
        let hubspot = [
            "Record ID",
            "First Name",
            "Last Name",
            "Email",
            "Phone Number",
            "Company Name",
            "Lifecycle Stage",
            "Contact owner",
        ];
        assert_eq!(detect_format(&cols(&hubspot)), Some("HubSpot"));
        let m = suggest(&cols(&hubspot), &[]);
        assert_eq!(m["Email"], "email");
        assert_eq!(m["Phone Number"], "phone");
        assert_eq!(m["Company Name"], "company");
        assert_eq!(m["Lifecycle Stage"], "lifecycle");
        assert!(!m.contains_key("Record ID"));

        let pipedrive = [
            "Person - Name",
            "Person - Email - Work",
            "Person - Phone - Mobile",
            "Person - Organization",
            "Person - Labels",
        ];
        assert_eq!(detect_format(&cols(&pipedrive)), Some("Pipedrive"));
        let m = suggest(&cols(&pipedrive), &[]);
        assert_eq!(m["Person - Name"], "full_name");
        assert_eq!(m["Person - Email - Work"], "email");
        assert_eq!(m["Person - Phone - Mobile"], "phone");
        assert_eq!(m["Person - Organization"], "company");
        assert_eq!(m["Person - Labels"], "tags");
    }

    #[test]
    fn custom_fields_match_by_key_or_label_and_single_fields_take_the_first_column() {
        let custom = [("birthday".to_owned(), "Date of birth".to_owned())];
        let m = suggest(&cols(&["Name", "Date of Birth", "Company", "Organization"]), &custom);
        assert_eq!(m["Date of Birth"], "custom.birthday");
        assert_eq!(m["Company"], "company");
        assert!(!m.contains_key("Organization"));
    }

    #[test]
    fn targets_round_trip() {
        for f in FIELDS {
            assert_eq!(Target::parse(f).unwrap().name(), *f);
        }
        assert_eq!(Target::parse("custom.size"), Some(Target::Custom("size".into())));
        assert_eq!(Target::parse("custom."), None);
        assert_eq!(Target::parse("nope"), None);
        assert_eq!(header_key(&cols(&["B", "a"])), header_key(&cols(&["A", "b"])));
    }
}
