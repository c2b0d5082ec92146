//! What each record of an import does: read with the mapping into a candidate contact (or a
//! per-row error naming the column and the reason), duplicates inside the file skipped, matched
//! against existing contacts (normalised email, then phone in E.164, then LinkedIn URL) and,
//! by the import's policy, turned into a create, an update (old → new per field) or a skip.
//! Pure code: the caller fetches the existing contacts that any key matches.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value, json};
use uuid::Uuid;
use validator::Validate;

use super::mapping::Target;
use crate::contacts::dto::{ContactSource, CreateContact, Lifecycle};
use crate::custom_fields::dto::FieldType;
use crate::custom_fields::values::{self, Def};
use crate::error::FieldError;

pub const MAX_EMAILS: usize = 10;
pub const MAX_PHONES: usize = 10;
pub const MAX_TAGS: usize = 30;

/// What to do with a record that matches an existing contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Fill the fields the contact has empty; add new emails, phones and tags.
    FillEmpty,
    /// Replace fields with the file's non-empty values; add new emails, phones and tags.
    Overwrite,
    /// Leave existing contacts alone.
    SkipExisting,
}

impl Policy {
    pub fn parse(s: &str) -> Option<Policy> {
        match s {
            "fill_empty" => Some(Policy::FillEmpty),
            "overwrite" => Some(Policy::Overwrite),
            "skip_existing" => Some(Policy::SkipExisting),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Policy::FillEmpty => "fill_empty",
            Policy::Overwrite => "overwrite",
            Policy::SkipExisting => "skip_existing",
        }
    }
}

/// The mapping checked against the file: (column index, target).
pub type Resolved = Vec<(usize, Target)>;

/// Checks a mapping (column name → target name; an empty target leaves the column out).
pub fn resolve(columns: &[String], raw: &BTreeMap<String, String>, defs: &[Def]) -> Result<Resolved, Vec<FieldError>> {
    let mut out: Resolved = Vec::new();
    let mut errors = Vec::new();
    for (column, target) in raw {
        let field = format!("mapping.{column}");
        if target.is_empty() {
            continue;
        }
        let Some(index) = columns.iter().position(|c| c == column) else {
            errors.push(FieldError::new(field, "is not a column of the file"));
            continue;
        };
        let Some(t) = Target::parse(target) else {
            errors.push(FieldError::new(
                field,
                format!(
                    "'{target}' is not a field; use one of {} or custom.<key>",
                    super::mapping::FIELDS.join(", ")
                ),
            ));
            continue;
        };
        if let Target::Custom(key) = &t
            && !defs.iter().any(|d| &d.key == key)
        {
            errors.push(FieldError::new(
                field,
                format!("there is no contact custom field '{key}'"),
            ));
            continue;
        }
        if !t.takes_many()
            && let Some((other, _)) = out.iter().find(|(_, o)| *o == t)
        {
            errors.push(FieldError::new(
                field,
                format!("{} is already mapped from '{}'", t.name(), columns[*other]),
            ));
            continue;
        }
        out.push((index, t));
    }
    let has = |t: &Target| out.iter().any(|(_, o)| o == t);
    if errors.is_empty() && !(has(&Target::FirstName) || has(&Target::FullName) || has(&Target::Email)) {
        errors.push(FieldError::new(
            "mapping",
            "map at least a first name, full name or email column",
        ));
    }
    out.sort_by_key(|(i, _)| *i);
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Phone {
    /// As stored: international format when the number is valid, else as written.
    pub text: String,
    pub e164: Option<String>,
}

/// A record read with the mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub first_name: String,
    pub last_name: String,
    pub emails: Vec<String>,
    pub phones: Vec<Phone>,
    pub company: Option<String>,
    /// job_title, website, linkedin_url, twitter_url, location, notes, lifecycle, source.
    pub fields: BTreeMap<&'static str, String>,
    pub tags: Vec<String>,
    pub custom: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    pub column: Option<String>,
    pub reason: String,
    /// What kind of problem it is, for programs (the same codes as a problem's `errors`).
    pub code: String,
    /// The values the code needs to be put in words (`value`, `choices`, `max` …).
    pub params: Map<String, Value>,
}

fn err(column: Option<&str>, code: &str, reason: impl Into<String>) -> RowError {
    RowError {
        column: column.map(str::to_owned),
        reason: reason.into(),
        code: code.to_owned(),
        params: Map::new(),
    }
}

impl RowError {
    fn with(mut self, name: &str, value: impl Into<Value>) -> RowError {
        self.params.insert(name.to_owned(), value.into());
        self
    }

    /// A validation error of the API's rules, with its code and parameters.
    fn from_field(column: Option<&str>, fe: crate::error::FieldError) -> RowError {
        RowError {
            column: column.map(str::to_owned),
            reason: fe.message,
            code: fe.code,
            params: fe.params,
        }
    }
}

