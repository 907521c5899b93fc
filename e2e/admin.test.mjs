// The administrators' pages: an employer's page (identity and SIRET with the keyboard only,
// e-mail domains, services, acting for the employer: a new offer, its page's draft), an
// account's employer and services, the professions and domains (the recruiters' forms and the
// search facets follow), the stage e-mail templates (checked, previewed, saved, sent, reset),
// the statistics with their DSFR charts, and the product catalogue imported from a ZIP. Every state of every page is axe-clean, without
// console errors, CSP violations nor requests to other hosts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { addStaff, newCandidate, signInWithLink } from './support/accounts.mjs';
import { assertPageClean, auditCurrentPage, checkPage, launchBrowser, withContexts } from './support/browser.mjs';
import { assertFocusOn, assertFocusVisible, tabAndType, tabExpect, tabTo } from './support/keyboard.mjs';
import { applyTo, findInternalOffer, offerIdOnHome } from './support/offers.mjs';
import { h1, navigation, notice, text } from './support/page.mjs';
import { stopAll } from './support/process.mjs';
import { startServer } from './support/server.mjs';
import { startSmtp } from './support/smtp.mjs';

const NAV_TIMEOUT = 10_000;
const MAIL_TIMEOUT = 15_000;
// The search index follows the database every 2 s.
const INDEX_TIMEOUT = 20_000;
const SITE_TITLE = ' — Métiers du numérique';
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'fixtures');
// Zips a folder (argv 1) into a file (argv 2), its entries under a folder (argv 3, may be empty).
const ZIP_FOLDER = `
import os, sys, zipfile
src, out, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    for root, _, files in os.walk(src):
        for f in files:
            path = os.path.join(root, f)
            z.write(path, os.path.join(prefix, os.path.relpath(path, src)))
`;

let smtp;
let server;
let browser;
let offer; // an offer of the demo catalogue applied to on the site: { slug, title, employer }

before(async () => {
  smtp = await startSmtp();
  server = await startServer({ env: { MAIL_URL: smtp.url, WORKER_TICK: '1' } });
  browser = await launchBrowser();
  offer = await findInternalOffer(server);
}, { timeout: 180_000 });

after(() => stopAll(browser, server, smtp));

// ---------------------------------------------------------------------------
// Helpers

/** Every page of a test must end clean (no console error, CSP violation, outside request). */
const CONTEXTS = { timeout: NAV_TIMEOUT, check: (page) => assertPageClean(page) };

/** A new page signed in as a new administrator (the one-time link of `metiers user add`). */
async function adminPage(open) {
  const admin = await addStaff(server, 'administrator', { label: 'admin' });
  const page = await open();
  await signInWithLink(page, admin.link, '/admin', 'Administration');
  return page;
}

/** A new page signed in as a new recruiter of the employer `institution` (a slug). */
async function recruiterPage(open, institution, label = 'recruteur') {
  const recruiter = await addStaff(server, 'recruiter', { institution, label });
  const page = await open();
  await signInWithLink(page, recruiter.link, '/recruteur', 'Espace recruteur');
  return { page, ...recruiter };
}

/** Clicks `locator` (a submit button) and waits for the page it leads to. */
function submit(page, locator, what) {
  return navigation(page, () => locator.click(), what);
}

/** The id of the employer `name`, from the link on its name in the /admin/employeurs `page` shows. */
async function employerId(page, name) {
  const href = await page.locator('main table').getByRole('link', { name, exact: true }).getAttribute('href');
  const match = href.match(/^\/admin\/employeurs\/(\d+)$/);
  assert.ok(match, `the name «${name}» should link to /admin/employeurs/{id}: ${href}`);
  return match[1];
}

