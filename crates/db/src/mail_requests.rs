//! Throttling of the e-mails public forms make, in the database so that the limits hold
//! across instances.

use crate::Result;
use crate::entity::mail_request;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// How many e-mails public forms may make, and over which window.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_address: u64,
    pub per_ip: u64,
    pub window: chrono::Duration,
}

/// Records one e-mail asked for `address_key` from `ip`, and whether it may be sent: `false`
/// past either limit (the request is then withdrawn, so being refused does not prolong the
/// wait). Written first and counted after, outside the caller's transaction, so that a burst
/// of parallel requests cannot all pass a count read before any of them was written.
pub async fn admit(
    conn: &impl ConnectionTrait,
    kind: &str,
    address_key: &str,
    ip: &str,
    limits: Limits,
    now: DateTime<Utc>,
) -> Result<bool> {
    let row = mail_request::ActiveModel {
        kind: Set(kind.chars().take(32).collect()),
        address_key: Set(address_key.chars().take(255).collect()),
        ip: Set(ip.chars().take(64).collect()),
        at: Set(now),
        ..Default::default()
    };
    let id = mail_request::Entity::insert(row).exec(conn).await?.last_insert_id;
    let since = now - limits.window;
    let recent = || mail_request::Entity::find().filter(mail_request::Column::At.gt(since));
    let by_address = recent().filter(mail_request::Column::AddressKey.eq(address_key)).count(conn).await?;
    let by_ip = recent().filter(mail_request::Column::Ip.eq(ip)).count(conn).await?;
    if by_address > limits.per_address || by_ip > limits.per_ip {
        mail_request::Entity::delete_by_id(id).exec(conn).await?;
        return Ok(false);
    }
    Ok(true)
}

/// Forgets requests older than `before` (the nightly purge: an address is personal data).
pub async fn purge(conn: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64> {
    Ok(mail_request::Entity::delete_many().filter(mail_request::Column::At.lt(before)).exec(conn).await?.rows_affected)
}