/// Parses a phone number with the workspace's default country (for numbers without `+`).
pub fn phone(text: &str, country: Option<phonenumber::country::Id>) -> Phone {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match phonenumber::parse(country, &text) {
        Ok(n) if phonenumber::is_valid(&n) => Phone {
            text: n.format().mode(phonenumber::Mode::International).to_string(),
            e164: Some(n.format().mode(phonenumber::Mode::E164).to_string()),
        },
        _ => Phone { text, e164: None },
    }
}

/// A LinkedIn profile URL without scheme, `www.`, case or trailing slash.
pub fn linkedin_key(url: &str) -> String {
    let u = url.trim().to_lowercase();
    let u = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .unwrap_or(&u);
    let u = u.strip_prefix("www.").unwrap_or(u);
    u.trim_end_matches('/').to_owned()
}

fn split_list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(" ::: ")
        .flat_map(|p| p.split([',', ';', '\n']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn lifecycle(cell: &str) -> Option<Lifecycle> {
    let n = cell.to_lowercase().replace([' ', '_', '-'], "");
    Some(match n.as_str() {
        "lead" | "subscriber" | "marketingqualifiedlead" | "mql" | "new" => Lifecycle::Lead,
        "prospect" | "opportunity" | "salesqualifiedlead" | "sql" | "qualified" => Lifecycle::Prospect,
        "client" | "customer" | "evangelist" | "won" => Lifecycle::Client,
        "inactive" | "lost" | "churned" | "former" => Lifecycle::Inactive,
        _ => return None,
    })
}

fn source(cell: &str) -> Option<ContactSource> {
    let n = cell.to_lowercase().replace([' ', '-'], "_");
    if let Ok(s) = n.parse::<ContactSource>() {
        return Some(s);
    }
    Some(match n.as_str() {
        "referrals" | "word_of_mouth" => ContactSource::Referral,
        "organic_search" | "direct_traffic" | "web" | "web_form" | "form" => ContactSource::Website,
        "paid_search" | "paid_social" | "ads" | "ad" => ContactSource::Advertising,
        "social" => ContactSource::SocialMedia,
        "email" | "email_marketing" => ContactSource::InboundEmail,
        "offline" | "offline_sources" | "conference" => ContactSource::Event,
        "cold_call" | "cold_email" | "outbound" => ContactSource::ColdOutreach,
        "other_campaigns" => ContactSource::Other,
        _ => return None,
    })
}

/// A cell's value for a custom field, or the error's code and English words.
fn custom_value(def: &Def, cell: &str) -> Result<Value, (&'static str, String)> {
    Ok(match def.field_type {
        FieldType::Number => {
            let n: f64 = cell
                .replace([' ', '\u{a0}'], "")
                .parse()
                .map_err(|_| ("number", format!("'{cell}' is not a number")))?;
            serde_json::Number::from_f64(n)
                .map(Value::Number)
                .ok_or_else(|| ("number", format!("'{cell}' is not a number")))?
        }
        FieldType::Boolean => match cell.to_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "x" | "oui" | "sí" | "si" => Value::Bool(true),
            "false" | "no" | "n" | "0" | "non" => Value::Bool(false),
            _ => return Err(("boolean", format!("'{cell}' is not yes or no"))),
        },
        FieldType::MultiSelect => Value::Array(split_list(cell).map(|s| Value::String(s.to_owned())).collect()),
        _ => Value::String(cell.to_owned()),
    })
}

/// The name a contact known only by an address gets: "jane.doe@x.io" → ("Jane", "Doe").
fn name_from_email(email: &str) -> (String, String) {
    let local = email.split('@').next().unwrap_or(email);
    let mut parts = local
        .split(['.', '_', '-', '+'])
        .filter(|p| !p.is_empty() && !p.chars().all(|c| c.is_ascii_digit()))
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        });
    let first = parts.next().unwrap_or_else(|| local.to_owned());
    (first, parts.collect::<Vec<_>>().join(" "))
}

