//! What the pipelines API speaks.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::dto::{non_null, validate_not_blank};
use crate::text_enum;

text_enum!(
    /// What reaching a stage means: the deal is still open, won, or lost.
    StageKind {
        Open => "open",
        Won => "won",
        Lost => "lost",
    }
);

/// One column of a pipeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Stage {
    pub id: Uuid,
    pub pipeline_id: Uuid,
    #[schema(example = "Qualified")]
    pub name: String,
    /// 0 for the first stage.
    pub position: i32,
    /// The win probability of a deal in this stage, unless the deal sets its own.
    #[schema(example = 30)]
    pub probability: i16,
    pub kind: StageKind,
}

/// A sales process: ordered stages that deals move through.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Pipeline {
    pub id: Uuid,
    #[schema(example = "Sales")]
    pub name: String,
    /// Order among the workspace's pipelines; the first is the default for new deals.
    pub position: i32,
    pub stages: Vec<Stage>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(example = 1)]
    pub version: i32,
}

/// Every pipeline of the workspace, in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct PipelineList {
    pub items: Vec<Pipeline>,
}

/// A stage to create.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Negotiation", "probability": 80, "kind": "open"}))]
pub struct NewStage {
    #[validate(length(min = 1, max = 80), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 80, pattern = "\\S")]
    pub name: String,
    /// Default 10 for open stages, 100 for won, 0 for lost.
    #[serde(default)]
    #[validate(range(min = 0, max = 100))]
    #[schema(minimum = 0, maximum = 100)]
    pub probability: Option<i16>,
    #[serde(default)]
    pub kind: Option<StageKind>,
    /// Where to insert it (0 = first); by default after the last open stage.
    #[serde(default)]
    #[validate(range(min = 0, max = 1000))]
    #[schema(minimum = 0, maximum = 1000)]
    pub position: Option<i32>,
}

/// A new pipeline; without stages it starts with "New", "Won" and "Lost".
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Partnerships", "stages": [
    {"name": "Contacted", "probability": 10},
    {"name": "Pitched", "probability": 40},
    {"name": "Signed", "probability": 100, "kind": "won"},
    {"name": "Passed", "probability": 0, "kind": "lost"}
]}))]
pub struct CreatePipeline {
    #[validate(length(min = 1, max = 80), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 80, pattern = "\\S")]
    pub name: String,
    #[serde(default)]
    #[validate(length(min = 1, max = 30), nested)]
    #[schema(min_items = 1, max_items = 30)]
    pub stages: Option<Vec<NewStage>>,
}

/// Rename or move a pipeline.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Consulting sales", "version": 1}))]
pub struct UpdatePipeline {
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 80), custom(function = "validate_not_blank"))]
    #[schema(nullable = false, min_length = 1, max_length = 80, pattern = "\\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(range(min = 0, max = 1000))]
    #[schema(nullable = false, minimum = 0, maximum = 1000)]
    pub position: Option<i32>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub version: Option<i32>,
}

/// Change a stage's name, default probability or kind.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Proposal sent", "probability": 65}))]
pub struct UpdateStage {
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 80), custom(function = "validate_not_blank"))]
    #[schema(nullable = false, min_length = 1, max_length = 80, pattern = "\\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(range(min = 0, max = 100))]
    #[schema(nullable = false, minimum = 0, maximum = 100)]
    pub probability: Option<i16>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub kind: Option<StageKind>,
}

/// The pipeline's stages in their new order: every stage, once.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"stage_ids": [
    "01936000-0000-7000-8000-000000000211", "01936000-0000-7000-8000-000000000213",
    "01936000-0000-7000-8000-000000000212", "01936000-0000-7000-8000-000000000214",
    "01936000-0000-7000-8000-000000000215"]}))]
pub struct ReorderStages {
    #[validate(length(min = 1, max = 30))]
    #[schema(min_items = 1, max_items = 30)]
    pub stage_ids: Vec<Uuid>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteStageParams {
    /// Another stage of the same pipeline to move the stage's deals to first.
    #[param(value_type = Option<Uuid>)]
    pub move_to: Option<String>,
}

impl crate::http::idempotency::Resource for Pipeline {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
}
