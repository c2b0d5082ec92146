//! Secrets the server must use again later (a webhook's signing secret, an SMTP password) are
//! stored sealed with `SECRETS_KEY` (AES-256-GCM, a fresh nonce each time, bound to the row they
//! belong to); webhook deliveries are signed with HMAC-SHA256 as Standard Webhooks specifies.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hmac;

/// The key from `SECRETS_KEY`: 32 bytes, written as base64 or as 64 hexadecimal digits.
#[derive(Clone)]
pub struct SecretsKey([u8; 32]);

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey(…)")
    }
}

impl std::str::FromStr for SecretsKey {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let bytes = if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32)
                .map(|i| u8::from_str_radix(&s[i * 2..i * 2 + 2], 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|e| e.to_string())?
        } else {
            B64.decode(s)
                .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(s))
                .map_err(|_| "is neither base64 nor 64 hexadecimal digits".to_owned())?
        };
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| format!("must be 32 bytes, not {}", b.len()))?;
        Ok(SecretsKey(key))
    }
}

/// The key, or 503 `secrets_key_missing` saying how to set one.
pub fn require_key(outbound: &crate::config::OutboundConfig) -> crate::error::AppResult<&SecretsKey> {
    outbound.secrets_key.as_ref().ok_or_else(|| {
        crate::error::AppError::conflict(
            "secrets_key_missing",
            "the server needs SECRETS_KEY (32 random bytes in base64, e.g. from `openssl rand -base64 32`) \
             to keep webhook signing secrets and mail passwords",
        )
        .with_status(actix_web::http::StatusCode::SERVICE_UNAVAILABLE)
    })
}

/// A sealed value could not be opened: another key sealed it, or it was altered.
#[derive(Debug, thiserror::Error)]
#[error("the stored secret cannot be opened with SECRETS_KEY (was the key changed?)")]
pub struct OpenError;

impl SecretsKey {
    #[cfg(test)]
    pub fn from_bytes(key: [u8; 32]) -> SecretsKey {
        SecretsKey(key)
    }

    fn aead(&self) -> LessSafeKey {
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &self.0).unwrap_or_else(|_| unreachable!("a 32-byte key")))
    }

    /// Nonce, ciphertext and tag of `plain`, bound to `context` (e.g. the row's id): a value
    /// copied to another row does not open there.
    pub fn seal(&self, plain: &[u8], context: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).unwrap_or_else(|e| panic!("the system has no randomness: {e}"));
        let mut data = plain.to_vec();
        self.aead()
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(context), &mut data)
            .unwrap_or_else(|_| unreachable!("sealing fits in memory"));
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        out
    }

    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, OpenError> {
        if sealed.len() < NONCE_LEN {
            return Err(OpenError);
        }
        let (nonce, data) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| OpenError)?;
        let mut data = data.to_vec();
        let plain = self
            .aead()
            .open_in_place(nonce, Aad::from(context), &mut data)
            .map_err(|_| OpenError)?;
        Ok(plain.to_vec())
    }
}

/// A new webhook signing secret as Standard Webhooks writes it: `whsec_` and 32 random bytes in
/// base64.
pub fn new_webhook_secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("the system has no randomness: {e}"));
    format!("whsec_{}", B64.encode(bytes))
}

/// 32 random bytes: the key a form or a sequence signs its own tokens with (kept in its row).
pub fn new_signing_key() -> Vec<u8> {
    let mut key = vec![0u8; 32];
    getrandom::fill(&mut key).unwrap_or_else(|e| panic!("the system has no randomness: {e}"));
    key
}

fn token_tag(key: &[u8], message: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    URL_SAFE_NO_PAD.encode(&hmac::sign(&key, message.as_bytes()).as_ref()[..16])
}

/// `message.tag`: the message (which must hold no secret) and a 128-bit HMAC-SHA256 tag of it.
pub fn sign_token(key: &[u8], message: &str) -> String {
    format!("{message}.{}", token_tag(key, message))
}

/// The message of a token `sign_token` made with this key; `None` for any other string. The tag
/// is compared in constant time.
pub fn open_token<'a>(key: &[u8], token: &'a str) -> Option<&'a str> {
    let (message, tag) = token.rsplit_once('.')?;
    let expected = token_tag(key, message);
    let same =
        expected.len() == tag.len() && expected.bytes().zip(tag.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    same.then_some(message)
}

/// The `webhook-signature` header value for a message: `v1,` and the base64 HMAC-SHA256, keyed
/// with the secret's bytes, of `{id}.{timestamp}.{body}`.
pub fn sign_webhook(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    let key_bytes = secret
        .strip_prefix("whsec_")
        .and_then(|b| B64.decode(b).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec());
    let key = hmac::Key::new(hmac::HMAC_SHA256, &key_bytes);
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(id.as_bytes());
    ctx.update(b".");
    ctx.update(timestamp.to_string().as_bytes());
    ctx.update(b".");
    ctx.update(body);
    format!("v1,{}", B64.encode(ctx.sign().as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_row() {
        let key = SecretsKey::from_bytes([7; 32]);
        let sealed = key.seal(b"whsec_abc", b"row-1");
        assert_ne!(&sealed[NONCE_LEN..], b"whsec_abc");
        assert_eq!(key.open(&sealed, b"row-1").unwrap(), b"whsec_abc");
        assert!(key.open(&sealed, b"row-2").is_err());
        assert!(SecretsKey::from_bytes([8; 32]).open(&sealed, b"row-1").is_err());
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert!(key.open(&altered, b"row-1").is_err());
        assert!(key.open(b"short", b"row-1").is_err());
        // A fresh nonce each time.
        assert_ne!(key.seal(b"x", b"r"), key.seal(b"x", b"r"));
    }

    #[test]
    fn keys_are_read_as_base64_or_hex() {
        let hex = "00".repeat(31) + "ff";
        assert!(hex.parse::<SecretsKey>().is_ok());
        assert!(B64.encode([1u8; 32]).parse::<SecretsKey>().is_ok());
        assert!(B64.encode([1u8; 16]).parse::<SecretsKey>().is_err());
        assert!("not a key".parse::<SecretsKey>().is_err());
    }

    #[test]
    fn signatures_follow_standard_webhooks() {
        // The example of the Standard Webhooks specification.
        let sig = sign_webhook(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(new_webhook_secret().starts_with("whsec_"));
        assert_ne!(new_webhook_secret(), new_webhook_secret());
    }
}
