//! Secrets handed to clients (session cookies, API tokens, invitation links, the setup code):
//! random, and stored only as a blake3 hash so a copy of the database cannot be replayed.

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The prefix of every API token, so scanners and people recognise one.
pub const TOKEN_PREFIX: &str = "rpt_";

/// `len` characters from `alphabet`, from the operating system's random source (unbiased).
fn random_from(alphabet: &[u8], len: usize) -> String {
    let mut out = String::with_capacity(len);
    let limit = 256 - (256 % alphabet.len());
    while out.len() < len {
        let mut buf = [0u8; 64];
        if getrandom::fill(&mut buf).is_err() {
            // Without a random source no secret can be made; there is nothing sensible to fall back to.
            panic!("the operating system's random source failed");
        }
        for b in buf {
            if usize::from(b) < limit && out.len() < len {
                out.push(char::from(alphabet[usize::from(b) % alphabet.len()]));
            }
        }
    }
    out
}

/// 32 alphanumerics: about 190 bits.
pub fn random_secret() -> String {
    random_from(ALPHABET, 32)
}

/// A new API token: `rpt_` and 32 alphanumerics.
pub fn api_token() -> String {
    format!("{TOKEN_PREFIX}{}", random_secret())
}

/// A code a person types from a log: three groups of four capitals and digits without look-alikes.
pub fn setup_code() -> String {
    let raw = random_from(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 12);
    format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..12])
}

/// What is stored for a secret.
pub fn hash(secret: &str) -> Vec<u8> {
    blake3::hash(secret.as_bytes()).as_bytes().to_vec()
}

/// The setup code as typed: case, spaces and dashes do not matter.
pub fn normalise_setup_code(code: &str) -> String {
    let raw: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if raw.len() == 12 {
        format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..12])
    } else {
        raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_recognisable() {
        let a = api_token();
        let b = api_token();
        assert_ne!(a, b);
        assert!(a.starts_with("rpt_") && a.len() == 36, "{a}");
        assert!(a[4..].chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(hash(&a).len(), 32);
        assert_ne!(hash(&a), hash(&b));
    }

    #[test]
    fn setup_codes_are_typed_forgivingly() {
        let code = setup_code();
        assert_eq!(code.len(), 14);
        assert_eq!(normalise_setup_code(&code.to_lowercase().replace('-', " ")), code);
        assert_eq!(normalise_setup_code("abcd-efgh-jkmn"), "ABCD-EFGH-JKMN");
    }
}
