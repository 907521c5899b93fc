// A real OpenID Connect provider (oidc-provider 9) that imitates ProConnect,
// the State's agent identity federation, for the tests: authorization code
// flow, client_secret_post (client_secret_basic works too: oidc-provider takes
// either for a client with a secret), RS256 ID tokens, userinfo as a signed JWT
// (application/jwt), ProConnect's scopes and claims, RP-initiated logout.
//
// Configuration (environment):
//   OIDC_PORT                       port on 127.0.0.1 (0 = a free one)
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET
//   OIDC_REDIRECT_URIS              comma-separated
//   OIDC_POST_LOGOUT_REDIRECT_URIS  comma-separated, optional
//   OIDC_ACCOUNTS                   optional JSON { login: { claim: value } } added to ACCOUNTS
//
// Once listening it prints one line on stdout, `OIDC_ISSUER=http://127.0.0.1:PORT`,
// and runs until SIGTERM or SIGINT. Everything else goes to stderr.
//
// The login page is ours (oidc-provider's devInteractions pages load Google
// Fonts): any login, any password, the login picks the account. Consent is
// implicit (ProConnect asks none), and logout does not ask either.
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import process from 'node:process';

// stdout carries only the OIDC_ISSUER line, so console output goes to stderr,
// less oidc-provider's advice for production (customise a default helper, do
// not keep state in memory), which a throwaway test provider ignores.
const quiet = /^oidc-provider (NOTICE: default |WARNING: a quick start development-only in-memory adapter)/;
for (const level of ['log', 'info', 'warn']) {
  console[level] = (...args) => {
    if (typeof args[0] === 'string' && quiet.test(args[0])) return;
    console.error(...args);
  };
}
// Imported once the console is redirected (a static import would run first).
const { default: Provider } = await import('oidc-provider');

function env(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    if (fallback !== undefined) return fallback;
    console.error(`oidc_provider.mjs: ${name} is required`);
    process.exit(2);
  }
  return value;
}

const list = (value) => value.split(',').map((item) => item.trim()).filter(Boolean);

const PORT = Number(env('OIDC_PORT', '0'));
const CLIENT_ID = env('OIDC_CLIENT_ID');
const CLIENT_SECRET = env('OIDC_CLIENT_SECRET');
const REDIRECT_URIS = list(env('OIDC_REDIRECT_URIS'));
const POST_LOGOUT_REDIRECT_URIS = list(env('OIDC_POST_LOGOUT_REDIRECT_URIS', ''));

// ProConnect's claims, each behind the scope of the same name (phone → phone_number).
const SCOPE_CLAIMS = {
  openid: ['sub'],
  email: ['email'],
  given_name: ['given_name'],
  usual_name: ['usual_name'],
  siret: ['siret'],
  siren: ['siren'],
  uid: ['uid'],
  idp_id: ['idp_id'],
  phone: ['phone_number'],
  organizational_unit: ['organizational_unit'],
  belonging_population: ['belonging_population'],
  chorusdt: ['chorusdt'],
};

// Test accounts keyed by the login typed in the form (lower case).
const ACCOUNTS = {
  'agent.a@numerique.gouv.fr': {
    given_name: 'Alice',
    usual_name: 'Agent',
    siret: '13002526500013',
    uid: '1',
    idp_id: 'fia1',
  },
  'agent.b@interieur.gouv.fr': { given_name: 'Bruno', usual_name: 'Bleu', siret: '11000001800010', uid: '2' },
  'inconnu@exemple.gouv.fr': { given_name: 'Ines', usual_name: 'Connue', siret: '99999999999999', uid: '3' },
};
if (process.env.OIDC_ACCOUNTS) {
  for (const [login, claims] of Object.entries(JSON.parse(process.env.OIDC_ACCOUNTS))) {
    const key = login.trim().toLowerCase();
    ACCOUNTS[key] = { ...ACCOUNTS[key], ...claims };
  }
}

const capitalize = (word) => word.charAt(0).toUpperCase() + word.slice(1);

/** The claims of the account a login opens; `sub` is stable: sha256(login) in hex, like ProConnect's opaque ids. */
function accountFor(typed) {
  const login = typed.trim().toLowerCase();
  // jean-pierre.martin@… → given_name "Jean-Pierre", usual_name "Martin".
  const words = login
    .split('@')[0]
    .split('.')
    .filter(Boolean)
    .map((word) => word.split('-').map(capitalize).join('-'));
  return {
    sub: createHash('sha256').update(login).digest('hex'),
    email: login,
    given_name: words[0] || login,
    usual_name: words.slice(1).join(' ') || words[0] || login,
    siret: '',
    uid: login,
    idp_id: 'fia1',
    ...ACCOUNTS[login],
  };
}

// oidc-provider calls an account by its accountId, which is also the ID token's
// `sub` (its id_token_hint check compares them): remember who logged in as what.
const accountsBySub = new Map();

function loginAccount(typed) {
  const claims = accountFor(typed);
  accountsBySub.set(claims.sub, claims);
  return claims;
}

const escapeHtml = (value) =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

