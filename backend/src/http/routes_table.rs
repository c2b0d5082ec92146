//! Answers for requests that match no route: 405 with `Allow` when the path exists under another
//! method (known from the OpenAPI document, which lists every route), else a 404 problem.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use utoipa::openapi::OpenApi;

use super::path_pattern::PathPattern;
use crate::error::AppError;

#[derive(Clone)]
pub struct RouteTable(Arc<Vec<(PathPattern, String)>>);

impl RouteTable {
    pub fn from_openapi(doc: &OpenApi) -> Self {
        let mut routes = Vec::new();
        for (path, item) in &doc.paths.paths {
            let methods: Vec<String> = serde_json::to_value(item)
                .ok()
                .and_then(|v| v.as_object().cloned())
                .map(|o| {
                    o.keys()
                        .filter(|k| matches!(k.as_str(), "get" | "post" | "put" | "patch" | "delete"))
                        .map(|k| k.to_ascii_uppercase())
                        .collect()
                })
                .unwrap_or_default();
            routes.push((PathPattern::new(path.as_str()), methods.join(", ")));
        }
        RouteTable(Arc::new(routes))
    }

    /// The methods of a route without parameters that is exactly this path.
    pub fn literal_allowed(&self, path: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(def, _)| def.params() == 0 && def.is_match(path))
            .map(|(_, m)| m.as_str())
    }

    fn allowed(&self, path: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, m)| m.as_str())
    }
}

/// 405 problem with `Allow`.
pub fn method_not_allowed(req: &HttpRequest, allowed: &str) -> actix_web::error::InternalError<String> {
    let err = AppError::method_not_allowed(format!("{} is not allowed here; use {allowed}", req.method()));
    let mut res = err.error_response();
    if let Ok(v) = header::HeaderValue::from_str(allowed) {
        res.headers_mut().insert(header::ALLOW, v);
    }
    actix_web::error::InternalError::from_response(String::new(), res)
}

pub async fn unmatched(req: HttpRequest, table: web::Data<RouteTable>) -> HttpResponse {
    if let Some(allowed) = table.literal_allowed(req.path()).or_else(|| table.allowed(req.path())) {
        return method_not_allowed(&req, allowed).error_response();
    }
    AppError::not_found(&format!("no endpoint at {}", req.path()))
        .with_detail(format!("there is no endpoint at {}; see /docs for the API", req.path()))
        .error_response()
}

/// The first segment of an API path after `/api/v1/` (`contacts` for
/// `/api/v1/contacts/{id}/timeline`), which groups the routes (see `register_api`).
pub fn api_segment(path: &str) -> Option<&str> {
    path.strip_prefix("/api/v1/").and_then(|rest| rest.split('/').next())
}

#[cfg(test)]
mod tests {
    use super::api_segment;

    #[test]
    fn the_first_segment_of_an_api_path_names_its_group() {
        assert_eq!(api_segment("/api/v1/contacts"), Some("contacts"));
        assert_eq!(api_segment("/api/v1/contacts/"), Some("contacts"));
        assert_eq!(api_segment("/api/v1/contacts/0193/timeline"), Some("contacts"));
        assert_eq!(api_segment("/api/v1/"), Some(""));
        assert_eq!(api_segment("/api/v1"), None);
        assert_eq!(api_segment("/api/health"), None);
        assert_eq!(api_segment("/contacts"), None);
    }
}
