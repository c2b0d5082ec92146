//! Talking to the workspace's mail server: composing a message (plain text and HTML) and sending
//! it over SMTP. The server's name is resolved when connecting and the connection goes to the
//! address that was checked (public only, unless private addresses are allowed), so a name that
//! later resolves inside the network cannot be used to reach it; TLS is still verified against
//! the name.

use std::time::{Duration, Instant};

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, header};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::dto::SmtpSecurity;

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The name this server introduces itself with (EHLO).
    pub hello: String,
    pub allow_private: bool,
    pub timeout: Duration,
}

/// One message to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    pub to: Mailbox,
    pub subject: String,
    pub text: String,
    /// Without the angle brackets.
    pub message_id: String,
    /// An address that unsubscribes the recipient with one POST (RFC 8058), for emails sent in
    /// bulk such as a sequence's steps.
    pub list_unsubscribe: Option<String>,
}

/// Why a message was not sent, and whether trying again later may help.
#[derive(Debug, Clone, PartialEq)]
pub enum SendError {
    /// The server refused this message for good (an unknown recipient, a message too large).
    Permanent(String),
    /// The server could not be reached, refused the login, or asked to come back later.
    Transient(String),
}

impl SendError {
    pub fn message(&self) -> &str {
        match self {
            SendError::Permanent(m) | SendError::Transient(m) => m,
        }
    }
}

/// A sender's or recipient's mailbox from an address and an optional display name.
pub fn mailbox(address: &str, name: Option<&str>) -> Result<Mailbox, String> {
    let email = address
        .trim()
        .parse()
        .map_err(|_| format!("'{}' is not an email address a mail server accepts", address.trim()))?;
    Ok(Mailbox::new(
        name.map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned),
        email,
    ))
}

/// The domain part of an address (for Message-IDs).
pub fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map(|(_, d)| d).unwrap_or("localhost")
}

/// The HTML part made from the plain text: escaped, paragraphs at blank lines, line breaks kept,
/// `http(s)://` links clickable. Nothing the text holds becomes markup.
pub fn html_of(text: &str) -> String {
    let mut out = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head>\
         <body style=\"font-family:sans-serif;font-size:15px;line-height:1.5\">",
    );
    for para in text
        .replace("\r\n", "\n")
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
    {
        out.push_str("<p>");
        let lines: Vec<String> = para.trim_matches('\n').lines().map(linkify).collect();
        out.push_str(&lines.join("<br>\n"));
        out.push_str("</p>\n");
    }
    out.push_str("</body></html>\n");
    out
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
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

/// One line, escaped, with its web addresses as links.
fn linkify(line: &str) -> String {
    let mut out = String::new();
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let trimmed = word.trim_end_matches(['.', ',', ';', ':', ')', '!', '?']);
        let is_link =
            (trimmed.starts_with("https://") || trimmed.starts_with("http://")) && url::Url::parse(trimmed).is_ok();
        if is_link {
            let href = escape(trimmed);
            out.push_str(&format!("<a href=\"{href}\">{href}</a>"));
            out.push_str(&escape(&word[trimmed.len()..]));
        } else {
            out.push_str(&escape(word));
        }
    }
    out
}

/// The message as it goes on the wire: multipart/alternative with the text and its HTML form.
pub fn compose(mail: &Outgoing) -> Result<Message, String> {
    let mut builder = Message::builder()
        .from(mail.from.clone())
        .to(mail.to.clone())
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{}>", mail.message_id)))
        .date_now()
        .user_agent("Rapport".to_owned());
    if let Some(r) = &mail.reply_to {
        builder = builder.reply_to(r.clone());
    }
    if let Some(link) = mail
        .list_unsubscribe
        .as_deref()
        .filter(|l| !l.contains(['\r', '\n', '>']))
    {
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{link}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    builder
        .header(header::MIME_VERSION_1_0)
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            html_of(&mail.text),
        ))
        .map_err(|e| format!("the message cannot be written: {e}"))
}

/// SMTP reply codes about logging in or the session, which an administrator can fix: retried.
const RETRIED_CODES: [&str; 5] = ["454", "530", "534", "535", "538"];

