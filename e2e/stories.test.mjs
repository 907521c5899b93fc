// Agents' stories (/temoignages): the list filtered without JavaScript, then a story reached
// from its card; a story's video with its French captions shown and its transcript, served
// with range requests; a recruiter (signed in with the one-time link `metiers user add`
// prints) writes a story, records the person's consent and publishes it with the keyboard
// only, then finds it on the public site. Every page is audited: axe (WCAG 2.1 A and AA),
// the Nu HTML Checker, and no console error, CSP violation nor request leaving the machine
// (auditCurrentPage, support/browser.mjs).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addStaff, signInWithLink } from './support/accounts.mjs';
import { auditCurrentPage, auditNoScriptPage, launchBrowser, withPage } from './support/browser.mjs';
import { assertFocusVisible, describeFocus, tabAndType, tabTo } from './support/keyboard.mjs';
import { h1, navigation, notice, text } from './support/page.mjs';
import { stopAll } from './support/process.mjs';
import { escapeRegExp } from './support/regexp.mjs';
import { startServer } from './support/server.mjs';

const TEST_TIMEOUT = 120_000;
const NAV_TIMEOUT = 10_000;
const MEDIA_TIMEOUT = 15_000;

// A demo story with a video (WebM VP9 + Opus), its captions (8 cues) and its transcript.
const VIDEO_STORY = 'amina-developpeuse-dinum';
// The employer chosen in the filter, and the one of the recruiter's new story.
const EMPLOYER = { slug: 'dinum', name: 'Direction interministérielle du numérique', acronym: 'DINUM', typed: 'Direction interm' };

// The story the recruiter writes with the keyboard.
const NEW_STORY = {
  name: 'Inès Garnier',
  job: 'Intrapreneuse à la DINUM',
  quote: 'Nous partons du besoin des agents, et nous livrons chaque semaine.',
  body: '## Mon rôle\n\nJe porte un service numérique depuis son idée jusqu’à son usage.\n\n- des entretiens\n- des livraisons fréquentes',
};

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
}, { timeout: 180_000 });

after(() => stopAll(browser, server));

/** The count heading of /temoignages («10 témoignages»), announced as a status. */
const count = async (page) => text(page.locator('main [role="status"] h2'));

// ---------------------------------------------------------------------------
// a. The list without JavaScript: the filter form, then a card.

test('/temoignages without JavaScript: an employer chosen with the keyboard, «Filtrer», then its story', { timeout: TEST_TIMEOUT }, () =>
  withPage(
    browser,
    async ({ page }) => {
      const response = await page.goto(`${server.baseUrl}/temoignages`);
      assert.equal(response.status(), 200, 'GET /temoignages');
      assert.equal(await h1(page), 'Témoignages d’agents');
      const all = await count(page);
      assert.match(all, /^\d+ témoignages$/, 'the count heading of the whole list');
      const cards = page.locator('main .mdn-story-card');
      assert.equal(await cards.count(), Number(all.split(' ')[0]), 'one card per story counted');
      assert.equal(await page.getByRole('link', { name: 'Tout afficher' }).count(), 0, 'no «Tout afficher» without a filter');
      await auditNoScriptPage(page, '/temoignages');

      // The employer, typed on its select (the options' type-ahead), then Tab to «Filtrer» and Enter.
      await tabTo(page, '#filtre-employeur', { max: 80 });
      await assertFocusVisible(page, '/temoignages: «Employeur»');
      // Type-ahead sees key presses: an accented letter is inserted as text, so the prefix typed is plain ASCII.
      await page.keyboard.type(EMPLOYER.typed);
      assert.equal(await page.locator('#filtre-employeur').inputValue(), EMPLOYER.slug, `typing «${EMPLOYER.typed}» should choose ${EMPLOYER.slug}`);
      await tabTo(page, 'main form[action="/temoignages"] button[type="submit"]', { max: 5 });
      assert.equal((await describeFocus(page)).text, 'Filtrer');
      await navigation(page, () => page.keyboard.press('Enter'), '«Filtrer» (Enter)');

      const url = new URL(page.url());
      assert.equal(url.pathname, '/temoignages');
      assert.equal(url.searchParams.get('employeur'), EMPLOYER.slug, `the URL should hold employeur=${EMPLOYER.slug}: ${page.url()}`);
      const filtered = await count(page);
      assert.notEqual(filtered, all, 'the count heading follows the filter');
      assert.match(filtered, /^\d+ témoignages?$/);
      const shown = await cards.count();
      assert.ok(shown >= 1 && shown < Number(all.split(' ')[0]), `the filter should keep some stories, not all: ${shown}`);
      assert.equal(shown, Number(filtered.split(' ')[0]), 'one card per story counted');
      for (const employer of await page.locator('main .mdn-story-card .fr-card__end').allTextContents()) {
        assert.equal(employer.trim(), EMPLOYER.acronym, 'every card shown is of the employer chosen');
      }
      assert.equal(await page.locator('#filtre-employeur').inputValue(), EMPLOYER.slug, 'the select still shows the employer chosen');
      assert.equal(await page.getByRole('link', { name: 'Tout afficher' }).getAttribute('href'), '/temoignages');
      await auditNoScriptPage(page, `/temoignages?employeur=${EMPLOYER.slug}`);

      // The first card, followed (the whole card is a link: its title).
      const link = cards.first().locator('.fr-card__title a');
      const name = await text(link);
      const href = await link.getAttribute('href');
      assert.match(href, /^\/temoignages\/[a-z0-9-]+$/);
      await navigation(page, () => link.click(), `the card of ${name}`);
      assert.equal(new URL(page.url()).pathname, href);
      assert.equal(await h1(page), name);
      assert.equal(
        await page.locator('main .fr-tags-group a.fr-tag', { hasText: EMPLOYER.name }).getAttribute('href'),
        `/employeurs/${EMPLOYER.slug}`,
        'the story links to its employer',
      );
      assert.ok((await text(page.locator('main .fr-quote blockquote'))).length > 4, 'the quote is shown');
      await auditNoScriptPage(page, href);
    },
    { context: { javaScriptEnabled: false } },
  ),
);

