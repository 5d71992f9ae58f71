// A real OpenID provider for netra's sign-in tests: oidc-provider (OpenID-certified) on 127.0.0.1,
// one confidential client, fixed accounts, and a TEST-ONLY tampering mode that rewrites the ID
// token the token endpoint returns, so the relying party's checks can be tried one by one.
//
//   node oidc_test_provider.mjs [--port 0] --client-id netra --client-secret s3cret \
//       --redirect-uri http://127.0.0.1:8080/auth/oidc/local/callback [--redirect-uri ...]
//
// (or OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URIS space-separated).
// Prints `ready <issuer>` once listening; exits on SIGTERM/SIGINT, or when stdin is a pipe and
// closes (so a test runner that dies does not leave it behind).
//
// Sign-in is oidc-provider's dev interactions: GET /interaction/<uid> shows a form (hidden
// prompt=login, any login, any password), then a consent form (prompt=consent); the
// "[ Cancel ]" link (/interaction/<uid>/abort) sends the user back with error=access_denied.

import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { fstatSync } from 'node:fs';
import { parseArgs } from 'node:util';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
  },
});
const env = process.env;
const port = Number(args.port ?? env.OIDC_PORT ?? 0);
const clientId = args['client-id'] ?? env.OIDC_CLIENT_ID;
const clientSecret = args['client-secret'] ?? env.OIDC_CLIENT_SECRET;
const redirectUris = args['redirect-uri']
  ?? (env.OIDC_REDIRECT_URIS ?? '').split(/\s+/).filter(Boolean);
if (!clientId || !clientSecret || redirectUris.length === 0) {
  console.error('needs --client-id, --client-secret and at least one --redirect-uri');
  process.exit(2);
}

// The accounts the tests sign in as. Anything else is `<login>@example.com`, verified.
const ACCOUNTS = {
  alice: { email: 'alice@example.com', email_verified: true },
  carol: { email: 'carol@example.com', email_verified: true },
  mallory: { email: 'bob@example.com', email_verified: false }, // claims someone else's address
  dave: { email: 'dave@example.com', email_verified: false },
  erin: {}, // no email at all
};

function accountClaims(login) {
  const known = ACCOUNTS[login] ?? { email: `${login}@example.com`, email_verified: true };
  return { sub: login, name: login[0].toUpperCase() + login.slice(1), ...known };
}

// Keys are made at start: nothing to keep in the repository, and every run has new ones.
const KID = 'test-key-1';
async function signingJwk() {
  const { privateKey } = await jose.generateKeyPair('RS256', {
    modulusLength: 2048,
    extractable: true,
  });
  const jwk = { ...(await jose.exportJWK(privateKey)), kid: KID, alg: 'RS256', use: 'sig' };
  return { privateKey, jwk };
}
const real = await signingJwk();
const impostor = await signingJwk(); // same kid, other key: only the signature gives it away

// --- tampering, for tests only ---------------------------------------------------------------

const TAMPER_MODES = new Set(['none', 'nonce', 'expired', 'signature', 'audience']);
let tamperMode = 'none';

async function tamperIdToken(idToken, mode) {
  const header = jose.decodeProtectedHeader(idToken);
  const claims = jose.decodeJwt(idToken);
  let key = real.privateKey;
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'nonce':
      claims.nonce = randomBytes(16).toString('base64url');
      break;
    case 'expired': {
      // Expired an hour ago, far beyond any clock skew allowance; issued a lifetime before that.
      const shift = claims.exp - (now - 3600);
      claims.exp -= shift;
      claims.iat -= shift;
      if (claims.auth_time) claims.auth_time -= shift;
      break;
    }
    case 'signature':
      key = impostor.privateKey;
      break;
    case 'audience':
      claims.aud = 'someone-else';
      break;
    default:
      return idToken;
  }
  return new jose.SignJWT(claims).setProtectedHeader(header).sign(key);
}

// Reads a small JSON body (the test route's only input) without pulling in a body parser.
async function jsonBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

// --- the provider ----------------------------------------------------------------------------

// The issuer names the port, so listen first (port 0 allowed) and build the provider after.
const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  jwks: { keys: [real.jwk] },
  // Every client must use PKCE (oidc-provider 9 only accepts S256).
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Put the scopes' claims in the ID token as most providers do, not only at userinfo.
  conformIdTokenClaims: false,
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  async findAccount(ctx, id) {
    return { accountId: id, claims: async () => accountClaims(id) };
  },
});

provider.on('server_error', (ctx, error) => console.error('server_error', error));

// Test-only routes:
//   POST /__test/tamper {"mode": ...} sets how the next ID tokens are rewritten;
//   POST /__test/account {"login", "email"?, "email_verified"?} replaces an account's claims
//   (an address that changes at the provider while the subject stays).
provider.use(async (ctx, next) => {
  if (!ctx.path.startsWith('/__test/')) return next();
  if (ctx.method !== 'POST') ctx.throw(405);
  let body;
  try {
    body = await jsonBody(ctx.req);
  } catch {
    ctx.throw(400, 'body must be JSON');
  }
  if (ctx.path === '/__test/tamper') {
    if (!TAMPER_MODES.has(body.mode)) {
      ctx.throw(400, `mode must be one of ${[...TAMPER_MODES].join(', ')}`);
    }
    tamperMode = body.mode;
  } else if (ctx.path === '/__test/account' && typeof body.login === 'string' && body.login) {
    const { login, ...claims } = body;
    ACCOUNTS[login] = claims;
  } else {
    ctx.throw(404);
  }
  ctx.status = 204;
});

// After the token endpoint has answered, rewrite its id_token per the tampering mode.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token && tamperMode !== 'none') {
    ctx.body = { ...ctx.body, id_token: await tamperIdToken(ctx.body.id_token, tamperMode) };
  }
});

server.on('request', provider.callback());

// --- life ------------------------------------------------------------------------------------

function stop() {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (fstatSync(0).isFIFO()) {
  process.stdin.on('close', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

console.log(`ready ${issuer}`);