/// Reads one record with the mapping.
pub fn read(
    columns: &[String],
    cells: &[String],
    mapping: &Resolved,
    defs: &[Def],
    country: Option<phonenumber::country::Id>,
) -> Result<Candidate, RowError> {
    if cells.len() > columns.len() && cells[columns.len()..].iter().any(|c| !c.trim().is_empty()) {
        return Err(err(
            None,
            "field_count",
            format!("has {} fields; the header has {}", cells.len(), columns.len()),
        )
        .with("fields", cells.len())
        .with("header", columns.len()));
    }
    let mut first = String::new();
    let mut last = String::new();
    let mut full = String::new();
    let mut emails: Vec<String> = Vec::new();
    let mut phones: Vec<Phone> = Vec::new();
    let mut company = None;
    let mut fields: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut tags: Vec<String> = Vec::new();
    let mut custom = Map::new();
    let mut custom_changes = Map::new();
    let mut column_of: HashMap<&'static str, &str> = HashMap::new();
    for (index, target) in mapping {
        let column = columns[*index].as_str();
        let raw = cells.get(*index).map(String::as_str).unwrap_or("");
        if raw.contains('\0') {
            return Err(err(Some(column), "nul", "contains a NUL character"));
        }
        if raw.contains('\u{FFFD}') {
            return Err(err(
                Some(column),
                "encoding",
                "holds bytes that are not text in the file's encoding",
            ));
        }
        let cell = raw.trim();
        if cell.is_empty() {
            continue;
        }
        let mut set = |name: &'static str, value: &str, joiner: &str| {
            column_of.entry(name).or_insert(column);
            fields
                .entry(name)
                .and_modify(|v| {
                    v.push_str(joiner);
                    v.push_str(value);
                })
                .or_insert_with(|| value.to_owned());
        };
        match target {
            Target::FirstName => first = cell.to_owned(),
            Target::LastName => last = cell.to_owned(),
            Target::FullName => full = cell.split_whitespace().collect::<Vec<_>>().join(" "),
            Target::Email => {
                for e in split_list(cell).flat_map(str::split_whitespace) {
                    let e = e.trim_matches(|c| c == '<' || c == '>').to_lowercase();
                    if !validator::ValidateEmail::validate_email(&e) {
                        return Err(
                            err(Some(column), "email", format!("'{e}' is not an email address")).with("value", e)
                        );
                    }
                    if !emails.contains(&e) {
                        emails.push(e);
                    }
                }
            }
            Target::Phone => {
                for p in cell.split([',', ';', '\n']).flat_map(|p| p.split(" ::: ")) {
                    let p = p.trim();
                    if p.is_empty() {
                        continue;
                    }
                    if crate::dto::validate_phones(&[p.to_owned()]).is_err() {
                        return Err(err(Some(column), "phone", format!("'{p}' is not a phone number")).with("value", p));
                    }
                    let parsed = phone(p, country);
                    let dup = phones
                        .iter()
                        .any(|q| q.text == parsed.text || (q.e164.is_some() && q.e164 == parsed.e164));
                    if !dup {
                        phones.push(parsed);
                    }
                }
            }
            Target::Company => {
                column_of.insert("company_name", column);
                company = Some(cell.split_whitespace().collect::<Vec<_>>().join(" "));
            }
            Target::JobTitle => set("job_title", cell, ", "),
            Target::Website => set("website", cell, " "),
            Target::LinkedinUrl => set("linkedin_url", cell, " "),
            Target::TwitterUrl => set("twitter_url", cell, " "),
            Target::Location => set("location", cell, ", "),
            Target::Notes => set("notes", cell, "\n\n"),
            Target::Tags => {
                column_of.entry("tags").or_insert(column);
                for t in split_list(cell) {
                    // Google's system groups ("* myContacts", "* starred") are not tags.
                    if t.starts_with('*') {
                        continue;
                    }
                    let t = t.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
                    if !tags.contains(&t) {
                        tags.push(t);
                    }
                }
            }
            Target::Lifecycle => {
                let l = lifecycle(cell).ok_or_else(|| {
                    err(
                        Some(column),
                        "one_of",
                        format!("'{cell}' is not a lifecycle stage ({})", Lifecycle::choices()),
                    )
                    .with("value", cell)
                    .with("choices", Lifecycle::names())
                })?;
                fields.insert("lifecycle", l.as_str().to_owned());
            }
            Target::Source => {
                let s = source(cell).ok_or_else(|| {
                    err(
                        Some(column),
                        "one_of",
                        format!("'{cell}' is not a source ({})", ContactSource::choices()),
                    )
                    .with("value", cell)
                    .with("choices", ContactSource::names())
                })?;
                fields.insert("source", s.as_str().to_owned());
            }
            Target::Custom(key) => {
                let Some(def) = defs.iter().find(|d| &d.key == key) else {
                    continue;
                };
                let value =
                    custom_value(def, cell).map_err(|(code, m)| err(Some(column), code, m).with("value", cell))?;
                custom_changes.insert(key.clone(), value);
                column_of.insert("custom", column);
            }
        }
    }
    if !custom_changes.is_empty() {
        custom = values::apply(defs, &Map::new(), &custom_changes).map_err(|errors| {
            let e = &errors[0];
            let key = e.field.strip_prefix("custom_fields.").unwrap_or(&e.field);
            let column = mapping
                .iter()
                .find(|(_, t)| *t == Target::Custom(key.to_owned()))
                .map(|(i, _)| columns[*i].as_str());
            RowError::from_field(column, e.clone())
        })?;
    }
    if first.is_empty() && last.is_empty() && !full.is_empty() {
        match full.rsplit_once(' ') {
            Some((f, l)) => {
                first = f.to_owned();
                last = l.to_owned();
            }
            None => first = full,
        }
    } else if first.is_empty() && !last.is_empty() {
        first = std::mem::take(&mut last);
    }
    if first.is_empty() {
        match emails.first() {
            Some(e) => (first, last) = name_from_email(e),
            None => return Err(err(None, "no_name", "has no name and no email address")),
        }
    }
    if let Some(url) = fields.get("linkedin_url")
        && !linkedin_key(url).contains("linkedin.")
    {
        return Err(err(
            column_of.get("linkedin_url").copied(),
            "linkedin_url",
            format!("'{url}' is not a LinkedIn URL"),
        )
        .with("value", url.as_str()));
    }
    let candidate = Candidate {
        first_name: first,
        last_name: last,
        emails,
        phones,
        company,
        fields,
        tags,
        custom,
    };
    // The same rules as creating a contact through the API.
    let dto: CreateContact =
        serde_json::from_value(candidate.create_json()).map_err(|e| err(None, "invalid", e.to_string()))?;
    if let Err(e) = dto.validate() {
        let first = crate::http::json::validation_errors(&e).into_iter().next();
        if let Some(fe) = first {
            let name = fe.field.split(['[', '.']).next().unwrap_or(&fe.field).to_owned();
            let key = match name.as_str() {
                "emails" => "email",
                "phones" => "phone",
                other => other,
            };
            let column = column_of.get(key).copied().or_else(|| {
                let target = Target::parse(key)?;
                mapping
                    .iter()
                    .find(|(_, t)| *t == target || (key == "first_name" && *t == Target::FullName))
                    .map(|(i, _)| columns[*i].as_str())
            });
            return Err(RowError::from_field(column, fe));
        }
    }
    Ok(candidate)
}

