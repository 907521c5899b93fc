//! Agents' stories (issue 13): the demo stories and their videos, the editor in the
//! recruiters' space (consent, photo, video with captions and transcript, publication), the
//! media served with range requests, the API, on both databases.

use crate::support::{TestApp, db_test, form_post, multipart, staff, today};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::role::Role;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const DEMO_VIDEO: &[u8] = include_bytes!("../../crates/db/seed/stories/amina-developpeuse-dinum.webm");
const DEMO_CAPTIONS: &str = include_str!("../../crates/db/seed/stories/amina-developpeuse-dinum.vtt");

fn json_ld(html: &str) -> Option<serde_json::Value> {
    let start = html.find("<script type=\"application/ld+json\">")? + 35;
    let end = start + html[start..].find("</script>")?;
    serde_json::from_str(&html[start..end]).ok()
}

db_test!(the_demo_stories_are_public_with_their_videos, |db| {
    let report = db::seed::seed_demo(&db, today()).await.expect("seed");
    assert_eq!(report.stories, 10);
    let app = TestApp::new(&db, today()).await;
    let list = app.get("/temoignages").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("10 témoignages"), "{}", list.body);
    assert_eq!(list.body.matches("Vidéo sous-titrée").count(), 2);
    // Filters: counted from the database.
    let dinum = db::institutions::by_slug(db.conn(), "dinum").await.expect("dinum");
    let of_dinum = db::entity::story::Entity::find()
        .filter(db::entity::story::Column::InstitutionId.eq(dinum.id))
        .count(db.conn())
        .await
        .expect("count");
    let filtered = app.get("/temoignages?employeur=dinum").await;
    let sentence = if of_dinum == 1 { "1 témoignage".to_string() } else { format!("{of_dinum} témoignages") };
    assert!(filtered.body.contains(&sentence), "{}", filtered.body);
    assert!(app.get("/temoignages?metier=developpeuse-developpeur").await.body.contains("2 témoignages"));
    assert!(app.get("/temoignages?projet=signal-cyber").await.body.contains("Julien"));
    assert!(app.get("/temoignages?employeur=inconnu").await.body.contains("Aucun témoignage ne correspond"));

    // The page: the player with its captions track, the transcript, the consent and its date.
    let page = app.get("/temoignages/amina-developpeuse-dinum").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(
        "<track kind=\"captions\" src=\"/temoignages/amina-developpeuse-dinum/sous-titres.vtt\" srclang=\"fr\""
    ));
    assert!(page.body.contains("<source src=\"/temoignages/amina-developpeuse-dinum/video\" type=\"video/webm\">"));
    assert!(page.body.contains("Je travaille sur le guichet des aides numériques pour les petites communes."));
    assert!(page.body.contains("Témoignage publié avec l’accord d’Amina, recueilli le"));
    assert!(page.body.contains("href=\"/projets/guichet-aides-numeriques\""));
    let ld = json_ld(&page.body).expect("JSON-LD");
    assert_eq!(ld["@type"], "VideoObject");
    assert_eq!(ld["contentUrl"], "http://127.0.0.1:8080/temoignages/amina-developpeuse-dinum/video");
    assert!(ld["transcript"].as_str().is_some_and(|t| t.starts_with("Je m'appelle Amina")));
    // A story without a video has no VideoObject.
    let plain = app.get("/temoignages/claire-data-scientist-insee").await;
    assert!(json_ld(&plain.body).is_none());
    assert!(!plain.body.contains("<video"));
    assert_eq!(app.get("/temoignages/claire-data-scientist-insee/video").await.status, StatusCode::NOT_FOUND);

    // Captions as WebVTT; the video whole, by a range, or 416 past its end.
    let vtt = app.get("/temoignages/amina-developpeuse-dinum/sous-titres.vtt").await;
    assert_eq!(vtt.header("content-type"), "text/vtt; charset=utf-8");
    assert_eq!(vtt.body, DEMO_CAPTIONS);
    let range = |r: &str| {
        Request::get("/temoignages/amina-developpeuse-dinum/video")
            .header(header::RANGE, r)
            .body(Body::empty())
            .expect("req")
    };
    let whole = app.get("/temoignages/amina-developpeuse-dinum/video").await;
    assert_eq!(whole.status, StatusCode::OK);
    assert_eq!(whole.header("accept-ranges"), "bytes");
    assert_eq!(whole.header("content-length"), DEMO_VIDEO.len().to_string());
    let part = app.request_bytes(range("bytes=100-199")).await;
    assert_eq!(part.0, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.1.get(header::CONTENT_RANGE).expect("range"), &format!("bytes 100-199/{}", DEMO_VIDEO.len()));
    assert_eq!(part.2, &DEMO_VIDEO[100..200]);
    let tail = app.request_bytes(range("bytes=-10")).await;
    assert_eq!(tail.2, &DEMO_VIDEO[DEMO_VIDEO.len() - 10..]);
    let past = app.request_bytes(range(&format!("bytes={}-", DEMO_VIDEO.len() + 5))).await;
    assert_eq!(past.0, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(past.1.get(header::CONTENT_RANGE).expect("range"), &format!("bytes */{}", DEMO_VIDEO.len()));

    // Everywhere it belongs: home, employer and product pages, the sitemap, the API.
    assert!(app.get("/").await.body.contains("Voir tous les témoignages"));
    assert!(app.get("/employeurs/dinum").await.body.contains("href=\"/temoignages/amina-developpeuse-dinum\""));
    assert!(app.get("/projets/signal-cyber").await.body.contains("href=\"/temoignages/julien-analyste-anssi\""));
    let sitemap = app.get("/sitemap.xml").await.body;
    assert!(sitemap.contains("<loc>http://127.0.0.1:8080/temoignages/julien-analyste-anssi</loc><lastmod>"));
    assert!(app.get("/plan-du-site").await.body.contains("href=\"/temoignages\""));
    let (status, json) = app.json("/api/v1/temoignages?employeur=anssi").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["total"], 1);
    let julien = &json["temoignages"][0];
    assert_eq!(julien["slug"], "julien-analyste-anssi");
    assert_eq!(julien["video"]["type_mime"], "video/webm");
    assert_eq!(julien["projet"], "signal-cyber");
    assert!(julien.get("consent_recorded_by").is_none() && !json.to_string().contains("démonstration)"));
    let (status, json) = app.json("/api/v1/temoignages?ville=paris").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["erreur"], "parametre_invalide");
});

