//! The public form page, server-rendered: it works without JavaScript (the script only solves
//! the proof-of-work puzzle and tells an embedding page its height). Every value is escaped:
//! whatever a visitor types is shown as text, never as HTML.

use std::collections::HashMap;

use super::service::{HONEYPOT, POW_FIELD, TOKEN_FIELD, fields_of};
use super::store::FormRow;
use crate::custom_fields::dto::{CustomField, FieldType};

/// The page script (same origin as the page).
pub const PAGE_SCRIPT: &str = include_str!("form-page.js");
/// The loader a website includes to show the form in a frame that fits its height.
pub const EMBED_SCRIPT: &str = include_str!("embed.js");

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
:root { color-scheme: light dark; --accent: #4f46e5; --line: #d4d4d8; --muted: #52525b; --bad: #b91c1c; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; background: #f4f4f5; color: #18181b; }
body.embed { background: transparent; }
main { max-width: 560px; margin: 2rem auto; background: #fff; border: 1px solid #e4e4e7; border-radius: 12px; padding: 1.5rem 1.75rem; }
body.embed main { margin: 0 auto; border: 0; padding: .5rem; background: transparent; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; }
label { display: block; font-weight: 600; font-size: .95rem; margin-bottom: .25rem; }
.field { margin-bottom: 1rem; }
input, textarea, select { width: 100%; font: inherit; padding: .55rem .7rem; border: 1px solid var(--line); border-radius: 8px; background: #fff; color: inherit; }
input[type=checkbox] { width: auto; }
input:focus, textarea:focus, select:focus { outline: 2px solid var(--accent); outline-offset: 1px; border-color: var(--accent); }
[aria-invalid=true] { border-color: var(--bad); }
.error { color: var(--bad); font-size: .9rem; margin: .25rem 0 0; }
.banner { background: #fef2f2; border: 1px solid #fecaca; color: var(--bad); padding: .6rem .8rem; border-radius: 8px; margin-bottom: 1rem; }
.req { color: var(--bad); }
button { font: inherit; font-weight: 600; background: var(--accent); color: #fff; border: 0; border-radius: 8px; padding: .65rem 1.2rem; cursor: pointer; }
button[disabled] { opacity: .7; cursor: progress; }
.hp { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }
.fine { color: var(--muted); font-size: .8rem; margin-top: 1rem; }
.message { white-space: pre-line; }
@media (prefers-color-scheme: dark) {
  body { background: #18181b; color: #f4f4f5; }
  main { background: #27272a; border-color: #3f3f46; }
  input, textarea, select { background: #18181b; border-color: #52525b; }
  .banner { background: #450a0a; border-color: #7f1d1d; color: #fecaca; }
  :root { --muted: #a1a1aa; --bad: #f87171; }
}
";

fn document(title: &str, embed: bool, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{}</title><style>{STYLE}</style></head>\
         <body class=\"{}\">{body}<script src=\"/embed/form-page.js\" defer></script></body></html>\n",
        escape(title),
        if embed { "embed" } else { "" },
    )
}

/// What the page shows in the form: the values sent and the problems found (by field target).
#[derive(Default)]
pub struct Filled {
    pub values: HashMap<String, Vec<String>>,
    pub errors: HashMap<String, String>,
    pub banner: Option<String>,
}

/// The form page.
pub fn form_page(form: &FormRow, custom: &[CustomField], token: &str, embed: bool, filled: &Filled) -> String {
    let mut html = format!("<main><h1>{}</h1>", escape(&form.name));
    if let Some(b) = &filled.banner {
        html.push_str(&format!("<p class=\"banner\" role=\"alert\">{}</p>", escape(b)));
    } else if !filled.errors.is_empty() {
        html.push_str("<p class=\"banner\" role=\"alert\">Please check the fields marked below.</p>");
    }
    html.push_str(&format!(
        "<form method=\"post\" action=\"/f/{}\" accept-charset=\"UTF-8\" data-form=\"{}\"{}>",
        form.id,
        form.id,
        if form.proof_of_work { " data-pow=\"16\"" } else { "" }
    ));
    html.push_str(&format!(
        "<input type=\"hidden\" name=\"{TOKEN_FIELD}\" value=\"{}\">",
        escape(token)
    ));
    if form.proof_of_work {
        html.push_str(&format!("<input type=\"hidden\" name=\"{POW_FIELD}\" value=\"\">"));
    }
    if embed {
        html.push_str("<input type=\"hidden\" name=\"_embed\" value=\"1\">");
    }
    for f in fields_of(form) {
        let target = &f.target;
        let id = format!("f-{}", target.replace(':', "-"));
        let value = filled
            .values
            .get(target)
            .and_then(|v| v.iter().find(|s| !s.trim().is_empty()))
            .map(|s| s.as_str())
            .unwrap_or_default();
        let error = filled.errors.get(target);
        let required = if f.required { " required" } else { "" };
        let invalid = if error.is_some() {
            format!(" aria-invalid=\"true\" aria-describedby=\"{id}-error\"")
        } else {
            String::new()
        };
        let placeholder = f
            .placeholder
            .as_deref()
            .map(|p| format!(" placeholder=\"{}\"", escape(p)))
            .unwrap_or_default();
        let name = escape(target);
        let def = target
            .strip_prefix("custom:")
            .and_then(|k| custom.iter().find(|c| c.key == k));
        let attrs = format!("id=\"{id}\" name=\"{name}\"{required}{invalid}{placeholder}");
        let input = match (target.as_str(), def.map(|d| d.field_type)) {
            ("message" | "notes", _) => format!("<textarea {attrs} rows=\"5\">{}</textarea>", escape(value)),
            ("email", _) => format!(
                "<input type=\"email\" autocomplete=\"email\" {attrs} value=\"{}\">",
                escape(value)
            ),
            ("phone", _) => format!(
                "<input type=\"tel\" autocomplete=\"tel\" {attrs} value=\"{}\">",
                escape(value)
            ),
            ("website", _) => format!(
                "<input type=\"url\" autocomplete=\"url\" {attrs} value=\"{}\">",
                escape(value)
            ),
            (_, Some(FieldType::Select)) => {
                let options: String = def
                    .map(|d| d.options.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|o| {
                        let selected = if o == value { " selected" } else { "" };
                        format!("<option{selected}>{}</option>", escape(o))
                    })
                    .collect();
                format!("<select {attrs}><option value=\"\"></option>{options}</select>")
            }
            (_, Some(FieldType::MultiSelect)) => {
                let chosen = filled.values.get(target).cloned().unwrap_or_default();
                let size = def.map_or(3, |d| d.options.len().clamp(2, 6));
                let options: String = def
                    .map(|d| d.options.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|o| {
                        let selected = if chosen.contains(o) { " selected" } else { "" };
                        format!("<option{selected}>{}</option>", escape(o))
                    })
                    .collect();
                format!("<select multiple size=\"{size}\" {attrs}>{options}</select>")
            }
            (_, Some(FieldType::Boolean)) => {
                let checked = if value.is_empty() { "" } else { " checked" };
                format!("<input type=\"checkbox\" {attrs} value=\"yes\"{checked}>")
            }
            (_, Some(FieldType::Date)) => format!("<input type=\"date\" {attrs} value=\"{}\">", escape(value)),
            (_, Some(FieldType::Number)) => format!(
                "<input type=\"number\" step=\"any\" {attrs} value=\"{}\">",
                escape(value)
            ),
            (first, _) => {
                let auto = match first {
                    "first_name" => " autocomplete=\"given-name\"",
                    "last_name" => " autocomplete=\"family-name\"",
                    "company_name" => " autocomplete=\"organization\"",
                    "job_title" => " autocomplete=\"organization-title\"",
                    _ => "",
                };
                format!("<input type=\"text\"{auto} {attrs} value=\"{}\">", escape(value))
            }
        };
        let mark = if f.required {
            " <span class=\"req\" aria-hidden=\"true\">*</span>"
        } else {
            ""
        };
        html.push_str(&format!(
            "<div class=\"field\"><label for=\"{id}\">{}{mark}</label>{input}",
            escape(&f.label)
        ));
        if let Some(e) = error {
            html.push_str(&format!("<p class=\"error\" id=\"{id}-error\">{}</p>", escape(e)));
        }
        html.push_str("</div>");
    }
    html.push_str(&format!(
        "<div class=\"hp\" aria-hidden=\"true\"><label for=\"f-hp\">Leave this empty</label>\
         <input id=\"f-hp\" name=\"{HONEYPOT}\" tabindex=\"-1\" autocomplete=\"off\"></div>\
         <button type=\"submit\">{}</button></form>\
         <p class=\"fine\">Sent to {} through Rapport.</p></main>",
        escape(&form.submit_label),
        escape(&form.name)
    ));
    document(&form.name, embed, &html)
}

/// The page after a submission: the thank-you message (and, in a frame, the way on).
pub fn thanks_page(form: &FormRow, embed: bool) -> String {
    let mut html = format!(
        "<main data-form=\"{}\"><h1>Thank you</h1><p class=\"message\">{}</p>",
        form.id,
        escape(&form.thank_you_message)
    );
    if let Some(url) = form.redirect_url.as_deref().filter(|_| embed) {
        html.push_str(&format!(
            "<p><a href=\"{0}\" target=\"_top\" data-redirect=\"{0}\">Continue</a></p>",
            escape(url)
        ));
    }
    html.push_str("</main>");
    document(&form.name, embed, &html)
}

/// A page with a short message (a closed or missing form, too many submissions).
pub fn message_page(title: &str, text: &str, embed: bool) -> String {
    document(
        title,
        embed,
        &format!(
            "<main><h1>{}</h1><p class=\"message\">{}</p></main>",
            escape(title),
            escape(text)
        ),
    )
}

/// The page's Content-Security-Policy: its own script only, inline styles, posts to itself (and
/// the redirect's origin), framed only by the form's allowed origins.
pub fn policy(form: Option<&FormRow>) -> String {
    let mut frame = vec!["'self'".to_owned()];
    let mut action = vec!["'self'".to_owned()];
    if let Some(f) = form {
        frame.extend(f.allowed_origins.iter().cloned());
        if let Some(origin) = f
            .redirect_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .map(|u| u.origin().ascii_serialization())
        {
            action.push(origin);
        }
    }
    format!(
        "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; \
         form-action {}; frame-ancestors {}; base-uri 'none'",
        action.join(" "),
        frame.join(" ")
    )
}

/// A public page as an answer: HTML, never cached, under `policy(form)`.
pub fn respond(status: actix_web::http::StatusCode, form: Option<&FormRow>, body: String) -> actix_web::HttpResponse {
    use actix_web::http::header::{self, HeaderValue};
    let mut res = actix_web::HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body);
    if let Ok(v) = HeaderValue::from_str(&policy(form)) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    res
}
