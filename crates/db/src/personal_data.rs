//! The right of access (export everything about a person) and the right to erasure (delete an
//! account, anonymising what recruiters keep).

use crate::entity::{file, institution};
use crate::{DbError, Result, accounts, alerts, applications, favourites, profiles};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

/// Everything stored about a user, as JSON (the CV's bytes are added by the caller, which
/// holds the file store).
pub async fn export(conn: &impl ConnectionTrait, user_id: i64) -> Result<Value> {
    let user = accounts::by_id(conn, user_id).await?.ok_or(DbError::NotFound)?;
    let profile = profiles::get(conn, user_id).await?;
    let hidden_names: Vec<String> = match &profile {
        Some(p) if !p.hidden_institutions.is_empty() => institution::Entity::find()
            .filter(institution::Column::Id.is_in(p.hidden_institutions.clone()))
            .all(conn)
            .await?
            .into_iter()
            .map(|i| i.name)
            .collect(),
        _ => Vec::new(),
    };
    let apps = applications::list_for_user(conn, user_id).await?;
    let favs = favourites::list(conn, user_id).await?;
    let fav_offers = crate::listing::views_by_ids(conn, &favs.iter().map(|f| f.offer_id).collect::<Vec<_>>()).await?;
    let alerts = alerts::list_for_user(conn, user_id).await?;
    let newsletter = alerts::newsletter_by_email(conn, &user.email).await?;
    let files = profiles::files_of(conn, user_id).await?;
    let forum = crate::forum::export_of(conn, user_id, &user.email).await?;
    let immersion = crate::immersion::export_of(conn, user_id).await?;
    Ok(json!({
        "compte": {
            "email": user.email,
            "role": user.role,
            "cree_le": user.created_at,
            "email_verifie_le": user.email_verified_at,
            "derniere_connexion": user.last_login_at,
        },
        "profil": profile.as_ref().map(|p| json!({
            "prenom": p.profile.first_name,
            "nom": p.profile.last_name,
            "telephone": p.profile.phone,
            "poste_actuel": p.profile.current_position,
            "annees_experience": p.profile.years_experience,
            "teletravail": p.profile.remote,
            "linkedin": p.profile.linkedin_url,
            "github": p.profile.github_url,
            "portfolio": p.profile.portfolio_url,
            "langues": p.profile.languages,
            "vivier_de_talents": p.profile.talent_pool,
            "choix": p.choices.iter().map(|c| json!({"type": c.kind, "code": c.code})).collect::<Vec<_>>(),
            "masque_pour": hidden_names,
            "mis_a_jour_le": p.profile.updated_at,
        })),
        "fichiers": files.iter().map(|f| json!({"id": f.id, "nom": f.file_name, "taille": f.size, "depose_le": f.created_at})).collect::<Vec<_>>(),
        "candidatures": apps.iter().map(|a| json!({
            "id": a.application.id,
            "offre": a.offer.as_ref().map(|o| json!({"titre": o.title, "slug": o.slug})),
            "employeur": a.institution.as_ref().map(|i| i.name.clone()),
            "etape": a.application.stage,
            "motif_refus": a.application.refusal_reason,
            "lettre": a.application.cover_letter,
            "liens": a.application.links,
            "cv_fichier_id": a.application.cv_file_id,
            "envoyee_le": a.application.created_at,
            "historique": a.events.iter().map(|e| json!({"etape": e.stage, "motif": e.reason, "le": e.created_at})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "favoris": fav_offers.iter().map(|v| json!({"titre": v.offer.title, "slug": v.offer.slug})).collect::<Vec<_>>(),
        "alertes": alerts.iter().map(|a| json!({
            "nom": a.label, "recherche": a.query, "frequence": a.frequency,
            "creee_le": a.created_at, "confirmee_le": a.confirmed_at, "desinscrite_le": a.unsubscribed_at,
        })).collect::<Vec<_>>(),
        "lettre_information": newsletter.map(|n| json!({"inscrit_le": n.created_at, "confirme_le": n.confirmed_at, "desinscrit_le": n.unsubscribed_at})),
        "forum": forum,
        "vis_mon_job": immersion,
    }))
}

/// Deletes an account (call inside a transaction). Returns the files whose bytes the caller
/// must now delete from the store.
pub async fn delete_account(conn: &impl ConnectionTrait, user_id: i64, now: DateTime<Utc>) -> Result<Vec<file::Model>> {
    let user = accounts::by_id(conn, user_id).await?.ok_or(DbError::NotFound)?;
    applications::anonymize_for_user(conn, user_id, now).await?;
    let files = profiles::files_of(conn, user_id).await?;
    profiles::set_cv(conn, user_id, None, now).await?;
    for f in &files {
        profiles::delete_file(conn, f.id).await?;
    }
    alerts::newsletter_delete(conn, &user.email).await?;
    accounts::sessions_delete_for_user(conn, user_id).await?;
    // Profile, choices, favourites, alerts and tokens go with the user (ON DELETE CASCADE).
    crate::entity::user::Entity::delete_by_id(user_id).exec(conn).await?;
    Ok(files)
}
