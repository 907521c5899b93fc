//! Reports of past imports, kept for administrators.

use crate::Result;
use crate::entity::import_run;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, QueryOrder, QuerySelect};

#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    pub source: &'a str,
    pub format: &'a str,
    pub file_name: &'a str,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub read: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub archived: u64,
    pub rejected: u64,
    /// JSON array of `{line, reason}`.
    pub report: String,
}

fn i(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub async fn record(conn: &impl ConnectionTrait, run: NewRun<'_>) -> Result<i64> {
    let model = import_run::ActiveModel {
        source: Set(run.source.to_string()),
        format: Set(run.format.to_string()),
        file_name: Set(run.file_name.to_string()),
        started_at: Set(run.started_at),
        finished_at: Set(Some(run.finished_at)),
        read_rows: Set(i(run.read)),
        created: Set(i(run.created)),
        updated: Set(i(run.updated)),
        unchanged: Set(i(run.unchanged)),
        archived: Set(i(run.archived)),
        rejected: Set(i(run.rejected)),
        report: Set(run.report),
        ..Default::default()
    };
    Ok(import_run::Entity::insert(model).exec(conn).await?.last_insert_id)
}

pub async fn latest(conn: &impl ConnectionTrait, limit: u64) -> Result<Vec<import_run::Model>> {
    Ok(import_run::Entity::find().order_by_desc(import_run::Column::Id).limit(limit).all(conn).await?)
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<import_run::Model>> {
    Ok(import_run::Entity::find_by_id(id).one(conn).await?)
}