/** The label of the search facet option `value` of the group `param` (without its count). */
function facetLabel(page, param, value) {
  return page.evaluate(([group, code]) => {
    const input = [...document.querySelectorAll(`#filtre-${group} input`)].find((i) => i.value === code);
    const label = input && document.querySelector(`label[for="${input.id}"]`);
    if (!label) return null;
    return [...label.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').replace(/\s+/g, ' ').trim();
  }, [param, value]);
}

// ---------------------------------------------------------------------------
// 1. An employer's page, keyboard only.

test('an employer’s page: SIRET, name, e-mail domains and services with the keyboard only; acting for the employer', { timeout: 120_000 }, () =>
  withContexts(browser, async (open) => {
    const page = await adminPage(open);
    const formerName = 'Cour des comptes';
    const newName = 'Cour des comptes et chambres régionales';
    const service = 'Direction des systèmes d’information';

    // From the list, to the employer's page through the link on its name (Tab, Enter).
    await checkPage(page, `${server.baseUrl}/admin/employeurs`);
    assert.equal(await h1(page), 'Employeurs');
    const id = await employerId(page, formerName);
    const href = `/admin/employeurs/${id}`;
    await tabTo(page, `main a[href="${href}"]`, { max: 200 });
    await assertFocusVisible(page, '/admin/employeurs: the employer’s link');
    await navigation(page, () => page.keyboard.press('Enter'), 'the employer’s link (Enter)');
    assert.equal(new URL(page.url()).pathname, href);
    assert.equal(await h1(page), formerName);
    await auditCurrentPage(page, href);
    const slug = (await page.getByRole('link', { name: 'Voir la page publique' }).getAttribute('href')).replace(/^\/employeurs\//, '');
    const save = `form[action="${href}"] button[type="submit"]`;

    // A SIRET of 3 digits: refused, the summary of errors focused, the field marked.
    await tabAndType(page, '#siret', '123');
    await assertFocusVisible(page, `${href}: «SIRET»`);
    await tabTo(page, save);
    assert.equal(await text(page.locator(':focus')), 'Enregistrer');
    const refused = await navigation(page, () => page.keyboard.press('Enter'), '«Enregistrer» with a wrong SIRET (Enter)');
    assert.equal(refused.status(), 422, 'a form with an error is shown again');
    assert.equal(new URL(page.url()).pathname, href);
    assert.equal(await page.title(), `${formerName} – erreur${SITE_TITLE}`);
    await assertFocusOn(page, '#erreurs', `${href}: after a refused save`);
    const siretError = 'Le SIRET compte 14 chiffres, par exemple 130 025 265 00013.';
    assert.equal(await text(page.locator('#erreurs li')), siretError);
    assert.equal(await page.locator('#siret').getAttribute('aria-invalid'), 'true');
    assert.equal(await text(page.locator(`#${await page.locator('#siret').getAttribute('aria-describedby')}`)), siretError);
    assert.equal(await page.locator('#siret').inputValue(), '123', 'what was typed is kept');
    await auditCurrentPage(page, `${href} with an error`);

    // The summary's link leads to the field; a correct SIRET, then the name (Shift+Tab), saved.
    await tabExpect(page, '#erreurs a[href="#siret"]', `${href}: from the summary of errors`);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'siret', null, { timeout: NAV_TIMEOUT }).catch(() => {});
    await assertFocusOn(page, '#siret', `${href}: the summary’s link (Enter)`);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('130 025 265 00013');
    await tabAndType(page, '#nom', newName, { reverse: true });
    await assertFocusVisible(page, `${href}: «Nom»`);
    await tabTo(page, save);
    await navigation(page, () => page.keyboard.press('Enter'), '«Enregistrer» (Enter)');
    assert.equal(new URL(page.url()).pathname, href);
    assert.equal(await text(notice(page)), 'Employeur enregistré.');
    assert.equal(await h1(page), newName);
    assert.equal(await page.locator('#nom').inputValue(), newName);
    assert.equal(await page.locator('#siret').inputValue(), '13002526500013', 'the SIRET is kept without its spaces');
    assert.equal(await page.locator('#siret').getAttribute('aria-invalid'), null);
    await auditCurrentPage(page, `${href} saved`);

    // An e-mail domain: something else first, refused in place (the value kept, the reason
    // beside the field, the summary focused); then a domain, its message focused in its section.
    const addDomain = 'form:has(#domaine) button[type="submit"]';
    const domainList = page.locator('#domaines ~ ul').first();
    const addDomainWithKeyboard = async (typed) => {
      await page.locator('#domaine').fill('');
      await tabAndType(page, '#domaine', typed, { max: 200 });
      await tabExpect(page, addDomain, `${href}: from «Ajouter un domaine»`);
      assert.equal(await text(page.locator(':focus')), 'Ajouter le domaine');
      await assertFocusVisible(page, `${href}: «Ajouter le domaine»`);
      await navigation(page, () => page.keyboard.press('Enter'), `«Ajouter le domaine» ${typed} (Enter)`);
    };
    await addDomainWithKeyboard('pas un domaine');
    assert.equal(new URL(page.url()).pathname, `${href}/domaines`, 'the refusal is answered in place');
    assert.equal(await page.locator('#domaine').inputValue(), 'pas un domaine', 'what was typed is kept');
    assert.equal(await page.locator('#domaine').getAttribute('aria-invalid'), 'true');
    assert.equal(await text(page.locator('#domaine-erreur')), 'Saisissez un nom de domaine, par exemple numerique.gouv.fr (sans @ ni espace).');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'erreurs', 'the error summary has the focus');
    await auditCurrentPage(page, `${href} after a refused domain`);
    await addDomainWithKeyboard('exemple.gouv.fr');
    assert.equal(new URL(page.url()).pathname, href);
    assert.equal(new URL(page.url()).searchParams.get('section'), 'domaines');
    const domainNotice = page.locator('#domaines ~ [role="status"]');
    assert.equal(await text(domainNotice), 'Domaine exemple.gouv.fr ajouté.', 'the message sits in the domains section');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'status', 'the message has the focus');
    await auditCurrentPage(page, `${href} after adding a domain`);
    assert.equal(await text(domainList.locator('li')), 'exemple.gouv.fr Retirer le domaine exemple.gouv.fr');
    const remove = 'form:has(input[name="supprimer"][value="exemple.gouv.fr"]) button[type="submit"]';
    await tabTo(page, remove, { max: 200 });
    await assertFocusVisible(page, `${href}: «Retirer»`);
    await navigation(page, () => page.keyboard.press('Enter'), '«Retirer» (Enter)');
    assert.equal(await text(notice(page)), 'Domaine exemple.gouv.fr retiré.');
    assert.equal(await page.locator('input[name="supprimer"]').count(), 0, 'no domain left');
    assert.equal(await page.getByText('Aucun domaine pour l’instant.').count(), 1);
    await auditCurrentPage(page, `${href} after removing the domain`);

    // A service.
    await tabAndType(page, '#service-nouveau', service, { max: 200 });
    await tabExpect(page, 'form:has(#service-nouveau) button[type="submit"]', `${href}: from «Nom du service»`);
    await navigation(page, () => page.keyboard.press('Enter'), '«Ajouter le service» (Enter)');
    assert.equal(await text(notice(page)), `Service ajouté à « ${newName} ».`);
    assert.ok((await page.locator('#services ~ ul li').allTextContents()).includes(service), 'the service is listed');
    await auditCurrentPage(page, `${href} after adding a service`);

    // «Publier une offre pour cet employeur»: the new offer form names the employer.
    const newOffer = `/recruteur/offres/nouvelle?employeur=${id}`;
    await tabTo(page, `main a[href="${newOffer}"]`, { max: 200 });
    assert.equal(await text(page.locator(':focus')), 'Publier une offre pour cet employeur');
    await assertFocusVisible(page, `${href}: «Publier une offre pour cet employeur»`);
    await navigation(page, () => page.keyboard.press('Enter'), '«Publier une offre pour cet employeur» (Enter)');
    assert.equal(`${new URL(page.url()).pathname}${new URL(page.url()).search}`, newOffer);
    assert.equal(await h1(page), 'Nouvelle offre');
    assert.equal(await text(page.locator('main p.fr-text--lead')), `Pour : ${newName}`);
    assert.equal(await page.locator('main form input[name="employeur"]').inputValue(), id, 'the form carries the employer');
    await auditCurrentPage(page, newOffer);

    // «Modifier sa page employeur»: a draft saved with its preview, for this employer.
    await page.goto(`${server.baseUrl}${href}`);
    const editor = `/recruteur/employeur?employeur=${id}`;
    await tabTo(page, `main a[href="${editor}"]`, { max: 200 });
    assert.equal(await text(page.locator(':focus')), 'Modifier sa page employeur');
    await navigation(page, () => page.keyboard.press('Enter'), '«Modifier sa page employeur» (Enter)');
    assert.equal(`${new URL(page.url()).pathname}${new URL(page.url()).search}`, editor);
    assert.equal(await h1(page), `Page employeur : ${newName}`);
    await auditCurrentPage(page, editor);
    const presentation = 'Nous **contrôlons** l’emploi des fonds publics.';
    await tabAndType(page, '#presentation', presentation, { max: 200 });
    await tabTo(page, 'button[name="action"][value="apercu"]');
    assert.equal(await text(page.locator(':focus')), 'Enregistrer le brouillon et prévisualiser');
    await navigation(page, () => page.keyboard.press('Enter'), '«Enregistrer le brouillon et prévisualiser» (Enter)');
    const afterDraft = new URL(page.url());
    assert.equal(afterDraft.pathname, '/recruteur/employeur');
    assert.equal(afterDraft.searchParams.get('employeur'), id, 'the address keeps the employer');
    assert.equal(afterDraft.searchParams.get('apercu'), '1');
    assert.equal(await text(notice(page)), 'Brouillon enregistré : la page publique n’a pas changé.');
    assert.equal(await h1(page), `Page employeur : ${newName}`);
    assert.equal(await text(page.locator('main .fr-badge').first()), 'Brouillon non publié');
    const preview = page.locator('main section[aria-labelledby="apercu-titre"]');
    assert.equal(await text(preview.locator('h2')), 'Aperçu du brouillon');
    assert.equal(await preview.locator('strong', { hasText: /^contrôlons$/ }).count(), 1, 'the preview renders the Markdown');
    assert.equal(await page.locator('#presentation').inputValue(), presentation);
    for (const hidden of await page.locator('main form input[name="employeur"]').all()) {
      assert.equal(await hidden.inputValue(), id, 'every form of the page carries the employer');
    }
    await auditCurrentPage(page, `${editor} with the preview`);

    // The public page shows the new name (and not the draft); so does the list.
    await checkPage(page, `${server.baseUrl}/employeurs/${slug}`);
    assert.ok((await h1(page)).startsWith(newName), `/employeurs/${slug} should show the new name: «${await h1(page)}»`);
    assert.equal(await page.getByText('contrôlons').count(), 0, 'the draft is not published');
    await checkPage(page, `${server.baseUrl}/admin/employeurs`);
    assert.match(await text(page.locator(`main td:has(a[href="${href}"])`)), new RegExp(`^${newName}.*SIRET 13002526500013$`));
  }, CONTEXTS),
);