fn opt(v: Option<&String>) -> Value {
    v.map_or(Value::Null, |s| Value::String(s.clone()))
}

impl Candidate {
    /// The contact as `POST /contacts` would take it.
    pub fn create_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("first_name".into(), json!(self.first_name));
        m.insert("last_name".into(), json!(self.last_name));
        m.insert("emails".into(), json!(self.emails));
        m.insert(
            "phones".into(),
            json!(self.phones.iter().map(|p| p.text.clone()).collect::<Vec<_>>()),
        );
        m.insert("company_name".into(), opt(self.company.as_ref()));
        for (k, v) in &self.fields {
            m.insert((*k).into(), json!(v));
        }
        m.insert("tags".into(), json!(self.tags));
        m.insert("custom_fields".into(), Value::Object(self.custom.clone()));
        Value::Object(m)
    }

    /// Values to write for a new contact (URLs normalised as the API does).
    pub fn payload(&self) -> Value {
        let mut v = self.create_json();
        if let Value::Object(m) = &mut v {
            if let Some(c) = m.remove("company_name") {
                m.insert("company".into(), c);
            }
            for url in ["website", "linkedin_url", "twitter_url"] {
                if let Some(Value::String(s)) = m.get(url) {
                    let normal = crate::dto::normalize_url(s).unwrap_or_else(|| s.clone());
                    m.insert(url.into(), Value::String(normal));
                }
            }
        }
        v
    }

    fn keys(&self) -> Vec<(Key, String)> {
        let mut keys: Vec<(Key, String)> = self.emails.iter().map(|e| (Key::Email, e.clone())).collect();
        keys.extend(self.phones.iter().filter_map(|p| Some((Key::Phone, p.e164.clone()?))));
        if let Some(url) = self.fields.get("linkedin_url") {
            keys.push((Key::Linkedin, linkedin_key(url)));
        }
        keys
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Email,
    Phone,
    Linkedin,
}

impl Key {
    fn words(self) -> &'static str {
        match self {
            Key::Email => "email",
            Key::Phone => "phone",
            Key::Linkedin => "LinkedIn URL",
        }
    }

    /// The key as a reason's `key` parameter names it.
    fn code(self) -> &'static str {
        match self {
            Key::Email => "email",
            Key::Phone => "phone",
            Key::Linkedin => "linkedin_url",
        }
    }
}

/// An existing contact as the matching and the update need it.
#[derive(Debug, Clone)]
pub struct Existing {
    pub id: Uuid,
    pub version: i32,
    pub first_name: String,
    pub last_name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub company_id: Option<Uuid>,
    pub company_name: Option<String>,
    /// job_title, website, linkedin_url, twitter_url, location, notes, lifecycle, source.
    pub fields: BTreeMap<&'static str, String>,
    pub tags: Vec<String>,
    pub custom: Map<String, Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Create,
    Update,
    Skip,
    Error,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Create => "create",
            Kind::Update => "update",
            Kind::Skip => "skip",
            Kind::Error => "error",
        }
    }
}

/// A record's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub row_no: i32,
    pub kind: Kind,
    pub reason: Option<String>,
    /// The reason's code and parameters, for programs: an error's (`email`, `one_of` …), or
    /// `duplicate_in_file` (`row`, `key`), `same_contact_in_file` (`row`), `existing` (`key`),
    /// `unchanged`, `changes` (`key`, `fields`); email and calendar imports add their own.
    pub code: Option<String>,
    pub params: Map<String, Value>,
    pub column: Option<String>,
    pub contact_id: Option<Uuid>,
    /// create: every value; update: the changed fields' new values.
    pub payload: Option<Value>,
    /// update: the changed fields' values before.
    pub before: Option<Value>,
    /// update: the contact's version the plan was made against.
    pub version: Option<i32>,
}

