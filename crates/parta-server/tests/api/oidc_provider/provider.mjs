// A real OpenID provider for Parta's SSO tests: the certified `oidc-provider`
// library, over HTTPS with the test's own certificate, code flow with PKCE (S256)
// required, one confidential client and a few accounts with e-mail, phone and name
// claims (in userinfo; the ID token carries `sub` alone, as this provider does by
// default).
//
//   node provider.mjs CONFIG.json
//
// CONFIG: { "port", "cert", "key", "client_id", "client_secret", "redirect_uris": [],
//           "accounts": [{ "id", "email", "phone_number", "family_name", "given_name" }] }
//
// The login page is a plain form (an e-mail, «Войти»), so a browser fills it in and a
// test posts it. A test may also ask the token endpoint to hand out a bad ID token —
// `POST /_test/mode?token=forged|wrong_aud|expired|normal` — signed with a key of its
// own under the real key's id (forged), or with the real key but naming another
// audience or long expired; `rotated` publishes a new key and signs with it (a good
// token under a key id the client has not seen), `unknown_kid` signs with a key of its
// own under an id nobody publishes.

import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import Provider from 'oidc-provider';

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const issuer = `https://127.0.0.1:${config.port}`;

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', alg: 'RS256', use: 'sig' };
const forgerKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
// A key the provider rotates to when told: published in its JWKS from then on.
const rotatedKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const rotatedJwk = { ...rotatedKey.publicKey.export({ format: 'jwk' }), kid: 'test-rotated', alg: 'RS256', use: 'sig' };
let rotated = false;

const accounts = new Map(config.accounts.map((a) => [a.id, a]));
const byEmail = (email) => config.accounts.find((a) => a.email === email.trim().toLowerCase());

let tokenMode = 'normal';

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: config.client_id,
      client_secret: config.client_secret,
      redirect_uris: config.redirect_uris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [signingJwk] },
  pkce: { required: () => true },
  cookies: { keys: ['parta-test-provider-cookie-key'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    phone: ['phone_number', 'phone_number_verified'],
    profile: ['family_name', 'given_name', 'middle_name', 'name'],
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (_ctx, id) => {
    const a = accounts.get(id);
    if (!a) return undefined;
    return {
      accountId: id,
      claims: async () => ({
        sub: id,
        email: a.email,
        email_verified: true,
        phone_number: a.phone_number,
        phone_number_verified: Boolean(a.phone_number),
        family_name: a.family_name,
        given_name: a.given_name,
        name: `${a.given_name} ${a.family_name}`,
      }),
    };
  },
});

const b64url = (value) => Buffer.from(value).toString('base64url');

/** The ID token re-signed as the test asked. */
function spoil(idToken, mode) {
  const [head, body] = idToken.split('.');
  const header = JSON.parse(Buffer.from(head, 'base64url'));
  const claims = JSON.parse(Buffer.from(body, 'base64url'));
  let key = privateKey;
  if (mode === 'forged') key = forgerKey;
  if (mode === 'rotated') {
    key = rotatedKey.privateKey;
    header.kid = 'test-rotated';
  }
  if (mode === 'unknown_kid') {
    key = forgerKey;
    header.kid = 'nobody';
  }
  if (mode === 'wrong_aud') claims.aud = 'another-client';
  if (mode === 'expired') {
    const now = Math.floor(Date.now() / 1000);
    claims.iat = now - 7200;
    claims.exp = now - 3600;
  }
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = crypto.sign('sha256', Buffer.from(input), key).toString('base64url');
  return `${input}.${signature}`;
}

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/jwks' && rotated && ctx.body && Array.isArray(ctx.body.keys)) {
    ctx.body = { keys: [...ctx.body.keys, rotatedJwk] };
  }
  if (ctx.path === '/token' && tokenMode !== 'normal' && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: spoil(ctx.body.id_token, tokenMode) };
  }
});

const escape = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Тестовый ID</title></head><body>${html}</body></html>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return page(res, 400, 'wrong interaction');
  if (req.method === 'GET') {
    return page(
      res,
      200,
      `<main><h1>Тестовый ID</h1><form method="post" action="/interaction/${escape(uid)}/login">` +
        `<label>Электронная почта <input name="login" type="email" autocomplete="username"></label>` +
        `<button type="submit">Войти</button></form></main>`,
    );
  }
  if (action !== 'login') return page(res, 404, 'unknown');
  const form = await readForm(req);
  const account = byEmail(form.get('login') || '');
  if (!account) return page(res, 200, '<main><p role="alert">Нет такого пользователя</p></main>');
  const grant = new provider.Grant({ accountId: account.id, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: account.id }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

const callback = provider.callback();
const server = https.createServer(
  { cert: fs.readFileSync(config.cert), key: fs.readFileSync(config.key) },
  async (req, res) => {
    try {
      const url = new URL(req.url, issuer);
      if (url.pathname === '/_test/mode' && req.method === 'POST') {
        tokenMode = url.searchParams.get('token') || 'normal';
        if (tokenMode === 'rotated') rotated = true;
        res.writeHead(204);
        return res.end();
      }
      const m = url.pathname.match(/^\/interaction\/([\w-]+)(?:\/(\w+))?$/);
      if (m) return await interaction(req, res, m[1], m[2]);
      return callback(req, res);
    } catch (error) {
      console.error(error);
      if (!res.headersSent) page(res, 500, 'error');
    }
  },
);
server.listen(config.port, '127.0.0.1', () => console.log(`oidc provider on ${issuer}`));
