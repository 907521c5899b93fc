//! Accounts: sign-up, address verification, passwords, one-time sign-in links, deletion.
//!
//! Passwords arrive here already checked and hashed (the handler shows a weak one next to
//! its field); tokens are drawn here and only their hashes stored.

use super::Tx;
use crate::AppState;
use crate::auth;
use crate::error::AppResult;
use chrono::Duration;
use db::accounts::TokenPurpose;
use db::entity::user;
use domain::audit::AuditAction;
use domain::email::Email;
use domain::role::Role;

/// A candidate's sign-up. An address that has an account gets an e-mail saying so instead
/// (the page answers the same either way: it says nothing of who has an account).
pub async fn sign_up(state: &AppState, email: &Email, password_hash: &str) -> AppResult<()> {
    let tx = Tx::begin(state).await?;
    match db::accounts::create_candidate(tx.conn(), email, password_hash, tx.now()).await {
        Ok(user) => {
            let token = auth::random_token()?;
            db::accounts::insert_token(
                tx.conn(),
                user.id,
                TokenPurpose::VerifyEmail,
                &token,
                Duration::hours(48),
                tx.now(),
            )
            .await?;
            let url = state.url(&format!("/verification-email/{token}"));
            tx.mail(mail::messages::verify_email(email.as_str(), &url)).await?;
        }
        Err(db::DbError::Conflict(_)) => {
            let msg = mail::messages::signup_existing(
                email.as_str(),
                &state.url("/connexion"),
                &state.url("/mot-de-passe-oublie"),
            );
            tx.mail(msg).await?;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await
}

/// Follows a verification link: the account whose address it confirmed, if still valid.
pub async fn verify_email(state: &AppState, token: &str) -> AppResult<Option<user::Model>> {
    let tx = Tx::begin(state).await?;
    let user = db::accounts::consume_token(tx.conn(), TokenPurpose::VerifyEmail, token, tx.now()).await?;
    if let Some(u) = &user {
        db::accounts::mark_verified(tx.conn(), u.id, tx.now()).await?;
    }
    tx.commit().await?;
    Ok(user)
}

/// A new verification link for an account whose address is not confirmed yet.
pub async fn resend_verification(state: &AppState, user: &user::Model) -> AppResult<()> {
    let token = auth::random_token()?;
    let tx = Tx::begin(state).await?;
    db::accounts::insert_token(tx.conn(), user.id, TokenPurpose::VerifyEmail, &token, Duration::hours(48), tx.now())
        .await?;
    let url = state.url(&format!("/verification-email/{token}"));
    tx.mail(mail::messages::verify_email(&user.email, &url)).await?;
    tx.commit().await
}

/// Sets a signed-in account's new password; every other session and link of the account ends.
pub async fn change_password(state: &AppState, user_id: i64, password_hash: &str) -> AppResult<()> {
    let tx = Tx::begin(state).await?;
    db::accounts::set_password(tx.conn(), user_id, password_hash, tx.now()).await?;
    db::accounts::sessions_delete_for_user(tx.conn(), user_id).await?;
    db::accounts::revoke_tokens(tx.conn(), user_id, tx.now()).await?;
    tx.commit().await
}

/// "Mot de passe oublié": a reset link for an active account, a note that there is none for
/// an unknown address, nothing for a deactivated one. Both paths do the same work (a token
/// drawn, one e-mail queued), so the answer takes as long whether the address has an account.
pub async fn forgot_password(state: &AppState, email: &Email) -> AppResult<()> {
    let user = db::users::by_email(state.db.conn(), email).await?;
    let token = auth::random_token()?;
    let tx = Tx::begin(state).await?;
    match user {
        Some(user) if user.active => {
            db::accounts::insert_token(
                tx.conn(),
                user.id,
                TokenPurpose::ResetPassword,
                &token,
                Duration::hours(1),
                tx.now(),
            )
            .await?;
            let url = state.url(&format!("/mot-de-passe/{token}"));
            tx.mail(mail::messages::password_reset(email.as_str(), &url)).await?;
        }
        Some(_) => {}
        None => {
            let msg = mail::messages::password_reset_no_account(email.as_str(), &state.url("/inscription"));
            tx.mail(msg).await?;
        }
    }
    tx.commit().await
}

/// What a reset link did.
#[derive(Debug)]
pub enum Reset {
    Done,
    /// Used, expired or unknown.
    Expired,
    /// The new password breaks a rule; the link stays usable for the next try.
    Weak(&'static str),
}

/// Follows a reset link with the new password: sets it, confirms the address (the link came
/// to its mailbox), ends every session and every other link asked for before.
pub async fn reset_password(state: &AppState, token: &str, password: String) -> AppResult<Reset> {
    let tx = Tx::begin(state).await?;
    let Some(user) = db::accounts::consume_token(tx.conn(), TokenPurpose::ResetPassword, token, tx.now()).await? else {
        return Ok(Reset::Expired);
    };
    if let Err(msg) = domain::candidate::check_password(&password, &user.email) {
        // Dropped without commit: rolled back, the token is not consumed.
        return Ok(Reset::Weak(msg));
    }
    let hash = auth::hash_password(password).await?;
    db::accounts::set_password(tx.conn(), user.id, &hash, tx.now()).await?;
    db::accounts::mark_verified(tx.conn(), user.id, tx.now()).await?;
    db::accounts::sessions_delete_for_user(tx.conn(), user.id).await?;
    db::accounts::revoke_tokens(tx.conn(), user.id, tx.now()).await?;
    tx.commit().await?;
    Ok(Reset::Done)
}

/// Follows a one-time sign-in link: the active account it opens, its address confirmed.
pub async fn use_sign_in_link(state: &AppState, token: &str) -> AppResult<Option<user::Model>> {
    let tx = Tx::begin(state).await?;
    let user =
        db::accounts::consume_token(tx.conn(), TokenPurpose::SignIn, token, tx.now()).await?.filter(|u| u.active);
    let Some(user) = user else { return Ok(None) };
    db::accounts::mark_verified(tx.conn(), user.id, tx.now()).await?;
    db::accounts::touch_login(tx.conn(), user.id, tx.now()).await?;
    tx.commit().await?;
    Ok(Some(user))
}

/// Deletes a candidate's account (profile, files, favourites, alerts; applications become
/// anonymous) and confirms it by e-mail; the stored files go after the commit.
pub async fn delete_account(state: &AppState, user: &user::Model) -> AppResult<()> {
    let tx = Tx::begin(state).await?;
    // The forum first: the seats this person held go to the waiting lists, who are told.
    let promoted = db::forum::erase_user(tx.conn(), user.id, &user.email, tx.now()).await?;
    super::forum::tell_promoted(&tx, &promoted).await?;
    // « Vis mon job »: the other side of a duo still to come is freed and told.
    let ended = db::immersion::erase_user(tx.conn(), user.id, tx.now()).await?;
    super::immersion::tell_erased(&tx, &ended, user.id).await?;
    let files = db::personal_data::delete_account(tx.conn(), user.id, tx.now()).await?;
    tx.mail(mail::messages::account_deleted(&user.email)).await?;
    tx.commit().await?;
    for f in files {
        // The rows are gone; a failure here leaves bytes nobody can reach, logged for cleanup.
        if let Err(e) = state.files.delete(&f.storage_key).await {
            tracing::error!(error = %e, key = %f.storage_key, "file of a deleted account not removed");
        }
    }
    Ok(())
}

/// An administrator activates or deactivates an account (a deactivated one's sessions end).
pub async fn set_active(state: &AppState, admin: &user::Model, id: i64, on: bool) -> AppResult<()> {
    let tx = Tx::by(state, admin).await?;
    let before = db::accounts::by_id(tx.conn(), id).await?.ok_or(crate::error::AppError::NotFound)?;
    db::backoffice::set_active(tx.conn(), id, on, tx.now()).await?;
    let target = format!("compte {} ({})", id, before.email);
    tx.audit(AuditAction::AccountActivation, target, Some(before.active.to_string()), Some(on.to_string())).await?;
    tx.commit().await
}

/// An administrator gives an account another role.
pub async fn set_role(state: &AppState, admin: &user::Model, id: i64, role: Role) -> AppResult<()> {
    let tx = Tx::by(state, admin).await?;
    let before = db::accounts::by_id(tx.conn(), id).await?.ok_or(crate::error::AppError::NotFound)?;
    db::backoffice::set_role_by_id(tx.conn(), id, role, tx.now()).await?;
    let target = format!("compte {} ({})", id, before.email);
    tx.audit(AuditAction::AccountRole, target, Some(before.role.clone()), Some(role.code().to_string())).await?;
    tx.commit().await
}

/// What became of a recruiter's attachment.
#[derive(Debug)]
pub enum Attachment {
    /// Only recruiters belong to an employer.
    NotRecruiter,
    NoSuchEmployer,
    /// Saved; `moved` when the employer changed (its former services dropped).
    Saved {
        employer: String,
        moved: bool,
    },
}

/// Attaches a recruiter to an employer and some of its services. Services only make sense
/// with the employer they were chosen with: on a change of employer they are dropped.
pub async fn attach(
    state: &AppState,
    admin: &user::Model,
    id: i64,
    institution_id: i64,
    services: &[i64],
) -> AppResult<Attachment> {
    let tx = Tx::by(state, admin).await?;
    let before = db::accounts::by_id(tx.conn(), id).await?.ok_or(crate::error::AppError::NotFound)?;
    if before.role != Role::Recruiter.code() {
        return Ok(Attachment::NotRecruiter);
    }
    let inst = match db::institutions::by_id(tx.conn(), institution_id).await {
        Ok(i) => i,
        Err(db::DbError::NotFound) => return Ok(Attachment::NoSuchEmployer),
        Err(e) => return Err(e.into()),
    };
    let moved = before.institution_id != Some(inst.id);
    let requested = if moved { &[][..] } else { services };
    let kept = db::backoffice::set_attachment(tx.conn(), id, inst.id, requested, tx.now()).await?;
    let names: Vec<String> = db::institutions::services(tx.conn(), inst.id)
        .await?
        .into_iter()
        .filter(|s| kept.contains(&s.id))
        .map(|s| s.name)
        .collect();
    let services = if names.is_empty() { "aucun service".to_string() } else { names.join(", ") };
    let after = format!("employeur {} « {} », services : {services}", inst.id, inst.name);
    let target = format!("compte {} ({})", id, before.email);
    tx.audit(
        AuditAction::AccountAttachment,
        target,
        before.institution_id.map(|i| format!("employeur {i}")),
        Some(after),
    )
    .await?;
    tx.commit().await?;
    Ok(Attachment::Saved { employer: inst.name, moved })
}