// ---------------------------------------------------------------------------
// 2. An account's employer and services.

test('an account’s page: a recruiter’s services, then another employer', { timeout: 90_000 }, () =>
  withContexts(browser, async (open) => {
    const page = await adminPage(open);
    const recruiter = await addStaff(server, 'recruiter', { institution: 'region-bretagne', label: 'rattachee' });
    const services = ['Pôle données', 'Service des usages numériques'];

    // Two services for the employer, from the list of employers.
    await checkPage(page, `${server.baseUrl}/admin/employeurs`);
    const bretagne = await employerId(page, 'Région Bretagne');
    const corse = await employerId(page, 'Collectivité de Corse');
    for (const name of services) {
      await page.getByLabel('Nom du service pour Région Bretagne', { exact: true }).fill(name);
      await submit(page, page.getByRole('button', { name: 'Ajouter le service à Région Bretagne', exact: true }), `add ${name}`);
      assert.equal(await text(notice(page)), 'Service ajouté à « Région Bretagne ».');
    }

    // From /admin, the link on the recruiter's address.
    await checkPage(page, `${server.baseUrl}/admin`);
    const accounts = page.locator('main table').filter({ has: page.locator('caption', { hasText: /^Comptes$/ }) });
    await navigation(page, () => accounts.getByRole('link', { name: recruiter.email, exact: true }).click(), 'the account’s link');
    const accountPath = new URL(page.url()).pathname;
    assert.match(accountPath, /^\/admin\/utilisateurs\/\d+$/);
    assert.equal(await h1(page), recruiter.email);
    const employer = page.getByLabel('Employeur', { exact: true });
    const group = page.getByRole('group', { name: 'Services' });
    assert.equal(await employer.inputValue(), bretagne);
    const labels = await group.locator('label').allTextContents();
    assert.ok(services.every((name) => labels.includes(name)), `the employer’s services are offered: ${labels}`);
    assert.equal(await group.locator('input:checked').count(), 0, 'no service yet');
    await auditCurrentPage(page, accountPath);

    // Both services ticked (the DSFR draws the box on the label, over the input: the label is
    // what one clicks) and saved.
    for (const name of services) await group.locator('label', { hasText: name }).click();
    await submit(page, page.getByRole('button', { name: 'Enregistrer le rattachement' }), 'save the services');
    assert.equal(new URL(page.url()).pathname, accountPath);
    assert.equal(await text(notice(page)), 'Rattachement enregistré.');
    for (const name of services) assert.equal(await group.getByLabel(name).isChecked(), true, `«${name}» stays ticked`);
    await auditCurrentPage(page, `${accountPath} after saving the services`);

    // The recruiter sees their employer and services in their space.
    const recruiterPage = await open();
    await signInWithLink(recruiterPage, recruiter.link, '/recruteur', 'Espace recruteur');
    assert.equal(
      await text(recruiterPage.locator('main p', { hasText: 'Employeur :' })),
      `Employeur : Région Bretagne — services : ${services.join(', ')}`,
    );

    // Another employer: its services are to be chosen, the former ones dropped.
    await employer.selectOption({ label: 'Collectivité de Corse' });
    await submit(page, page.getByRole('button', { name: 'Enregistrer le rattachement' }), 'another employer');
    assert.equal(await text(notice(page)), 'Compte rattaché à Collectivité de Corse : choisissez maintenant ses services.');
    assert.equal(await employer.inputValue(), corse);
    const corseLabels = await group.locator('label').allTextContents();
    assert.ok(!services.some((name) => corseLabels.includes(name)), `only the new employer’s services are offered: ${corseLabels}`);
    assert.equal(await group.locator('input:checked').count(), 0, 'no service ticked for the new employer');
    await auditCurrentPage(page, `${accountPath} after changing the employer`);
    await page.goto(`${server.baseUrl}/admin`);
    assert.equal(await text(accounts.locator('td').filter({ hasText: recruiter.email }).locator('.fr-text--xs')), 'Collectivité de Corse', '/admin names the new employer');
    await page.goto(`${server.baseUrl}${accountPath}`);

    // Back to the first employer: its services are no longer ticked.
    await employer.selectOption({ label: 'Région Bretagne' });
    await submit(page, page.getByRole('button', { name: 'Enregistrer le rattachement' }), 'the first employer again');
    assert.equal(await text(notice(page)), 'Compte rattaché à Région Bretagne : choisissez maintenant ses services.');
    for (const name of services) assert.equal(await group.getByLabel(name).isChecked(), false, `«${name}» was dropped`);
  }, CONTEXTS),
);

