//! Agents' stories written in the recruiters' space: drafts, edits, media, consent and
//! publication. Every change is audited; whatever a public page shows drops the page cache.

use super::{Stale, Tx};
use crate::AppState;
use crate::error::AppResult;
use db::entity::{story, user};
use db::stories::{StoredVideo, StoryInput, VideoChange};
use domain::audit::AuditAction;
use domain::story::{StoryState, VideoKind};

fn target(s: &story::Model) -> String {
    format!("témoignage {} « {} »", s.id, s.display_name)
}

/// A public story changed: its page, the list, the home and its employer's page are stale.
fn public(tx: &mut Tx<'_>, s: &story::Model) {
    if s.state == StoryState::Published.code() {
        tx.invalidate(Stale::Pages);
    }
}

/// A new draft of `institution_id` (already checked as the actor's): its id.
pub async fn create(state: &AppState, actor: &user::Model, institution_id: i64, input: &StoryInput) -> AppResult<i64> {
    let tx = Tx::by(state, actor).await?;
    let id = db::stories::create(tx.conn(), institution_id, input, tx.now()).await?;
    let target = format!("témoignage {id} « {} »", input.display_name);
    tx.audit(AuditAction::StoryCreated, target, None, Some(StoryState::Draft.code().into())).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves the editor's fields; `changes` is the audit's readable before/after.
pub async fn save(
    state: &AppState,
    actor: &user::Model,
    s: &story::Model,
    input: &StoryInput,
    changes: (String, String),
) -> AppResult<()> {
    let mut tx = Tx::by(state, actor).await?;
    db::stories::update(tx.conn(), s, input, tx.now()).await?;
    tx.audit(AuditAction::StoryEdited, target(s), Some(changes.0), Some(changes.1)).await?;
    public(&mut tx, s);
    tx.commit().await
}

/// Publishes, archives or brings back to draft (`Invalid::StoryNotPublishable` when it lacks
/// something).
pub async fn set_state(state: &AppState, actor: &user::Model, s: &story::Model, to: StoryState) -> AppResult<()> {
    let mut tx = Tx::by(state, actor).await?;
    db::stories::set_state(tx.conn(), s.id, to, tx.now()).await?;
    tx.audit(AuditAction::StoryState, target(s), Some(s.state.clone()), Some(to.code().into())).await?;
    tx.invalidate(Stale::Pages);
    tx.commit().await
}

/// Records that the person agreed to be shown, under the actor's name.
pub async fn record_consent(state: &AppState, actor: &user::Model, s: &story::Model) -> AppResult<()> {
    let tx = Tx::by(state, actor).await?;
    let by = match &actor.display_name {
        Some(name) => format!("{name} <{}>", actor.email),
        None => actor.email.clone(),
    };
    db::stories::record_consent(tx.conn(), s.id, &by, tx.now()).await?;
    tx.audit(AuditAction::StoryConsent, target(s), None, Some(format!("recueilli par {by}"))).await?;
    tx.commit().await
}

/// The person withdrew their consent: the story leaves the public pages at once.
pub async fn withdraw_consent(state: &AppState, actor: &user::Model, s: &story::Model) -> AppResult<()> {
    let mut tx = Tx::by(state, actor).await?;
    db::stories::withdraw_consent(tx.conn(), s.id, tx.now()).await?;
    tx.audit(
        AuditAction::StoryConsentWithdrawn,
        target(s),
        Some(s.state.clone()),
        Some(StoryState::Draft.code().into()),
    )
    .await?;
    tx.invalidate(Stale::Pages);
    tx.commit().await
}

/// Stores a checked, re-encoded portrait (PNG) and drops the previous one.
pub async fn set_photo(state: &AppState, actor: &user::Model, s: &story::Model, png: Vec<u8>) -> AppResult<()> {
    let key = format!("temoignages/photos/{}.png", crate::auth::random_token()?);
    state.files.put(&key, png).await?;
    let mut tx = Tx::by(state, actor).await?;
    let old = db::stories::set_photo(tx.conn(), s.id, Some(&key), tx.now()).await?;
    tx.audit(AuditAction::StoryMedia, target(s), None, Some("photo".into())).await?;
    public(&mut tx, s);
    tx.commit().await?;
    if let Some(old) = old {
        state.files.delete(&old).await?;
    }
    Ok(())
}

pub async fn remove_photo(state: &AppState, actor: &user::Model, s: &story::Model) -> AppResult<()> {
    let mut tx = Tx::by(state, actor).await?;
    let old = db::stories::set_photo(tx.conn(), s.id, None, tx.now()).await?;
    tx.audit(AuditAction::StoryMedia, target(s), Some("photo".into()), Some("(aucune)".into())).await?;
    public(&mut tx, s);
    tx.commit().await?;
    if let Some(old) = old {
        state.files.delete(&old).await?;
    }
    Ok(())
}

/// A checked video file, its checked captions, its transcript: any of them may come alone.
#[derive(Debug, Default)]
pub struct VideoUpload {
    pub video: Option<(Vec<u8>, VideoKind)>,
    pub captions: Option<String>,
    pub transcript: Option<String>,
}

/// Stores what was sent of a story's video. A refused change (a public story left without
/// captions) deletes the file it had stored: nothing is left behind.
pub async fn set_video(state: &AppState, actor: &user::Model, s: &story::Model, up: VideoUpload) -> AppResult<()> {
    let mut what = Vec::new();
    let video = match up.video {
        Some((bytes, kind)) => {
            let ext = if kind == VideoKind::Mp4 { "mp4" } else { "webm" };
            let key = format!("temoignages/videos/{}.{ext}", crate::auth::random_token()?);
            let size = bytes.len() as i64;
            state.files.put(&key, bytes).await?;
            what.push("vidéo");
            Some(StoredVideo { key, kind, size })
        }
        None => None,
    };
    if up.captions.is_some() {
        what.push("sous-titres");
    }
    if up.transcript.is_some() {
        what.push("transcription");
    }
    let change = VideoChange { video, captions: up.captions, transcript: up.transcript };
    let new_key = change.video.as_ref().map(|v| v.key.clone());
    let done = async {
        let mut tx = Tx::by(state, actor).await?;
        let old = db::stories::set_video(tx.conn(), s.id, &change, tx.now()).await?;
        tx.audit(AuditAction::StoryMedia, target(s), None, Some(what.join(", "))).await?;
        public(&mut tx, s);
        tx.commit().await?;
        AppResult::Ok(old)
    }
    .await;
    match done {
        Ok(old) => {
            if let Some(old) = old {
                state.files.delete(&old).await?;
            }
            Ok(())
        }
        Err(e) => {
            if let Some(key) = new_key {
                state.files.delete(&key).await?;
            }
            Err(e)
        }
    }
}

/// Removes the video with its captions and transcript. A public story goes on without it.
pub async fn remove_video(state: &AppState, actor: &user::Model, s: &story::Model) -> AppResult<()> {
    let mut tx = Tx::by(state, actor).await?;
    let old = db::stories::remove_video(tx.conn(), s.id, tx.now()).await?;
    tx.audit(AuditAction::StoryMedia, target(s), Some("vidéo".into()), Some("(aucune)".into())).await?;
    public(&mut tx, s);
    tx.commit().await?;
    if let Some(old) = old {
        state.files.delete(&old).await?;
    }
    Ok(())
}
