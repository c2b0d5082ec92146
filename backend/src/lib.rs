//! Rapport's backend as a library: `app()` builds the complete HTTP application (API, OpenAPI
//! document, Swagger UI, SPA) and is used both by the binary and by the tests.

pub mod accounts;
pub mod activity;
pub mod ai;
pub mod backup;
pub mod bulk;
pub mod calendar;
pub mod companies;
pub mod config;
pub mod contacts;
pub mod crypto;
pub mod custom_fields;
pub mod dashboard;
pub mod dataset;
pub mod db;
pub mod deals;
pub mod demo;
pub mod dto;
pub mod duplicates;
pub mod error;
pub mod events;
pub mod exports;
pub mod files;
pub mod followups;
pub mod forms;
pub mod http;
pub mod imports;
pub mod interactions;
pub mod jobs;
pub mod mail;
pub mod merges;
pub mod money;
pub mod net;
pub mod onboarding;
pub mod openapi;
pub mod payments;
pub mod pipelines;
pub mod privacy;
pub mod products;
pub mod proposals;
pub mod reminders;
pub mod search;
pub mod sequences;
pub mod settings;
pub mod state;
pub mod system;
pub mod templates;
pub mod trash;
pub mod views;
pub mod webhooks;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, web};
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_swagger_ui::SwaggerUi;

use crate::http::json::{DEFAULT_LIMIT, JsonLimit};
use crate::http::routes_table::{RouteTable, unmatched};
use crate::state::AppState;

/// The API routes whose path starts with `/api/v1/<segment>`, in a scope of their own (with an
/// empty prefix, so their paths stay whole). Actix tries a request against each route's pattern
/// in turn, a regex match with its captures for every pattern with a parameter; in one flat
/// list, a request for a route registered late paid for every pattern before it (an eighth of
/// the server's time on a cached AI answer). Grouped, it pays one comparison of the segment per
/// group and tries its own group's patterns only. A path of the group that none of them matches
/// gets the same 404 or 405 problem as any other.
macro_rules! group {
    ($segment:literal: $($handler:path),+ $(,)?) => {
        utoipa_actix_web::scope("")
            .guard(actix_web::guard::fn_guard(|ctx| {
                http::routes_table::api_segment(ctx.head().uri.path()) == Some($segment)
            }))
            $(.service($handler))+
            .default_service(web::to(unmatched))
    };
}

