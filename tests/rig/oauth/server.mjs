// The test rig's OAuth 2.0 / OpenID authorization server: oidc-provider on
// loopback, plain HTTP (allowed for loopback issuers only, RFC 8252 §8.3).
//
//   node server.mjs   with, in the environment:
//     OAUTH_PORT            port on 127.0.0.1 (the issuer is http://127.0.0.1:PORT)
//     OAUTH_USER            the one person who can sign in (alice@localhost)
//     OAUTH_PASSWORD        their password: the login form checks it for real
//     OAUTH_DOVECOT_SECRET  secret of the confidential "dovecot" client that
//                           introspects tokens; also guards the /rig/ routes
//     OAUTH_ACCESS_TTL      access token lifetime in seconds (default 60)
//
// Clients: "postier" (public, native: Authorization Code + PKCE with any
// loopback port, the Device Authorization Grant, refresh tokens rotated on
// use) and "dovecot" (confidential, introspection only). Access tokens are
// opaque and carry the scope "mail" of the resource urn:postier:smtp, the
// default resource, so a client asks only for scopes.
//
// Interactions are ours, not the dev ones (which take any password): a login
// form that checks OAUTH_PASSWORD, then a consent form.
//
// /rig/ routes for tests (POST, header X-Rig-Secret: OAUTH_DOVECOT_SECRET):
//   /rig/revoke-grants          every grant goes: refresh gets invalid_grant
//                               (?client_id=…: that client's only, so tests
//                               on different clients run side by side)
//   /rig/expire-access-token    (form: token=…) that access token alone goes,
//                               as if it had expired; its refresh token stays
//                               (RFC 7009 revocation would take the grant's
//                               refresh tokens along in oidc-provider)
// Every token request is counted: GET /rig/stats says how many refreshes,
// GET /rig/stats?client_id=… for one client.
//
// Two public clients with the same rights: 'postier' (the CLI's tests) and
// 'postier-app' (the app's), so each kind of test revokes and counts its own.
import crypto from 'node:crypto';
import http from 'node:http';
import { parse as parseQuery } from 'node:querystring';

import Provider from 'oidc-provider';

const port = Number(process.env.OAUTH_PORT);
const issuer = `http://127.0.0.1:${port}`;
const user = process.env.OAUTH_USER;
const password = process.env.OAUTH_PASSWORD;
const dovecotSecret = process.env.OAUTH_DOVECOT_SECRET;
const accessTtl = Number(process.env.OAUTH_ACCESS_TTL || 60);
const resource = 'urn:postier:smtp';

if (!port || !user || !password || !dovecotSecret) {
  console.error('oauth rig: OAUTH_PORT, OAUTH_USER, OAUTH_PASSWORD and OAUTH_DOVECOT_SECRET are required');
  process.exit(2);
}

const grants = new Set();
const newStats = () => ({ refresh: 0, authorization_code: 0, device_code: 0 });
const stats = newStats();
const statsByClient = new Map();
const postierClient = {
  client_name: 'Postier',
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  response_types: ['code'],
  redirect_uris: ['http://127.0.0.1/'],
};

const provider = new Provider(issuer, {
  clients: [
    { client_id: 'postier', ...postierClient },
    { client_id: 'postier-app', ...postierClient },
    {
      client_id: 'dovecot',
      client_secret: dovecotSecret,
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    },
  ],
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  scopes: ['openid', 'offline_access', 'mail'],
  claims: { openid: ['sub'], email: ['email'] },
  findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, email: id }) }),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    deviceFlow: { enabled: true },
    revocation: { enabled: true },
    introspection: {
      enabled: true,
      allowedPolicy: async (_ctx, client, token) =>
        client.clientId === 'dovecot' || token.clientId === client.clientId,
    },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => resource,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({
        scope: 'mail',
        audience: resource,
        accessTokenTTL: accessTtl,
        accessTokenFormat: 'opaque',
      }),
    },
  },
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  ttl: {
    AccessToken: accessTtl,
    AuthorizationCode: 120,
    DeviceCode: 600,
    Grant: 86400,
    Interaction: 600,
    RefreshToken: 86400,
    Session: 3600,
  },
});
provider.proxy = false;

