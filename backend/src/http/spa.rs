//! Serves the built single-page app: hashed assets with long caching, and `index.html` for every
//! other path so that client-side (history mode) routes survive a reload.

use std::path::PathBuf;

use actix_files::{Files, NamedFile};
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::http::header;
use actix_web::{HttpResponse, web};

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>Rapport</title>\
<p>The web app has not been built. Run <code>scripts/run</code> (or <code>npm run build</code> in \
<code>frontend/</code>). The API is at <a href=\"/docs\">/docs</a>.</p>";

pub fn service(dir: Option<PathBuf>, cfg: &mut web::ServiceConfig) {
    match dir.filter(|d| d.join("index.html").is_file()) {
        Some(dir) => {
            let index = dir.join("index.html");
            cfg.service(
                Files::new("/", dir)
                    .index_file("index.html")
                    .default_handler(fn_service(move |req: ServiceRequest| {
                        let index = index.clone();
                        async move {
                            let (req, _) = req.into_parts();
                            let file = NamedFile::open_async(&index).await?;
                            let mut res = file.into_response(&req);
                            res.headers_mut()
                                .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-cache"));
                            Ok(ServiceResponse::new(req, res))
                        }
                    })),
            );
        }
        None => {
            cfg.default_service(web::to(|| async {
                HttpResponse::Ok()
                    .content_type("text/html; charset=utf-8")
                    .body(NOT_BUILT)
            }));
        }
    }
}

/// Hashed build assets never change under the same name: let browsers keep them for a year.
pub async fn cache_assets(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let is_asset = req.path().starts_with("/assets/");
    let mut res = next.call(req).await?;
    if is_asset && res.status().is_success() {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    Ok(res)
}
