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
                .service(accounts::routes::get_setup_status)
                .service(accounts::routes::login)
                .service(accounts::routes::logout)
                .service(accounts::routes::signup)
                .service(accounts::routes::get_me)
                .service(accounts::routes::update_me)
                .service(accounts::routes::change_password)
                .service(accounts::routes::switch_workspace)
                .service(accounts::routes::list_workspaces)
                .service(accounts::routes::create_workspace)
                .service(accounts::routes::list_api_tokens)
                .service(accounts::routes::create_api_token)
                .service(accounts::routes::revoke_api_token)
                .service(accounts::routes::list_members)
                .service(accounts::routes::update_member)
                .service(accounts::routes::delete_member)
                .service(accounts::routes::list_invitations)
                .service(accounts::routes::create_invitation)
                .service(accounts::routes::delete_invitation)
                .service(accounts::routes::get_invitation)
                .service(accounts::routes::accept_invitation)
                .service(accounts::routes::list_security_events)
                .service(accounts::routes::create_password_reset)
                .service(accounts::routes::get_password_reset)
                .service(accounts::routes::reset_password)
                .service(contacts::routes::list_contacts)
                .service(contacts::routes::list_contact_tags)
                .service(merges::routes::merge_contacts)
                .service(bulk::routes::bulk_contacts)
                .service(contacts::routes::export_contacts)
                .service(contacts::routes::create_contact)
                .service(contacts::routes::get_contact)
                .service(contacts::routes::update_contact)
                .service(contacts::routes::delete_contact)
                .service(contacts::routes::restore_contact)
                .service(privacy::routes::export_contact_data)
                .service(privacy::routes::erase_contact)
                .service(search::routes::search)
                .service(trash::routes::list_trash)
                .service(trash::routes::purge_trash)
                .service(duplicates::routes::list_duplicates)
                .service(duplicates::routes::dismiss_duplicate)
                .service(merges::routes::undo_merge)
                .service(bulk::routes::undo_bulk)
                .service(views::routes::list_views)
                .service(views::routes::create_view)
                .service(views::routes::get_view)
                .service(views::routes::update_view)
                .service(views::routes::delete_view)
                .service(events::routes::event_stream)
                .service(mail::routes::get_mail_settings)
                .service(mail::routes::put_mail_settings)
                .service(mail::routes::delete_mail_settings)
                .service(mail::routes::test_mail_settings)
                .service(mail::routes::send_email)
                .service(mail::routes::get_mail_sender)
                .service(mail::routes::get_digest)
                .service(mail::routes::put_digest)
                .service(sequences::routes::list_sequences)
                .service(sequences::routes::create_sequence)
                .service(sequences::routes::get_sequence)
                .service(sequences::routes::update_sequence)
                .service(sequences::routes::delete_sequence)
                .service(sequences::routes::list_sequence_enrollments)
                .service(sequences::routes::list_enrollments)
                .service(onboarding::routes::get_onboarding)
                .service(onboarding::routes::dismiss_onboarding)
                .service(onboarding::routes::load_demo_data)
                .service(onboarding::routes::remove_demo_data)
                .service(sequences::routes::enroll_in_sequence)
                .service(sequences::routes::stop_sequence_enrollment)
                .service(forms::routes::list_forms)
                .service(forms::routes::create_form)
                .service(forms::routes::get_form)
                .service(forms::routes::update_form)
                .service(forms::routes::delete_form)
                .service(forms::routes::list_form_submissions)
                .service(webhooks::routes::list_webhooks)
                .service(webhooks::routes::create_webhook)
                .service(webhooks::routes::get_webhook)
                .service(webhooks::routes::update_webhook)
                .service(webhooks::routes::delete_webhook)
                .service(webhooks::routes::rotate_webhook_secret)
                .service(webhooks::routes::test_webhook)
                .service(webhooks::routes::list_webhook_deliveries)
                .service(webhooks::routes::redeliver_webhook_delivery)
                .service(imports::routes::create_import)
                .service(imports::routes::list_imports)
                .service(imports::routes::get_import)
                .service(imports::routes::preview_import)
                .service(imports::routes::list_import_rows)
                .service(imports::routes::commit_import)
                .service(imports::routes::rollback_import)
                .service(imports::routes::get_import_errors)
                .service(imports::routes::list_import_mappings)
                .service(imports::routes::create_import_mapping)
                .service(imports::routes::delete_import_mapping)
                .service(exports::routes::create_export)
                .service(exports::routes::list_exports)
                .service(exports::routes::get_export)
                .service(exports::routes::download_export)
                .service(interactions::routes::get_contact_timeline)
                .service(interactions::routes::create_interaction)
                .service(interactions::routes::get_interaction)
                .service(interactions::routes::update_interaction)
                .service(interactions::routes::delete_interaction)
                .service(followups::routes::list_follow_ups)
                .service(custom_fields::routes::list_custom_fields)
                .service(custom_fields::routes::create_custom_field)
                .service(custom_fields::routes::update_custom_field)
                .service(custom_fields::routes::delete_custom_field)
                .service(calendar::routes::get_calendar_feed)
                .service(calendar::routes::rotate_calendar_link)
                .service(calendar::routes::delete_calendar_link)
                .service(calendar::routes::get_calendar_ics)
                .service(activity::routes::list_activity)
                .service(activity::routes::get_contact_history)
                .service(activity::routes::get_company_history)
                .service(reminders::routes::list_reminders)
                .service(reminders::routes::create_reminder)
                .service(reminders::routes::get_reminder)
                .service(reminders::routes::update_reminder)
                .service(reminders::routes::delete_reminder)
                .service(reminders::routes::complete_reminder)
                .service(reminders::routes::reopen_reminder)
                .service(reminders::routes::snooze_reminder)
                .service(templates::routes::list_templates)
                .service(templates::routes::preview_template)
                .service(templates::routes::create_template)
                .service(templates::routes::get_template)
                .service(templates::routes::update_template)
                .service(templates::routes::delete_template)
                .service(templates::routes::render_template)
                .service(settings::routes::get_settings)
                .service(settings::routes::update_settings)
                .service(companies::routes::list_companies)
                .service(companies::routes::export_companies)
                .service(merges::routes::merge_companies)
                .service(bulk::routes::bulk_companies)
                .service(companies::routes::create_company)
                .service(companies::routes::get_company)
                .service(companies::routes::update_company)
                .service(companies::routes::delete_company)
                .service(companies::routes::restore_company)
                .service(pipelines::routes::list_pipelines)
                .service(pipelines::routes::create_pipeline)
                .service(pipelines::routes::get_pipeline)
                .service(pipelines::routes::update_pipeline)
                .service(pipelines::routes::delete_pipeline)
                .service(pipelines::routes::create_stage)
                .service(pipelines::routes::reorder_stages)
                .service(pipelines::routes::update_stage)
                .service(pipelines::routes::delete_stage)
                .service(deals::routes::get_pipeline_board)
                .service(deals::routes::list_deals)
                .service(deals::routes::export_deals)
                .service(bulk::routes::bulk_deals)
                .service(deals::routes::create_deal)
                .service(deals::routes::get_deal)
                .service(deals::routes::update_deal)
                .service(deals::routes::delete_deal)
                .service(deals::routes::restore_deal)
                .service(deals::routes::get_deal_stage_history)
                .service(payments::routes::list_payments)
                .service(payments::routes::create_payment)
                .service(payments::routes::get_payment)
                .service(payments::routes::update_payment)
                .service(payments::routes::delete_payment)
                .service(payments::routes::get_revenue)
                .service(dashboard::routes::get_dashboard)
                .service(dashboard::routes::get_dashboard_layout)
                .service(dashboard::routes::put_dashboard_layout)
                .service(ai::routes::get_ai_status)
                .service(ai::routes::get_ai_cache_stats)
                .service(ai::routes::clear_ai_cache)
                .service(ai::routes::create_contact_insights)
                .service(ai::routes::create_email_draft)
                .service(ai::routes::create_interaction_analysis)
                .service(ai::routes::get_lead_score)
                .service(ai::routes::create_proposal_draft)
                .service(ai::routes::parse_email)
                .service(ai::routes::apply_parsed_email)
                .service(ai::routes::chat_about_contact)
                .service(ai::routes::list_conversations)
                .service(ai::routes::get_conversation)
                .service(products::routes::list_products)
                .service(products::routes::create_product)
                .service(products::routes::get_product)
                .service(products::routes::update_product)
                .service(products::routes::delete_product)
                .service(proposals::routes::list_proposals)
                .service(proposals::routes::create_proposal)
                .service(proposals::routes::get_proposal)
                .service(proposals::routes::update_proposal)
                .service(proposals::routes::delete_proposal)
                .service(proposals::routes::print_proposal)
                .service(proposals::routes::download_proposal_pdf)
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
