//! The printable page of a proposal: self-contained HTML (no scripts from elsewhere, inline
//! styles) that prints cleanly on A4 and Letter. Every piece of user text is escaped.

use std::fmt::Write;

use super::dto::Proposal;
use crate::money;

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>")))
        .collect()
}

/// `2.5` → `2.5`, `3.0` → `3`.
pub fn quantity(q: f64) -> String {
    let text = format!("{q:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

pub fn render(p: &Proposal) -> String {
    let m = |minor: i64| escape(&money::format(minor, &p.currency));
    let mut rows = String::new();
    for l in &p.lines {
        let _ = write!(
            rows,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&l.description),
            quantity(l.quantity),
            m(l.unit_price_minor),
            if l.discount_percent > 0.0 {
                format!("{}&nbsp;%", quantity(l.discount_percent))
            } else {
                String::new()
            },
            m(l.total_minor),
        );
    }
    let prepared_for = [p.contact_name.as_deref(), p.company_name.as_deref()]
        .into_iter()
        .flatten()
        .map(escape)
        .collect::<Vec<_>>()
        .join(", ");
    let mut totals = format!(
        "<tr><th>Subtotal</th><td class=\"num\">{}</td></tr>",
        m(p.totals.subtotal_minor)
    );
    if p.totals.discount_minor > 0 {
        let _ = write!(
            totals,
            "<tr><th>Discounts</th><td class=\"num\">−{}</td></tr>",
            m(p.totals.discount_minor)
        );
    }
    if p.tax_rate_percent > 0.0 {
        let _ = write!(
            totals,
            "<tr><th>Tax ({}&nbsp;%)</th><td class=\"num\">{}</td></tr>",
            quantity(p.tax_rate_percent),
            m(p.totals.tax_minor)
        );
    }
    let _ = write!(
        totals,
        "<tr class=\"total\"><th>Total</th><td class=\"num\">{}</td></tr>",
        m(p.totals.total_minor)
    );
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Proposal #{number} — {title}</title>
<style>
  body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1f2330; margin: 0; background: #f3f4f8; }}
  main {{ max-width: 800px; margin: 2rem auto; background: white; padding: 3rem; box-shadow: 0 2px 12px rgb(0 0 0 / 8%); }}
  header {{ display: flex; justify-content: space-between; align-items: flex-start; border-bottom: 2px solid #4f46e5; padding-bottom: 1rem; }}
  h1 {{ margin: 0; font-size: 1.8rem; }}
  .meta {{ text-align: right; color: #6b7080; font-size: .9rem; }}
  .status {{ display: inline-block; padding: .1rem .5rem; border-radius: 999px; background: #eef0ff; color: #4f46e5; font-size: .8rem; text-transform: uppercase; }}
  table {{ width: 100%; border-collapse: collapse; margin-top: 1.5rem; }}
  th, td {{ padding: .5rem; text-align: left; border-bottom: 1px solid #e4e5ee; vertical-align: top; }}
  thead th {{ font-size: .8rem; text-transform: uppercase; color: #6b7080; }}
  .num {{ text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }}
  .totals {{ width: 50%; margin-left: 50%; }}
  .totals th {{ font-weight: normal; color: #6b7080; }}
  .totals .total th, .totals .total td {{ font-weight: 700; color: #1f2330; border-bottom: 2px solid #1f2330; font-size: 1.1rem; }}
  .terms {{ margin-top: 2rem; color: #4a4f60; font-size: .9rem; }}
  .toolbar {{ max-width: 800px; margin: 1rem auto 0; display: flex; gap: .5rem; justify-content: flex-end; }}
  .toolbar a, .toolbar button {{ font: inherit; padding: .4rem .9rem; border-radius: 8px; border: 1px solid #d0d2de; background: white; color: #1f2330; text-decoration: none; cursor: pointer; }}
  @media print {{ body {{ background: white; }} main {{ box-shadow: none; margin: 0; max-width: none; padding: 0; }} .toolbar {{ display: none; }} }}
</style>
</head>
<body>
<div class="toolbar"><a href="/api/v1/proposals/{id}/pdf">Download PDF</a><button type="button" onclick="window.print()">Print</button></div>
<main>
<header>
  <div><h1>{title}</h1>{prepared}</div>
  <div class="meta">Proposal #{number}<br>{date}{valid}<br><span class="status">{status}</span></div>
</header>
{intro}
<table>
<thead><tr><th>Description</th><th class="num">Qty</th><th class="num">Unit price</th><th class="num">Discount</th><th class="num">Amount</th></tr></thead>
<tbody>{rows}</tbody>
</table>
<table class="totals"><tbody>{totals}</tbody></table>
{terms}
</main>
</body>
</html>
"#,
        id = p.id,
        number = p.number,
        title = escape(&p.title),
        prepared = if prepared_for.is_empty() {
            String::new()
        } else {
            format!("<p>Prepared for {prepared_for}</p>")
        },
        date = p.created_at.format("%e %B %Y"),
        valid = p
            .valid_until
            .map(|d| format!("<br>Valid until {}", d.format("%e %B %Y")))
            .unwrap_or_default(),
        status = p.status,
        intro = p.introduction.as_deref().map(paragraphs).unwrap_or_default(),
        rows = if rows.is_empty() {
            "<tr><td colspan=\"5\">No lines yet.</td></tr>".to_owned()
        } else {
            rows
        },
        terms = p
            .terms
            .as_deref()
            .map(|t| format!("<section class=\"terms\"><h2>Terms</h2>{}</section>", paragraphs(t)))
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(paragraphs("a<b\nc\n\nd"), "<p>a&lt;b<br>c</p><p>d</p>");
    }

    #[test]
    fn quantities_drop_trailing_zeros() {
        assert_eq!(quantity(3.0), "3");
        assert_eq!(quantity(2.5), "2.5");
        assert_eq!(quantity(0.125), "0.125");
    }
}