// ---------------------------------------------------------------------------
// b. A story's video: French captions shown by default, the transcript, range requests.

test('a story’s video plays in Chromium with its French captions shown, its transcript below, and answers range requests', { timeout: TEST_TIMEOUT }, () =>
  withPage(browser, async ({ page }) => {
    const path = `/temoignages/${VIDEO_STORY}`;
    const response = await page.goto(`${server.baseUrl}${path}`);
    assert.equal(response.status(), 200, `GET ${path}`);
    const video = page.locator('main video.mdn-video');
    assert.equal(await video.count(), 1, 'one video on the story page');
    assert.equal(await video.getAttribute('controls'), '', 'the video has the browser’s controls');
    assert.equal(await video.locator('source').getAttribute('src'), `${path}/video`);
    assert.equal(await video.locator('source').getAttribute('type'), 'video/webm');
    const trackElement = video.locator('track');
    assert.equal(await trackElement.getAttribute('src'), `${path}/sous-titres.vtt`);

    // The metadata (readyState ≥ HAVE_METADATA): Chromium reads the WebM through range requests.
    await page
      .waitForFunction(() => (document.querySelector('video.mdn-video')?.readyState ?? 0) >= 1, null, { timeout: MEDIA_TIMEOUT })
      .catch(() => {});
    const media = await video.evaluate((v) => ({ readyState: v.readyState, duration: v.duration, error: v.error && v.error.code, size: [v.videoWidth, v.videoHeight] }));
    assert.ok(media.readyState >= 1, `the video’s metadata should load: ${JSON.stringify(media)}`);
    assert.ok(media.duration > 5, `the video lasts more than 5 s: ${JSON.stringify(media)}`);
    assert.ok(media.size[0] > 0 && media.size[1] > 0, `the video has a picture: ${JSON.stringify(media)}`);

    // The captions: one track, French, shown by default, its cues loaded (track readyState LOADED = 2).
    await page
      .waitForFunction(() => document.querySelector('video.mdn-video track')?.readyState === 2, null, { timeout: MEDIA_TIMEOUT })
      .catch(() => {});
    const tracks = await video.evaluate((v) => {
      const element = v.querySelector('track');
      return {
        elementState: element.readyState,
        count: v.textTracks.length,
        list: [...v.textTracks].map((t) => ({ kind: t.kind, language: t.language, label: t.label, mode: t.mode, cues: t.cues ? t.cues.length : null })),
      };
    });
    assert.equal(tracks.elementState, 2, `the <track> should be loaded (readyState 2): ${JSON.stringify(tracks)}`);
    assert.equal(tracks.count, 1, `one text track: ${JSON.stringify(tracks)}`);
    const [track] = tracks.list;
    assert.equal(track.kind, 'captions');
    assert.equal(track.language, 'fr');
    assert.equal(track.label, 'Français');
    assert.equal(track.mode, 'showing', 'the captions are shown without the viewer asking (default)');
    assert.ok(track.cues >= 5, `the captions’ cues are loaded: ${JSON.stringify(track)}`);

    // At 3 s, the cue «… interministérielle du numérique.» is the active one.
    const active = await video.evaluate(
      (v) =>
        new Promise((resolve) => {
          const t = v.textTracks[0];
          const done = () => resolve([...(t.activeCues || [])].map((c) => c.text));
          t.addEventListener('cuechange', done, { once: true });
          v.currentTime = 3;
          setTimeout(done, 5_000);
        }),
    );
    assert.ok(active.some((cue) => cue.includes('interministérielle du numérique')), `the cue at 3 s: ${JSON.stringify(active)}`);

    // The transcript, visible below the video, and the video described by it.
    const transcript = page.locator('#transcription');
    assert.ok(await transcript.isVisible(), 'the transcript is visible');
    assert.match(await text(transcript), /Je m'appelle Amina, je suis développeuse à la direction interministérielle du numérique\./);
    assert.equal(await video.getAttribute('aria-describedby'), 'transcription');
    assert.equal(await text(page.locator('main h3#titre-transcription')), 'Transcription');
    assert.equal(await page.locator('main figcaption a', { hasText: 'Sous-titres (WebVTT)' }).getAttribute('href'), `${path}/sous-titres.vtt`);

    // The video's first 100 bytes: 206, the range and the size; a WebM (EBML) header.
    const ranged = await page.request.get(`${server.baseUrl}${path}/video`, { headers: { Range: 'bytes=0-99' } });
    assert.equal(ranged.status(), 206, 'a range request answers 206 Partial Content');
    const headers = ranged.headers();
    assert.match(headers['content-range'] || '', /^bytes 0-99\/\d+$/, `content-range: ${headers['content-range']}`);
    const total = Number(headers['content-range'].split('/')[1]);
    assert.ok(total > 100, `the whole video is larger than the range: ${total}`);
    assert.equal(headers['content-type'], 'video/webm');
    assert.equal(headers['accept-ranges'], 'bytes');
    const head = await ranged.body();
    assert.equal(head.length, 100, 'the body is the 100 bytes asked for');
    assert.equal(head.subarray(0, 4).toString('hex'), '1a45dfa3', 'a WebM starts with the EBML magic number');
    // A range past the end: 416, with the size.
    const beyond = await page.request.get(`${server.baseUrl}${path}/video`, { headers: { Range: `bytes=${total + 10}-` } });
    assert.equal(beyond.status(), 416, 'a range past the end answers 416');
    assert.equal(beyond.headers()['content-range'], `bytes */${total}`);
    // The whole video without a range: 200 and its size.
    const whole = await page.request.get(`${server.baseUrl}${path}/video`);
    assert.equal(whole.status(), 200);
    assert.equal((await whole.body()).length, total);

    // The captions file: WebVTT, in UTF-8.
    const vtt = await page.request.get(`${server.baseUrl}${path}/sous-titres.vtt`);
    assert.equal(vtt.status(), 200);
    assert.match(vtt.headers()['content-type'] || '', /^text\/vtt; charset=utf-8$/i);
    assert.match(await vtt.text(), /^WEBVTT\s/);

    await auditCurrentPage(page, path);
  }),
);

// ---------------------------------------------------------------------------
// c. A recruiter writes, gets consent for and publishes a story, keyboard only.

/** Tabs to the button of `main` whose text is `label`, and asserts its focus ring shows. */
async function tabToButton(page, label, what) {
  await tabTo(page, 'main button[type="submit"]', {
    max: 150,
    // The filter runs in the page: `label` is passed in its source.
    filter: new Function('element', `return element.textContent.trim() === ${JSON.stringify(label)};`),
  });
  await assertFocusVisible(page, `${what}: «${label}»`);
}

test('a recruiter writes a story, records the consent and publishes it with the keyboard only; the public page shows it', { timeout: 180_000 }, () =>
  withPage(
    browser,
    async ({ page }) => {
      const recruiter = await addStaff(server, 'recruiter', { institution: EMPLOYER.slug, label: 'recruteuse-temoignages' });
      await signInWithLink(page, recruiter.link, '/recruteur', 'Espace recruteur');

      // From the recruiter's home to the stories, then «Nouveau témoignage».
      await tabTo(page, 'main a[href="/recruteur/temoignages"]', { max: 120 });
      await navigation(page, () => page.keyboard.press('Enter'), '«Témoignages» (Enter)');
      assert.equal(new URL(page.url()).pathname, '/recruteur/temoignages');
      assert.equal(await h1(page), 'Témoignages');
      await auditCurrentPage(page, '/recruteur/temoignages');
      await tabTo(page, 'main a[href="/recruteur/temoignages/nouveau"]', { max: 120 });
      assert.equal((await describeFocus(page)).text, 'Nouveau témoignage');
      await assertFocusVisible(page, '/recruteur/temoignages: «Nouveau témoignage»');
      await navigation(page, () => page.keyboard.press('Enter'), '«Nouveau témoignage» (Enter)');
      assert.equal(new URL(page.url()).pathname, '/recruteur/temoignages/nouveau');
      assert.equal(await h1(page), 'Nouveau témoignage');
      await auditCurrentPage(page, '/recruteur/temoignages/nouveau');

      // The fields, each reached with Tab and typed into; the selects by type-ahead.
      await tabAndType(page, '#nom', NEW_STORY.name);
      await tabAndType(page, '#poste', NEW_STORY.job);
      await tabTo(page, '#metier', { max: 3 });
      await assertFocusVisible(page, 'new story: «Métier»');
      // Type-ahead sees key presses, not inserted text: plain ASCII prefixes.
      await page.keyboard.type('Intrapreneuse');
      const profession = await page.locator('#metier').inputValue();
      assert.notEqual(profession, '', 'typing «Intrapreneuse» on «Métier» chooses a profession');
      assert.match(await text(page.locator('#metier option:checked')), /^Intrapreneuse/);
      await tabTo(page, '#produit', { max: 3 });
      await page.keyboard.type('Guichet');
      const product = await page.locator('#produit').inputValue();
      assert.notEqual(product, '', 'typing «Guichet» on «Produit» chooses a product of the employer');
      assert.equal(await text(page.locator('#produit option:checked')), 'Guichet des aides au numérique');
      await tabAndType(page, '#citation', NEW_STORY.quote, { max: 3 });
      await tabAndType(page, '#recit', NEW_STORY.body, { max: 3 });
      await tabToButton(page, 'Enregistrer', 'new story');
      await navigation(page, () => page.keyboard.press('Enter'), '«Enregistrer» (Enter)');

      // The draft's editor, with its notice; what was typed is there.
      const match = new URL(page.url()).pathname.match(/^\/recruteur\/temoignages\/(\d+)\/modifier$/);
      assert.ok(match, `saving should lead to /recruteur/temoignages/{id}/modifier: ${page.url()}`);
      const id = match[1];
      assert.equal(await text(notice(page)), 'Brouillon enregistré.');
      assert.equal(await h1(page), `Témoignage : ${NEW_STORY.name}`);
      assert.equal(await page.locator('#nom').inputValue(), NEW_STORY.name);
      assert.equal(await page.locator('#metier').inputValue(), profession);
      assert.equal(await page.locator('#produit').inputValue(), product);
      assert.equal(await page.locator('#recit').inputValue(), NEW_STORY.body);
      const callout = page.locator('main section[aria-labelledby="titre-etat"]');
      assert.match(await text(callout.locator('h2')), /^État : Brouillon$/);
      assert.match(await text(callout), /il manque : le consentement enregistré de la personne\./);
      await auditCurrentPage(page, '/recruteur/temoignages/{id}/modifier (new draft)');

      // Publishing before the consent is refused.
      await tabToButton(page, 'Publier', 'draft without consent');
      await navigation(page, () => page.keyboard.press('Enter'), '«Publier» without consent (Enter)');
      assert.equal(new URL(page.url()).pathname, `/recruteur/temoignages/${id}/modifier`);
      assert.equal(
        await text(notice(page)),
        'Pour publier ce témoignage, il manque le consentement enregistré de la personne.',
        'publishing without consent is refused, with the reason',
      );
      assert.match(await text(callout.locator('h2')), /^État : Brouillon$/, 'a refused publication leaves a draft');

      // The preview, with the keyboard: the page as it will look, marked as a preview.
      await tabTo(page, `main a[href="/recruteur/temoignages/${id}/apercu"]`, { max: 120 });
      assert.equal((await describeFocus(page)).text, 'Prévisualiser');
      await navigation(page, () => page.keyboard.press('Enter'), '«Prévisualiser» (Enter)');
      assert.equal(new URL(page.url()).pathname, `/recruteur/temoignages/${id}/apercu`);
      assert.equal(await h1(page), NEW_STORY.name);
      assert.match(await text(page.locator('main .fr-notice__title')), /^Aperçu du témoignage \(Brouillon\)/);
      assert.equal(await page.locator('meta[name="robots"][content="noindex"]').count(), 1, 'a preview is not indexed');
      assert.equal(await text(page.locator('main .mdn-prose h2')), 'Mon rôle', 'the Markdown of the story is rendered');
      await auditCurrentPage(page, '/recruteur/temoignages/{id}/apercu');
      // Back to the editor (the browser's «Back»: no key press reaches the browser's own UI here).
      await page.goBack({ waitUntil: 'load' });
      assert.equal(new URL(page.url()).pathname, `/recruteur/temoignages/${id}/modifier`);

      // The consent, with Space on its button.
      await tabToButton(page, `J’ai recueilli le consentement écrit d’${NEW_STORY.name}`, 'editor');
      await navigation(page, () => page.keyboard.press('Space'), 'consent (Space)');
      assert.equal(new URL(page.url()).pathname, `/recruteur/temoignages/${id}/modifier`);
      assert.equal(await text(notice(page)), 'Consentement enregistré.');
      assert.match(await text(page.locator('main')), new RegExp(`Consentement recueilli le .+ par ${escapeRegExp(recruiter.email)}\\.`));
      assert.equal(await text(callout.locator('.fr-callout__text')), 'Ce témoignage peut être publié.');
      await auditCurrentPage(page, '/recruteur/temoignages/{id}/modifier after the consent');

      // Published, with Enter on «Publier».
      await tabToButton(page, 'Publier', 'editor with consent');
      await navigation(page, () => page.keyboard.press('Enter'), '«Publier» (Enter)');
      assert.equal(await text(notice(page)), 'Témoignage publié.');
      assert.doesNotMatch(await text(callout.locator('h2')), /Brouillon/, 'the state is no longer a draft');
      await auditCurrentPage(page, '/recruteur/temoignages/{id}/modifier after publication');

      // «Voir la page publique», with the keyboard: the public page names the person.
      await tabTo(page, 'main a.fr-btn[href^="/temoignages/"]', { max: 120 });
      assert.equal((await describeFocus(page)).text, 'Voir la page publique');
      const publicPath = (await describeFocus(page)).href;
      await navigation(page, () => page.keyboard.press('Enter'), '«Voir la page publique» (Enter)');
      assert.equal(new URL(page.url()).pathname, publicPath);
      assert.equal(await h1(page), NEW_STORY.name);
      assert.equal(await text(page.locator('main .fr-text--lead')), NEW_STORY.job);
      assert.equal(await text(page.locator('main .fr-quote blockquote')), `« ${NEW_STORY.quote} »`);
      assert.equal(await text(page.locator('main .fr-quote__author')), NEW_STORY.name);
      assert.match(await text(page.locator('main')), new RegExp(`Témoignage publié avec l’accord d’${escapeRegExp(NEW_STORY.name)}, recueilli le `));
      assert.equal(await page.locator('meta[name="robots"]').count(), 0, 'the public page may be indexed');
      await auditCurrentPage(page, publicPath);

      // …and the public list, filtered on the employer, has its card.
      await page.goto(`${server.baseUrl}/temoignages?employeur=${EMPLOYER.slug}`);
      const card = page.locator('main .mdn-story-card .fr-card__title a', { hasText: NEW_STORY.name });
      assert.equal(await card.getAttribute('href'), publicPath, 'the public list shows the new story');
    },
    { timeout: NAV_TIMEOUT },
  ),
);
