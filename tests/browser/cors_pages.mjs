// A real browser (Debian's chromium, driven by puppeteer-core) on pages of two origins calling the
// API of a running netra: the page of the origin netra lists in server.cors_origins signs in,
// creates and lists threads, reads an exposed header and a refusal, and opens the WebSocket; the
// page of an unlisted origin, holding a valid token, can do none of it. Serves both pages itself,
// prints one JSON object with what each page saw (tests/browser/cors_browser_test.py asserts on it).
//   API=http://127.0.0.1:PORT LISTED_PORT=P1 UNLISTED_PORT=P2 node cors_pages.mjs
import http from 'node:http';
import puppeteer from 'puppeteer-core';

const api = process.env.API;
const listedPort = Number(process.env.LISTED_PORT);
const unlistedPort = Number(process.env.UNLISTED_PORT);
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!api || !listedPort || !unlistedPort) {
  console.error('API, LISTED_PORT and UNLISTED_PORT are required');
  process.exit(2);
}

// An empty page per origin: the scripts run in it through page.evaluate.
function servePage(port) {
  const server = http.createServer((request, response) => {
    response.writeHead(200, {'Content-Type': 'text/html; charset=utf-8'});
    response.end('<!doctype html><title>front end</title><p>front end</p>');
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

// Runs in the page. Every outcome is data (a status, or the error a script sees), never a throw.
async function frontEnd(api, givenToken) {
  const seen = {};
  const attempt = async (name, work) => {
    try {
      seen[name] = await work();
    } catch (error) {
      seen[name] = {error: String(error)};
    }
  };
  let token = givenToken;
  await attempt('login', async () => {
    const r = await fetch(api + '/auth/dev/login', {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({email: 'browser@example.com'}),
    });
    const body = await r.json();
    if (!token) token = body.access_token;
    return {status: r.status, has_token: typeof body.access_token === 'string'};
  });
  await attempt('create', async () => {
    const r = await fetch(api + '/api/threads', {
      method: 'POST',
      headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + token},
      body: JSON.stringify({title: 'Planned from a browser'}),
    });
    return {status: r.status, request_id: r.headers.get('X-Request-Id')};
  });
  await attempt('list', async () => {
    const r = await fetch(api + '/api/threads', {headers: {'Authorization': 'Bearer ' + token}});
    return {status: r.status, body: await r.text()};
  });
  await attempt('anonymous', async () => {  // a simple request: no preflight, the 401 must be readable
    const r = await fetch(api + '/api/threads');
    return {status: r.status, www_authenticate: r.headers.get('WWW-Authenticate')};
  });
  await attempt('websocket', () => new Promise((resolve) => {
    const socket = new WebSocket(api.replace(/^http/, 'ws') + '/ws');
    const timer = setTimeout(() => resolve('timeout'), 5000);
    socket.onopen = () => { clearTimeout(timer); socket.close(); resolve('open'); };
    socket.onerror = () => { clearTimeout(timer); resolve('error'); };
  }));
  return seen;
}

const pages = [await servePage(listedPort), await servePage(unlistedPort)];
const browser = await puppeteer.launch({
  executablePath: browserPath,
  headless: true,
  // Root in a container has no user namespace for the sandbox; the pages are our own.
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  timeout: 30000,
});
const result = {};
try {
  const listedPage = await browser.newPage();
  await listedPage.goto(`http://127.0.0.1:${listedPort}/`, {timeout: 15000});
  result.listed = await listedPage.evaluate(frontEnd, api, '');
  // The unlisted page is handed a valid token: the browser, not a missing credential, stops it.
  const login = await fetch(api + '/auth/dev/login', {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({email: 'browser@example.com'}),
  });
  const token = (await login.json()).access_token;
  const unlistedPage = await browser.newPage();
  await unlistedPage.goto(`http://127.0.0.1:${unlistedPort}/`, {timeout: 15000});
  result.unlisted = await unlistedPage.evaluate(frontEnd, api, token);
} finally {
  await browser.close();
  for (const page of pages) page.close();
}
console.log(JSON.stringify(result));