/// A reason's parameters.
pub fn params(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

/// Emails, phones (E.164) and LinkedIn keys of the candidates of a file, gathered a batch at a
/// time: what to look existing contacts up by.
#[derive(Debug, Default)]
pub struct Keys {
    emails: BTreeSet<String>,
    phones: BTreeSet<String>,
    linkedin: BTreeSet<String>,
}

impl Keys {
    pub fn add(&mut self, candidates: &[(i32, Result<Candidate, RowError>)]) {
        for c in candidates.iter().filter_map(|(_, c)| c.as_ref().ok()) {
            for (k, v) in c.keys() {
                match k {
                    Key::Email => self.emails.insert(v),
                    Key::Phone => self.phones.insert(v),
                    Key::Linkedin => self.linkedin.insert(v),
                };
            }
        }
    }

    /// (emails, phones, LinkedIn keys), each sorted and without repeats.
    pub fn finish(self) -> (Vec<String>, Vec<String>, Vec<String>) {
        (
            self.emails.into_iter().collect(),
            self.phones.into_iter().collect(),
            self.linkedin.into_iter().collect(),
        )
    }
}

/// Decides records' outcomes one after another, remembering what earlier records of the file
/// claimed (so a file can be decided in chunks).
pub struct Decider {
    existing: Vec<Existing>,
    index: HashMap<(Key, String), usize>,
    seen: HashMap<(Key, String), i32>,
    claimed: HashMap<Uuid, i32>,
    policy: Policy,
    country: Option<phonenumber::country::Id>,
}

impl Decider {
    pub fn new(existing: Vec<Existing>, policy: Policy, country: Option<phonenumber::country::Id>) -> Decider {
        let mut index: HashMap<(Key, String), usize> = HashMap::new();
        for (i, e) in existing.iter().enumerate() {
            for email in &e.emails {
                index.entry((Key::Email, email.clone())).or_insert(i);
            }
            for p in &e.phones {
                if let Some(e164) = phone(p, country).e164 {
                    index.entry((Key::Phone, e164)).or_insert(i);
                }
            }
            if let Some(url) = e.fields.get("linkedin_url") {
                index.entry((Key::Linkedin, linkedin_key(url))).or_insert(i);
            }
        }
        Decider {
            existing,
            index,
            seen: HashMap::new(),
            claimed: HashMap::new(),
            policy,
            country,
        }
    }

    /// The outcome of the next record; `new_id` gives the id of a contact to create.
    pub fn next(
        &mut self,
        row_no: i32,
        candidate: Result<Candidate, RowError>,
        new_id: impl FnOnce() -> Uuid,
    ) -> Outcome {
        let base = Outcome {
            row_no,
            kind: Kind::Skip,
            reason: None,
            code: None,
            params: Map::new(),
            column: None,
            contact_id: None,
            payload: None,
            before: None,
            version: None,
        };
        let c = match candidate {
            Ok(c) => c,
            Err(e) => {
                return Outcome {
                    kind: Kind::Error,
                    reason: Some(e.reason),
                    code: Some(e.code),
                    params: e.params,
                    column: e.column,
                    ..base
                };
            }
        };
        let keys = c.keys();
        if let Some(((k, _), first)) = keys.iter().find_map(|key| self.seen.get(key).map(|r| (key, *r))) {
            return Outcome {
                reason: Some(format!("duplicate of row {first} (same {})", k.words())),
                code: Some("duplicate_in_file".into()),
                params: params(&[("row", first.into()), ("key", k.code().into())]),
                ..base
            };
        }
        for key in &keys {
            self.seen.insert(key.clone(), row_no);
        }
        let matched = [Key::Email, Key::Phone, Key::Linkedin].iter().find_map(|kind| {
            keys.iter()
                .filter(|(k, _)| k == kind)
                .find_map(|key| self.index.get(key).map(|i| (*kind, *i)))
        });
        let Some((how, i)) = matched else {
            return Outcome {
                kind: Kind::Create,
                contact_id: Some(new_id()),
                payload: Some(c.payload()),
                ..base
            };
        };
        let e = &self.existing[i];
        if let Some(first) = self.claimed.get(&e.id) {
            return Outcome {
                contact_id: Some(e.id),
                reason: Some(format!("duplicate of row {first} (the same contact)")),
                code: Some("same_contact_in_file".into()),
                params: params(&[("row", (*first).into())]),
                ..base
            };
        }
        self.claimed.insert(e.id, row_no);
        if self.policy == Policy::SkipExisting {
            return Outcome {
                contact_id: Some(e.id),
                reason: Some(format!("already a contact (same {})", how.words())),
                code: Some("existing".into()),
                params: params(&[("key", how.code().into())]),
                ..base
            };
        }
        let (payload, before) = changes(&c, e, self.policy, self.country);
        if payload.is_empty() {
            return Outcome {
                contact_id: Some(e.id),
                reason: Some("unchanged".into()),
                code: Some("unchanged".into()),
                ..base
            };
        }
        let names: Vec<String> = payload
            .iter()
            .flat_map(|(k, v)| match (k.as_str(), v) {
                ("custom_fields", Value::Object(m)) => m.keys().map(|k| format!("custom.{k}")).collect(),
                _ => vec![k.clone()],
            })
            .collect();
        Outcome {
            kind: Kind::Update,
            contact_id: Some(e.id),
            reason: Some(format!("same {}; changes {}", how.words(), names.join(", "))),
            code: Some("changes".into()),
            params: params(&[("key", how.code().into()), ("fields", names.clone().into())]),
            payload: Some(Value::Object(payload)),
            before: Some(Value::Object(before)),
            version: Some(e.version),
            ..base
        }
    }
}

/// Decides every record's outcome. `new_id` gives the id of each contact to create.
pub fn decide(
    candidates: Vec<(i32, Result<Candidate, RowError>)>,
    existing: &[Existing],
    policy: Policy,
    country: Option<phonenumber::country::Id>,
    mut new_id: impl FnMut() -> Uuid,
) -> Vec<Outcome> {
    let mut decider = Decider::new(existing.to_vec(), policy, country);
    candidates
        .into_iter()
        .map(|(n, c)| decider.next(n, c, &mut new_id))
        .collect()
}

/// The fields an update changes: (new values, old values).
fn changes(
    c: &Candidate,
    e: &Existing,
    policy: Policy,
    country: Option<phonenumber::country::Id>,
) -> (Map<String, Value>, Map<String, Value>) {
    let overwrite = policy == Policy::Overwrite;
    let mut new = Map::new();
    let mut old = Map::new();
    let mut put = |field: &str, before: Value, after: Value| {
        old.insert(field.to_owned(), before);
        new.insert(field.to_owned(), after);
    };
    if overwrite && c.first_name != e.first_name {
        put("first_name", json!(e.first_name), json!(c.first_name));
    }
    if !c.last_name.is_empty() && c.last_name != e.last_name && (overwrite || e.last_name.is_empty()) {
        put("last_name", json!(e.last_name), json!(c.last_name));
    }
    let mut emails = e.emails.clone();
    for m in &c.emails {
        if !emails.contains(m) && emails.len() < MAX_EMAILS {
            emails.push(m.clone());
        }
    }
    if emails != e.emails {
        put("emails", json!(e.emails), json!(emails));
    }
    let known: Vec<Phone> = e.phones.iter().map(|p| phone(p, country)).collect();
    let mut phones = e.phones.clone();
    for p in &c.phones {
        let dup = known
            .iter()
            .any(|k| k.text == p.text || (k.e164.is_some() && k.e164 == p.e164))
            || phones.contains(&p.text);
        if !dup && phones.len() < MAX_PHONES {
            phones.push(p.text.clone());
        }
    }
    if phones != e.phones {
        put("phones", json!(e.phones), json!(phones));
    }
    if let Some(company) = &c.company {
        let same = e
            .company_name
            .as_ref()
            .is_some_and(|n| n.to_lowercase() == company.to_lowercase());
        if !same && (overwrite || e.company_name.is_none()) {
            put("company", opt(e.company_name.as_ref()), json!(company));
        }
    }
    let payload = c.payload();
    for (field, value) in &c.fields {
        let value = payload.get(*field).and_then(Value::as_str).unwrap_or(value);
        let current = e.fields.get(field);
        let empty = current.is_none_or(String::is_empty);
        // A stage is never empty (new contacts are leads): only overwriting changes it.
        let fill = empty && *field != "lifecycle";
        if current.map(String::as_str) != Some(value) && (overwrite || fill) {
            put(field, opt(current), json!(value));
        }
    }
    let mut tags = e.tags.clone();
    for t in &c.tags {
        if !tags.contains(t) && tags.len() < MAX_TAGS {
            tags.push(t.clone());
        }
    }
    if tags != e.tags {
        put("tags", json!(e.tags), json!(tags));
    }
    let mut custom_new = Map::new();
    let mut custom_old = Map::new();
    for (key, value) in &c.custom {
        let current = e.custom.get(key);
        if current != Some(value) && (overwrite || current.is_none()) {
            custom_old.insert(key.clone(), current.cloned().unwrap_or(Value::Null));
            custom_new.insert(key.clone(), value.clone());
        }
    }
    if !custom_new.is_empty() {
        put("custom_fields", Value::Object(custom_old), Value::Object(custom_new));
    }
    // Undoing a company change restores the very company, not one found by name.
    if new.contains_key("company") {
        old.insert("company_id".into(), json!(e.company_id));
    }
    (new, old)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| (*s).to_owned()).collect()
    }

    fn mapping(columns: &[String], pairs: &[(&str, &str)]) -> Resolved {
        let raw = pairs.iter().map(|(c, t)| ((*c).to_owned(), (*t).to_owned())).collect();
        resolve(columns, &raw, &[]).unwrap()
    }

    fn us() -> Option<phonenumber::country::Id> {
        Some(phonenumber::country::Id::US)
    }

    #[test]
    fn mappings_name_real_columns_and_fields() {
        let columns = cols(&["Name", "Email", "Mail"]);
        let raw = |pairs: &[(&str, &str)]| pairs.iter().map(|(c, t)| ((*c).to_owned(), (*t).to_owned())).collect();
        let errors = resolve(
            &columns,
            &raw(&[("Nope", "email"), ("Name", "nickname"), ("Email", "custom.x")]),
            &[],
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["mapping.Email", "mapping.Name", "mapping.Nope"]);
        let errors = resolve(&columns, &raw(&[("Name", "first_name"), ("Mail", "first_name")]), &[]).unwrap_err();
        assert!(errors[0].message.contains("already mapped"), "{errors:?}");
        let errors = resolve(&columns, &raw(&[("Name", "company")]), &[]).unwrap_err();
        assert_eq!(errors[0].field, "mapping");
        assert!(
            resolve(
                &columns,
                &raw(&[("Email", "email"), ("Mail", "email"), ("Name", "")]),
                &[]
            )
            .is_ok()
        );
    }

    #[test]
    fn records_become_candidates_or_name_the_column_at_fault() {
        let columns = cols(&["Name", "E-mail", "Phone", "Labels", "Stage", "LinkedIn"]);
        let m = mapping(
            &columns,
            &[
                ("Name", "full_name"),
                ("E-mail", "email"),
                ("Phone", "phone"),
                ("Labels", "tags"),
                ("Stage", "lifecycle"),
                ("LinkedIn", "linkedin_url"),
            ],
        );
        let c = read(
            &columns,
            &row(&[
                "José Muñoz",
                "Jose@Cafe.es ::: j@x.io",
                "(415) 555-0132",
                "* myContacts ::: VIP, Friends",
                "customer",
                "",
            ]),
            &m,
            &[],
            us(),
        )
        .unwrap();
        assert_eq!((c.first_name.as_str(), c.last_name.as_str()), ("José", "Muñoz"));
        assert_eq!(c.emails, ["jose@cafe.es", "j@x.io"]);
        assert_eq!(c.phones[0].e164.as_deref(), Some("+14155550132"));
        assert_eq!(c.tags, ["vip", "friends"]);
        assert_eq!(c.fields["lifecycle"], "client");

        let bad = |cells: &[&str]| read(&columns, &row(cells), &m, &[], us()).unwrap_err();
        let e = bad(&["Ann", "not-an-email", "", "", "", ""]);
        assert_eq!(e.column.as_deref(), Some("E-mail"));
        assert!(e.reason.contains("not-an-email"));
        assert_eq!(
            bad(&["Ann", "", "call me", "", "", ""]).column.as_deref(),
            Some("Phone")
        );
        let stage = bad(&["Ann", "", "", "", "maybe", ""]);
        assert_eq!(stage.column.as_deref(), Some("Stage"));
        // Each error also as a code with its values, as a problem's field errors carry them.
        assert_eq!(stage.code, "one_of");
        assert_eq!(stage.params["value"], "maybe");
        assert_eq!(stage.params["choices"], serde_json::json!(Lifecycle::names()));
        let long = bad(&[&"x".repeat(101), "", "", "", "", ""]);
        assert_eq!(
            (long.code.as_str(), &long.params["max"]),
            ("length", &serde_json::json!(100))
        );
        assert_eq!(
            bad(&["Ann", "", "", "", "", "https://example.com/ann"])
                .column
                .as_deref(),
            Some("LinkedIn")
        );
        assert_eq!(
            bad(&["", "", "+1 415 555 0100", "", "", ""]).reason,
            "has no name and no email address"
        );
        assert_eq!(bad(&["A\0nn", "", "", "", "", ""]).reason, "contains a NUL character");
        assert!(
            bad(&["Ann", "", "", "", "", "", "extra"])
                .reason
                .contains("has 7 fields")
        );
        let long = "x".repeat(101);
        assert_eq!(bad(&[&long, "", "", "", "", ""]).column.as_deref(), Some("Name"));
        // Empty trailing cells are not extra fields; a missing cell is empty.
        assert!(read(&columns, &row(&["Ann", "", "", "", "", "", ""]), &m, &[], us()).is_ok());
        assert!(read(&columns, &row(&["Ann"]), &m, &[], us()).is_ok());
        // Only an address: the name comes from it.
        let c = read(&columns, &row(&["", "jane.doe@x.io"]), &m, &[], us()).unwrap();
        assert_eq!((c.first_name.as_str(), c.last_name.as_str()), ("Jane", "Doe"));
    }

    #[test]
    fn custom_fields_are_checked_by_type() {
        let defs = vec![
            Def {
                key: "budget".into(),
                field_type: FieldType::Number,
                options: vec![],
            },
            Def {
                key: "vip".into(),
                field_type: FieldType::Boolean,
                options: vec![],
            },
            Def {
                key: "tier".into(),
                field_type: FieldType::Select,
                options: vec!["Gold".into()],
            },
        ];
        let columns = cols(&["Name", "Budget", "VIP", "Tier"]);
        let raw = [
            ("Name", "full_name"),
            ("Budget", "custom.budget"),
            ("VIP", "custom.vip"),
            ("Tier", "custom.tier"),
        ]
        .iter()
        .map(|(c, t)| ((*c).to_owned(), (*t).to_owned()))
        .collect();
        let m = resolve(&columns, &raw, &defs).unwrap();
        let c = read(&columns, &row(&["Ann", "1200.5", "yes", "Gold"]), &m, &defs, None).unwrap();
        assert_eq!(c.custom["budget"], json!(1200.5));
        assert_eq!(c.custom["vip"], json!(true));
        let e = read(&columns, &row(&["Ann", "lots", "", ""]), &m, &defs, None).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("Budget"));
        let e = read(&columns, &row(&["Ann", "", "", "Silver"]), &m, &defs, None).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("Tier"));
    }

    fn existing(email: &str, phone: &str) -> Existing {
        Existing {
            id: Uuid::now_v7(),
            version: 1,
            first_name: "Ada".into(),
            last_name: String::new(),
            emails: vec![email.into()],
            phones: if phone.is_empty() { vec![] } else { vec![phone.into()] },
            company_id: None,
            company_name: Some("ACME".into()),
            fields: BTreeMap::from([("job_title", "CEO".to_owned()), ("lifecycle", "lead".to_owned())]),
            tags: vec!["vip".into()],
            custom: Map::new(),
        }
    }

    #[test]
    fn outcomes_follow_matching_and_policy() {
        let columns = cols(&["First", "Last", "Email", "Phone", "Company", "Title"]);
        let m = mapping(
            &columns,
            &[
                ("First", "first_name"),
                ("Last", "last_name"),
                ("Email", "email"),
                ("Phone", "phone"),
                ("Company", "company"),
                ("Title", "job_title"),
            ],
        );
        let rows = [
            row(&["Ada", "Lovelace", "ada@x.io", "", "acme", "CTO"]),
            row(&["Ada", "L.", "ADA@x.io", "", "", ""]),
            row(&["Bob", "", "bob@x.io", "+1 415 555 0100", "", ""]),
            row(&["Bob", "", "", "4155550100", "", ""]),
            row(&["Cy", "", "cy@x.io", "", "", ""]),
            row(&["Dee", "", "dee@x.io", "(415) 555-0199", "", ""]),
            row(&["Eve", "", "bad", "", "", ""]),
        ];
        let read_all = || {
            rows.iter()
                .enumerate()
                .map(|(i, r)| (i as i32 + 1, read(&columns, r, &m, &[], us())))
                .collect::<Vec<_>>()
        };
        let known = vec![
            existing("ada@x.io", ""),
            existing("cy@x.io", ""),
            existing("old@x.io", "+1 415-555-0199"),
        ];
        let mut known = known;
        known[1].last_name = String::new();
        known[1].first_name = "Cy".into();
        known[1].company_name = None;
        known[1].fields.remove("job_title");
        known[1].tags = vec![];
        let out = decide(read_all(), &known, Policy::FillEmpty, us(), Uuid::now_v7);
        let kinds: Vec<&str> = out.iter().map(|o| o.kind.as_str()).collect();
        assert_eq!(kinds, ["update", "skip", "create", "skip", "skip", "update", "error"]);
        // Ada: only the empty last name is filled; the company and title stay.
        assert_eq!(out[0].payload, Some(json!({"last_name": "Lovelace"})));
        assert_eq!(out[0].before, Some(json!({"last_name": ""})));
        assert_eq!(out[1].reason.as_deref(), Some("duplicate of row 1 (same email)"));
        assert_eq!(out[3].reason.as_deref(), Some("duplicate of row 3 (same phone)"));
        assert_eq!(out[4].reason.as_deref(), Some("unchanged"));
        // Dee matched by phone in another format; her address is added.
        assert_eq!(out[5].contact_id, Some(known[2].id));
        assert_eq!(
            out[5].payload.as_ref().unwrap()["emails"],
            json!(["old@x.io", "dee@x.io"])
        );
        assert_eq!(out[6].column.as_deref(), Some("Email"));

        let out = decide(read_all(), &known, Policy::Overwrite, us(), Uuid::now_v7);
        let p = out[0].payload.as_ref().unwrap();
        assert_eq!(p["job_title"], json!("CTO"));
        assert!(p.get("company").is_none(), "same company in another case: {p}");
        assert_eq!(out[0].before.as_ref().unwrap()["job_title"], json!("CEO"));

        let out = decide(read_all(), &known, Policy::SkipExisting, us(), Uuid::now_v7);
        assert_eq!(out[0].kind, Kind::Skip);
        assert_eq!(out[0].reason.as_deref(), Some("already a contact (same email)"));
        assert_eq!(out[2].kind, Kind::Create);
    }
}
