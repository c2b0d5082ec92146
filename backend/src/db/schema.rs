// Table definitions, kept in step with migrations/ (regenerate with `diesel print-schema` when
// convenient) and checked by tests/api/migrations.rs::schema_rs_matches_the_migrated_database,
// which compares every table and column (name, type, nullability) with the migrated database.

pub mod sql_types {
    /// PostgreSQL's `tsvector`: only ever written by the database (generated columns) and read
    /// by SQL, never loaded into Rust.
    #[derive(diesel::sql_types::SqlType, diesel::query_builder::QueryId)]
    #[diesel(postgres_type(name = "tsvector"))]
    pub struct Tsvector;
}

diesel::table! {
    workspaces (id) {
        id -> Uuid,
        name -> Text,
        settings -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    companies (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        name -> Text,
        domain -> Nullable<Text>,
        industry -> Nullable<Text>,
        size -> Nullable<Text>,
        location -> Nullable<Text>,
        notes -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        version -> Int4,
        sort_name -> Text,
        search_text -> Text,
        custom_fields -> Jsonb,
        search_vector -> crate::db::schema::sql_types::Tsvector,
    }
}

diesel::table! {
    contacts (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        first_name -> Text,
        last_name -> Text,
        emails -> Array<Text>,
        phones -> Array<Text>,
        company_id -> Nullable<Uuid>,
        job_title -> Nullable<Text>,
        website -> Nullable<Text>,
        linkedin_url -> Nullable<Text>,
        twitter_url -> Nullable<Text>,
        location -> Nullable<Text>,
        source -> Nullable<Text>,
        lifecycle -> Text,
        relationship_type -> Nullable<Text>,
        connection_strength -> Nullable<Int2>,
        notes -> Nullable<Text>,
        tags -> Array<Text>,
        custom_fields -> Jsonb,
        follow_up_cadence_days -> Nullable<Int4>,
        last_interaction_at -> Nullable<Timestamptz>,
        next_follow_up_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        version -> Int4,
        sort_name -> Text,
        last_sentiment -> Nullable<Text>,
        company_name -> Nullable<Text>,
        search_text -> Text,
        owner_id -> Nullable<Uuid>,
        time_zone -> Nullable<Text>,
        search_vector -> crate::db::schema::sql_types::Tsvector,
    }
}

diesel::table! {
    idempotency_keys (workspace_id, key) {
        workspace_id -> Uuid,
        key -> Text,
        fingerprint -> Bytea,
        status -> Nullable<Int2>,
        response -> Nullable<Jsonb>,
        location -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    interactions (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        contact_id -> Uuid,
        kind -> Text,
        direction -> Nullable<Text>,
        occurred_at -> Timestamptz,
        subject -> Nullable<Text>,
        body -> Nullable<Text>,
        outcome -> Nullable<Text>,
        duration_minutes -> Nullable<Int4>,
        sentiment_label -> Nullable<Text>,
        sentiment_score -> Nullable<Float8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        deal_id -> Nullable<Uuid>,
        external_ref -> Nullable<Text>,
        search_vector -> crate::db::schema::sql_types::Tsvector,
        delivery_status -> Nullable<Text>,
        delivery_error -> Nullable<Text>,
    }
}

diesel::table! {
    reminders (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        contact_id -> Uuid,
        title -> Text,
        notes -> Nullable<Text>,
        due_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
        origin -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        deal_id -> Nullable<Uuid>,
        assignee_id -> Nullable<Uuid>,
        due_announced_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    email_templates (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        name -> Text,
        scenario -> Text,
        subject -> Text,
        body -> Text,
        sort_name -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        search_vector -> crate::db::schema::sql_types::Tsvector,
    }
}

diesel::table! {
    activity (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        entity -> Text,
        entity_id -> Uuid,
        action -> Text,
        summary -> Text,
        contact_id -> Nullable<Uuid>,
        fields -> Array<Text>,
        occurred_at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        actor_name -> Nullable<Text>,
        merge_id -> Nullable<Uuid>,
        txid -> Nullable<Int8>,
        message -> Nullable<Text>,
        params -> Jsonb,
    }
}

diesel::table! {
    pipelines (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        name -> Text,
        position -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    pipeline_stages (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        pipeline_id -> Uuid,
        name -> Text,
        position -> Int4,
        probability -> Int2,
        kind -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    deals (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        title -> Text,
        contact_id -> Nullable<Uuid>,
        company_id -> Nullable<Uuid>,
        pipeline_id -> Uuid,
        stage_id -> Uuid,
        value_minor -> Int8,
        currency -> Text,
        recurring_months -> Nullable<Int4>,
        probability -> Nullable<Int2>,
        expected_close_date -> Nullable<Date>,
        status -> Text,
        lost_reason -> Nullable<Text>,
        notes -> Nullable<Text>,
        custom_fields -> Jsonb,
        stage_changed_at -> Timestamptz,
        closed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        version -> Int4,
        sort_title -> Text,
        owner_id -> Nullable<Uuid>,
        search_vector -> crate::db::schema::sql_types::Tsvector,
        /// The furthest stage the deal entered in its pipeline (kept by triggers).
        furthest_stage_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    deal_stage_history (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        deal_id -> Uuid,
        from_stage_id -> Nullable<Uuid>,
        to_stage_id -> Nullable<Uuid>,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    payments (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        contact_id -> Nullable<Uuid>,
        deal_id -> Nullable<Uuid>,
        amount_minor -> Int8,
        currency -> Text,
        received_on -> Date,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    products (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        name -> Text,
        sku -> Nullable<Text>,
        category -> Nullable<Text>,
        price_minor -> Int8,
        currency -> Text,
        description -> Nullable<Text>,
        in_stock -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        sort_name -> Text,
        search_vector -> crate::db::schema::sql_types::Tsvector,
    }
}

diesel::table! {
    proposals (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        deal_id -> Nullable<Uuid>,
        number -> Int4,
        title -> Text,
        status -> Text,
        currency -> Text,
        tax_rate_bp -> Int4,
        introduction -> Nullable<Text>,
        terms -> Nullable<Text>,
        valid_until -> Nullable<Date>,
        sent_at -> Nullable<Timestamptz>,
        decided_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    proposal_lines (id) {
        id -> Uuid,
        proposal_id -> Uuid,
        position -> Int4,
        product_id -> Nullable<Uuid>,
        description -> Text,
        quantity_milli -> Int8,
        unit_price_minor -> Int8,
        discount_bp -> Int4,
        workspace_id -> Uuid,
    }
}

diesel::table! {
    calendar_feed_handovers (workspace_id) {
        workspace_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    calendar_feeds (workspace_id, user_id) {
        workspace_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        user_id -> Uuid,
    }
}

diesel::table! {
    custom_field_definitions (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        entity -> Text,
        key -> Text,
        label -> Text,
        field_type -> Text,
        options -> Array<Text>,
        position -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    llm_cache (key) {
        key -> Bytea,
        workspace_id -> Uuid,
        feature -> Text,
        provider -> Text,
        model -> Text,
        prompt_version -> Text,
        request -> Jsonb,
        response -> Nullable<Jsonb>,
        prompt_tokens -> Nullable<Int4>,
        completion_tokens -> Nullable<Int4>,
        latency_ms -> Nullable<Int4>,
        created_at -> Timestamptz,
        pending_until -> Nullable<Timestamptz>,
        hit_count -> Int8,
        last_hit_at -> Nullable<Timestamptz>,
        contact_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    llm_usage (workspace_id) {
        workspace_id -> Uuid,
        misses -> Int8,
        failures -> Int8,
    }
}

diesel::table! {
    ai_conversations (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        contact_id -> Uuid,
        title -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    ai_messages (id) {
        id -> Uuid,
        conversation_id -> Uuid,
        role -> Text,
        content -> Text,
        cached -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(companies -> workspaces (workspace_id));
diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        last_sign_in_at -> Nullable<Timestamptz>,
        version -> Int4,
        locale -> Nullable<Text>,
    }
}

diesel::table! {
    memberships (workspace_id, user_id) {
        workspace_id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        onboarding_dismissed_at -> Nullable<Timestamptz>,
        dashboard_layout -> Nullable<Jsonb>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Uuid,
        token_hash -> Bytea,
        user_id -> Uuid,
        workspace_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        expires_at -> Timestamptz,
        user_agent -> Nullable<Text>,
        client_ip -> Nullable<Text>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        prefix -> Text,
        token_hash -> Bytea,
        scope -> Text,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    invitations (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        email -> Text,
        role -> Text,
        token_hash -> Bytea,
        invited_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        accepted_at -> Nullable<Timestamptz>,
        accepted_by -> Nullable<Uuid>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    jobs (id) {
        id -> Uuid,
        workspace_id -> Nullable<Uuid>,
        kind -> Text,
        payload -> Jsonb,
        status -> Text,
        run_at -> Timestamptz,
        attempts -> Int4,
        max_attempts -> Int4,
        locked_until -> Nullable<Timestamptz>,
        locked_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        progress_done -> Int8,
        progress_total -> Nullable<Int8>,
        result -> Nullable<Jsonb>,
        dedupe_key -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    imports (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        kind -> Text,
        status -> Text,
        file_name -> Text,
        file_bytes -> Int8,
        encoding -> Text,
        delimiter -> Nullable<Text>,
        column_names -> Array<Text>,
        header_key -> Text,
        row_count -> Int4,
        notices -> Array<Text>,
        mapping -> Nullable<Jsonb>,
        policy -> Nullable<Text>,
        counts -> Nullable<Jsonb>,
        result -> Nullable<Jsonb>,
        error -> Nullable<Text>,
        job_id -> Nullable<Uuid>,
        created_by -> Nullable<Uuid>,
        created_by_name -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        committed_at -> Nullable<Timestamptz>,
        rolled_back_at -> Nullable<Timestamptz>,
        planned_stamp -> Nullable<Uuid>,
        file_id -> Nullable<Uuid>,
        unmatched -> Nullable<Jsonb>,
        create_contacts -> Nullable<Array<Text>>,
    }
}

diesel::table! {
    import_rows (import_id, row_no) {
        import_id -> Uuid,
        row_no -> Int4,
        cells -> Array<Text>,
        outcome -> Nullable<Text>,
        reason -> Nullable<Text>,
        error_column -> Nullable<Text>,
        contact_id -> Nullable<Uuid>,
        payload -> Nullable<Jsonb>,
        before -> Nullable<Jsonb>,
        after_version -> Nullable<Int4>,
        rollback -> Nullable<Text>,
        planned_version -> Nullable<Int4>,
        reason_code -> Nullable<Text>,
        reason_params -> Nullable<Jsonb>,
    }
}

diesel::table! {
    import_batches (import_id, first_row) {
        import_id -> Uuid,
        first_row -> Int4,
        last_row -> Int4,
        created -> Int4,
        updated -> Int4,
        written_at -> Timestamptz,
    }
}

diesel::table! {
    import_companies (import_id, company_id) {
        import_id -> Uuid,
        company_id -> Uuid,
    }
}

diesel::table! {
    import_interactions (import_id, interaction_id) {
        import_id -> Uuid,
        interaction_id -> Uuid,
    }
}

diesel::table! {
    import_contacts (import_id, contact_id) {
        import_id -> Uuid,
        contact_id -> Uuid,
        version -> Int4,
    }
}

diesel::table! {
    security_events (id) {
        id -> Uuid,
        workspace_id -> Nullable<Uuid>,
        user_id -> Nullable<Uuid>,
        actor_id -> Nullable<Uuid>,
        kind -> Text,
        email -> Nullable<Text>,
        client_ip -> Nullable<Text>,
        detail -> Text,
        occurred_at -> Timestamptz,
    }
}

diesel::table! {
    sign_in_failures (id) {
        id -> Uuid,
        client_ip -> Text,
        email -> Text,
        occurred_at -> Timestamptz,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    setup_codes (code_hash) {
        code_hash -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    /// A contact's schedule, kept from `contacts` by triggers (migration 2026-12-05-000005):
    /// what the follow-up queue and the schedule sorts read through their indexes.
    contact_schedule (workspace_id, contact_id) {
        workspace_id -> Uuid,
        contact_id -> Uuid,
        next_follow_up_at -> Nullable<Timestamptz>,
        last_interaction_at -> Nullable<Timestamptz>,
        owner_id -> Nullable<Uuid>,
        live -> Bool,
    }
}

diesel::table! {
    /// Contacts due per owner and day; written only by SQL (triggers and the fold), read by SQL.
    follow_up_days (workspace_id, owner_id, day) {
        workspace_id -> Uuid,
        owner_id -> Nullable<Uuid>,
        day -> Date,
        contacts -> Int8,
    }
}

diesel::table! {
    /// Live deals summed per stage, owner, currency, status, expected month, months and furthest
    /// stage; written only by SQL.
    deal_stage_totals (workspace_id, stage_id, owner_id, currency, status, expected_month, months, furthest_stage_id) {
        workspace_id -> Uuid,
        stage_id -> Uuid,
        owner_id -> Nullable<Uuid>,
        currency -> Text,
        status -> Text,
        expected_month -> Nullable<Date>,
        months -> Int4,
        furthest_stage_id -> Nullable<Uuid>,
        deals -> Int8,
        value_minor -> Int8,
        weighted_minor -> Int8,
        weighted_month_minor -> Int8,
    }
}

diesel::table! {
    /// Changes to `deal_stage_totals` not yet folded into it; it has no key of its own.
    deal_stage_total_changes (workspace_id, stage_id, owner_id, currency, status, expected_month, months, furthest_stage_id) {
        workspace_id -> Uuid,
        stage_id -> Uuid,
        owner_id -> Nullable<Uuid>,
        currency -> Text,
        status -> Text,
        expected_month -> Nullable<Date>,
        months -> Int4,
        furthest_stage_id -> Nullable<Uuid>,
        deals -> Int8,
        value_minor -> Int8,
        weighted_minor -> Int8,
        weighted_month_minor -> Int8,
    }
}

diesel::table! {
    /// Open deals per day of their last stage change, won and lost per day closed; written only
    /// by SQL.
    deal_day_totals (workspace_id, owner_id, status, day) {
        workspace_id -> Uuid,
        owner_id -> Nullable<Uuid>,
        status -> Text,
        day -> Date,
        deals -> Int8,
        days_to_win -> Numeric,
    }
}

diesel::table! {
    /// Changes to `deal_day_totals` not yet folded into it; it has no key of its own.
    deal_day_total_changes (workspace_id, owner_id, status, day) {
        workspace_id -> Uuid,
        owner_id -> Nullable<Uuid>,
        status -> Text,
        day -> Date,
        deals -> Int8,
        days_to_win -> Numeric,
    }
}

diesel::table! {
    /// Changes to `follow_up_days` not yet folded into it; it has no key of its own.
    follow_up_day_changes (workspace_id, owner_id, day) {
        workspace_id -> Uuid,
        owner_id -> Nullable<Uuid>,
        day -> Date,
        contacts -> Int8,
    }
}

diesel::table! {
    /// What each payment and won deal contributes to revenue, per day; written only by SQL
    /// triggers. No key of its own.
    revenue_entries (workspace_id, kind, day) {
        workspace_id -> Uuid,
        payment_id -> Nullable<Uuid>,
        deal_id -> Nullable<Uuid>,
        contact_id -> Nullable<Uuid>,
        kind -> Text,
        day -> Date,
        currency -> Text,
        amount_minor -> Int8,
        owner_id -> Nullable<Uuid>,
        source -> Text,
    }
}

diesel::table! {
    /// Revenue per month, owner, source and kind; written only by SQL.
    revenue_month_totals (workspace_id, currency, month, owner_id, source, kind) {
        workspace_id -> Uuid,
        currency -> Text,
        month -> Date,
        owner_id -> Nullable<Uuid>,
        source -> Text,
        kind -> Text,
        amount_minor -> Int8,
        entries -> Int8,
    }
}

diesel::table! {
    /// Changes to `revenue_month_totals` not yet folded into it; it has no key of its own.
    revenue_month_changes (workspace_id, currency, month, owner_id, source, kind) {
        workspace_id -> Uuid,
        currency -> Text,
        month -> Date,
        owner_id -> Nullable<Uuid>,
        source -> Text,
        kind -> Text,
        amount_minor -> Int8,
        entries -> Int8,
    }
}

diesel::joinable!(contacts -> companies (company_id));
diesel::joinable!(contacts -> workspaces (workspace_id));

diesel::joinable!(idempotency_keys -> workspaces (workspace_id));

diesel::joinable!(interactions -> contacts (contact_id));
diesel::joinable!(interactions -> workspaces (workspace_id));

diesel::joinable!(reminders -> contacts (contact_id));
diesel::joinable!(reminders -> workspaces (workspace_id));
diesel::joinable!(email_templates -> workspaces (workspace_id));
diesel::joinable!(activity -> workspaces (workspace_id));
diesel::joinable!(pipeline_stages -> pipelines (pipeline_id));
diesel::joinable!(deals -> pipelines (pipeline_id));
diesel::joinable!(deals -> pipeline_stages (stage_id));
diesel::joinable!(deals -> contacts (contact_id));
diesel::joinable!(deals -> companies (company_id));
diesel::joinable!(deal_stage_history -> deals (deal_id));
diesel::joinable!(payments -> contacts (contact_id));
diesel::joinable!(payments -> deals (deal_id));
diesel::joinable!(proposals -> deals (deal_id));
diesel::joinable!(proposal_lines -> proposals (proposal_id));
diesel::joinable!(proposal_lines -> products (product_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> workspaces (workspace_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(invitations -> workspaces (workspace_id));
diesel::joinable!(ai_messages -> ai_conversations (conversation_id));
diesel::joinable!(ai_conversations -> contacts (contact_id));
diesel::table! {
    import_mappings (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        name -> Text,
        mapping -> Jsonb,
        policy -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    stored_files (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        name -> Text,
        content_type -> Text,
        bytes -> Int8,
        created_at -> Timestamptz,
        expires_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    stored_file_chunks (file_id, seq) {
        file_id -> Uuid,
        seq -> Int4,
        data -> Bytea,
    }
}

diesel::table! {
    exports (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        status -> Text,
        job_id -> Nullable<Uuid>,
        file_id -> Nullable<Uuid>,
        file_name -> Nullable<Text>,
        bytes -> Nullable<Int8>,
        counts -> Nullable<Jsonb>,
        error -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        created_by_name -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        expires_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    duplicate_dismissals (workspace_id, entity, first_id, second_id) {
        workspace_id -> Uuid,
        entity -> Text,
        first_id -> Uuid,
        second_id -> Uuid,
        dismissed_by -> Nullable<Uuid>,
        dismissed_at -> Timestamptz,
    }
}

diesel::joinable!(import_batches -> imports (import_id));
diesel::joinable!(import_companies -> imports (import_id));
diesel::joinable!(import_rows -> imports (import_id));
diesel::joinable!(imports -> workspaces (workspace_id));

diesel::table! {
    retention_policies (name) {
        name -> Text,
        since -> Timestamptz,
    }
}

diesel::table! {
    merges (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        kind -> Text,
        survivor_id -> Uuid,
        merged_id -> Uuid,
        survivor_before -> Jsonb,
        survivor_after -> Jsonb,
        merged_deleted_at -> Nullable<Timestamptz>,
        moved -> Jsonb,
        created_at -> Timestamptz,
        created_by -> Nullable<Uuid>,
        undone_at -> Nullable<Timestamptz>,
        undone_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    bulk_batches (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        kind -> Text,
        action -> Jsonb,
        summary -> Text,
        records -> Int4,
        created_at -> Timestamptz,
        created_by -> Nullable<Uuid>,
        undone_at -> Nullable<Timestamptz>,
        message -> Nullable<Text>,
        params -> Jsonb,
    }
}

diesel::table! {
    bulk_items (batch_id, record_id) {
        batch_id -> Uuid,
        record_id -> Uuid,
        before -> Jsonb,
        version_after -> Int4,
    }
}

diesel::table! {
    /// The distinct words of a workspace's names (contacts, companies, deal titles), kept by
    /// triggers; typos in search are corrected against it.
    search_words (workspace_id, word) {
        workspace_id -> Uuid,
        word -> Text,
    }
}

diesel::table! {
    saved_views (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        kind -> Text,
        name -> Text,
        query -> Text,
        display_columns -> Array<Text>,
        shared -> Bool,
        owner_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    outbox_cursors (name) {
        name -> Text,
        txid -> Int8,
        last_id -> Uuid,
    }
}

diesel::table! {
    digest_subscriptions (workspace_id, user_id) {
        workspace_id -> Uuid,
        user_id -> Uuid,
        hour -> Int2,
        time_zone -> Text,
        last_sent_on -> Nullable<Date>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    mail_settings (workspace_id) {
        workspace_id -> Uuid,
        host -> Text,
        port -> Int4,
        security -> Text,
        username -> Nullable<Text>,
        password -> Nullable<Bytea>,
        from_address -> Text,
        from_name -> Nullable<Text>,
        reply_to -> Nullable<Text>,
        daily_limit -> Int4,
        updated_by -> Nullable<Uuid>,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        url -> Text,
        description -> Text,
        events -> Array<Text>,
        secret -> Bytea,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        disabled_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        webhook_id -> Uuid,
        event_id -> Uuid,
        event_type -> Text,
        entity_id -> Nullable<Uuid>,
        event_txid -> Int8,
        payload -> Jsonb,
        status -> Text,
        attempts -> Int4,
        response_status -> Nullable<Int4>,
        response_excerpt -> Nullable<Text>,
        error -> Nullable<Text>,
        duration_ms -> Nullable<Int4>,
        last_attempt_at -> Nullable<Timestamptz>,
        next_attempt_at -> Nullable<Timestamptz>,
        give_up_at -> Timestamptz,
        created_at -> Timestamptz,
        delivered_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    forms (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        name -> Text,
        enabled -> Bool,
        fields -> Jsonb,
        tags -> Array<Text>,
        owner_id -> Nullable<Uuid>,
        pipeline_id -> Nullable<Uuid>,
        stage_id -> Nullable<Uuid>,
        deal_title -> Nullable<Text>,
        submit_label -> Text,
        thank_you_message -> Text,
        redirect_url -> Nullable<Text>,
        allowed_origins -> Array<Text>,
        min_fill_seconds -> Int4,
        proof_of_work -> Bool,
        token_key -> Bytea,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    form_submissions (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        form_id -> Uuid,
        outcome -> Text,
        spam_reason -> Nullable<Text>,
        contact_id -> Nullable<Uuid>,
        deal_id -> Nullable<Uuid>,
        interaction_id -> Nullable<Uuid>,
        data -> Jsonb,
        filled_fields -> Array<Text>,
        address -> Text,
        origin -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sequences (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        name -> Text,
        steps -> Jsonb,
        window_start -> Int2,
        window_end -> Int2,
        weekdays_only -> Bool,
        enabled -> Bool,
        token_key -> Bytea,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    sequence_enrollments (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        sequence_id -> Uuid,
        contact_id -> Uuid,
        status -> Text,
        next_step -> Int4,
        next_send_at -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        enrolled_by -> Nullable<Uuid>,
        enrolled_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    mail_unsubscribes (contact_id) {
        contact_id -> Uuid,
        workspace_id -> Uuid,
        sequence_id -> Nullable<Uuid>,
        unsubscribed_at -> Timestamptz,
    }
}

diesel::table! {
    sequence_sends (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        enrollment_id -> Uuid,
        step -> Int4,
        variant -> Text,
        interaction_id -> Nullable<Uuid>,
        sent_at -> Timestamptz,
    }
}

diesel::joinable!(sequence_enrollments -> sequences (sequence_id));
diesel::joinable!(sequence_enrollments -> contacts (contact_id));
diesel::joinable!(sequence_sends -> sequence_enrollments (enrollment_id));
diesel::joinable!(form_submissions -> forms (form_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));

diesel::table! {
    demo_records (workspace_id, entity, entity_id) {
        workspace_id -> Uuid,
        entity -> Text,
        entity_id -> Uuid,
    }
}
diesel::joinable!(demo_records -> workspaces (workspace_id));

diesel::allow_tables_to_appear_in_same_query!(
    contact_schedule,
    demo_records,
    sequences,
    sequence_enrollments,
    sequence_sends,
    mail_unsubscribes,
    forms,
    form_submissions,
    digest_subscriptions,
    mail_settings,
    workspaces,
    companies,
    contacts,
    idempotency_keys,
    interactions,
    reminders,
    email_templates,
    activity,
    pipelines,
    pipeline_stages,
    deals,
    deal_stage_history,
    payments,
    products,
    proposals,
    proposal_lines,
    users,
    memberships,
    sessions,
    api_tokens,
    invitations,
    security_events,
    sign_in_failures,
    setup_codes,
    password_resets,
    calendar_feeds,
    custom_field_definitions,
    llm_cache,
    llm_usage,
    ai_conversations,
    ai_messages,
    jobs,
    imports,
    import_rows,
    import_batches,
    import_companies,
    import_interactions,
    import_contacts,
    import_mappings,
    stored_files,
    stored_file_chunks,
    merges,
    bulk_batches,
    bulk_items,
    outbox_cursors,
    webhooks,
    webhook_deliveries,
    saved_views,
    search_words,
    exports,
    duplicate_dismissals
);
