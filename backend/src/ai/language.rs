//! The language a language model writes its answers in: the request's `Accept-Language` (the web
//! app sends the language it speaks, API clients send theirs), the first of Rapport's languages
//! it names by preference, else English. The AI routes set it around their handler and the cache
//! reads it where the model is asked, so every feature gets it without passing it along. The
//! instruction is part of the request, so each language has its own cached answers. The built-in
//! offline model writes its sentences from the phrasebook of that language (`ai/phrases`).

use std::future::Future;

use actix_web::dev::Payload;
use actix_web::http::header::ACCEPT_LANGUAGE;
use actix_web::{FromRequest, HttpRequest};

use crate::accounts::dto::Locale;
use crate::error::AppError;

tokio::task_local! {
    static LANGUAGE: Locale;
}

/// The language of the current request's answers (English outside an AI request).
pub fn current() -> Locale {
    LANGUAGE.try_with(|l| *l).unwrap_or(Locale::En)
}

/// Runs `f` with answers in `lang`.
pub async fn scope<F: Future>(lang: Locale, f: F) -> F::Output {
    LANGUAGE.scope(lang, f).await
}

/// The language an `Accept-Language` value asks for: the supported one with the highest weight
/// (`es-MX` counts as `es`; `q=0` refuses), else English.
pub fn from_header(value: Option<&str>) -> Locale {
    let mut best: Option<(f32, Locale)> = None;
    for part in value.unwrap_or_default().split(',') {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or_default().trim();
        let weight = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or_default().to_ascii_lowercase();
        let Ok(lang) = primary.parse::<Locale>() else {
            continue;
        };
        if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
            best = Some((weight, lang));
        }
    }
    best.map_or(Locale::En, |(_, lang)| lang)
}

/// The language a request's answers are written in, from its `Accept-Language`.
#[derive(Debug, Clone, Copy)]
pub struct AnswerLanguage(pub Locale);

/// The `Accept-Language` header of the operations whose answers a language model writes.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct AnswerLanguageParams {
    /// The language of the answer's sentences when a language model writes them: `es` or `fr`
    /// (the supported one you prefer most, as browsers send it), else English. Each language has
    /// its own cached answers, the built-in offline model's too.
    #[param(rename = "Accept-Language", example = "es-ES,es;q=0.9,en;q=0.8")]
    #[allow(dead_code)]
    accept_language: Option<String>,
}

impl FromRequest for AnswerLanguage {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req.headers().get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
        std::future::ready(Ok(AnswerLanguage(from_header(value))))
    }
}

/// The sentence added to a model's instructions so that it answers in `lang` (none for English,
/// the language the instructions are written in).
pub fn instruction(lang: Locale) -> Option<&'static str> {
    match lang {
        Locale::En => None,
        Locale::Es => {
            Some("Write every sentence of your answer in Spanish; keep JSON keys, codes and names as they are.")
        }
        Locale::Fr => {
            Some("Write every sentence of your answer in French; keep JSON keys, codes and names as they are.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preferred_supported_language_wins() {
        assert_eq!(from_header(None), Locale::En);
        assert_eq!(from_header(Some("")), Locale::En);
        assert_eq!(from_header(Some("es")), Locale::Es);
        assert_eq!(from_header(Some("fr-CA,fr;q=0.9,en;q=0.8")), Locale::Fr);
        assert_eq!(from_header(Some("de-DE,de;q=0.9,es;q=0.5,en;q=0.3")), Locale::Es);
        assert_eq!(from_header(Some("en;q=0.2, ES-mx ;q=0.7")), Locale::Es);
        assert_eq!(from_header(Some("fr;q=0, en")), Locale::En, "q=0 refuses");
        assert_eq!(from_header(Some("de, it")), Locale::En);
    }

    #[tokio::test]
    async fn the_language_is_known_inside_its_scope_only() {
        assert_eq!(current(), Locale::En);
        assert_eq!(scope(Locale::Fr, async { current() }).await, Locale::Fr);
        assert_eq!(current(), Locale::En);
    }
}
