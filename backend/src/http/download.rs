//! Sending an export: CSV streamed page by page, `.xlsx` built off the runtime and sent as a
//! file. The rows and their formats are `crate::exports`.

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use futures_util::StreamExt;

use crate::error::{AppError, AppResult};
use crate::exports::{CSV_TYPE, Cell, Format, XLSX_TYPE, Xlsx, csv_chunk};

/// Where an export's rows come from, a page at a time (in the list's order), `None` after the last.
pub trait Source: 'static {
    fn next_page(&mut self) -> impl std::future::Future<Output = AppResult<Option<Vec<Vec<Cell>>>>>;
}

/// Answers with the export as an attachment named `name`: CSV streamed page by page as the
/// rows are read, or `.xlsx` written off the async runtime into a temporary file, then sent.
/// The first page is read before answering, so a database error is still a problem response.
pub async fn respond<S: Source>(
    req: &HttpRequest,
    format: Format,
    name: &str,
    sheet: &str,
    header: Vec<String>,
    mut source: S,
) -> AppResult<HttpResponse> {
    let first = source.next_page().await?;
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(name.to_owned())],
    };
    match format {
        Format::Csv => {
            let head = csv_chunk(Some(&header), first.as_deref().unwrap_or_default())?;
            let rest = futures_util::stream::try_unfold((source, first.is_some()), |(mut source, more)| async move {
                if !more {
                    return Ok::<_, actix_web::Error>(None);
                }
                let page = async {
                    Ok::<_, AppError>(match source.next_page().await? {
                        Some(rows) => Some(Bytes::from(csv_chunk(None, &rows)?)),
                        None => None,
                    })
                };
                match page.await {
                    Ok(Some(bytes)) => Ok(Some((bytes, (source, true)))),
                    Ok(None) => Ok(None),
                    Err(e) => {
                        // The answer has started: all that can be done is to cut it short.
                        tracing::error!(error = %e, "an export failed part-way");
                        Err(actix_web::Error::from(e))
                    }
                }
            });
            let body =
                futures_util::stream::once(async move { Ok::<_, actix_web::Error>(Bytes::from(head)) }).chain(rest);
            Ok(HttpResponse::Ok()
                .content_type(CSV_TYPE)
                .insert_header(disposition)
                .streaming(body))
        }
        Format::Vcard => Err(AppError::internal(anyhow::anyhow!(
            "a table export cannot be written as vCards"
        ))),
        Format::Xlsx => {
            let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Vec<Cell>>>(2);
            let sheet = sheet.to_owned();
            let writer = tokio::task::spawn_blocking(move || -> AppResult<std::fs::File> {
                let mut book = Xlsx::new(&sheet, &header)?;
                while let Some(rows) = rx.blocking_recv() {
                    book.add(&rows)?;
                }
                book.finish()
            });
            let mut page = first;
            while let Some(rows) = page {
                if tx.send(rows).await.is_err() {
                    break;
                }
                page = source.next_page().await?;
            }
            drop(tx);
            let file = writer.await.map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))??;
            let file = actix_files::NamedFile::from_file(file, name)
                .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?
                .set_content_type(
                    XLSX_TYPE
                        .parse::<mime::Mime>()
                        .unwrap_or(mime::APPLICATION_OCTET_STREAM),
                )
                .set_content_disposition(disposition)
                .use_etag(false)
                .use_last_modified(false);
            Ok(file.into_response(req))
        }
    }
}

/// Where a text export's chunks come from (vCards: one chunk per page), `None` after the last.
pub trait Chunks: 'static {
    fn next_chunk(&mut self) -> impl std::future::Future<Output = AppResult<Option<String>>>;
}

/// Answers with a text attachment streamed chunk by chunk as it is read (the first chunk before
/// answering, so an error is still a problem response).
pub async fn respond_chunks<S: Chunks>(content_type: &str, name: &str, mut source: S) -> AppResult<HttpResponse> {
    let first = source.next_chunk().await?;
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(name.to_owned())],
    };
    let rest = futures_util::stream::try_unfold((source, first.is_some()), |(mut source, more)| async move {
        if !more {
            return Ok::<_, actix_web::Error>(None);
        }
        match source.next_chunk().await {
            Ok(Some(text)) => Ok(Some((Bytes::from(text), (source, true)))),
            Ok(None) => Ok(None),
            Err(e) => {
                tracing::error!(error = %e, "an export failed part-way");
                Err(actix_web::Error::from(e))
            }
        }
    });
    let head = Bytes::from(first.unwrap_or_default());
    let body = futures_util::stream::once(async move { Ok::<_, actix_web::Error>(head) }).chain(rest);
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(disposition)
        .streaming(body))
}