/// The feed at `uri`, parsed by the Atom crate: served with its type, every entry linking to a
/// page of the site that answers.
async fn feed(app: &TestApp, uri: &str) -> atom_syndication::Feed {
    let r = app.get(uri).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}");
    assert_eq!(r.header("content-type"), "application/atom+xml; charset=utf-8");
    let feed: atom_syndication::Feed = r.body.parse().expect("a valid Atom document");
    for e in feed.entries() {
        let href = &e.links()[0].href;
        let path = href.strip_prefix("http://127.0.0.1:8080").expect("an address of the site");
        assert_eq!(app.get(path).await.status, StatusCode::OK, "{href}");
    }
    feed
}

db_test!(the_products_and_the_stories_have_atom_feeds_with_the_lists_filters, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;

    // Products: every published one (fewer than 50 in the demo), most recently active first.
    let published = db::products::all_published(db.conn()).await.expect("products");
    let products = feed(&app, "/projets/atom.xml").await;
    assert_eq!(products.entries().len(), published.len().min(50));
    let mut by_activity = published.clone();
    by_activity.sort_by(|a, b| b.product.activity_at.cmp(&a.product.activity_at).then(b.product.id.cmp(&a.product.id)));
    let first = &by_activity[0].product;
    assert_eq!(products.entries()[0].title().as_str(), first.title);
    assert_eq!(products.entries()[0].links()[0].href, format!("http://127.0.0.1:8080/projets/{}", first.slug));
    assert!(
        app.get("/projets")
            .await
            .body
            .contains(r#"type="application/atom+xml" title="Flux Atom des produits" href="/projets/atom.xml""#)
    );

    // Stories: the list's filters, named in the title; a filter matching nothing gives an empty feed.
    let all = feed(&app, "/temoignages/atom.xml").await;
    assert_eq!(all.entries().len(), 10);
    assert_eq!(all.title().as_str(), "Témoignages d’agents — Métiers du numérique");
    let dinum = db::stories::public_list(
        db.conn(),
        &db::stories::StoryFilter { employer: Some("dinum".into()), ..Default::default() },
    )
    .await
    .expect("stories");
    let of_dinum = feed(&app, "/temoignages/atom.xml?employeur=dinum").await;
    assert_eq!(of_dinum.entries().len(), dinum.len());
    assert!(!dinum.is_empty());
    assert_eq!(
        of_dinum.title().as_str(),
        "Témoignages d’agents : Direction interministérielle du numérique — Métiers du numérique"
    );
    assert_eq!(
        of_dinum.entries()[0].title().as_str(),
        format!("{}, {}", dinum[0].story.display_name, dinum[0].story.job_title)
    );
    let selfs: Vec<&str> = of_dinum.links().iter().filter(|l| l.rel == "self").map(|l| l.href.as_str()).collect();
    assert_eq!(selfs, ["http://127.0.0.1:8080/temoignages/atom.xml?employeur=dinum"]);
    let list = app.get("/temoignages?employeur=dinum").await.body;
    assert!(list.contains(r#"href="/temoignages/atom.xml?employeur=dinum""#), "the list links its own feed");
    let none = feed(&app, "/temoignages/atom.xml?employeur=inconnu&metier=%3Cscript%3E").await;
    assert!(none.entries().is_empty());
    assert_eq!(none.title().as_str(), "Témoignages d’agents — Métiers du numérique");
});

db_test!(a_recruiter_writes_a_story_and_publishes_it_only_with_consent, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let dinum = db::institutions::by_slug(db.conn(), "dinum").await.expect("dinum");
    let anssi = db::institutions::by_slug(db.conn(), "anssi").await.expect("anssi");
    let cookie = staff(&app, &db, "recrutement@numerique.gouv.fr", Role::Recruiter, Some(dinum.id)).await;
    let other = staff(&app, &db, "recrutement@ssi.gouv.fr", Role::Recruiter, Some(anssi.id)).await;

    // Bad input: every field says what is wrong, nothing is written.
    let before = db::entity::story::Entity::find().count(db.conn()).await.expect("count");
    let res =
        app.request(form_post(&cookie, "/recruteur/temoignages/nouveau", "nom=&poste=&citation=&metier=999")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in
        ["Renseignez le nom affiché.", "Renseignez l’intitulé du poste.", "Choisissez le métier dans la liste."]
    {
        assert!(res.body.contains(message), "{message}");
    }
    assert_eq!(db::entity::story::Entity::find().count(db.conn()).await.expect("count"), before);

    // A draft, with Markdown and hostile text in every field.
    let xss = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let body = format!(
        "nom=Camille{}&poste=Designer%20{}&citation=Le%20design%20{}&recit=%23%23%20Parcours%0A%0A%5Blien%5D(javascript%3Aalert(3))%20{}",
        urlencode(xss),
        urlencode(xss),
        urlencode(xss),
        urlencode(xss)
    );
    let res = app.request(form_post(&cookie, "/recruteur/temoignages/nouveau", &body)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let editor = res.header("location").to_string();
    let id: i64 = editor.split('/').nth(3).expect("id").parse().expect("id");
    let story = db::stories::by_id(db.conn(), id).await.expect("story");
    assert_eq!(story.state, "draft");

    // Not public, and not reachable by another institution's recruiter.
    assert_eq!(app.get(&format!("/temoignages/{}", story.slug)).await.status, StatusCode::NOT_FOUND);
    for path in [format!("/recruteur/temoignages/{id}/modifier"), format!("/recruteur/temoignages/{id}/apercu")] {
        assert_eq!(app.send(&other, "GET", &path, "").await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let res = app.request(form_post(&other, &format!("/recruteur/temoignages/{id}/etat"), "etat=published")).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // Publishing without consent is refused, with what is missing.
    let res = app.request(form_post(&cookie, &format!("/recruteur/temoignages/{id}/etat"), "etat=published")).await;
    let page = app.send(&cookie, "GET", res.header("location"), "").await;
    assert!(
        page.body.contains("Pour publier ce témoignage, il manque le consentement enregistré de la personne."),
        "{}",
        page.body
    );
    assert_eq!(db::stories::by_id(db.conn(), id).await.expect("story").state, "draft");

    // The preview shows the page, escaped, not indexed.
    let preview = app.send(&cookie, "GET", &format!("/recruteur/temoignages/{id}/apercu"), "").await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(!preview.body.contains("<script>alert(1)") && !preview.body.contains("<img src=x"));
    assert!(!preview.body.contains("href=\"javascript:"));

    // Consent, then publication: public at once, and in the audit log.
    app.request(form_post(&cookie, &format!("/recruteur/temoignages/{id}/consentement"), "action=recueillir")).await;
    let res = app.request(form_post(&cookie, &format!("/recruteur/temoignages/{id}/etat"), "etat=published")).await;
    let page = app.send(&cookie, "GET", res.header("location"), "").await;
    assert!(page.body.contains("Témoignage publié."), "{}", page.body);
    let public = app.get(&format!("/temoignages/{}", story.slug)).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(!public.body.contains("<script>alert(1)") && !public.body.contains("<img src=x"));
    assert!(public.body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"), "{}", public.body);
    assert!(app.get("/temoignages?employeur=dinum").await.body.contains(&format!("/temoignages/{}", story.slug)));
    let actions: Vec<String> = db::entity::audit_entry::Entity::find()
        .all(db.conn())
        .await
        .expect("audit")
        .into_iter()
        .filter(|a| a.target.starts_with(&format!("témoignage {id} ")))
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["temoignage.creation", "temoignage.consentement", "temoignage.etat"]);

    // The person withdraws their consent: gone from every public page at once.
    app.request(form_post(&cookie, &format!("/recruteur/temoignages/{id}/consentement"), "action=retirer")).await;
    assert_eq!(app.get(&format!("/temoignages/{}", story.slug)).await.status, StatusCode::NOT_FOUND);
    assert!(!app.get("/temoignages").await.body.contains(&format!("/temoignages/{}", story.slug)));
    let after = db::stories::by_id(db.conn(), id).await.expect("story");
    assert_eq!((after.state.as_str(), after.consent_at), ("draft", None));

    // Renaming the person asks for their consent again.
    app.request(form_post(&cookie, &format!("/recruteur/temoignages/{id}/consentement"), "action=recueillir")).await;
    let res = app
        .request(form_post(
            &cookie,
            &format!("/recruteur/temoignages/{id}/modifier"),
            "nom=Dominique&poste=Designer&citation=Bonjour&recit=Texte",
        ))
        .await;
    let page = app.send(&cookie, "GET", res.header("location"), "").await;
    assert!(page.body.contains("recueillez son consentement avant de publier"), "{}", page.body);
    assert!(db::stories::by_id(db.conn(), id).await.expect("story").consent_at.is_none());
});

db_test!(a_video_needs_its_captions_and_transcript_and_is_checked_by_content, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let dinum = db::institutions::by_slug(db.conn(), "dinum").await.expect("dinum");
    let cookie = staff(&app, &db, "recrutement@numerique.gouv.fr", Role::Recruiter, Some(dinum.id)).await;
    let res = app
        .request(form_post(
            &cookie,
            "/recruteur/temoignages/nouveau",
            "nom=Sam&poste=Développeur&citation=Bonjour&recit=Mon%20m%C3%A9tier",
        ))
        .await;
    let id: i64 = res.header("location").split('/').nth(3).expect("id").parse().expect("id");
    let uri = format!("/recruteur/temoignages/{id}/video");
    let files_before = app.state.files.keys("temoignages/videos").await.expect("keys").len();

    // A text file named .mp4, captions with a script, a video without captions: refused, nothing stored.
    let fake = app
        .request(multipart(
            &cookie,
            &uri,
            &[
                ("video", Some("film.mp4"), b"ceci n'est pas une video ftypisom"),
                ("sous_titres", Some("s.vtt"), DEMO_CAPTIONS.as_bytes()),
                ("transcription", None, b"Bonjour"),
            ],
        ))
        .await;
    assert_eq!(fake.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fake.body.contains("Ce fichier n’est pas une vidéo MP4 ou WebM."), "{}", fake.body);
    let script = "WEBVTT\n\n00:00.000 --> 00:02.000\n<script>alert(1)</script>\n";
    let bad = app
        .request(multipart(
            &cookie,
            &uri,
            &[
                ("video", Some("v.webm"), DEMO_VIDEO),
                ("sous_titres", Some("s.vtt"), script.as_bytes()),
                ("transcription", None, b"Bonjour"),
            ],
        ))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("la balise « &#60;script&#62; » n’est pas acceptée"), "{}", bad.body);
    assert!(bad.body.contains(">Bonjour</textarea>"), "the transcript typed is given back");
    let alone = app
        .request(multipart(
            &cookie,
            &uri,
            &[("video", Some("v.webm"), DEMO_VIDEO), ("transcription", None, b"Bonjour")],
        ))
        .await;
    assert_eq!(alone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(alone.body.contains("Joignez les sous-titres de la vidéo (fichier WebVTT) : ils sont obligatoires."));
    let untranscribed = app
        .request(multipart(
            &cookie,
            &uri,
            &[("video", Some("v.webm"), DEMO_VIDEO), ("sous_titres", Some("s.vtt"), DEMO_CAPTIONS.as_bytes())],
        ))
        .await;
    assert!(untranscribed.body.contains("Saisissez la transcription de la vidéo : elle est obligatoire."));
    assert_eq!(app.state.files.keys("temoignages/videos").await.expect("keys").len(), files_before);
    assert!(db::stories::by_id(db.conn(), id).await.expect("story").video_key.is_none());

    // The three together: stored, shown in the preview, public once published.
    let ok = app
        .request(multipart(
            &cookie,
            &uri,
            &[
                ("video", Some("v.webm"), DEMO_VIDEO),
                ("sous_titres", Some("s.vtt"), DEMO_CAPTIONS.as_bytes()),
                ("transcription", None, b"Je m'appelle Sam."),
            ],
        ))
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let s = db::stories::by_id(db.conn(), id).await.expect("story");
    assert_eq!((s.video_type.as_deref(), s.video_size), (Some("video/webm"), Some(DEMO_VIDEO.len() as i64)));
    let preview = app.send(&cookie, "GET", &format!("/recruteur/temoignages/{id}/apercu"), "").await;
    assert!(
        preview.body.contains(&format!(
            "<track kind=\"captions\" src=\"/recruteur/temoignages/{id}/fichiers/sous-titres.vtt\""
        ))
    );
    let private = app
        .request(
            Request::get(format!("/recruteur/temoignages/{id}/fichiers/video"))
                .header(header::COOKIE, &cookie)
                .header(header::RANGE, "bytes=0-3")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(private.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        app.get(&format!("/temoignages/{}/video", s.slug)).await.status,
        StatusCode::NOT_FOUND,
        "not public yet"
    );
    app.request(form_post(&cookie, &format!("/recruteur/temoignages/{id}/consentement"), "action=recueillir")).await;
    app.request(form_post(&cookie, &format!("/recruteur/temoignages/{id}/etat"), "etat=published")).await;
    let public = app.get(&format!("/temoignages/{}", s.slug)).await;
    assert!(
        public.body.contains("Je m'appelle Sam.") || public.body.contains("Je m&#39;appelle Sam."),
        "{}",
        public.body
    );
    assert_eq!(app.get(&format!("/temoignages/{}/video", s.slug)).await.status, StatusCode::OK);

    // Replacing the video deletes the old file; removing it takes its captions along.
    app.request(multipart(&cookie, &uri, &[("video", Some("v2.webm"), DEMO_VIDEO)])).await;
    assert_eq!(app.state.files.keys("temoignages/videos").await.expect("keys").len(), files_before + 1);
    app.request(multipart(&cookie, &uri, &[("supprimer", None, b"1")])).await;
    let s = db::stories::by_id(db.conn(), id).await.expect("story");
    assert!(s.video_key.is_none() && s.captions.is_none() && s.transcript.is_none());
    assert_eq!(app.state.files.keys("temoignages/videos").await.expect("keys").len(), files_before);
    assert!(!app.get(&format!("/temoignages/{}", s.slug)).await.body.contains("<video"));

    // A photo: re-encoded as PNG; a text file named .jpg is refused.
    let photo_uri = format!("/recruteur/temoignages/{id}/photo");
    let bad = app.request(multipart(&cookie, &photo_uri, &[("photo", Some("moi.jpg"), b"pas une image")])).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("La photo doit être une image PNG ou JPEG."));
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(1200, 900, image::Rgb([0, 0, 145]))
        .write_to(&mut png, image::ImageFormat::Png)
        .expect("png");
    let ok = app.request(multipart(&cookie, &photo_uri, &[("photo", Some("moi.png"), png.get_ref())])).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let photo = app
        .request_bytes(Request::get(format!("/temoignages/{}/photo", s.slug)).body(Body::empty()).expect("req"))
        .await;
    assert_eq!(photo.0, StatusCode::OK);
    let img = image::load_from_memory(&photo.2).expect("a PNG");
    assert!(img.width() <= 600 && img.height() <= 600);
});

db_test!(concurrent_publications_and_withdrawals_leave_no_story_public_without_consent, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let dinum = db::institutions::by_slug(db.conn(), "dinum").await.expect("dinum");
    let cookie = staff(&app, &db, "recrutement@numerique.gouv.fr", Role::Recruiter, Some(dinum.id)).await;
    let res = app
        .request(form_post(
            &cookie,
            "/recruteur/temoignages/nouveau",
            "nom=Alex&poste=Data&citation=Bonjour&recit=Texte",
        ))
        .await;
    let id: i64 = res.header("location").split('/').nth(3).expect("id").parse().expect("id");
    app.request(form_post(&cookie, &format!("/recruteur/temoignages/{id}/consentement"), "action=recueillir")).await;
    let mut requests = Vec::new();
    for i in 0..8 {
        let (path, body) = if i % 2 == 0 { ("etat", "etat=published") } else { ("consentement", "action=retirer") };
        requests.push(form_post(&cookie, &format!("/recruteur/temoignages/{id}/{path}"), body));
    }
    for res in app.concurrently(requests).await {
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let s = db::stories::by_id(db.conn(), id).await.expect("story");
    assert!(!(s.state == "published" && s.consent_at.is_none()), "published without consent");
    let public = app.get(&format!("/temoignages/{}", s.slug)).await.status;
    assert_eq!(public == StatusCode::OK, s.state == "published");
    // Concurrent creations of the same person: distinct stories, never a 500.
    let creates = (0..6)
        .map(|_| form_post(&cookie, "/recruteur/temoignages/nouveau", "nom=Rose&poste=Cheffe&citation=Bonjour"))
        .collect();
    let answers = app.concurrently(creates).await;
    for res in &answers {
        assert!(
            res.status == StatusCode::SEE_OTHER || res.status == StatusCode::CONFLICT,
            "{} {}",
            res.status,
            res.body
        );
    }
    let created = answers.iter().filter(|r| r.status == StatusCode::SEE_OTHER).count() as u64;
    let roses = db::entity::story::Entity::find()
        .filter(db::entity::story::Column::DisplayName.eq("Rose"))
        .count(db.conn())
        .await
        .expect("count");
    assert_eq!(roses, created, "one row per accepted request");
});

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

db_test!(concurrent_photo_and_video_uploads_leave_one_file_each_and_no_orphan, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let dinum = db::institutions::by_slug(db.conn(), "dinum").await.expect("dinum");
    let cookie = staff(&app, &db, "recrutement@numerique.gouv.fr", Role::Recruiter, Some(dinum.id)).await;
    let res = app
        .request(form_post(
            &cookie,
            "/recruteur/temoignages/nouveau",
            "nom=Alex&poste=Data&citation=Bonjour&recit=Texte",
        ))
        .await;
    let id: i64 = res.header("location").split('/').nth(3).expect("id").parse().expect("id");
    let photos_before = app.state.files.keys("temoignages/photos").await.expect("keys").len();
    let videos_before = app.state.files.keys("temoignages/videos").await.expect("keys").len();
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(300, 300, image::Rgb([0, 0, 145]))
        .write_to(&mut png, image::ImageFormat::Png)
        .expect("png");
    // Six photos and six videos for the same story at once: each replaces the one before.
    let mut requests = Vec::new();
    for _ in 0..6 {
        requests.push(multipart(
            &cookie,
            &format!("/recruteur/temoignages/{id}/photo"),
            &[("photo", Some("p.png"), png.get_ref())],
        ));
        requests.push(multipart(
            &cookie,
            &format!("/recruteur/temoignages/{id}/video"),
            &[
                ("video", Some("v.webm"), DEMO_VIDEO),
                ("sous_titres", Some("s.vtt"), DEMO_CAPTIONS.as_bytes()),
                ("transcription", None, b"Bonjour"),
            ],
        ));
    }
    for res in app.concurrently(requests).await {
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let s = db::stories::by_id(db.conn(), id).await.expect("story");
    let photos = app.state.files.keys("temoignages/photos").await.expect("keys");
    let videos = app.state.files.keys("temoignages/videos").await.expect("keys");
    assert_eq!(photos.len(), photos_before + 1, "one photo file left for the story: {photos:?}");
    assert_eq!(videos.len(), videos_before + 1, "one video file left for the story: {videos:?}");
    let key = |k: &Option<String>| k.clone().expect("stored");
    assert!(
        photos.iter().any(|p| p.ends_with(&key(&s.photo_key)) || key(&s.photo_key).ends_with(p.as_str())),
        "{photos:?}"
    );
    assert!(
        videos.iter().any(|v| v.ends_with(&key(&s.video_key)) || key(&s.video_key).ends_with(v.as_str())),
        "{videos:?}"
    );
});
