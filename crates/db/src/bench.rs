//! The search of the previous platform, for the benchmark only: a case-insensitive
//! `ILIKE '%term%'` on titles in PostgreSQL plus counts, on a table of its own.

use crate::{Db, Result};
use sea_orm::{ConnectionTrait, Statement, Value};

/// One synthetic offer row.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: i64,
    pub title: String,
    pub region: String,
    pub category: String,
    pub contract: String,
    pub salary: i32,
    pub published: i64,
}

pub async fn create(db: &Db, rows: &[Row]) -> Result<()> {
    let c = db.conn();
    c.execute_unprepared("DROP TABLE IF EXISTS bench_offers").await?;
    c.execute_unprepared(
        "CREATE TABLE bench_offers (id BIGINT PRIMARY KEY, title TEXT NOT NULL, region TEXT NOT NULL, \
         category TEXT NOT NULL, contract TEXT NOT NULL, salary INTEGER NOT NULL, published BIGINT NOT NULL)",
    )
    .await?;
    for chunk in rows.chunks(1000) {
        let mut sql = String::from("INSERT INTO bench_offers VALUES ");
        let mut values = Vec::with_capacity(chunk.len() * 7);
        for (i, r) in chunk.iter().enumerate() {
            let b = i * 7;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("(${},${},${},${},${},${},${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7));
            values.extend([
                Value::from(r.id),
                Value::from(r.title.clone()),
                Value::from(r.region.clone()),
                Value::from(r.category.clone()),
                Value::from(r.contract.clone()),
                Value::from(r.salary),
                Value::from(r.published),
            ]);
        }
        c.execute_raw(Statement::from_sql_and_values(db.backend(), sql, values)).await?;
    }
    c.execute_unprepared("ANALYZE bench_offers").await?;
    Ok(())
}

/// Runs one statement and reads all its rows (what a page would do).
pub async fn query(db: &Db, sql: &str) -> Result<usize> {
    Ok(db.conn().query_all_raw(Statement::from_string(db.backend(), sql.to_string())).await?.len())
}

pub async fn drop(db: &Db) -> Result<()> {
    db.conn().execute_unprepared("DROP TABLE IF EXISTS bench_offers").await?;
    Ok(())
}
