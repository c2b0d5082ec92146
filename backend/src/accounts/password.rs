//! Password rules and argon2id hashing. Hashing costs tens of milliseconds of CPU and 19 MiB of
//! memory, so it runs on the blocking pool, never on the async workers that serve other requests,
//! and at most one hash per core at a time: a burst of sign-ins queues instead of taking a core
//! and 19 MiB each.

use std::sync::LazyLock;

use tokio::sync::Semaphore;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::{AppError, AppResult};

pub const MIN_LEN: usize = 10;

/// The length and "not the email" rules (no composition rules: length is what counts).
pub fn check(field: &str, password: &str, email: &str) -> AppResult<()> {
    if password.chars().count() < MIN_LEN {
        return Err(AppError::invalid_field(
            field,
            format!("must be at least {MIN_LEN} characters"),
        ));
    }
    if password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err(AppError::invalid_field(field, "must not be your email address"));
    }
    Ok(())
}

static HASHING: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));

/// Runs `work` on the blocking pool once a hashing slot is free.
async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let _slot = HASHING.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(work).await.map_err(AppError::internal)
}

/// The argon2id PHC string of `password` (OWASP's baseline parameters, a random salt).
pub async fn hash(password: String) -> AppResult<String> {
    hashing(move || hash_now(&password)).await?
}

fn hash_now(password: &str) -> AppResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(anyhow::anyhow!("password hashing failed: {e}")))
}

/// A hash no password matches, checked when the email is unknown so that answer takes as long
/// as a wrong password.
static DECOY: LazyLock<String> =
    LazyLock::new(|| hash_now(&crate::accounts::secret::random_secret()).unwrap_or_default());

/// True when `password` matches `phc`; with no hash (unknown email) checks the decoy and says no.
pub async fn verify(password: String, phc: Option<String>) -> bool {
    hashing(move || {
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| DECOY.clone());
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return false;
        };
        Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && known
    })
    .await
    .unwrap_or(false)
}

/// Computes the decoy ahead of the first sign-in, so the first unknown email is not faster.
pub fn warm_up() {
    tokio::task::spawn_blocking(|| LazyLock::force(&DECOY));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_length_and_not_the_email() {
        assert!(check("password", "short", "a@b.c").is_err());
        assert!(check("password", "Ada@Example.com", "ada@example.com").is_err());
        assert!(check("password", "correct horse", "ada@example.com").is_ok());
        // Characters, not bytes.
        assert!(check("password", "ééééééééé", "x@y.z").is_err());
    }

    #[tokio::test]
    async fn hashes_verify_only_their_password() {
        let phc = hash("correct horse battery".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(verify("correct horse battery".into(), Some(phc.clone())).await);
        assert!(!verify("wrong horse battery".into(), Some(phc)).await);
        assert!(!verify("anything".into(), None).await);
    }
}