// ---------------------------------------------------------------------------
// 3. Professions and domains.

test('professions and domains: renamed, moved, added; the offer form and the search facets follow', { timeout: 90_000 }, () =>
  withContexts(browser, async (open) => {
    const page = await adminPage(open);
    const renamed = { slug: 'architecte-technique', from: 'Architecte technique', to: 'Architecte technique et logicielle' };
    const domain = { slug: 'gestion', from: 'Gestion', to: 'Gestion et pilotage' };
    const addedDomain = 'Numérique responsable';
    const addedProfession = 'Référente / Référent accessibilité numérique';

    await checkPage(page, `${server.baseUrl}/admin/metiers`);
    assert.equal(await h1(page), 'Métiers et domaines');
    const professionRow = (label) => page.locator('main tr').filter({ has: page.locator('th', { hasText: label }) });
    const save = async (button, message, what) => {
      await submit(page, button, what);
      assert.equal(new URL(page.url()).pathname, '/admin/metiers');
      assert.equal(await text(notice(page)), message);
      await auditCurrentPage(page, `/admin/metiers: ${what}`);
    };

    // A domain renamed.
    await page.getByLabel(`Nouveau libellé de ${domain.from}`, { exact: true }).fill(domain.to);
    await save(page.getByRole('button', { name: `Renommer ${domain.from}`, exact: true }), `Domaine renommé : « ${domain.to} ».`, 'rename a domain');
    assert.equal(await page.locator('main th[scope="row"]', { hasText: new RegExp(`^${domain.to}$`) }).count(), 1);

    // A profession renamed and moved to another domain; its address stays.
    await page.getByLabel(`Libellé de ${renamed.from}`, { exact: true }).fill(renamed.to);
    await page.getByLabel(`Domaine de ${renamed.from}`, { exact: true }).selectOption({ label: 'Développement' });
    await save(page.getByRole('button', { name: `Enregistrer ${renamed.from}`, exact: true }), `Métier enregistré : « ${renamed.to} ».`, 'rename and move a profession');
    const row = professionRow(renamed.to);
    assert.equal(await text(row.locator('th code')), renamed.slug);
    assert.equal(await text(row.locator('td').first()), 'Développement');

    // A domain and a profession added; a domain that exists is refused.
    await page.getByLabel('Ajouter un domaine', { exact: true }).fill(addedDomain);
    await save(page.getByRole('button', { name: 'Ajouter le domaine' }), `Domaine « ${addedDomain} » ajouté.`, 'add a domain');
    await page.getByLabel('Libellé du métier', { exact: true }).fill(addedProfession);
    await page.locator('#nouveau-metier-domaine').selectOption({ label: addedDomain });
    await save(page.getByRole('button', { name: 'Ajouter le métier' }), `Métier « ${addedProfession} » ajouté.`, 'add a profession');
    assert.equal(await text(professionRow(addedProfession).locator('td').first()), addedDomain);
    await page.getByLabel('Ajouter un domaine', { exact: true }).fill('Sécurité');
    await submit(page, page.getByRole('button', { name: 'Ajouter le domaine' }), 'add an existing domain');
    assert.equal(await text(notice(page)), 'Impossible : un domaine « Sécurité » existe déjà.');
    assert.equal(await page.locator('main th[scope="row"]', { hasText: /^Sécurité$/ }).count(), 1, 'no second «Sécurité»');

    // A recruiter's new offer offers the new profession and the new label.
    const { page: recruiter } = await recruiterPage(open, 'dinum');
    await checkPage(recruiter, `${server.baseUrl}/recruteur/offres/nouvelle`);
    const professions = (await recruiter.getByLabel('Métier', { exact: true }).locator('option').allTextContents()).map((t) => t.trim());
    assert.ok(professions.includes(addedProfession), `the «Métier» select should offer «${addedProfession}»`);
    assert.ok(professions.includes(renamed.to), `the «Métier» select should offer «${renamed.to}»`);
    assert.ok(!professions.includes(renamed.from), `the «Métier» select should no longer offer «${renamed.from}»`);

    // The search facets use the new labels (the index is polled).
    const deadline = Date.now() + INDEX_TIMEOUT;
    let labels;
    for (;;) {
      await recruiter.goto(`${server.baseUrl}/offres-emploi`);
      labels = [await facetLabel(recruiter, 'metier', renamed.slug), await facetLabel(recruiter, 'domaine', domain.slug)];
      if (labels[0] === renamed.to && labels[1] === domain.to) break;
      if (Date.now() > deadline) assert.fail(`the search facets read ${JSON.stringify(labels)} after ${INDEX_TIMEOUT / 1000} s`);
      await recruiter.waitForTimeout(500);
    }
    await auditCurrentPage(recruiter, '/offres-emploi after the renames');
  }, CONTEXTS),
);

