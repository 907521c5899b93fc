// Offers and applications in the browser tests: an offer of the demo catalogue
// applied to on the site, a candidate's application with a PDF CV, and an
// offer's id as the recruiter space lists it.
import assert from 'node:assert/strict';
import { h1, navigation, text } from './page.mjs';
import { buildPdf } from './pdf.mjs';

/**
 * An open offer of the demo catalogue whose application goes through the site (no external
 * link), found with the JSON API.
 * @param {{ baseUrl: string }} server
 * @returns {Promise<{ slug: string, title: string, employer: string }>} `employer`: the employer's slug
 */
export async function findInternalOffer(server) {
  const list = await fetch(`${server.baseUrl}/api/v1/offres?par_page=100`);
  assert.equal(list.status, 200, 'GET /api/v1/offres');
  const { offres } = await list.json();
  assert.ok(offres.length > 0, 'the demo catalogue should hold offers');
  for (const summary of offres) {
    const detail = await (await fetch(`${server.baseUrl}/api/v1/offres/${summary.slug}`)).json();
    if (!detail.url_candidature) return { slug: summary.slug, title: summary.intitule, employer: summary.employeur.slug };
  }
  assert.fail('no offer of the demo catalogue is applied to on the site (all have url_candidature)');
}

/**
 * The signed-in candidate applies to `target` with a letter and a PDF CV (kept as
 * `candidate.pdf`); the application page must show it «Reçue».
 * @param {{ baseUrl: string }} server
 * @param {{ email: string, page: import('playwright-core').Page, prenom: string, nom: string, pdf?: Buffer }} candidate
 * @param {{ slug: string, title: string }} target
 * @returns {Promise<string>} the application's id
 */
export async function applyTo(server, candidate, target) {
  const { page } = candidate;
  await page.goto(`${server.baseUrl}/candidature/${target.slug}`);
  assert.equal(await h1(page), `Candidater : ${target.title}`);
  await page.getByLabel('Prénom').fill(candidate.prenom);
  await page.getByLabel('Nom', { exact: true }).fill(candidate.nom);
  await page.getByLabel(/^Lettre de motivation/).fill(`Bonjour, je suis ${candidate.prenom} ${candidate.nom} et je candidate.`);
  candidate.pdf = buildPdf(`${candidate.prenom} ${candidate.nom}`);
  await page.getByLabel(/^Déposer un CV/).setInputFiles({ name: 'cv.pdf', mimeType: 'application/pdf', buffer: candidate.pdf });
  await navigation(page, () => page.getByRole('button', { name: 'Envoyer ma candidature' }).click(), `application of ${candidate.email}`);
  const match = new URL(page.url()).pathname.match(/^\/espace-candidat\/candidatures\/(\d+)$/);
  assert.ok(match, `the application should lead to /espace-candidat/candidatures/{id}: ${page.url()}`);
  assert.equal(await text(page.locator('main .fr-badge').first()), 'Reçue');
  return match[1];
}

/**
 * The id of the offer `title` in the /recruteur table shown by `page` (from its pipeline link).
 * @param {import('playwright-core').Page} page
 * @param {string} title
 * @returns {Promise<string>}
 */
export async function offerIdOnHome(page, title) {
  const links = page.locator('main table tbody').getByRole('link', { name: title, exact: true });
  assert.equal(await links.count(), 1, `/recruteur should list «${title}» once`);
  const href = await links.getAttribute('href');
  const match = href.match(/^\/recruteur\/offres\/(\d+)\/candidatures$/);
  assert.ok(match, `the title should link to /recruteur/offres/{id}/candidatures: ${href}`);
  return match[1];
}