/// Sends `mail`; `Ok` holds the server's answer.
pub async fn send(server: &Server, mail: &Outgoing) -> Result<String, SendError> {
    let message = compose(mail).map_err(SendError::Permanent)?;
    let addr = crate::net::resolve_guarded(&server.host, server.port, server.allow_private)
        .await
        .map_err(SendError::Transient)?;
    let tls = || {
        TlsParameters::new(server.host.clone())
            .map_err(|e| SendError::Transient(format!("TLS for {} cannot be set up: {e}", server.host)))
    };
    let tls = match server.security {
        SmtpSecurity::Starttls => Tls::Required(tls()?),
        SmtpSecurity::Tls => Tls::Wrapper(tls()?),
        SmtpSecurity::None => Tls::None,
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(addr.ip().to_string())
        .port(addr.port())
        .tls(tls)
        .hello_name(ClientId::Domain(server.hello.clone()))
        .timeout(Some(server.timeout));
    if let Some(user) = &server.username {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            server.password.clone().unwrap_or_default(),
        ));
    }
    let transport = builder.build();
    // The transport's timeout covers connecting; a server that stops answering mid-way is cut
    // off here.
    let deadline = server.timeout * 3;
    let sent = tokio::time::timeout(deadline, transport.send(message))
        .await
        .map_err(|_| {
            SendError::Transient(format!(
                "{}:{} stopped answering (no reply within {} s)",
                server.host,
                server.port,
                deadline.as_secs()
            ))
        })?;
    match sent {
        Ok(response) => Ok(response_text(response.code().to_string(), response.message())),
        Err(e) => {
            let code = e.status().map(|c| c.to_string());
            let text = describe(&e, server);
            if e.is_permanent() && !code.as_deref().is_some_and(|c| RETRIED_CODES.contains(&c)) {
                Err(SendError::Permanent(text))
            } else {
                Err(SendError::Transient(text))
            }
        }
    }
}

/// Sends and times it.
pub async fn send_timed(server: &Server, mail: &Outgoing) -> (Result<String, SendError>, Duration) {
    let started = Instant::now();
    let result = send(server, mail).await;
    (result, started.elapsed())
}

fn response_text<'a>(code: String, lines: impl Iterator<Item = &'a str>) -> String {
    let text: Vec<&str> = lines.collect();
    let mut out = format!("{code} {}", text.join(" "));
    clip(&mut out, 500);
    out
}

fn describe(e: &lettre::transport::smtp::Error, server: &Server) -> String {
    let mut text = if e.is_timeout() {
        format!("{}:{} did not answer in time", server.host, server.port)
    } else if e.is_tls() {
        format!("the TLS connection to {}:{} failed: {e}", server.host, server.port)
    } else if let Some(code) = e.status() {
        format!("the mail server answered {code}: {e}")
    } else {
        format!("{}:{}: {e}", server.host, server.port)
    };
    // The chain of causes says what the connection refused.
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let said = cause.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = cause.source();
    }
    clip(&mut text, 900);
    text
}

/// Shortens `s` to at most `max` bytes, on a character boundary.
pub fn clip(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_html_part_is_the_text_escaped_with_links() {
        let html = html_of("Hi <b>Ada</b> & co,\n\nSee https://example.com/a?b=1&c=2.\nBye\n");
        assert!(html.contains("<p>Hi &lt;b&gt;Ada&lt;/b&gt; &amp; co,</p>"), "{html}");
        assert!(
            html.contains(
                "<a href=\"https://example.com/a?b=1&amp;c=2\">https://example.com/a?b=1&amp;c=2</a>.<br>\nBye"
            ),
            "{html}"
        );
        assert!(!html_of("javascript:alert(1) <script>").contains("<script>"));
        assert!(!html_of("\"><img src=x onerror=alert(1)>").contains("<img"));
    }

    #[test]
    fn messages_have_both_parts_and_encoded_names() {
        let mail = Outgoing {
            from: mailbox("ada@example.com", Some("Ada Lövelace")).unwrap(),
            reply_to: None,
            to: mailbox("zoe@example.org", Some("Zoë Ñúñez")).unwrap(),
            subject: "Café at 5?".into(),
            text: "Hello Zoë".into(),
            message_id: "abc@example.com".into(),
            list_unsubscribe: None,
        };
        let raw = String::from_utf8(compose(&mail).unwrap().formatted()).unwrap();
        assert!(raw.contains("Message-ID: <abc@example.com>"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("text/plain") && raw.contains("text/html"), "{raw}");
        // Non-ASCII names and subjects are encoded words, never raw bytes in headers.
        let headers = &raw[..raw.find("\r\n\r\n").unwrap()];
        assert!(headers.is_ascii(), "{headers}");
        assert!(mailbox("not an address", None).is_err());
        assert_eq!(domain_of("a@b.example"), "b.example");
        assert!(!headers.contains("List-Unsubscribe"), "{headers}");
    }

    #[test]
    fn bulk_messages_offer_one_click_unsubscribe() {
        let mut mail = Outgoing {
            from: mailbox("ada@example.com", None).unwrap(),
            reply_to: None,
            to: mailbox("zoe@example.org", None).unwrap(),
            subject: "Step 1".into(),
            text: "Hello".into(),
            message_id: "abc@example.com".into(),
            list_unsubscribe: Some("https://crm.example/u/abc.def".into()),
        };
        let raw = String::from_utf8(compose(&mail).unwrap().formatted()).unwrap();
        assert!(
            raw.contains("List-Unsubscribe: <https://crm.example/u/abc.def>\r\n"),
            "{raw}"
        );
        assert!(
            raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"),
            "{raw}"
        );
        // A value that could end the header is left out rather than written.
        mail.list_unsubscribe = Some("https://crm.example/u/x>\r\nBcc: eve@example.com".into());
        let raw = String::from_utf8(compose(&mail).unwrap().formatted()).unwrap();
        assert!(!raw.contains("List-Unsubscribe") && !raw.contains("Bcc"), "{raw}");
    }
}