provider.on('grant.success', (ctx) => {
  const type = ctx.oidc.params.grant_type;
  const clientId = ctx.oidc.client ? ctx.oidc.client.clientId : '';
  if (!statsByClient.has(clientId)) statsByClient.set(clientId, newStats());
  for (const counts of [stats, statsByClient.get(clientId)]) {
    if (type === 'refresh_token') counts.refresh += 1;
    else if (type === 'authorization_code') counts.authorization_code += 1;
    else counts.device_code += 1;
  }
});

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(res, status, title, body) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`
          + `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(parseQuery(data)));
    req.on('error', reject);
  });
}

async function showInteraction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    page(res, 200, 'Sign in to the Postier test rig',
      `<form method="post" action="/interaction/${uid}/login">`
      + '<input type="text" name="login" value=""> <input type="password" name="password" value="">'
      + '<button type="submit">Sign in</button></form>');
  } else {
    page(res, 200, 'Allow Postier to send mail as you?',
      `<form method="post" action="/interaction/${uid}/confirm">`
      + '<input type="hidden" name="consent" value="yes"><button type="submit">Allow</button></form>');
  }
}

async function login(req, res, uid) {
  const form = await readBody(req);
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name !== 'login') return page(res, 400, 'Unexpected step', '');
  if (form.login !== user || form.password !== password) {
    return page(res, 403, 'Wrong login or password',
      `<form method="post" action="/interaction/${uid}/login">`
      + '<input type="text" name="login" value=""> <input type="password" name="password" value="">'
      + '<button type="submit">Sign in</button></form>');
  }
  return provider.interactionFinished(req, res, { login: { accountId: user } }, { mergeWithLastSubmission: false });
}

async function confirm(req, res) {
  await readBody(req);
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session, grantId } = details;
  if (prompt.name !== 'consent') return page(res, 400, 'Unexpected step', '');
  const grant = grantId ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes || {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const saved = await grant.save();
  grants.add(saved);
  return provider.interactionFinished(req, res, { consent: { grantId: saved } }, { mergeWithLastSubmission: true });
}

async function rigRoute(req, res, url) {
  const path = url.pathname;
  if (req.headers['x-rig-secret'] !== dovecotSecret) return page(res, 403, 'Forbidden', '');
  if (path === '/rig/stats') {
    const clientId = url.searchParams.get('client_id');
    res.setHeader('Content-Type', 'application/json');
    return res.end(JSON.stringify(clientId ? (statsByClient.get(clientId) || newStats()) : stats));
  }
  if (req.method === 'POST' && path === '/rig/expire-access-token') {
    const { token } = await readBody(req);
    const found = await provider.AccessToken.find(String(token));
    if (found) await found.destroy();
    res.setHeader('Content-Type', 'application/json');
    return res.end(JSON.stringify({ ok: Boolean(found) }));
  }
  if (req.method !== 'POST' || path !== '/rig/revoke-grants') return page(res, 404, 'No such route', '');
  const clientId = url.searchParams.get('client_id');
  for (const id of [...grants]) {
    const grant = await provider.Grant.find(id);
    if (clientId && grant && grant.clientId !== clientId) continue;
    // The memory adapter drops every token of the grant, of any kind.
    await provider.RefreshToken.revokeByGrantId(id);
    if (grant) await grant.destroy();
    grants.delete(id);
  }
  res.setHeader('Content-Type', 'application/json');
  return res.end('{"ok":true}');
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  const m = url.pathname.match(/^\/interaction\/([^/]+)(\/login|\/confirm)?$/);
  try {
    if (url.pathname.startsWith('/rig/')) return await rigRoute(req, res, url);
    if (m && req.method === 'GET' && !m[2]) return await showInteraction(req, res, m[1]);
    if (m && req.method === 'POST' && m[2] === '/login') return await login(req, res, m[1]);
    if (m && req.method === 'POST' && m[2] === '/confirm') return await confirm(req, res);
  } catch (err) {
    return page(res, 500, 'Error', escapeHtml(err.message));
  }
  return callback(req, res);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`oauth rig: listening on ${issuer}`);
});