/// Registers every API route. Each handler carries its own OpenAPI entry, so a route cannot
/// exist without being documented.
fn register_api(cfg: &mut ServiceConfig) {
    cfg.service(system::routes::health)
        .service(system::routes::ready)
        .service(forms::routes::get_form_page)
        .service(forms::routes::submit_form)
        .service(sequences::routes::get_unsubscribe_page)
        .service(sequences::routes::unsubscribe)
        .service(
            utoipa_actix_web::scope("/api/v1")
                .service(group!("auth":
                    accounts::routes::get_setup_status,
                    accounts::routes::login,
                    accounts::routes::logout,
                    accounts::routes::signup,
                    accounts::routes::get_password_reset,
                    accounts::routes::reset_password,
                ))
                .service(group!("me":
                    accounts::routes::get_me,
                    accounts::routes::update_me,
                    accounts::routes::change_password,
                    accounts::routes::switch_workspace,
                    mail::routes::get_digest,
                    mail::routes::put_digest,
                    dashboard::routes::get_dashboard_layout,
                    dashboard::routes::put_dashboard_layout,
                ))
                .service(group!("workspaces": accounts::routes::list_workspaces, accounts::routes::create_workspace))
                .service(group!("api-tokens":
                    accounts::routes::list_api_tokens,
                    accounts::routes::create_api_token,
                    accounts::routes::revoke_api_token,
                ))
                .service(group!("members":
                    accounts::routes::list_members,
                    accounts::routes::update_member,
                    accounts::routes::delete_member,
                    accounts::routes::create_password_reset,
                ))
                .service(group!("invitations":
                    accounts::routes::list_invitations,
                    accounts::routes::create_invitation,
                    accounts::routes::delete_invitation,
                    accounts::routes::get_invitation,
                    accounts::routes::accept_invitation,
                ))
                .service(group!("security-events": accounts::routes::list_security_events))
                .service(group!("contacts":
                    contacts::routes::list_contacts,
                    contacts::routes::list_contact_tags,
                    merges::routes::merge_contacts,
                    bulk::routes::bulk_contacts,
                    contacts::routes::export_contacts,
                    contacts::routes::create_contact,
                    contacts::routes::get_contact,
                    contacts::routes::update_contact,
                    contacts::routes::delete_contact,
                    contacts::routes::restore_contact,
                    privacy::routes::export_contact_data,
                    privacy::routes::erase_contact,
                    mail::routes::send_email,
                    interactions::routes::get_contact_timeline,
                    activity::routes::get_contact_history,
                    ai::routes::create_contact_insights,
                    ai::routes::create_email_draft,
                    ai::routes::get_lead_score,
                    ai::routes::chat_about_contact,
                    ai::routes::list_conversations,
                ))
                .service(group!("search": search::routes::search))
                .service(group!("trash": trash::routes::list_trash, trash::routes::purge_trash))
                .service(group!("duplicates":
                    duplicates::routes::list_duplicates,
                    duplicates::routes::dismiss_duplicate,
                ))
                .service(group!("merges": merges::routes::undo_merge))
                .service(group!("bulk": bulk::routes::undo_bulk))
                .service(group!("views":
                    views::routes::list_views,
                    views::routes::create_view,
                    views::routes::get_view,
                    views::routes::update_view,
                    views::routes::delete_view,
                ))
                .service(group!("events": events::routes::event_stream))
                .service(group!("mail-settings":
                    mail::routes::get_mail_settings,
                    mail::routes::put_mail_settings,
                    mail::routes::delete_mail_settings,
                    mail::routes::test_mail_settings,
                ))
                .service(group!("mail-sender": mail::routes::get_mail_sender))
                .service(group!("sequences":
                    sequences::routes::list_sequences,
                    sequences::routes::create_sequence,
                    sequences::routes::get_sequence,
                    sequences::routes::update_sequence,
                    sequences::routes::delete_sequence,
                    sequences::routes::list_sequence_enrollments,
                    sequences::routes::enroll_in_sequence,
                ))
                .service(group!("sequence-enrollments":
                    sequences::routes::list_enrollments,
                    sequences::routes::stop_sequence_enrollment,
                ))
                .service(group!("onboarding":
                    onboarding::routes::get_onboarding,
                    onboarding::routes::dismiss_onboarding,
                ))
                .service(group!("demo-data": onboarding::routes::load_demo_data, onboarding::routes::remove_demo_data))
                .service(group!("forms":
                    forms::routes::list_forms,
                    forms::routes::create_form,
                    forms::routes::get_form,
                    forms::routes::update_form,
                    forms::routes::delete_form,
                    forms::routes::list_form_submissions,
                ))
                .service(group!("webhooks":
                    webhooks::routes::list_webhooks,
                    webhooks::routes::create_webhook,
                    webhooks::routes::get_webhook,
                    webhooks::routes::update_webhook,
                    webhooks::routes::delete_webhook,
                    webhooks::routes::rotate_webhook_secret,
                    webhooks::routes::test_webhook,
                    webhooks::routes::list_webhook_deliveries,
                ))
                .service(group!("webhook-deliveries": webhooks::routes::redeliver_webhook_delivery))
                .service(group!("imports":
                    imports::routes::create_import,
                    imports::routes::list_imports,
                    imports::routes::get_import,
                    imports::routes::preview_import,
                    imports::routes::list_import_rows,
                    imports::routes::commit_import,
                    imports::routes::rollback_import,
                    imports::routes::get_import_errors,
                ))
                .service(group!("import-mappings":
                    imports::routes::list_import_mappings,
                    imports::routes::create_import_mapping,
                    imports::routes::delete_import_mapping,
                ))
                .service(group!("exports":
                    exports::routes::create_export,
                    exports::routes::list_exports,
                    exports::routes::get_export,
                    exports::routes::download_export,
                ))
                .service(group!("interactions":
                    interactions::routes::create_interaction,
                    interactions::routes::get_interaction,
                    interactions::routes::update_interaction,
                    interactions::routes::delete_interaction,
                    ai::routes::create_interaction_analysis,
                ))
                .service(group!("follow-ups": followups::routes::list_follow_ups))
                .service(group!("custom-fields":
                    custom_fields::routes::list_custom_fields,
                    custom_fields::routes::create_custom_field,
                    custom_fields::routes::update_custom_field,
                    custom_fields::routes::delete_custom_field,
                ))
                .service(group!("calendar":
                    calendar::routes::get_calendar_feed,
                    calendar::routes::rotate_calendar_link,
                    calendar::routes::delete_calendar_link,
                    calendar::routes::get_calendar_ics,
                ))
                .service(group!("activity": activity::routes::list_activity))
                .service(group!("companies":
                    activity::routes::get_company_history,
                    companies::routes::list_companies,
                    companies::routes::export_companies,
                    merges::routes::merge_companies,
                    bulk::routes::bulk_companies,
                    companies::routes::create_company,
                    companies::routes::get_company,
                    companies::routes::update_company,
                    companies::routes::delete_company,
                    companies::routes::restore_company,
                ))
                .service(group!("reminders":
                    reminders::routes::list_reminders,
                    reminders::routes::create_reminder,
                    reminders::routes::get_reminder,
                    reminders::routes::update_reminder,
                    reminders::routes::delete_reminder,
                    reminders::routes::complete_reminder,
                    reminders::routes::reopen_reminder,
                    reminders::routes::snooze_reminder,
                ))
                .service(group!("templates":
                    templates::routes::list_templates,
                    templates::routes::preview_template,
                    templates::routes::create_template,
                    templates::routes::get_template,
                    templates::routes::update_template,
                    templates::routes::delete_template,
                    templates::routes::render_template,
                ))
                .service(group!("settings": settings::routes::get_settings, settings::routes::update_settings))
                .service(group!("pipelines":
                    pipelines::routes::list_pipelines,
                    pipelines::routes::create_pipeline,
                    pipelines::routes::get_pipeline,
                    pipelines::routes::update_pipeline,
                    pipelines::routes::delete_pipeline,
                    pipelines::routes::create_stage,
                    pipelines::routes::reorder_stages,
                    pipelines::routes::update_stage,
                    pipelines::routes::delete_stage,
                    deals::routes::get_pipeline_board,
                ))
                .service(group!("deals":
                    deals::routes::list_deals,
                    deals::routes::export_deals,
                    bulk::routes::bulk_deals,
                    deals::routes::create_deal,
                    deals::routes::get_deal,
                    deals::routes::update_deal,
                    deals::routes::delete_deal,
                    deals::routes::restore_deal,
                    deals::routes::get_deal_stage_history,
                    ai::routes::create_proposal_draft,
                ))
                .service(group!("payments":
                    payments::routes::list_payments,
                    payments::routes::create_payment,
                    payments::routes::get_payment,
                    payments::routes::update_payment,
                    payments::routes::delete_payment,
                ))
                .service(group!("revenue": payments::routes::get_revenue))
                .service(group!("dashboard": dashboard::routes::get_dashboard))
                .service(group!("ai":
                    ai::routes::get_ai_status,
                    ai::routes::get_ai_cache_stats,
                    ai::routes::clear_ai_cache,
                    ai::routes::parse_email,
                    ai::routes::apply_parsed_email,
                    ai::routes::get_conversation,
                ))
                .service(group!("products":
                    products::routes::list_products,
                    products::routes::create_product,
                    products::routes::get_product,
                    products::routes::update_product,
                    products::routes::delete_product,
                ))
                .service(group!("proposals":
                    proposals::routes::list_proposals,
                    proposals::routes::create_proposal,
                    proposals::routes::get_proposal,
                    proposals::routes::update_proposal,
                    proposals::routes::delete_proposal,
                    proposals::routes::print_proposal,
                    proposals::routes::download_proposal_pdf,
                ))
                .default_service(web::to(unmatched)),
        );
}