// ---------------------------------------------------------------------------
// 4. The stage e-mail templates.

test('the «Entretien» e-mail template: checked, previewed, saved, sent to a candidate, reset', { timeout: 120_000 }, () =>
  withContexts(browser, async (open) => {
    const page = await adminPage(open);
    const url = `${server.baseUrl}/admin/modeles-courriels`;
    const subject = 'Entretien pour « {offre} »';
    const body = 'Bonjour,\n\n{employeur} souhaite vous rencontrer pour « {offre} » (étape : {etape}).\n\nÀ bientôt.';
    await checkPage(page, url);
    assert.equal(await h1(page), 'Modèles d’e-mails');
    const section = page.locator('section[aria-labelledby="modele-entretien"]');
    const badge = section.locator('.fr-badge');
    const subjectField = page.locator('#objet-entretien');
    const bodyField = page.locator('#texte-entretien');
    const button = (name) => section.getByRole('button', { name: new RegExp(`^${name}`) });
    assert.equal(await text(section.locator('h2')), 'Étape « Entretien »');
    assert.equal(await text(badge), 'Texte par défaut');

    // An unknown variable: refused, the summary focused, what was typed kept.
    const wrong = 'Bonjour {prenom},\n\nà bientôt.';
    await subjectField.fill(subject);
    await bodyField.fill(wrong);
    const refused = await submit(page, button('Enregistrer'), 'save with {prenom}');
    assert.equal(refused.status(), 422);
    assert.equal(await page.title(), `Modèles d’e-mails – erreur${SITE_TITLE}`);
    await assertFocusOn(page, '#erreurs', 'templates: after a refused save');
    const error = await text(page.locator('#erreurs li'));
    assert.ok(error.startsWith('La variable {prenom} (dans le texte) n’existe pas'), `the error names the variable: «${error}»`);
    assert.equal(await page.locator('#erreurs a').getAttribute('href'), '#texte-entretien');
    assert.equal(await bodyField.getAttribute('aria-invalid'), 'true');
    assert.equal(await text(page.locator('#texte-entretien-erreur')), error);
    assert.equal(await bodyField.inputValue(), wrong, 'the text typed is kept');
    assert.equal(await subjectField.inputValue(), subject, 'the subject typed is kept');
    assert.equal(await text(badge), 'Texte par défaut', 'nothing was saved');
    await auditCurrentPage(page, `${url} with an error`);

    // «Aperçu» with a good text: the e-mail with the example values.
    await bodyField.fill(body);
    await submit(page, button('Aperçu'), 'preview');
    const preview = page.locator('#apercu-entretien');
    assert.equal(await text(preview.locator('h3')), 'Aperçu (exemple) : Entretien pour « Développeur·euse back-end Rust »');
    assert.deepEqual(await preview.locator('p').allTextContents(), [
      'Bonjour,',
      'Direction interministérielle du numérique souhaite vous rencontrer pour « Développeur·euse back-end Rust » (étape : Entretien).',
      'À bientôt.',
    ]);
    assert.equal(await page.locator('#erreurs').count(), 0);
    assert.equal(await bodyField.inputValue(), body);
    assert.equal(await text(badge), 'Texte par défaut', 'a preview saves nothing');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'apercu-entretien', 'the preview has the focus (it is far down the page)');
    await auditCurrentPage(page, `${url} with the preview`);

    // Saved.
    await submit(page, button('Enregistrer'), 'save');
    assert.equal(new URL(page.url()).pathname, '/admin/modeles-courriels');
    assert.equal(await text(notice(page)), 'Modèle « Entretien » enregistré.');
    assert.equal(await text(page.locator('#modele-entretien ~ [role="status"]')), 'Modèle « Entretien » enregistré.', 'the message sits in the stage’s section');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'status', 'the message has the focus');
    assert.equal(await text(badge), 'Texte modifié');
    assert.equal(await subjectField.inputValue(), subject);
    assert.equal(await bodyField.inputValue(), body);
    await auditCurrentPage(page, `${url} saved`);

    // A recruiter moves an application to «Entretien»: the candidate gets the new e-mail.
    const candidate = await newCandidate({ server, smtp }, await open(), 'camille', 'Camille', 'Durand');
    const applicationId = await applyTo(server, candidate, offer);
    const { page: recruiter } = await recruiterPage(open, offer.employer);
    const offerId = await offerIdOnHome(recruiter, offer.title);
    await checkPage(recruiter, `${server.baseUrl}/recruteur/offres/${offerId}/candidatures`);
    await recruiter.locator(`#etape-${applicationId}`).selectOption('entretien');
    await submit(recruiter, recruiter.locator(`form:has(#etape-${applicationId}) button[type="submit"]`), 'move to «Entretien»');
    assert.equal(await text(notice(recruiter)), 'Candidature passée à l’étape « Entretien » ; la personne a été prévenue par e-mail.');
    const employers = await (await fetch(`${server.baseUrl}/api/v1/employeurs`)).json();
    const employerName = employers.find((e) => e.slug === offer.employer)?.nom;
    assert.ok(employerName, `GET /api/v1/employeurs should list ${offer.employer}`);
    const mail = await smtp.waitForMessage({ to: candidate.email, subject: 'Entretien pour', timeout: MAIL_TIMEOUT });
    assert.equal(mail.subject, `Entretien pour « ${offer.title} »`);
    assert.ok(
      mail.text.includes(`${employerName} souhaite vous rencontrer pour « ${offer.title} » (étape : Entretien).`) && mail.text.includes('À bientôt.'),
      `the e-mail should follow the template:\n${mail.text}`,
    );
    assert.ok(!mail.text.includes('{'), `no variable left in the e-mail:\n${mail.text}`);
    assert.ok(mail.text.includes(`${server.baseUrl}/espace-candidat/candidatures/${applicationId}`), `the e-mail links to the application:\n${mail.text}`);

    // Back to the platform's wording.
    await page.reload();
    await submit(page, button('Rétablir le texte par défaut'), 'reset');
    assert.equal(await text(notice(page)), 'Modèle « Entretien » : texte par défaut rétabli.');
    assert.equal(await text(badge), 'Texte par défaut');
    assert.equal(await subjectField.inputValue(), 'Votre candidature : {etape}');
    assert.equal(await button('Rétablir le texte par défaut').count(), 0, 'nothing to reset any more');
    await auditCurrentPage(page, `${url} reset`);
  }, CONTEXTS),
);

