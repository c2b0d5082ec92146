// @generated-style table definitions, kept in step with migrations/ by hand and checked by the
// migration tests (a query through every column of every table runs against a migrated database).

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
        search_text -> Text,
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
    }
}

diesel::joinable!(companies -> workspaces (workspace_id));
diesel::joinable!(contacts -> companies (company_id));
diesel::joinable!(contacts -> workspaces (workspace_id));

diesel::joinable!(idempotency_keys -> workspaces (workspace_id));

diesel::joinable!(interactions -> contacts (contact_id));
diesel::joinable!(interactions -> workspaces (workspace_id));

diesel::joinable!(reminders -> contacts (contact_id));
diesel::joinable!(reminders -> workspaces (workspace_id));
diesel::joinable!(email_templates -> workspaces (workspace_id));
diesel::joinable!(activity -> workspaces (workspace_id));

diesel::allow_tables_to_appear_in_same_query!(
    workspaces,
    companies,
    contacts,
    idempotency_keys,
    interactions,
    reminders,
    email_templates,
    activity
);