/// The OpenAPI document, exactly as served at `/api/openapi.json`.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(openapi::base())
        .configure(register_api)
        .split_for_parts();
    openapi::add_problem_responses(&mut doc);
    openapi::add_sparse_fieldsets(&mut doc);
    openapi::add_security(&mut doc);
    doc
}

pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let static_dir = state.config.static_dir.clone();
    let timeouts = state.config.timeouts;
    let cors = http::cors::CorsOrigins(state.config.cors_origins.clone());
    let (app, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(openapi::base())
        .configure(register_api)
        .split_for_parts();
    openapi::add_problem_responses(&mut doc);
    openapi::add_sparse_fieldsets(&mut doc);
    openapi::add_security(&mut doc);
    let routes = RouteTable::from_openapi(&doc);
    let policies = http::auth::Policies::from_openapi(&doc);
    app.app_data(web::Data::new(state))
        .app_data(web::Data::new(routes))
        .app_data(web::Data::new(policies))
        .app_data(JsonLimit(DEFAULT_LIMIT))
        .app_data(timeouts)
        .app_data(cors)
        .app_data(http::params::path_config())
        .app_data(http::params::query_config())
        .service(SwaggerUi::new("/docs/{_:.*}").url("/api/openapi.json", doc))
        .service(web::redirect("/docs", "/docs/"))
        // Anything else under /api is an API miss (404/405 problem), never the SPA.
        .service(web::scope("/api").default_service(web::to(unmatched)))
        .configure(forms::routes::configure)
        .configure(sequences::routes::configure)
        .configure(|cfg| http::spa::service(static_dir, cfg))
        .wrap(from_fn(http::replica::middleware))
        .wrap(from_fn(http::auth::middleware))
        .wrap(from_fn(http::spa::cache_assets))
        // gzip for clients that ask (browsers): the web app's scripts shrink to about a third.
        .wrap(actix_web::middleware::Compress::default())
        .wrap(from_fn(http::cors::middleware))
        .wrap(from_fn(http::security::middleware))
        .wrap(from_fn(http::request_id::middleware))
}