// ---------------------------------------------------------------------------
// 5. Statistics.

test('the statistics pages draw their DSFR charts, hidden from assistive technologies, beside an accessible table', { timeout: 90_000 }, () =>
  withContexts(browser, async (open) => {
    const { page: recruiter } = await recruiterPage(open, offer.employer);
    const admin = await adminPage(open);
    const MONTHS = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];
    const now = new Date();
    const thisMonth = `${MONTHS[now.getUTCMonth()]} ${now.getUTCFullYear()}`;

    for (const [page, path] of [[recruiter, '/recruteur/statistiques'], [admin, '/admin/statistiques']]) {
      await checkPage(page, `${server.baseUrl}${path}`);
      assert.equal(await h1(page), 'Statistiques');
      // Each chart draws on a canvas of its own once the module has run.
      const drawn = () => {
        const charts = [...document.querySelectorAll('bar-chart, line-chart')];
        return charts.map((chart) => {
          const canvas = chart.querySelector('canvas');
          const box = canvas?.getBoundingClientRect();
          return {
            tag: chart.localName,
            canvas: canvas ? [canvas.width, canvas.height, Math.round(box.width), Math.round(box.height)] : null,
            hidden: chart.parentElement.getAttribute('aria-hidden'),
          };
        });
      };
      await page
        .waitForFunction(`(${drawn})().every((c) => c.canvas && c.canvas.every((n) => n > 0))`, null, { timeout: NAV_TIMEOUT })
        .catch(() => {});
      const charts = await page.evaluate(drawn);
      assert.deepEqual(charts.map((c) => c.tag), ['bar-chart', 'line-chart', 'line-chart'], `${path}: the charts`);
      for (const chart of charts) {
        assert.ok(chart.canvas && chart.canvas.every((n) => n > 0), `${path}: a ${chart.tag} should draw on a canvas with a size: ${JSON.stringify(chart)}`);
        assert.equal(chart.hidden, 'true', `${path}: the ${chart.tag}’s wrapper should be aria-hidden`);
      }

      // The same figures in a table, a row per month.
      const table = page.locator('main table');
      assert.match(await text(table.locator('caption')), /^Offres publiées, vues, candidatures.*12 derniers mois$/);
      const months = (await table.locator('tbody th[scope="row"]').allTextContents()).map((t) => t.trim());
      assert.equal(months.length, 12, `${path}: 12 months: ${months}`);
      const pattern = new RegExp(`^(${MONTHS.map((m) => m.replace('.', '\\.')).join('|')}) \\d{4}$`);
      assert.ok(months.every((m) => pattern.test(m)), `${path}: months read in French: ${months}`);
      assert.ok(months.includes(thisMonth), `${path}: the table should hold ${thisMonth}: ${months}`);
      await auditCurrentPage(page, `${path} with its charts`);
    }

    // The newsletter page, then with a preview of an issue (not sent).
    await checkPage(admin, `${server.baseUrl}/admin/lettre-information`);
    assert.equal(await h1(admin), 'Lettre d’information');
    await admin.getByLabel('Objet').fill('Les métiers du mois');
    await admin.getByLabel(/^Texte/).fill('Bonjour,\n\nVoici les nouvelles offres.');
    await navigation(admin, () => admin.getByRole('button', { name: 'Aperçu' }).click(), 'newsletter preview');
    assert.equal(await text(admin.locator('#apercu-titre')), 'Aperçu : Les métiers du mois');
    await auditCurrentPage(admin, '/admin/lettre-information with a preview');

    // The whole audit log, filtered to one action.
    await checkPage(admin, `${server.baseUrl}/admin/journal`);
    assert.equal(await h1(admin), 'Journal des modifications');
    await admin.getByLabel('Action').selectOption({ label: 'Offre créée' });
    await navigation(admin, () => admin.getByRole('button', { name: 'Filtrer' }).click(), 'audit log filter');
    assert.equal(new URL(admin.url()).searchParams.get('action'), 'offre.creation');
    await auditCurrentPage(admin, '/admin/journal filtered');
  }, CONTEXTS),
);