// Plain pages with no outside resource (the built-in ones import Google Fonts,
// which the browser tests' network guard would block and report).
function page(title, body, script = '') {
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – ProConnect (test)</title>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>${script ? `\n<script>${script}</script>` : ''}
</body>
</html>`;
}

function loginPage(uid, loginHint) {
  const value = loginHint ? ` value="${escapeHtml(loginHint)}"` : ' autofocus';
  return page(
    'Connexion',
    `<p>Fournisseur d'identité de test : tout identifiant, tout mot de passe.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
<p><label for="login">Adresse électronique</label>
<input id="login" type="text" name="login" required${value}></p>
<p><label for="password">Mot de passe</label>
<input id="password" type="password" name="password"></p>
<p><button type="submit">Se connecter</button></p>
</form>
<p><a href="/interaction/${escapeHtml(uid)}/abort">Annuler</a></p>`,
  );
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// A key pair made at each start, so no key is committed.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };

const configuration = {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: REDIRECT_URIS,
      post_logout_redirect_uris: POST_LOGOUT_REDIRECT_URIS,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post', // ProConnect's
      id_token_signed_response_alg: 'RS256',
      userinfo_signed_response_alg: 'RS256',
      default_acr_values: ['eidas1'], // so every ID token carries acr, as ProConnect's do
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // ProConnect's routes under its /api/v2, minus the prefix.
  routes: { authorization: '/authorize', userinfo: '/userinfo', end_session: '/session/end', jwks: '/jwks', token: '/token' },
  responseTypes: ['code'],
  clientAuthMethods: ['client_secret_post'],
  enabledJWA: { idTokenSigningAlgValues: ['RS256'], userinfoSigningAlgValues: ['RS256'] },
  acrValues: ['eidas1'],
  scopes: Object.keys(SCOPE_CLAIMS),
  claims: { ...SCOPE_CLAIMS, acr: null, amr: null, auth_time: null, sid: null, iss: null },
  features: {
    devInteractions: { enabled: false }, // replaced by the login page below
    claimsParameter: { enabled: true }, // ProConnect accepts claims={"id_token":{"amr":…}}
    jwtUserinfo: { enabled: true }, // needed for userinfo_signed_response_alg
    userinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // Logging out asks nothing: the page posts its form (xsrf, logout=yes) by itself.
      async logoutSource(ctx, form) {
        const withLogout = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
        ctx.body = page(
          'Déconnexion',
          `${withLogout}\n<noscript><button type="submit" form="op.logoutForm">Se déconnecter</button></noscript>`,
          "document.getElementById('op.logoutForm').submit();",
        );
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Déconnexion', '<p>Vous êtes déconnecté.</p>');
      },
    },
  },
  async findAccount(ctx, sub) {
    const claims = accountsBySub.get(sub);
    if (!claims) return undefined;
    return { accountId: sub, claims: () => ({ ...claims }) };
  },
  // No consent screen: the grant always holds what this request asks for.
  async loadExistingGrant(ctx) {
    const { oidc } = ctx;
    const { Grant } = oidc.provider;
    const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
    let grant = grantId ? await Grant.find(grantId) : undefined;
    if (!grant || grant.accountId !== oidc.session.accountId) {
      grant = new Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
    }
    grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
    if (oidc.requestParamClaims.size) grant.addOIDCClaims([...oidc.requestParamClaims]);
    await grant.save();
    return grant;
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page(
      'Erreur',
      Object.entries(out)
        .map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong> : ${escapeHtml(value)}</p>`)
        .join('\n'),
    );
  },
};

// The issuer holds the port, known once listening: the server hands requests
// to the provider created just after.
let handle = (req, res) => {
  res.statusCode = 503;
  res.end();
};
const server = http.createServer((req, res) => handle(req, res));
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(PORT, '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, configuration);
provider.proxy = false; // plain http on loopback, no X-Forwarded-* trusted

// The login interaction (oidc-provider redirects to /interaction/:uid).
provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([\w-]+)(\/login|\/abort)?$/);
  if (!match) return next();
  const [, uid, action] = match;
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.uid !== uid) ctx.throw(400, 'interaction mismatch');

  let result;
  if (!action && ctx.method === 'GET' && details.prompt.name === 'login') {
    ctx.type = 'html';
    ctx.body = loginPage(uid, details.params.login_hint);
    return undefined;
  } else if (action === '/login' && ctx.method === 'POST') {
    const form = await readForm(ctx.req);
    const login = form.get('login')?.trim();
    if (!login) ctx.throw(400, 'login is required');
    result = { login: { accountId: loginAccount(login).sub, acr: 'eidas1', amr: ['pwd'] } };
  } else if (action === '/abort' && ctx.method === 'GET') {
    result = { error: 'access_denied', error_description: 'End-User aborted interaction' };
  } else if (!action && details.prompt.name === 'consent') {
    // Not reached while loadExistingGrant covers the request; granted anyway.
    result = { consent: {} };
  } else {
    ctx.throw(405);
  }
  const redirectTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(redirectTo);
  return undefined;
});

// Errors the tests may need to read, one line each on stderr.
for (const event of [
  'server_error',
  'authorization.error',
  'grant.error',
  'userinfo.error',
  'end_session.error',
  'end_session_confirm.error',
]) {
  provider.on(event, (ctx, error) => {
    const detail = error.error_detail ? ` [${error.error_detail}]` : '';
    const description = error.error_description ? ` (${error.error_description})` : '';
    console.error(`oidc-provider ${event} ${ctx.method} ${ctx.path}: ${error.error || error.message}${description}${detail}`);
    if (event === 'server_error') console.error(error.stack);
  });
}

handle = provider.callback();
process.stdout.write(`OIDC_ISSUER=${issuer}\n`);

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
