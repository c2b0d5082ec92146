//! Money: ISO 4217 currency codes, their minor units, and amounts written for people.
//! Amounts are always integer minor units (cents) next to a currency code.

use validator::ValidationError;

/// Active ISO 4217 codes with the number of digits after the decimal point, sorted.
#[rustfmt::skip]
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2), ("AFN", 2), ("ALL", 2), ("AMD", 2), ("ANG", 2), ("AOA", 2), ("ARS", 2), ("AUD", 2),
    ("AWG", 2), ("AZN", 2), ("BAM", 2), ("BBD", 2), ("BDT", 2), ("BGN", 2), ("BHD", 3), ("BIF", 0),
    ("BMD", 2), ("BND", 2), ("BOB", 2), ("BRL", 2), ("BSD", 2), ("BTN", 2), ("BWP", 2), ("BYN", 2),
    ("BZD", 2), ("CAD", 2), ("CDF", 2), ("CHF", 2), ("CLP", 0), ("CNY", 2), ("COP", 2), ("CRC", 2),
    ("CUP", 2), ("CVE", 2), ("CZK", 2), ("DJF", 0), ("DKK", 2), ("DOP", 2), ("DZD", 2), ("EGP", 2),
    ("ERN", 2), ("ETB", 2), ("EUR", 2), ("FJD", 2), ("FKP", 2), ("GBP", 2), ("GEL", 2), ("GHS", 2),
    ("GIP", 2), ("GMD", 2), ("GNF", 0), ("GTQ", 2), ("GYD", 2), ("HKD", 2), ("HNL", 2), ("HTG", 2),
    ("HUF", 2), ("IDR", 2), ("ILS", 2), ("INR", 2), ("IQD", 3), ("IRR", 2), ("ISK", 0), ("JMD", 2),
    ("JOD", 3), ("JPY", 0), ("KES", 2), ("KGS", 2), ("KHR", 2), ("KMF", 0), ("KPW", 2), ("KRW", 0),
    ("KWD", 3), ("KYD", 2), ("KZT", 2), ("LAK", 2), ("LBP", 2), ("LKR", 2), ("LRD", 2), ("LSL", 2),
    ("LYD", 3), ("MAD", 2), ("MDL", 2), ("MGA", 2), ("MKD", 2), ("MMK", 2), ("MNT", 2), ("MOP", 2),
    ("MRU", 2), ("MUR", 2), ("MVR", 2), ("MWK", 2), ("MXN", 2), ("MYR", 2), ("MZN", 2), ("NAD", 2),
    ("NGN", 2), ("NIO", 2), ("NOK", 2), ("NPR", 2), ("NZD", 2), ("OMR", 3), ("PAB", 2), ("PEN", 2),
    ("PGK", 2), ("PHP", 2), ("PKR", 2), ("PLN", 2), ("PYG", 0), ("QAR", 2), ("RON", 2), ("RSD", 2),
    ("RUB", 2), ("RWF", 0), ("SAR", 2), ("SBD", 2), ("SCR", 2), ("SDG", 2), ("SEK", 2), ("SGD", 2),
    ("SHP", 2), ("SLE", 2), ("SOS", 2), ("SRD", 2), ("SSP", 2), ("STN", 2), ("SVC", 2), ("SYP", 2),
    ("SZL", 2), ("THB", 2), ("TJS", 2), ("TMT", 2), ("TND", 3), ("TOP", 2), ("TRY", 2), ("TTD", 2),
    ("TWD", 2), ("TZS", 2), ("UAH", 2), ("UGX", 0), ("USD", 2), ("UYU", 2), ("UZS", 2), ("VES", 2),
    ("VND", 0), ("VUV", 0), ("WST", 2), ("XAF", 0), ("XCD", 2), ("XOF", 0), ("XPF", 0), ("YER", 2),
    ("ZAR", 2), ("ZMW", 2), ("ZWL", 2),
];

/// Digits after the decimal point for a known currency.
pub fn minor_digits(code: &str) -> Option<u8> {
    CURRENCIES
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .map(|i| CURRENCIES[i].1)
}

pub fn is_currency(code: &str) -> bool {
    minor_digits(code).is_some()
}

/// validator rule for currency fields.
pub fn validate_currency(code: &str) -> Result<(), ValidationError> {
    if is_currency(code) {
        Ok(())
    } else {
        Err(ValidationError::new("currency")
            .with_message(format!("'{code}' is not an ISO 4217 currency code such as EUR or USD").into()))
    }
}

/// `1234567` EUR → `12,345.67 EUR`; `1500` JPY → `1,500 JPY`.
pub fn format(amount_minor: i64, currency: &str) -> String {
    format_with(amount_minor, currency, ',', '.')
}

/// [`format`] with the given thousands separator and decimal mark (`12.345,67 EUR`).
pub fn format_with(amount_minor: i64, currency: &str, group: char, decimal: char) -> String {
    let digits = u32::from(minor_digits(currency).unwrap_or(2));
    let scale = 10_i64.pow(digits);
    let sign = if amount_minor < 0 { "-" } else { "" };
    let abs = amount_minor.unsigned_abs();
    let whole = abs / scale as u64;
    let frac = abs % scale as u64;
    let whole = group_thousands(whole, group);
    if digits == 0 {
        format!("{sign}{whole} {currency}")
    } else {
        format!(
            "{sign}{whole}{decimal}{frac:0width$} {currency}",
            width = digits as usize
        )
    }
}

fn group_thousands(n: u64, group: char) -> String {
    let text = n.to_string();
    let mut out = String::with_capacity(text.len() + text.len() / 3 * group.len_utf8());
    for (i, ch) in text.chars().enumerate() {
        if i > 0 && (text.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_so_lookups_work() {
        assert!(CURRENCIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(minor_digits("EUR"), Some(2));
        assert_eq!(minor_digits("JPY"), Some(0));
        assert_eq!(minor_digits("KWD"), Some(3));
        assert!(!is_currency("XYZ"));
        assert!(!is_currency("eur"));
    }

    #[test]
    fn amounts_are_written_with_their_minor_units() {
        assert_eq!(format(1_234_567, "EUR"), "12,345.67 EUR");
        assert_eq!(format(5, "USD"), "0.05 USD");
        assert_eq!(format(1500, "JPY"), "1,500 JPY");
        assert_eq!(format(-1_000_500, "KWD"), "-1,000.500 KWD");
        assert_eq!(format(100_000_000, "EUR"), "1,000,000.00 EUR");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_amount_in_any_currency_is_written_without_panicking(amount in any::<i64>(), code in "\\PC{0,4}") {
            let text = format(amount, &code);
            prop_assert!(text.ends_with(code.as_str()));
        }

        #[test]
        fn the_written_amount_reads_back_exactly(amount in any::<i64>(), code in prop::sample::select(vec!["EUR", "JPY", "KWD", "USD", "XXX"])) {
            let text = format(amount, code);
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            let magnitude: u64 = digits.parse().unwrap();
            prop_assert_eq!(magnitude, amount.unsigned_abs());
            prop_assert_eq!(text.starts_with('-'), amount < 0);
            let decimals = text.split(' ').next().unwrap().split('.').nth(1).map_or(0, str::len);
            prop_assert_eq!(decimals, usize::from(minor_digits(code).unwrap_or(2)));
        }
    }
}