test('an administrator imports the product catalogue from a ZIP archive and reads its report', { timeout: 120_000 }, () =>
  withContexts(browser, async (open) => {
    const admin = await adminPage(open);
    await checkPage(admin, `${server.baseUrl}/admin/imports`);
    assert.equal(await h1(admin), 'Imports');

    // The project's broken fixtures, zipped inside one folder as a repository download is.
    const dir = mkdtempSync(join(tmpdir(), 'catalogue-'));
    const archive = join(dir, 'catalogue.zip');
    const zipped = spawnSync('python3', ['-c', ZIP_FOLDER, join(FIXTURES, 'betagouv-broken'), archive, 'catalogue-main']);
    assert.equal(zipped.status, 0, `zipping the fixtures: ${zipped.stderr}`);
    await admin.getByLabel(/^Archive du catalogue/).setInputFiles(archive);
    await submit(admin, admin.getByRole('button', { name: 'Importer le catalogue' }), '«Importer le catalogue»');
    assert.equal(await h1(admin), 'Rapport d’import du catalogue');
    assert.match(await text(admin.locator('main [role="status"]')), /^Archive « catalogue\.zip » importée : 5 produits lus, \d+ créés, .* 4 rejetés/);
    const rejected = (await admin.locator('main table').first().locator('tbody td:first-child').allTextContents()).sort();
    assert.deepEqual(rejected, ['startups/sans-entete.md', 'startups/sans-titre.md', 'startups/vieille-phase.md', 'startups/yaml-casse.md']);
    await auditCurrentPage(admin, 'the catalogue import report');

    // Not a catalogue: refused with the reason, on the imports page.
    const other = join(dir, 'offres.zip');
    assert.equal(spawnSync('python3', ['-c', ZIP_FOLDER, join(FIXTURES, 'csp'), other, '']).status, 0);
    await admin.goto(`${server.baseUrl}/admin/imports`);
    await admin.getByLabel(/^Archive du catalogue/).setInputFiles(other);
    await submit(admin, admin.getByRole('button', { name: 'Importer le catalogue' }), '«Importer le catalogue» (not a catalogue)');
    assert.match(await text(admin.locator('main [role="alert"]')), /ne contient pas de dossier startups\//);
    await auditCurrentPage(admin, '/admin/imports with a refused archive');
  }, CONTEXTS),
);
