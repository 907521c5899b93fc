//! User accounts. Authentication itself comes with the accounts issue; this module holds what
//! the command line needs to manage accounts.

use crate::entity::user;
use crate::{DbError, Result};
use chrono::{DateTime, Utc};
use domain::email::Email;
use domain::role::Role;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// Creates an account without a password (its owner sets one through a sign-in link).
pub async fn create(
    conn: &impl ConnectionTrait,
    email: &Email,
    role: Role,
    institution_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<user::Model> {
    create_with_password(conn, email, None, role, institution_id, now).await
}

/// Creates an account; `Conflict` when the address is taken.
pub async fn create_with_password(
    conn: &impl ConnectionTrait,
    email: &Email,
    password_hash: Option<&str>,
    role: Role,
    institution_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<user::Model> {
    if by_email(conn, email).await?.is_some() {
        return Err(DbError::Conflict(crate::Conflict::EmailTaken { email: email.to_string() }));
    }
    let model = user::ActiveModel {
        email: Set(email.as_str().to_string()),
        password_hash: Set(password_hash.map(str::to_string)),
        role: Set(role.code().to_string()),
        display_name: Set(None),
        institution_id: Set(institution_id),
        email_verified_at: Set(None),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        last_login_at: Set(None),
        ..Default::default()
    };
    // A concurrent sign-up with the same address is caught by the unique index without an SQL
    // error: on PostgreSQL an error would abort the caller's transaction, and the caller still
    // has an e-mail to queue in it.
    // (`exec_with_returning` would turn "nothing inserted" into an error of its own.)
    let inserted = user::Entity::insert(model)
        .on_conflict_do_nothing_on([user::Column::Email])
        .exec_without_returning(conn)
        .await?;
    match inserted {
        sea_orm::TryInsertResult::Inserted(1) => by_email(conn, email).await?.ok_or(DbError::NotFound),
        _ => Err(DbError::Conflict(crate::Conflict::EmailTaken { email: email.to_string() })),
    }
}

pub async fn by_email(conn: &impl ConnectionTrait, email: &Email) -> Result<Option<user::Model>> {
    Ok(user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(conn).await?)
}

pub async fn set_role(
    conn: &impl ConnectionTrait,
    email: &Email,
    role: Role,
    now: DateTime<Utc>,
) -> Result<user::Model> {
    let found = by_email(conn, email).await?.ok_or(DbError::NotFound)?;
    let mut model: user::ActiveModel = found.into();
    model.role = Set(role.code().to_string());
    model.updated_at = Set(now);
    Ok(user::Entity::update(model).exec(conn).await?)
}

pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<user::Model>> {
    Ok(user::Entity::find().order_by_asc(user::Column::Email).all(conn).await?)
}

/// The active administrators (told of access requests).
pub async fn administrators(conn: &impl ConnectionTrait) -> Result<Vec<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Role.eq(Role::Administrator.code()))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::Email)
        .all(conn)
        .await?)
}

pub async fn by_proconnect_sub(conn: &impl ConnectionTrait, sub: &str) -> Result<Option<user::Model>> {
    Ok(user::Entity::find().filter(user::Column::ProconnectSub.eq(sub)).one(conn).await?)
}

/// Remembers the agent's ProConnect id on their account, so a later change of address at
/// ProConnect still finds the account.
pub async fn link_proconnect(conn: &impl ConnectionTrait, user_id: i64, sub: &str, now: DateTime<Utc>) -> Result<()> {
    use sea_orm::sea_query::Expr;
    user::Entity::update_many()
        .col_expr(user::Column::ProconnectSub, Expr::value(sub))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}
