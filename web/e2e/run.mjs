#!/usr/bin/env node
// End-to-end run of the web app against a real server with the demo school.
// Starts `$PARTA_BIN serve --demo` on a free port with a temporary data directory and
// `--web-dir dist`, drives Debian's Chromium through playwright-core, checks every main
// screen with axe-core (serious and critical violations fail), fails a test on any
// Content-Security-Policy violation in its pages, saves screenshots at phone
// and desktop sizes under test-results/screenshots/, stops the server, and ends with
// the line "N passed, M failed" (exit code 1 on any failure).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { crc32, deflateSync, inflateRawSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import AxeBuilderModule from '@axe-core/playwright';
import { hasTurnserver, startTurnRig, unitPort } from './turn.mjs';

const AxeBuilder = AxeBuilderModule.default ?? AxeBuilderModule;
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = process.env.PARTA_BIN || '/root/.cache/parta-target/debug/parta';
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const dist = join(root, 'dist');
const shots = join(root, 'test-results', 'screenshots');
const failures = join(root, 'test-results', 'failures');
const PASSWORD = 'demo-parta-2026';
const NEW_PASSWORD = 'e2e-parol-2026';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 900 };

for (const [what, path] of [
  ['server binary (set PARTA_BIN)', bin],
  ['Chromium (apt-get install chromium)', chromiumPath],
  ['built app (npm run build)', join(dist, 'index.html')],
]) {
  if (!existsSync(path)) {
    console.error(`missing ${what}: ${path}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}
mkdirSync(shots, { recursive: true });
mkdirSync(failures, { recursive: true });

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts `$PARTA_BIN serve --demo` on a free port with a data directory of its own:
 * its address, its log so far, `ready()` (waits for /healthz) and `stop()`.
 */
async function startDemo(prefix, { port: chosen, args = [] } = {}) {
  const port = chosen ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const demo = { url: `http://127.0.0.1:${port}`, log: '', exited: false };
  const child = spawn(bin, ['serve', '--demo', '--listen', `127.0.0.1:${port}`, '--data', dir, '--web-dir', dist, '--calls-udp', '127.0.0.1:0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  });
  child.stdout.on('data', (d) => (demo.log += d));
  child.stderr.on('data', (d) => (demo.log += d));
  child.on('exit', () => (demo.exited = true));
  demo.stop = () => {
    if (!demo.exited) child.kill('SIGTERM');
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* ignore */
    }
  };
  demo.ready = async () => {
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      if (demo.exited) throw new Error(`server exited early:\n${demo.log}`);
      if ((await fetch(`${demo.url}/healthz`).catch(() => null))?.ok) return;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`server did not start:\n${demo.log}`);
  };
  return demo;
}

/**
 * A real OpenID provider for the SSO scenario: npm's oidc-provider (the API tests'
 * crates/parta-server/tests/api/oidc_provider, `npm ci` there first) over HTTPS with a
 * certificate made here, its client's redirect at the server on `partaPort`. Its
 * `stop()`, its issuer, and the server's config file naming it as «Тестовый ID».
 */
async function startOidcProvider(partaPort) {
  const folder = join(dirname(root), 'crates/parta-server/tests/api/oidc_provider');
  if (!existsSync(join(folder, 'node_modules/oidc-provider'))) {
    throw new Error(`the OpenID provider's packages are missing: npm ci in ${folder}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'parta-e2e-oidc-'));
  const { execFileSync } = await import('node:child_process');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'extendedKeyUsage=serverAuth',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const port = await freePort();
  const issuer = `https://127.0.0.1:${port}`;
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'provider.json'), JSON.stringify({
    port, cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), client_id: 'parta', client_secret: 'e2e-secret',
    redirect_uris: [`http://127.0.0.1:${partaPort}/api/v1/auth/oidc/test/callback`],
    accounts: [
      { id: 'director-1', email: 'director@id.test', family_name: 'Директорова', given_name: 'Дарья' },
      { id: 'stranger-2', email: 'stranger@id.test', family_name: 'Чужой', given_name: 'Иван' },
      { id: 'parent-3', email: 'sso.parent@id.test', family_name: 'Сафонова', given_name: 'Светлана' },
    ],
  }));
  const config = join(dir, 'parta.toml');
  writeFileSync(config, [
    '[[oidc]]', 'id = "test"', 'name = "Тестовый ID"', `issuer = "${issuer}"`, 'client_id = "parta"',
    'client_secret = "e2e-secret"', 'scopes = ["email", "profile"]', 'claim = "email"', `ca_file = "${join(dir, 'cert.pem')}"`, '',
  ].join('\n'));
  const child = spawn('node', [join(folder, 'provider.mjs'), join(dir, 'provider.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const up = await new Promise((resolve) => {
      const sock = createConnection({ host: '127.0.0.1', port }, () => resolve(sock.end() && true));
      sock.on('error', () => resolve(false));
    });
    if (up) return { issuer, config, stop: () => { child.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); } };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  throw new Error(`the OpenID provider did not start:\n${log}`);
}

const mainPort = await freePort();
const oidc = await startOidcProvider(mainPort);
const main = await startDemo('parta-e2e-', { port: mainPort, args: ['--config', oidc.config] });
const base = main.url;

let browser;
/** Stops what a scenario started beside the main server (the TURN rig), should the run end first. */
const extraStops = [];
function stopAll() {
  for (const stop of extraStops.splice(0)) stop();
  main.stop();
  oidc.stop();
}
process.on('SIGINT', () => {
  stopAll();
  process.exit(130);
});

// ---------- helpers ----------

const results = [];
const axeReport = [];
/** Content Security Policy violations seen since the last test ended; any fails the test. */
const cspViolations = [];

async function newContext() {
  const ctx = await browser.newContext({ viewport: DESKTOP, locale: 'ru-RU', timezoneId: 'Europe/Moscow' });
  ctx.setDefaultTimeout(20_000);
  await watchCsp(ctx);
  return ctx;
}

/** Records every CSP violation in the context's pages: the `securitypolicyviolation` event
 *  (reported through a binding, which the policy does not govern) and Chromium's console
 *  line for it (which also covers what happens before the page's scripts run). */
async function watchCsp(ctx) {
  await ctx.exposeBinding('__partaCspViolation', ({ page }, v) => {
    cspViolations.push(`${v.directive} refused ${v.blocked || '(inline)'} at ${v.source}:${v.line} on ${page?.url()}${v.sample ? ` («${v.sample}»)` : ''}`);
  });
  await ctx.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__partaCspViolation({ directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber, sample: e.sample });
    });
  });
  ctx.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) cspViolations.push(`console: ${m.text()}`);
  });
}

/** Throws (and forgets them) if any CSP violation was recorded. */
function expectNoCspViolations(when) {
  const seen = cspViolations.splice(0);
  if (seen.length) throw new Error(`${seen.length} Content Security Policy violation(s) ${when}:\n      ${seen.join('\n      ')}`);
}

/** axe-core on the current page; serious or critical violations throw. */
async function axe(page, screen) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  axeReport.push({ screen, violations: result.violations.length, serious: bad.length });
  if (bad.length) {
    const text = bad
      .map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n${v.nodes.slice(0, 3).map((n) => `      ${n.target.join(' ')}`).join('\n')}`)
      .join('\n');
    throw new Error(`axe: ${bad.length} serious/critical violation(s) on ${screen}:\n${text}`);
  }
}

/** Screenshots at phone and desktop size (full page), then back to desktop. */
async function snap(page, name) {
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(50);
  await page.screenshot({ path: join(shots, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
  await page.waitForTimeout(50);
  await page.screenshot({ path: join(shots, `${name}-desktop.png`), fullPage: true });
}

/** A main screen: axe at both sizes and screenshots. */
async function screen(page, name) {
  await page.waitForLoadState('networkidle');
  await axe(page, `${name} (desktop)`);
  await page.setViewportSize(PHONE);
  await axe(page, `${name} (phone)`);
  await page.setViewportSize(DESKTOP);
  await snap(page, name);
}

const pagesToShoot = [];
/** E2E_ONLY=text runs only the tests whose name contains it, or one of `a|b` (for working on one part). */
const only = process.env.E2E_ONLY?.split('|');
async function test(name, fn) {
  if (only && !only.some((o) => name.includes(o))) return;
  const started = Date.now();
  try {
    await fn();
    expectNoCspViolations('during the test or since the one before');
    results.push({ name, ok: true });
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false, why: String(e?.message || e).split('\n').slice(0, 3).join(' ') });
    console.log(`  ✗ ${name} (${Date.now() - started} ms)\n    ${String(e?.stack || e).split('\n').join('\n    ')}`);
    const csp = cspViolations.splice(0);
    if (csp.length) console.log(`    and ${csp.length} Content Security Policy violation(s):\n      ${csp.join('\n      ')}`);
    for (const [i, p] of pagesToShoot.entries()) {
      try {
        if (!p.isClosed()) await p.screenshot({ path: join(failures, `${name.replace(/[^\wа-яё]+/gi, '_')}-${i}.png`), fullPage: true });
      } catch {
        /* ignore */
      }
    }
  }
}

/**
 * The browsers' push services are out of reach here: a browser's subscription is made up
 * as a browser gives it (an FCM address, RFC 8291's example keys) and kept across reloads,
 * as a real one is; the server checks it like any other. With `prompt`, the browser's own
 * question is answered «yes» (headless Chromium cannot show it).
 */
async function fakeBrowserPush(ctx, { prompt = false } = {}) {
  await ctx.addInitScript((prompt) => {
    if (prompt) {
      Object.defineProperty(Notification, 'permission', { configurable: true, get: () => localStorage.getItem('e2e-permission') ?? 'default' });
      Notification.requestPermission = async () => {
        localStorage.setItem('e2e-permission', 'granted');
        return 'granted';
      };
    }
    const made = (endpoint) => ({
      endpoint,
      options: { applicationServerKey: null },
      toJSON: () => ({
        endpoint,
        keys: { p256dh: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4', auth: 'BTBZMqHH6r4Tts7J_aSIgg' },
      }),
      unsubscribe: async () => {
        localStorage.removeItem('e2e-push');
        return true;
      },
    });
    PushManager.prototype.subscribe = async function () {
      const endpoint = `https://fcm.googleapis.com/fcm/send/e2e-${Date.now()}`;
      localStorage.setItem('e2e-push', endpoint);
      return made(endpoint);
    };
    PushManager.prototype.getSubscription = async function () {
      const endpoint = localStorage.getItem('e2e-push');
      return endpoint ? made(endpoint) : null;
    };
  }, prompt);
}

/** A page of a fresh browser context signed in as `who`; the context is kept in `ctxs` to close. */
async function signedInPage(ctxs, who) {
  const ctx = await newContext();
  ctxs.push(ctx);
  const page = await ctx.newPage();
  pagesToShoot.push(page);
  await login(page, who);
  return page;
}

async function login(page, who, password = PASSWORD, at = base) {
  await page.goto(`${at}/login`);
  await lbl(page, 'Телефон или e-mail').fill(who);
  await lbl(page, 'Пароль').fill(password);
  await page.getByRole('button', { name: 'Войти', exact: true }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** Creates an invite on the admin's invites tab and returns its full URL. */
async function createInvite(page, { cls, role, child }) {
  await page.goto(`${base}/school/1/invites`);
  const form = page.locator('form', { has: page.getByRole('heading', { name: 'Новая ссылка-приглашение' }) });
  await lbl(form, 'Класс').selectOption({ label: cls });
  await lbl(form, 'Роль').selectOption({ label: role });
  if (child) {
    const childSelect = lbl(form, 'Ребёнок');
    await childSelect.locator('option', { hasText: child }).waitFor({ state: 'attached' });
    await childSelect.selectOption({ label: child });
  }
  const before = (await page.locator('.created-invite').count()) ? await page.locator('.created-invite').getAttribute('data-invite-id') : null;
  await form.getByRole('button', { name: 'Создать ссылку' }).click();
  const card = page.locator('.created-invite');
  await card.waitFor();
  if (before) await page.waitForFunction((b) => document.querySelector('.created-invite')?.getAttribute('data-invite-id') !== b, before);
  const link = await lbl(card, 'Ссылка-приглашение').inputValue();
  if (!link.includes('/join/')) throw new Error(`unexpected invite link ${link}`);
  await card.locator('img.qr').waitFor();
  return { link, id: await card.getAttribute('data-invite-id') };
}

async function registerByLink(ctx, link, person, shotName) {
  const page = await ctx.newPage();
  pagesToShoot.push(page);
  await page.goto(link);
  await page.getByRole('heading', { name: 'Регистрация' }).waitFor();
  if (shotName) await screen(page, shotName);
  await lbl(page, 'Фамилия').fill(person.family);
  await lbl(page, 'Имя').fill(person.given);
  await lbl(page, 'Отчество').fill(person.patronymic);
  await lbl(page, 'E-mail').fill(person.email);
  await lbl(page, 'Придумайте пароль').fill(NEW_PASSWORD);
  await agreeToConsent(page);
  await page.getByRole('button', { name: /^Зарегистрироваться/ }).click();
  await page.getByRole('heading', { name: 'Вы в школе' }).waitFor();
  return page;
}

/** Ticks every consent box of the form (one's own; by a parent's link, the child's too). */
async function agreeToConsent(scope) {
  const boxes = scope.locator('.consent input[type="checkbox"]');
  await boxes.first().waitFor();
  for (const box of await boxes.all()) await box.check();
}

/** The current consent version (for registering or joining through the API). */
async function consentVersion(at = base) {
  const res = await fetch(`${at}/api/v1/consent`);
  return (await res.json()).version;
}

/** The input labelled exactly `name` (a required field's label ends with « *»). */
function lbl(scope, name) {
  const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return scope.getByLabel(new RegExp(`^${esc}( \\*)?$`));
}

/** Waits (up to 10 s) until a locator matches `n` elements. */
async function countReaches(locator, n, what) {
  for (let i = 0; i < 100 && (await locator.count()) !== n; i++) await new Promise((r) => setTimeout(r, 100));
  const count = await locator.count();
  expect(count === n, `${what}: ${count}, expected ${n}`);
}

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

/** Request headers of a fresh API session (bearer token) of a demo person. */
async function apiSession(who, at = base) {
  const res = await fetch(`${at}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: who, password: PASSWORD }),
  });
  const { token } = await res.json();
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
}

/** `HH:MM` in Moscow (the demo school's time zone), `minutes` from now. */
function moscowClock(minutes = 0) {
  const d = new Date(Date.now() + minutes * 60_000);
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Moscow', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
}

/** A PDF of about `bytes` bytes (the server judges the type by its first bytes). */
function pdfOf(bytes) {
  const head = Buffer.from('%PDF-1.4\n% Parta e2e\n');
  return Buffer.concat([head, Buffer.alloc(Math.max(0, bytes - head.length), 0x41)]);
}

/** A PNG of one colour, `w`×`h` (for the server's previews). */
function pngOf(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(w * 3, 0x5a)]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Fails when the page is wider than a phone's screen (something sticks out sideways). */
async function fitsPhone(page, what) {
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(50);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize(DESKTOP);
  expect(width <= PHONE.width, `${what} is ${width} px wide at phone size (${PHONE.width})`);
}

/** A zip of `[name, text or bytes]` entries, stored (not compressed): local headers, then the central directory. */
function zipStored(files) {
  const parts = [];
  const centrals = [];
  let offset = 0;
  for (const [name, content] of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    const sum = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // names in UTF-8
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10); // 00:00
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(sum, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(sum, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    parts.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dir, end]);
}

/** The entries of a zip (stored or deflated) by name, read through its central directory. */
function unzipEntries(zip) {
  const endAt = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endAt < 0) throw new Error('not a zip: no end of central directory');
  const count = zip.readUInt16LE(endAt + 10);
  let at = zip.readUInt32LE(endAt + 16);
  const entries = new Map();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('a broken central directory');
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const [nameLen, extraLen, commentLen] = [zip.readUInt16LE(at + 28), zip.readUInt16LE(at + 30), zip.readUInt16LE(at + 32)];
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(dataAt, dataAt + size);
    entries.set(name, method === 8 ? inflateRawSync(raw) : Buffer.from(raw));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/**
 * A OneRoster 1.2 bundle for the demo school, on its own school and year rows as the
 * register's export gives them: a new class 10Р led by a new teacher, two students of it
 * (one with a parent), a student with a broken e-mail (refused), a subject group
 * (left alone). `users` may replace users.csv's text; `extra` adds entries.
 */
function rosterBundle({ orgs, sessions, users, extra = [] }) {
  const school = orgs.split('\n')[1].split(',')[0];
  const year = sessions.split('\n')[1].split(',')[0];
  const classes =
    'sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n' +
    `e2e-10r,,,10Р,10,e2e-course,,homeroom,,${school},${year},,,\n` +
    `e2e-alg,,,Алгебра 10Р,10,e2e-course,,scheduled,,${school},${year},,,\n`;
  const people =
    users ??
    'sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n' +
      'e2e-t1,,,true,,,Ирина,Реестрова,Павловна,,,,,,,\n' +
      'e2e-s1,,,true,,,Глеб,Списков,Андреевич,,,,,e2e-p1,10,\n' +
      'e2e-s2,,,true,,,Дарья,Импортова,Олеговна,,,,,,10,\n' +
      'e2e-s3,,,true,,,Олег,Безпочтов,,,не-почта,,,,10,\n' +
      'e2e-p1,,,true,,,Наталья,Спискова,Игоревна,,,,,e2e-s1,,\n';
  const roles =
    'sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n' +
    ['e2e-t1,teacher', 'e2e-s1,student', 'e2e-s2,student', 'e2e-s3,student', 'e2e-p1,parent']
      .map((x, i) => { const [user, role] = x.split(','); return `e2e-r${i},,,${user},primary,${role},,,${school},`; })
      .join('\n') + '\n';
  const enrollments =
    'sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n' +
    `e2e-e1,,,e2e-10r,${school},e2e-t1,teacher,true,,\n` +
    `e2e-e2,,,e2e-10r,${school},e2e-s1,student,false,,\n` +
    `e2e-e3,,,e2e-10r,${school},e2e-s2,student,false,,\n` +
    `e2e-e4,,,e2e-10r,${school},e2e-s3,student,false,,\n` +
    `e2e-e5,,,e2e-alg,${school},e2e-t1,teacher,false,,\n`;
  return zipStored([
    ['manifest.csv', 'propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\n'],
    ['orgs.csv', orgs],
    ['academicSessions.csv', sessions],
    ['classes.csv', classes],
    ['users.csv', people],
    ['roles.csv', roles],
    ['enrollments.csv', enrollments],
    ...extra,
  ]);
}

// ---------- the run ----------

const t0 = Date.now();
try {
  await main.ready();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Calls: a fake camera and microphone (and screen), no permission prompts, media over loopback.
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--allow-loopback-in-peer-connection',
    ],
  });
  console.log(`server on ${base}`);

  const adminCtx = await newContext();
  const admin = await adminCtx.newPage();
  pagesToShoot.push(admin);
  const stamp = Date.now().toString(36);
  let teacherLink;
  let parentLink;
  let revokedLink;

  await test('pages come with a strict Content-Security-Policy; an injected inline script is refused and caught', async () => {
    const res = await admin.goto(`${base}/login`);
    const policy = res.headers()['content-security-policy'] || '';
    for (const d of ["default-src 'self'", "script-src 'self';", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) {
      expect(policy.includes(d), `no ${d} in the policy: ${policy}`);
    }
    expect(!policy.includes("'unsafe-"), `the policy allows unsafe sources: ${policy}`);
    const ran = await admin.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__partaInjected = true';
      document.body.append(s);
      await new Promise((r) => setTimeout(r, 100));
      return window.__partaInjected === true;
    });
    expect(!ran, 'an injected inline script ran');
    // The watcher that fails every other test on a violation saw this one.
    const until = Date.now() + 5_000;
    while (!cspViolations.some((v) => v.includes('script-src')) && Date.now() < until) await admin.waitForTimeout(50);
    expect(cspViolations.some((v) => v.includes('script-src')), `the violation was not caught: ${JSON.stringify(cspViolations)}`);
    cspViolations.length = 0;
  });

  await test('the API docs page works under its policy (the app\'s, plus the Swagger logo\'s style)', async () => {
    const ctx = await newContext();
    try {
      const page = await ctx.newPage();
      pagesToShoot.push(page);
      await page.goto(`${base}/api/docs/`);
      await page.locator('.swagger-ui .info .title').waitFor();
      const login = page.locator('.opblock', { hasText: '/api/v1/auth/login' }).first();
      await login.locator('.opblock-summary').click();
      await login.getByRole('button', { name: 'Try it out' }).click();
      await login.getByRole('button', { name: 'Execute' }).click();
      await login.locator('.responses-wrapper .live-responses-table').waitFor();
      await page.waitForTimeout(200);
    } finally {
      await ctx.close();
    }
  });

  await test('login page: axe and layout', async () => {
    await admin.goto(`${base}/login`);
    await admin.getByRole('heading', { name: 'Вход' }).waitFor();
    await screen(admin, 'login');
  });

  await test('wrong password shows the server message and keeps the login', async () => {
    await lbl(admin, 'Телефон или e-mail').fill('admin@demo.parta.local');
    await lbl(admin, 'Пароль').fill('not-the-password');
    await admin.getByRole('button', { name: 'Войти', exact: true }).click();
    await admin.getByRole('alert').filter({ hasText: 'Неверный логин или пароль' }).waitFor();
    expect((await lbl(admin, 'Телефон или e-mail').inputValue()) === 'admin@demo.parta.local', 'login was lost');
  });

  await test('SSO: the director links «Тестовый ID» after their password, then signs in with it; an unlinked identity is told so', async () => {
    // The provider's certificate is the test's own: this browser trusts it.
    const ctx = await browser.newContext({ viewport: DESKTOP, locale: 'ru-RU', timezoneId: 'Europe/Moscow', ignoreHTTPSErrors: true });
    ctx.setDefaultTimeout(20_000);
    await watchCsp(ctx);
    const signInAtProvider = async (page, email) => {
      await page.waitForURL((u) => u.href.startsWith(oidc.issuer));
      await page.getByLabel('Электронная почта').fill(email);
      await page.getByRole('button', { name: 'Войти' }).click();
    };
    try {
      const page = await ctx.newPage();
      pagesToShoot.push(page);
      // Not linked yet: back on the login page with the reason, in words.
      await page.goto(`${base}/login`);
      await page.getByRole('link', { name: 'Войти через Тестовый ID' }).click();
      await signInAtProvider(page, 'director@id.test');
      await page.waitForURL((u) => u.pathname === '/login' && u.search.includes('sso_error=oidc_not_linked'));
      await page.getByRole('alert').filter({ hasText: 'войдите по паролю и свяжите его в профиле' }).waitFor();
      await screen(page, 'login-sso-error');

      // Linked from the profile, after the password.
      await login(page, 'director@demo.parta.local');
      await page.goto(`${base}/profile`);
      const section = page.locator('[data-sso-profile]');
      await section.getByRole('heading', { name: 'Вход через внешние сервисы' }).waitFor();
      await section.getByRole('button', { name: 'Связать' }).click();
      await lbl(section, 'Текущий пароль').fill(PASSWORD);
      await section.getByRole('button', { name: 'Продолжить' }).click();
      // The provider remembers this browser from the first try, or asks again.
      await page.waitForURL((u) => u.pathname === '/profile' || u.href.startsWith(oidc.issuer));
      if (page.url().startsWith(oidc.issuer)) await signInAtProvider(page, 'director@id.test');
      await page.waitForURL((u) => u.pathname === '/profile' && u.search.includes('sso=linked'));
      await section.getByText('Вход связан с вашей учётной записью.').waitFor();
      await section.locator('[data-sso-provider="test"][data-linked="yes"]').getByText('director@id.test').waitFor();
      await screen(page, 'profile-sso');

      // Logged out, then in with the provider alone.
      await page.getByRole('button', { name: 'Выйти' }).click();
      await page.waitForURL(/\/login/);
      await page.getByRole('link', { name: 'Войти через Тестовый ID' }).click();
      await page.waitForURL((u) => u.origin === base || u.href.startsWith(oidc.issuer));
      if (page.url().startsWith(oidc.issuer)) await signInAtProvider(page, 'director@id.test');
      await page.waitForURL((u) => u.origin === base && !u.pathname.startsWith('/login'));
      const who = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
      expect(who.email === 'director@demo.parta.local', `signed in as ${JSON.stringify(who.email)}`);
    } finally {
      await ctx.close();
    }
  });

  await test('SSO: a parent joins by her invite link with «Тестовый ID» — asked for consent first, her name and address taken from the provider, no password; she is in the school, signed in', async () => {
    const h = await apiSession('ivanova@demo.parta.local');
    const classes = await (await fetch(`${base}/api/v1/orgs/1/classes`, { headers: h })).json();
    const cls = classes.find((c) => c.name === '5А');
    const members = await (await fetch(`${base}/api/v1/orgs/1/members`, { headers: h })).json();
    // A 5А student other than Лебедев, whose parent joins later by a form.
    const child = members.findLast((m) => m.roles.includes('student') && m.person.family_name !== 'Лебедев' && m.places.some((p) => p.class.id === cls.id));
    const made = await fetch(`${base}/api/v1/orgs/1/invites`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({ class_id: cls.id, role: 'parent', child_user_id: child.person.id }),
    });
    expect(made.ok, `the class teacher makes a parent link: ${made.status}`);
    const { path } = await made.json();
    const ctx = await browser.newContext({ viewport: PHONE, locale: 'ru-RU', timezoneId: 'Europe/Moscow', ignoreHTTPSErrors: true });
    ctx.setDefaultTimeout(20_000);
    await watchCsp(ctx);
    try {
      const page = await ctx.newPage();
      pagesToShoot.push(page);
      await page.goto(`${base}${path}`);
      await page.getByRole('heading', { name: 'Регистрация' }).waitFor();
      const join = page.getByRole('button', { name: 'Присоединиться через Тестовый ID' });
      await join.click();
      await page.getByText('Отметьте согласие на обработку персональных данных выше.').waitFor();
      expect(page.url().startsWith(base), 'nobody is sent to the provider before consenting');
      await agreeToConsent(page);
      await join.click();
      await page.waitForURL((u) => u.href.startsWith(oidc.issuer));
      await page.getByLabel('Электронная почта').fill('sso.parent@id.test');
      await page.getByRole('button', { name: 'Войти' }).click();
      await page.waitForURL((u) => u.origin === base && !u.pathname.startsWith('/login') && !u.pathname.startsWith('/join'));
      const who = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
      expect(who.email === 'sso.parent@id.test', `signed in as ${JSON.stringify(who.email)}`);
      expect(who.family_name === 'Сафонова' && who.given_name === 'Светлана', `her name from the provider: ${JSON.stringify([who.family_name, who.given_name])}`);
      const links = await page.evaluate(async () => (await fetch('/api/v1/me/oidc')).json());
      expect(links.some((l) => l.provider === 'test' && l.label === 'sso.parent@id.test'), `the identity is linked: ${JSON.stringify(links)}`);
      await screen(page, 'join-sso');
    } finally {
      await ctx.close();
    }
  });

  await test('admin logs in and lands in the school console', async () => {
    await login(admin, 'admin@demo.parta.local');
    await admin.waitForURL(/\/school\/1/);
    await admin.getByRole('heading', { name: 'Профиль школы' }).waitFor();
  });

  await test('admin console tabs: axe and screenshots', async () => {
    const tabs = [
      ['profile', 'Профиль школы'],
      ['structure', 'Подразделения'],
      ['invites', 'Новая ссылка-приглашение'],
      ['requests', 'Заявки на вступление'],
      ['members', 'Участники'],
      ['admins', 'Администраторы школы'],
      ['reports', 'Жалобы на сообщения'],
      ['audit', 'Журнал аудита'],
      ['year', 'Учебные годы'],
      ['transition', 'Переход на новый учебный год'],
      ['orders', 'Дистанционное обучение'],
      ['statistics', 'Статистика школы'],
      ['roster', 'Списки OneRoster'],
    ];
    for (const [tab, heading] of tabs) {
      await admin.goto(`${base}/school/1/${tab}`);
      await admin.getByRole('heading', { name: heading, exact: true }).first().waitFor();
      await screen(admin, `console-${tab}`);
    }
  });

  await test('admin creates a teacher invite for 5А', async () => {
    ({ link: teacherLink } = await createInvite(admin, { cls: '5А', role: 'Учитель' }));
  });

  await test('admin creates a parent invite for 5А (child: Волкова Анастасия)', async () => {
    ({ link: parentLink } = await createInvite(admin, { cls: '5А', role: 'Родитель (законный представитель)', child: 'Волкова Анастасия Дмитриевна' }));
    expect(parentLink !== teacherLink, 'parent link equals teacher link');
  });

  await test('a new teacher registers by the link and lands in the school', async () => {
    const ctx = await newContext();
    const page = await registerByLink(
      ctx,
      teacherLink,
      { family: 'Соколова', given: 'Анна', patronymic: 'Игоревна', email: `teacher.${stamp}@example.ru` },
      'join',
    );
    await screen(page, 'join-done');
    await page.getByRole('button', { name: 'Перейти' }).click();
    await page.waitForURL(/\/profile/);
    await page.getByText('Учитель — 5А').waitFor();
    await ctx.close();
  });

  await test('a new parent registers by the link, sees the child in the profile', async () => {
    const ctx = await newContext();
    const page = await registerByLink(ctx, parentLink, {
      family: 'Волков',
      given: 'Дмитрий',
      patronymic: 'Сергеевич',
      email: `parent.${stamp}@example.ru`,
    });
    await page.getByRole('button', { name: 'Перейти' }).click();
    await page.waitForURL(/\/profile/);
    await page.getByRole('heading', { name: 'Дети' }).waitFor();
    await page.locator('.facts', { hasText: 'Волкова Анастасия Дмитриевна' }).waitFor();
    // What one wrote comes as a file of one's own (nothing written yet: an empty list).
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Скачать мои сообщения' }).click()]);
    expect(/^parta-messages-\d{4}-\d{2}-\d{2}\.json$/.test(file.suggestedFilename()), `the download is named ${file.suggestedFilename()}`);
    const mine = JSON.parse(readFileSync(await file.path(), 'utf8'));
    expect(mine.person?.family_name === 'Волков' && Array.isArray(mine.messages), `the export reads ${JSON.stringify(mine).slice(0, 200)}`);
    // Everything Parta holds about one, as a zip (its entries' names stand unpacked in it).
    const [zip] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Скачать все мои данные' }).click()]);
    expect(/^parta-data-\d{4}-\d{2}-\d{2}\.zip$/.test(zip.suggestedFilename()), `the archive is named ${zip.suggestedFilename()}`);
    const bytes = readFileSync(await zip.path());
    expect(bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])), 'the download is a zip');
    for (const entry of ['README.txt', 'profile.json', 'memberships.json', 'messages.json', 'files.json']) {
      expect(bytes.includes(Buffer.from(entry)), `${entry} is in the archive`);
    }
    await ctx.close();
  });

  await test('consent at registration: refused without the box, recorded with it, listed in the profile', async () => {
    // The class teacher of 5А makes a parent's link for a 5А student through the API.
    const h = await apiSession('ivanova@demo.parta.local');
    const classes = await (await fetch(`${base}/api/v1/orgs/1/classes`, { headers: h })).json();
    const cls = classes.find((c) => c.name === '5А');
    const members = await (await fetch(`${base}/api/v1/orgs/1/members`, { headers: h })).json();
    const child = members.find((m) => m.roles.includes('student') && m.person.family_name === 'Лебедев' && m.places.some((p) => p.class.id === cls.id));
    expect(child, 'a 5А student Лебедев in the demo');
    const made = await fetch(`${base}/api/v1/orgs/1/invites`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({ class_id: cls.id, role: 'parent', child_user_id: child.person.id }),
    });
    expect(made.status === 201 || made.status === 200, `the class teacher makes a parent link: ${made.status}`);
    const { path } = await made.json();
    const childName = [child.person.family_name, child.person.given_name, child.person.patronymic].filter(Boolean).join(' ');

    const ctx = await newContext();
    try {
      const page = await ctx.newPage();
      pagesToShoot.push(page);
      await page.goto(`${base}${path}`);
      await page.getByRole('heading', { name: 'Регистрация' }).waitFor();
      const own = page.locator('.consent[data-consent="consent"]');
      const forChild = page.locator('.consent[data-consent="consent_child"]');
      await own.getByText('Я даю согласие на обработку персональных данных', { exact: false }).waitFor();
      await forChild.getByText(childName, { exact: false }).waitFor();
      await own.locator('summary', { hasText: 'Текст согласия' }).click();
      await own.getByText('152-ФЗ', { exact: false }).waitFor();
      await lbl(page, 'Фамилия').fill('Лебедева');
      await lbl(page, 'Имя').fill('Ольга');
      await lbl(page, 'E-mail').fill(`consent.${stamp}@example.ru`);
      await lbl(page, 'Придумайте пароль').fill(NEW_PASSWORD);
      // Without the boxes the server refuses: the message stands at each box.
      await page.getByRole('button', { name: /^Зарегистрироваться/ }).click();
      await own.locator('.field-error', { hasText: 'Без согласия' }).waitFor();
      await forChild.locator('.field-error', { hasText: 'ребёнка' }).waitFor();
      expect((await own.locator('input[type="checkbox"]').getAttribute('aria-invalid')) === 'true', 'the box is marked invalid');
      const described = await own.locator('input[type="checkbox"]').getAttribute('aria-describedby');
      expect(described && (await page.locator(`#${described}`).innerText()).includes('Без согласия'), 'the message is tied to the box');
      expect((await lbl(page, 'E-mail').inputValue()) === `consent.${stamp}@example.ru`, 'the form keeps what was typed');
      await screen(page, 'join-consent');
      // Only one's own box ticked: still refused, at the child's box.
      await own.locator('input[type="checkbox"]').check();
      await page.getByRole('button', { name: /^Зарегистрироваться/ }).click();
      await forChild.locator('.field-error').waitFor();
      await forChild.locator('input[type="checkbox"]').check();
      await page.getByRole('button', { name: /^Зарегистрироваться/ }).click();
      await page.getByRole('heading', { name: 'Вы в школе' }).waitFor();

      await page.goto(`${base}/profile`);
      const section = page.getByRole('region', { name: 'Согласия на обработку персональных данных' });
      await section.waitFor();
      await section.locator('[data-consent-kind="self"]', { hasText: 'За себя' }).waitFor();
      await section.locator('[data-consent-kind="child"]', { hasText: `За ребёнка: ${childName}` }).waitFor();
      const version = await consentVersion();
      await section.getByText(`редакция ${version}`).first().waitFor();
      await screen(page, 'profile-consents');

      // Signed in, joining by a parent's link for another child asks for that child's consent.
      const other = members.find((m) => m.roles.includes('student') && m.person.id !== child.person.id && m.places.some((p) => p.class.id === cls.id));
      const second = await fetch(`${base}/api/v1/orgs/1/invites`, {
        method: 'POST',
        headers: h,
        body: JSON.stringify({ class_id: cls.id, role: 'parent', child_user_id: other.person.id }),
      });
      const otherName = [other.person.family_name, other.person.given_name, other.person.patronymic].filter(Boolean).join(' ');
      await page.goto(`${base}${(await second.json()).path}`);
      const box = page.locator('.consent[data-consent="consent_child"]');
      await box.getByText(otherName, { exact: false }).waitFor();
      expect((await page.locator('.consent[data-consent="consent"]').count()) === 0, 'an account is not asked for its own consent again');
      await page.getByRole('button', { name: 'Присоединиться', exact: true }).click();
      await box.locator('.field-error', { hasText: 'ребёнка' }).waitFor();
      await box.locator('input[type="checkbox"]').check();
      await page.getByRole('button', { name: 'Присоединиться', exact: true }).click();
      await page.getByRole('heading', { name: 'Вы в школе' }).waitFor();
      await page.goto(`${base}/profile`);
      await section.locator('[data-consent-kind="child"]', { hasText: `За ребёнка: ${otherName}` }).waitFor();
    } finally {
      await ctx.close();
    }
  });

  await test('someone with an account fills in the registration form: a wrong password is explained, the right one joins', async () => {
    // A teacher of the school is also a mother of a 9А student: the link is for her as a parent.
    const { link } = await createInvite(admin, { cls: '9А', role: 'Родитель (законный представитель)', child: 'Фёдорова София Михайловна' });
    const ctx = await newContext();
    try {
      const page = await ctx.newPage();
      pagesToShoot.push(page);
      await page.goto(link);
      await page.getByRole('heading', { name: 'Регистрация' }).waitFor();
      await lbl(page, 'Фамилия').fill('Кузнецова');
      await lbl(page, 'Имя').fill('Елена');
      await lbl(page, 'E-mail').fill('kuznetsova@demo.parta.local');
      await lbl(page, 'Придумайте пароль').fill(NEW_PASSWORD);
      await agreeToConsent(page);
      await page.getByRole('button', { name: /^Зарегистрироваться/ }).click();
      await page.getByText(/Если у вас уже есть учётная запись с этим телефоном или e-mail/).waitFor();
      expect((await lbl(page, 'E-mail').inputValue()) === 'kuznetsova@demo.parta.local', 'the form keeps what was typed');
      await screen(page, 'join-existing-account');
      await lbl(page, 'Придумайте пароль').fill(PASSWORD);
      await page.getByRole('button', { name: /^Зарегистрироваться/ }).click();
      await page.getByRole('heading', { name: 'Вы в школе' }).waitFor();
    } finally {
      await ctx.close();
    }
  });

  await test('an unverified teacher is told why a chat with a student is refused', async () => {
    const ctx = await newContext();
    try {
      const page = await ctx.newPage();
      pagesToShoot.push(page);
      await login(page, `teacher.${stamp}@example.ru`, NEW_PASSWORD);
      await page.goto(`${base}/chats`);
      await page.getByRole('button', { name: 'Новый чат' }).click();
      const dialog = page.getByRole('dialog', { name: 'Новый чат' });
      await dialog.waitFor();
      await dialog.getByLabel('Беседа').check();
      await lbl(dialog, 'Название').fill(`Кружок ${stamp}`);
      await lbl(dialog, 'Найти по фамилии или имени').fill('лебедев');
      await dialog.getByRole('checkbox', { name: /^Лебедев Артём/ }).check();
      await dialog.getByRole('button', { name: 'Создать чат' }).click();
      const alert = dialog.getByRole('alert');
      await alert.waitFor();
      const text = await alert.innerText();
      expect(/подтвержд/i.test(text), `the refusal says why: ${text}`);
      await screen(page, 'chat-new-unverified');
    } finally {
      await ctx.close();
    }
  });

  await test('admin verifies the new teacher on the members tab', async () => {
    await admin.goto(`${base}/school/1/members`);
    const waiting = admin.getByRole('region', { name: 'Ждут подтверждения статуса педагога' });
    await waiting.locator('.unverified-item', { hasText: 'Соколова Анна Игоревна' }).waitFor();
    await screen(admin, 'console-members-unverified');
    const ivanova = admin.locator('.member-item', { hasText: 'Соколова Анна Игоревна' });
    await ivanova.waitFor();
    await ivanova.getByText('Статус педагога не подтверждён').waitFor();
    await ivanova.locator('summary').click();
    const verify = ivanova.getByRole('button', { name: 'Подтвердить статус учителя' });
    await verify.click();
    await admin.locator('.member-item', { hasText: 'Соколова Анна Игоревна' }).getByText('Подтверждённый педагог').waitFor();
    await admin.locator('.unverified-item', { hasText: 'Соколова Анна Игоревна' }).waitFor({ state: 'detached' });
  });

  await test('the invite list counts the uses', async () => {
    await admin.goto(`${base}/school/1/invites`);
    await admin.locator('.list-item[data-status="used_up"]', { hasText: 'Волкова Анастасия' }).first().waitFor();
    await admin.getByText('использовано 1 из 50').first().waitFor();
  });

  await test('admin revokes a link; opening it shows the revoked page', async () => {
    const { link, id } = await createInvite(admin, { cls: '5Б', role: 'Обучающийся' });
    revokedLink = link;
    const row = admin.locator(`.list .list-item[data-invite-id="${id}"]`);
    await row.getByRole('button', { name: 'Аннулировать' }).click();
    await row.getByRole('button', { name: 'Да', exact: true }).click();
    await admin.locator(`.list .list-item[data-invite-id="${id}"][data-status="revoked"]`).waitFor();
    const ctx = await newContext();
    const page = await ctx.newPage();
    pagesToShoot.push(page);
    await page.goto(revokedLink);
    await page.getByRole('heading', { name: 'Ссылка аннулирована' }).waitFor();
    expect((await page.locator('[data-invite-state]').getAttribute('data-invite-state')) === 'invite_revoked', 'wrong state');
    await screen(page, 'join-revoked');
    await page.goto(`${base}/join/not-a-real-token-at-all`);
    await page.getByRole('heading', { name: 'Ссылка не найдена' }).waitFor();
    await ctx.close();
  });

  /** The demo register as the admin exported it (orgs.csv and academicSessions.csv are reused for the bundle). */
  let rosterExport;
  /** The personal links of the OneRoster import: sourcedId → full address. */
  const rosterLinks = new Map();

  await test('OneRoster: the admin exports the register from «Списки OneRoster» (loaded on demand) as a zip with users.csv, named by the server', async () => {
    const ctxs = [];
    try {
      const page = await signedInPage(ctxs, 'admin@demo.parta.local');
      await page.waitForURL(/\/school\/1/);
      await page.locator('nav.tabs').getByRole('link', { name: 'Списки OneRoster', exact: true }).click();
      await page.waitForURL(/\/school\/1\/roster$/);
      await page.getByRole('heading', { name: 'Списки OneRoster', exact: true }).waitFor();
      await page.getByText('Каждому новому человеку будет создана личная ссылка: по ней он сам зарегистрируется. Пароли не задаются.').waitFor();
      await screen(page, 'console-roster');
      await fitsPhone(page, 'console-roster');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Выгрузить в OneRoster' }).click()]);
      expect(download.suggestedFilename() === 'oneroster-1.zip', `the export is named «${download.suggestedFilename()}»`);
      const bytes = readFileSync(await download.path());
      expect(bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])), 'the export is not a zip');
      const files = unzipEntries(bytes);
      for (const name of ['manifest.csv', 'orgs.csv', 'academicSessions.csv', 'classes.csv', 'users.csv', 'enrollments.csv'])
        expect(files.has(name), `no ${name} in the export: ${[...files.keys()].join(', ')}`);
      const users = files.get('users.csv').toString('utf8');
      expect(users.includes('Волкова') && users.includes('student.5a@demo.parta.local'), `users.csv lacks the demo students: ${users.slice(0, 300)}`);
      rosterExport = { orgs: files.get('orgs.csv').toString('utf8'), sessions: files.get('academicSessions.csv').toString('utf8') };
    } finally {
      for (const ctx of ctxs) await ctx.close();
    }
  });

  await test('OneRoster: a bundle without a required column is refused whole with the server\'s words and the file; a good one is checked with upload progress (nothing written): counts, changes, a refused row explained in Russian at its line, a left subject group; applied, it gives personal links once, to copy and as a CSV; checked again it changes nothing and the links stay; «Ждём» lists the four and gives the student a new link', async () => {
    expect(rosterExport, 'no export to build the bundle on (the export test failed)');
    const ctxs = [];
    try {
      const page = await signedInPage(ctxs, 'admin@demo.parta.local');
      await page.goto(`${base}/school/1/roster`);
      const file = lbl(page, 'Архив OneRoster (.zip)');
      await file.waitFor();

      // A users.csv without familyName: the bundle as a whole is refused, and where.
      const broken = rosterBundle({ ...rosterExport, users: 'sourcedId,givenName\ne2e-x,Икс\n' });
      await file.setInputFiles({ name: 'bez-familii.zip', mimeType: 'application/zip', buffer: broken });
      await page.getByRole('button', { name: 'Проверить', exact: true }).click();
      const refusal = page.locator('.roster-refusal');
      await refusal.getByText('Архив не принят').waitFor();
      const said = (await refusal.textContent()).replace(/\s+/g, ' ');
      expect(said.includes('В файле нет обязательного столбца.') && said.includes('файл users.csv, столбец familyName'), `the refusal reads «${said}»`);
      expect((await page.locator('.roster-report').count()) === 0, 'a refused bundle shows a report');

      // The good bundle, padded to 3 MB and sent over a slow upload: the bar moves, then waits for the server.
      const bundle = rosterBundle({ ...rosterExport, extra: [['readme.txt', Buffer.alloc(3 * 1024 * 1024, 0x41)]] });
      await file.setInputFiles({ name: 'spiski-10r.zip', mimeType: 'application/zip', buffer: bundle });
      await page.getByText(/^Выбран файл spiski-10r\.zip/).waitFor();
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 1024 * 1024 });
      const seen = new Set();
      await page.getByRole('button', { name: 'Проверить', exact: true }).click();
      const report = page.locator('.roster-report[data-dry-run="true"]');
      const until = Date.now() + 30_000;
      while (!(await report.count()) && Date.now() < until) {
        const p = await page.locator('.roster-progress').getAttribute('data-progress', { timeout: 200 }).catch(() => null);
        if (p !== null) seen.add(p);
        await page.waitForTimeout(40);
      }
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await report.getByRole('heading', { name: 'Что будет сделано' }).waitFor();
      const percents = [...seen].filter((p) => /^\d+$/.test(p)).map(Number);
      expect(percents.some((p) => p > 0 && p < 100), `the bar never showed a part sent: ${[...seen].join(', ')}`);
      await report.getByText('Это проверка: пока ничего не изменилось.').waitFor();

      const count = async (what, col) => (await report.locator(`tr[data-count="${col}"] td[data-counts="${what}"]`).textContent()).trim();
      expect((await count('classes', 'created')) === '1', `classes to create: ${await count('classes', 'created')}`);
      expect((await count('people', 'created')) === '4', `people to create: ${await count('people', 'created')}`);
      await report.getByRole('rowheader', { name: 'Будет создано' }).waitFor();
      await report.locator('li[data-change="created"]', { hasText: 'Новый класс: 10Р' }).waitFor();
      await report.locator('li[data-change="created"]', { hasText: 'Новый человек: Списков Глеб Андреевич' }).waitFor();

      const refused = report.locator('table[data-rows="rejected"] tr[data-code="invalid_email"]');
      await refused.waitFor();
      const cells = (await refused.locator('td').allTextContents()).map((x) => x.trim());
      expect(JSON.stringify(cells) === JSON.stringify(['users.csv', '5', 'email', 'Неверный адрес e-mail.']), `the refused row reads ${JSON.stringify(cells)}`);
      const left = report.locator('table[data-rows="left"] tr[data-code="not_a_class"]');
      expect(((await left.textContent()) || '').includes('группа по предмету'), 'the subject group is not explained');
      await screen(page, 'console-roster-checked');
      await fitsPhone(page, 'console-roster-checked');

      // Nothing was written by the check.
      const adminApi = await apiSession('admin@demo.parta.local');
      const classesBefore = await (await fetch(`${base}/api/v1/orgs/1/classes`, { headers: adminApi })).json();
      expect(!JSON.stringify(classesBefore).includes('10Р'), 'the dry run created 10Р');

      await page.getByRole('button', { name: 'Загрузить', exact: true }).click();
      const done = page.locator('.roster-report[data-dry-run="false"]');
      await done.getByRole('heading', { name: 'Что сделано' }).waitFor();
      await done.getByRole('rowheader', { name: 'Создано', exact: true }).waitFor();
      expect((await done.locator('tr[data-count="created"] td[data-counts="people"]').textContent()).trim() === '4', 'not 4 people created');
      const links = page.locator('.roster-links');
      await links.getByText('Ссылки показаны только сейчас').waitFor();
      const items = links.locator('li[data-sourced-id]');
      await countReaches(items, 4, 'personal links');
      for (const item of await items.all()) {
        const sid = await item.getAttribute('data-sourced-id');
        const href = await item.getByRole('textbox').inputValue();
        expect(href.startsWith(`${base}/join/`), `${sid}'s link is ${href}`);
        rosterLinks.set(sid, href);
      }
      const student = links.locator('li[data-sourced-id="e2e-s1"]');
      expect(((await student.textContent()) || '').includes('Обучающийся · 10Р'), `the student's line: ${await student.textContent()}`);
      await student.getByRole('button', { name: 'Копировать' }).click();
      await student.getByText('Ссылка скопирована.').waitFor();

      const [csvFile] = await Promise.all([page.waitForEvent('download'), links.getByRole('button', { name: 'Скачать ссылки (CSV)' }).click()]);
      expect(/^ссылки-\d{4}-\d{2}-\d{2}\.csv$/.test(csvFile.suggestedFilename()), `the CSV is named «${csvFile.suggestedFilename()}»`);
      const csv = readFileSync(await csvFile.path(), 'utf8');
      const lines = csv.split('\r\n');
      expect(lines[0] === '\uFEFFФИО;Роль;Класс;Ссылка;Действует до', `the CSV starts «${lines[0]}»`);
      const glebLine = lines.find((l) => l.startsWith('Списков Глеб Андреевич;'));
      expect(glebLine?.startsWith(`Списков Глеб Андреевич;Обучающийся;10Р;${rosterLinks.get('e2e-s1')};`), `the CSV's line: ${glebLine}`);
      await screen(page, 'console-roster-links');
      await fitsPhone(page, 'console-roster-links');

      // The same bundle checked again changes nothing; the links stay on the page.
      await page.getByRole('button', { name: 'Проверить', exact: true }).click();
      const again = page.locator('.roster-report[data-dry-run="true"]');
      await again.getByText('Всё уже как в архиве: менять нечего.').waitFor();
      expect((await again.locator('tr[data-count="unchanged"] td[data-counts="classes"]').textContent()).trim() === '1', '10Р is not unchanged on the second check');
      await countReaches(links.locator('li[data-sourced-id]'), 4, 'personal links after checking again');

      const classesAfter = await (await fetch(`${base}/api/v1/orgs/1/classes`, { headers: adminApi })).json();
      expect(JSON.stringify(classesAfter).includes('10Р'), 'no 10Р after the import');

      // «Ждём»: the four expected, each with a working link; the student's is given anew
      // (as if lost), and the new one is the one he joins with next.
      const waiting = page.locator('.roster-waiting');
      await waiting.getByRole('heading', { name: 'Ждём' }).waitFor();
      await countReaches(waiting.locator('li[data-sourced-id]'), 4, 'people expected');
      const gleb = waiting.locator('li[data-sourced-id="e2e-s1"]');
      expect(((await gleb.textContent()) || '').includes('действует до'), `Gleb's line: ${await gleb.textContent()}`);
      await gleb.getByRole('button', { name: 'Новая ссылка' }).click();
      await gleb.getByText('Ссылка показана один раз').waitFor();
      const fresh = await gleb.getByRole('textbox').inputValue();
      expect(fresh.startsWith(`${base}/join/`) && fresh !== rosterLinks.get('e2e-s1'), `the new link is ${fresh}`);
      rosterLinks.set('e2e-s1', fresh);
      await screen(page, 'console-roster-waiting');
      await fitsPhone(page, 'console-roster-waiting');
    } finally {
      for (const ctx of ctxs) await ctx.close();
    }
  });

  await test('OneRoster: the parent opens her register link (her name filled in, «Дети: Списков Глеб»), registers and is told calmly the school opens when her son joins; the student opens his in a fresh browser, finds his name filled in and joins 10Р; the parent then has her place', async () => {
    expect(rosterLinks.size === 4, 'no links (the import test failed)');
    const parentEmail = `spiskova.${stamp}@example.ru`;
    const ctx = await newContext();
    try {
      const page = await ctx.newPage();
      pagesToShoot.push(page);
      await page.goto(rosterLinks.get('e2e-p1'));
      await page.getByRole('heading', { name: 'Регистрация' }).waitFor();
      await page.locator('[data-for-person]', { hasText: 'Спискова Наталья Игоревна' }).waitFor();
      await page.locator('[data-children]', { hasText: 'Списков Глеб' }).waitFor();
      expect((await lbl(page, 'Фамилия').inputValue()) === 'Спискова', 'the parent\'s family name is not filled in');
      expect((await lbl(page, 'Имя').inputValue()) === 'Наталья', 'the parent\'s given name is not filled in');
      await screen(page, 'join-roster-parent');
      await fitsPhone(page, 'join-roster-parent');
      await lbl(page, 'E-mail').fill(parentEmail);
      await lbl(page, 'Придумайте пароль').fill(NEW_PASSWORD);
      await agreeToConsent(page);
      await page.getByRole('button', { name: /^Зарегистрироваться/ }).click();
      await page.getByRole('heading', { name: 'Вы зарегистрированы' }).waitFor();
      await page.getByText('Школа откроется, как только ваш ребёнок (Списков Глеб) присоединится по своей ссылке.').waitFor();
      expect((await page.locator('[data-join-outcome]').getAttribute('data-join-outcome')) === 'waiting_for_child', 'not the waiting outcome');
      await screen(page, 'join-roster-waiting');
    } finally {
      await ctx.close();
    }

    const studentCtx = await newContext();
    try {
      const page = await studentCtx.newPage();
      pagesToShoot.push(page);
      await page.goto(rosterLinks.get('e2e-s1'));
      await page.getByRole('heading', { name: 'Регистрация' }).waitFor();
      await page.locator('[data-for-person]', { hasText: 'Списков Глеб Андреевич' }).waitFor();
      for (const [label, value] of [['Фамилия', 'Списков'], ['Имя', 'Глеб'], ['Отчество', 'Андреевич']]) {
        const got = await lbl(page, label).inputValue();
        expect(got === value, `«${label}» reads «${got}», not «${value}»`);
      }
      await lbl(page, 'E-mail').fill(`spiskov.${stamp}@example.ru`);
      await lbl(page, 'Придумайте пароль').fill(NEW_PASSWORD);
      await agreeToConsent(page);
      await page.getByRole('button', { name: /^Зарегистрироваться/ }).click();
      await page.getByRole('heading', { name: 'Вы в школе' }).waitFor();
      await page.getByText('Класс: 10Р').waitFor();
    } finally {
      await studentCtx.close();
    }

    // The parent's place came with her son's joining.
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: parentEmail, password: NEW_PASSWORD }),
    });
    const { token } = await res.json();
    const me = await (await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).json();
    const places = JSON.stringify(me.schools ?? []);
    expect(places.includes('10Р'), `the parent has no place in 10Р: ${places.slice(0, 400)}`);
  });

  await test('a class teacher invites a student with approval; the request is accepted', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    pagesToShoot.push(page);
    await login(page, 'ivanova@demo.parta.local');
    await page.waitForURL(/\/school\/1/);
    await page.getByRole('heading', { name: 'Новая ссылка-приглашение' }).waitFor();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Новая ссылка-приглашение' }) });
    // A class teacher offers only their own class.
    // The class list loads after the form: wait for it before reading it.
    await lbl(form, 'Класс').locator('option', { hasText: '5А' }).waitFor({ state: 'attached' });
    const classes = await lbl(form, 'Класс').locator('option').allInnerTexts();
    expect(classes.join(',') === '5А', `class teacher sees classes ${classes}`);
    await lbl(form, 'Роль').selectOption({ label: 'Обучающийся' });
    await lbl(form, 'Одобрение вступления').selectOption({ label: 'Нужно одобрение' });
    await form.getByRole('button', { name: 'Создать ссылку' }).click();
    const link = await lbl(page.locator('.created-invite'), 'Ссылка-приглашение').inputValue();
    await screen(page, 'class-teacher-invites');

    const sctx = await newContext();
    const student = await sctx.newPage();
    pagesToShoot.push(student);
    await student.goto(link);
    await student.getByText('администратор школы рассмотрит заявку', { exact: false }).waitFor();
    await lbl(student, 'Фамилия').fill('Зайцев');
    await lbl(student, 'Имя').fill('Глеб');
    await lbl(student, 'Телефон').fill('+7 916 555-44-33');
    await lbl(student, 'Придумайте пароль').fill(NEW_PASSWORD);
    await agreeToConsent(student);
    await student.getByRole('button', { name: /^Зарегистрироваться/ }).click();
    await student.getByRole('heading', { name: 'Заявка отправлена' }).waitFor();
    await sctx.close();

    await page.goto(`${base}/school/1/requests`);
    const row = page.locator('.request-item', { hasText: 'Зайцев Глеб' });
    await row.waitFor();
    await screen(page, 'class-teacher-requests');
    await row.getByRole('button', { name: 'Принять' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Принятые' }).click();
    await page.locator('.request-item', { hasText: 'Зайцев Глеб' }).getByText('Принята').waitFor();
    await ctx.close();
  });

  await test('a parent connects the timetable to a calendar app and turns the link off', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    await login(page, 'parent@demo.parta.local');
    await page.goto(`${base}/profile`);
    const card = page.getByRole('region', { name: 'Расписание в календаре' });
    await card.getByRole('button', { name: 'Получить ссылку' }).click();
    const input = card.getByLabel('Ссылка для календаря');
    await input.waitFor();
    const link = await input.inputValue();
    expect(link.startsWith(`${base}/api/v1/calendar/`), `a link of this server: ${link}`);
    const feed = await fetch(link);
    const text = await feed.text();
    expect(feed.status === 200 && (feed.headers.get('content-type') ?? '').startsWith('text/calendar'), `a calendar: ${feed.status}`);
    expect(text.startsWith('BEGIN:VCALENDAR') && text.includes('SUMMARY:Анастасия: '), 'the children’s lessons, named');
    await screen(page, 'profile-calendar');
    await card.getByRole('button', { name: 'Отключить ссылку' }).click();
    await card.getByRole('button', { name: 'Да' }).click();
    await card.getByText('Ссылка отключена.').waitFor();
    expect((await fetch(link)).status === 404, 'the link no longer works');
    await ctx.close();
  });

  await test('a parent with two children switches between them', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    pagesToShoot.push(page);
    await login(page, 'parent@demo.parta.local');
    await page.goto(`${base}/profile`);
    const group = page.getByRole('group', { name: 'Выберите ребёнка' });
    await group.waitFor();
    const buttons = group.getByRole('button');
    expect((await buttons.count()) === 2, 'expected two children');
    const first = await page.locator('[data-child-id]').getAttribute('data-child-id');
    await buttons.nth(1).click();
    await page.waitForFunction((f) => document.querySelector('[data-child-id]')?.getAttribute('data-child-id') !== f, first);
    await screen(page, 'profile');
    await ctx.close();
  });

  let applicationId;
  await test('a school applies through the public form (with a PDF order)', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    pagesToShoot.push(page);
    await page.goto(`${base}/apply`);
    await page.getByRole('heading', { name: 'Подключить школу' }).waitFor();
    // Sent empty first: the server's messages appear next to the fields.
    await page.getByRole('button', { name: 'Отправить заявку' }).click();
    await page.locator('.field-error').first().waitFor();
    await screen(page, 'apply-errors');
    const form = page.locator('form');
    await lbl(form, 'Полное наименование').fill('МБОУ «Средняя общеобразовательная школа № 7»');
    await lbl(form, 'Краткое наименование').fill(`Школа № 7 ${stamp}`);
    await lbl(form, 'Адрес').fill('г. Тверь, ул. Школьная, д. 7');
    await lbl(form, 'Регион').fill('Тверская область');
    await lbl(form, 'ИНН').fill('7707083893');
    await lbl(form, 'ОГРН').fill('1027700132195');
    await lbl(form, 'Управление образования (если школа ему подчиняется)').fill(`Управление образования г. Твери ${stamp}`);
    await lbl(form, 'Фамилия').fill('Смирнова');
    await lbl(form, 'Имя').fill('Елена');
    await lbl(form, 'E-mail').fill(`admin.${stamp}@school7.example.ru`);
    await lbl(form, 'Телефон').fill('+7 900 123-45-67');
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
    await lbl(form, 'Приказ о назначении администратора').setInputFiles({ name: 'prikaz.pdf', mimeType: 'application/pdf', buffer: pdf });
    await page.getByRole('button', { name: 'Отправить заявку' }).click();
    const done = page.locator('[data-application-id]');
    const heading = page.getByRole('heading', { name: 'Заявка принята' });
    await Promise.race([heading.waitFor(), page.locator('.alert--error').waitFor().then(async () => {
      throw new Error(`application refused: ${await page.locator('.alert--error').innerText()} | ${(await page.locator('.field-error').allInnerTexts()).join(' | ')}`);
    })]);
    applicationId = await done.getAttribute('data-application-id');
    await ctx.close();
  });

  await test('the operator approves the application and gets the admin link', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    pagesToShoot.push(page);
    await login(page, 'operator@demo.parta.local');
    await page.goto(`${base}/operator`);
    await page.getByRole('heading', { name: 'Заявки на подключение' }).waitFor();
    await page.locator(`[data-application-id="${applicationId}"]`).waitFor();
    await screen(page, 'operator');
    await page.locator(`[data-application-id="${applicationId}"] a`).click();
    await page.getByRole('heading', { name: `Заявка № ${applicationId}` }).waitFor();
    const download = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Скачать приказ/ }).click()]).then(([d]) => d);
    expect(download.suggestedFilename().endsWith('.pdf'), `order download named ${download.suggestedFilename()}`);
    await screen(page, 'operator-application');
    await page.getByRole('button', { name: 'Одобрить и создать школу' }).click();
    const adminLink = await lbl(page, 'Ссылка для первого администратора').inputValue();
    expect(adminLink.includes('/join/'), `admin link ${adminLink}`);
    await page.getByRole('button', { name: 'Выдать новую ссылку администратору' }).waitFor();
    await page.locator('.facts', { hasText: `Управление образования г. Твери ${stamp}` }).getByText('Орган управления образованием').waitFor();
    // The admin's contacts corrected: a new link, bound to them.
    const contacts = page.locator('form.admin-contacts');
    await lbl(contacts, 'E-mail').fill(`admin2.${stamp}@school7.example.ru`);
    await contacts.getByRole('button', { name: 'Сохранить и выдать новую ссылку' }).click();
    await page.waitForFunction((old) => {
      const input = [...document.querySelectorAll('.admin-link input')][0];
      return input && input.value !== old;
    }, adminLink);
    await page.locator('.facts', { hasText: `admin2.${stamp}@school7.example.ru` }).waitFor();
    await screen(page, 'operator-application-contacts');
    await ctx.close();
  });

  await test('the language switch turns the interface to English and back', async () => {
    await admin.goto(`${base}/school/1/invites`);
    await admin.getByRole('button', { name: /^EN/ }).click();
    await admin.getByRole('heading', { name: 'New invite link' }).waitFor();
    await admin.reload();
    await admin.getByRole('heading', { name: 'New invite link' }).waitFor();
    await axe(admin, 'console-invites (en)');
    await admin.getByRole('button', { name: /^RU/ }).click();
    await admin.getByRole('heading', { name: 'Новая ссылка-приглашение' }).waitFor();
  });

  await test('after a reload the CSRF token is fetched again and changes still work', async () => {
    await admin.goto(`${base}/school/1/structure`);
    const unit = `Корпус ${stamp}`;
    await lbl(admin, 'Новое подразделение').fill(unit);
    await admin.getByRole('button', { name: 'Добавить подразделение' }).click();
    await admin.locator('.list-item', { hasText: unit }).waitFor();
  });


  // ---------- chats: live delivery over the WebSocket ----------
  const tctx = await newContext();
  const pctx = await newContext();
  const teacher = await tctx.newPage();
  const parent = await pctx.newPage();
  pagesToShoot.push(teacher, parent);
  const conv = (page) => page.locator('.conv');
  const msg = (page, text) => page.locator('.msgs > li.msg:not(.msg--pending)', { hasText: text });
  /** Opens a message's menu by its «⋯» button (shown on hover or focus at desktop size). */
  const menuOf = async (page, message) => {
    await message.hover();
    await message.getByRole('button', { name: 'Действия с сообщением' }).click();
    const menu = page.getByRole('menu', { name: 'Действия с сообщением' });
    await menu.waitFor();
    return menu;
  };
  /** Runs one of a message's actions from its menu. */
  const act = async (page, message, name) => (await menuOf(page, message)).getByRole('menuitem', { name, exact: true }).click();
  /** The actions a message's menu offers (the menu is closed again with Escape). */
  const actionsOf = async (page, message) => {
    const menu = await menuOf(page, message);
    const names = await menu.getByRole('menuitem').allInnerTexts();
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    return names;
  };
  const live = (page) => page.locator('[data-conn="live"]').waitFor();
  const send = async (page, text) => {
    const box = lbl(conv(page), 'Сообщение');
    await box.fill(text);
    await box.press('Enter');
  };
  const ann = `Родительское собрание в четверг в 18:00, кабинет 21 (${stamp})`;

  if (process.env.E2E_WS_LOG) parent.on('websocket', (ws) => {
    console.log('WS open', ws.url());
    ws.on('framesent', (f) => console.log('  >', String(f.payload).slice(0, 200)));
    ws.on('framereceived', (f) => console.log('  <', String(f.payload).slice(0, 200)));
    ws.on('close', () => console.log('WS closed'));
  });
  await test('chats: the class teacher and a parent open the 5А parents chat', async () => {
    await login(teacher, 'ivanova@demo.parta.local');
    await login(parent, 'parent@demo.parta.local');
    for (const page of [teacher, parent]) {
      await page.getByRole('link', { name: /^Чаты/ }).click();
      await page.waitForURL(/\/chats$/);
      await page.getByRole('link', { name: /5А — родители/ }).click();
      await page.waitForURL(/\/chats\/\d+$/);
      await conv(page).getByRole('heading', { name: '5А — родители' }).waitFor();
      await live(page);
    }
    // A parent of 5А cannot ask for confirmations; the class teacher can.
    expect((await parent.getByLabel('Попросить подтвердить прочтение').count()) === 0, 'parent sees the must-acknowledge box');
  });

  await test('chats: a must-acknowledge post arrives live; the parent confirms, the teacher sees it', async () => {
    await lbl(conv(teacher), 'Сообщение').fill(ann);
    await teacher.getByLabel('Попросить подтвердить прочтение').check();
    await lbl(conv(teacher), 'Сообщение').press('Enter');
    const mine = msg(teacher, ann);
    const count = mine.locator('.ack-count');
    await count.waitFor();
    const pending0 = Number(await count.getAttribute('data-pending'));
    expect(pending0 >= 1 && (await count.getAttribute('data-confirmed')) === '0', `ack counts at start: ${await count.innerText()}`);
    expect((await count.innerText()).startsWith('Подтвердили 0 из'), `ack text ${await count.innerText()}`);

    const theirs = msg(parent, ann);
    await theirs.waitFor();
    await theirs.getByText('Ознакомиться').waitFor();
    await theirs.getByRole('button', { name: 'Ознакомлен(а)' }).click();
    await theirs.getByText('Вы подтвердили прочтение').waitFor();

    await mine.locator(`.ack-count[data-confirmed="1"][data-pending="${pending0 - 1}"]`).waitFor();
    await mine.getByText('Кто ещё не подтвердил').click();
    const names = await mine.locator('.ack-pending li').allInnerTexts();
    expect(!names.some((n) => n.startsWith('Волкова И')), `the parent is still pending: ${names}`);
    expect(names.length === pending0 - 1, `pending list ${names.length} vs ${pending0 - 1}`);
    await mine.getByRole('button', { name: 'Напомнить' }).click();
    await mine.getByText('Напоминание отправлено.').waitFor();
  });

  await test('chats: live both ways with typing, reply, reaction and pin', async () => {
    const box = lbl(conv(parent), 'Сообщение');
    await box.fill('Здравствуйте, Мария Сергеевна!');
    await box.press('Shift+Enter');
    await box.pressSequentially('Мы придём.');
    await conv(teacher).getByText('печатает…').waitFor();
    await box.press('Enter');
    const hello = msg(teacher, 'Мы придём.');
    await hello.waitFor();
    expect((await hello.locator('.msg-body').innerText()) === 'Здравствуйте, Мария Сергеевна!\nМы придём.', 'newline lost');
    await act(teacher, hello, 'Ответить');
    await send(teacher, 'Спасибо, ждём вас!');
    const reply = msg(parent, 'Спасибо, ждём вас!');
    await reply.waitFor();
    // The quote shows the author and the first line.
    await reply.locator('blockquote', { hasText: 'Здравствуйте, Мария Сергеевна!' }).locator('.quote-who', { hasText: 'Волкова И. В.' }).waitFor();

    await (await menuOf(parent, reply)).getByRole('menuitemcheckbox', { name: '👍' }).click();
    await msg(teacher, 'Спасибо, ждём вас!').getByRole('button', { name: '👍: 1' }).waitFor();

    await act(teacher, msg(teacher, ann), 'Закрепить');
    await parent.locator('.pinned-bar', { hasText: ann }).waitFor();

    // Edits and deletions reach the other side.
    const ownId = await msg(teacher, 'Спасибо, ждём вас!').getAttribute('data-message-id');
    const own = teacher.locator(`[data-message-id="${ownId}"]`);
    await act(teacher, own, 'Изменить');
    const edit = lbl(own, 'Текст сообщения');
    await edit.fill('Спасибо, ждём вас в 18:00!');
    await edit.press('Enter');
    await msg(parent, 'Спасибо, ждём вас в 18:00!').getByText('изменено').waitFor();
    await send(parent, 'Опечатка, удалю');
    const typo = msg(parent, 'Опечатка, удалю');
    await msg(teacher, 'Опечатка, удалю').waitFor();
    await act(parent, typo, 'Удалить');
    await parent.getByRole('dialog', { name: 'Удалить сообщение у всех?' }).getByRole('button', { name: 'Да' }).click();
    await teacher.locator('.msg--deleted', { hasText: 'Сообщение удалено' }).waitFor();
    expect((await msg(teacher, 'Опечатка, удалю').count()) === 0, 'the deleted text is still shown');
  });

  await test('chats: a poll is created, voted on, and both see the result live', async () => {
    await conv(teacher).getByRole('button', { name: /Опрос/ }).click();
    await lbl(conv(teacher), 'Вопрос').fill('Когда удобнее провести экскурсию?');
    await lbl(conv(teacher), 'Вариант 1').fill('В субботу');
    await lbl(conv(teacher), 'Вариант 2').fill('В воскресенье');
    await conv(teacher).getByRole('button', { name: /Добавить вариант/ }).click();
    await lbl(conv(teacher), 'Вариант 3').fill('Всё равно');
    await conv(teacher).getByRole('button', { name: 'Создать опрос' }).click();
    const poll = msg(parent, 'Когда удобнее провести экскурсию?');
    await poll.waitFor();
    await poll.getByLabel(/В воскресенье/).check();
    await poll.getByRole('button', { name: 'Проголосовать' }).click();
    await poll.getByText('ваш выбор').waitFor();
    const tpoll = msg(teacher, 'Когда удобнее провести экскурсию?');
    const option = tpoll.locator('.poll-option', { hasText: 'В воскресенье' });
    await tpoll.locator('.poll-option[data-votes="1"]', { hasText: 'В воскресенье' }).waitFor();
    await option.locator('.poll-names', { hasText: 'Волкова И. В.' }).waitFor();
    await tpoll.getByRole('button', { name: 'Закрыть опрос' }).click();
    await parent.locator('.poll[data-closed="true"]').getByText('Опрос закрыт').waitFor();
    await poll.locator('.poll-option[data-votes="1"]', { hasText: 'В воскресенье' }).waitFor();
  });

  await test('chats: a network drop mid-conversation loses nothing and doubles nothing', async () => {
    const t1 = `Напоминаю: сменная обувь обязательна (${stamp})`;
    const t2 = `И не забудьте подписать согласие (${stamp})`;
    const p1 = `Хорошо, подпишем сегодня вечером (${stamp})`;
    await pctx.setOffline(true);
    await parent.getByText('Нет соединения — переподключаемся…').waitFor();
    await send(teacher, t1);
    await send(teacher, t2);
    await msg(teacher, t2).waitFor();
    await send(parent, p1);
    await parent.locator('.msg--pending', { hasText: p1 }).getByText('отправляется…').waitFor();
    await axe(parent, 'chat-offline (desktop)');
    await parent.screenshot({ path: join(shots, 'chat-offline-desktop.png') });
    await pctx.setOffline(false);
    await live(parent);
    for (const text of [t1, t2, p1]) await msg(parent, text).waitFor();
    await parent.locator('.msg--pending').waitFor({ state: 'detached' });
    await msg(teacher, p1).waitFor();
    for (const text of [t1, t2, p1]) {
      expect((await msg(parent, text).count()) === 1, `parent sees «${text}» ${await msg(parent, text).count()} times`);
    }
    expect((await msg(teacher, p1).count()) === 1, 'teacher got the offline message twice');
    // In order, and the server stored it once: a fresh load shows the same.
    const order = await parent.locator('.msgs > li.msg').allInnerTexts();
    const at = (x) => order.findIndex((o) => o.includes(x));
    expect(at(t1) < at(t2), 'teacher messages out of order');
    await teacher.reload();
    await msg(teacher, p1).waitFor();
    expect((await msg(teacher, p1).count()) === 1, 'the server stored the offline message twice');
  });

  await test('chats: unread badge counts a message that arrives while the chat is closed', async () => {
    await parent.goto(`${base}/profile`);
    await parent.getByRole('heading', { name: 'Профиль' }).waitFor();
    // Other chats may hold unread posts of their own (the demo school's news): count from here.
    const total = async () => Number((await parent.locator('.mainnav [data-unread-total]').getAttribute('data-unread-total', { timeout: 500 }).catch(() => null)) ?? 0);
    const before = await total();
    await send(teacher, `Ещё одно объявление (${stamp})`);
    await parent.locator(`.mainnav [data-unread-total="${before + 1}"]`).waitFor();
    await parent.getByRole('link', { name: /^Чаты/ }).click();
    const link = parent.getByRole('link', { name: /5А — родители/ });
    await link.locator('.unread').waitFor();
    await screen(parent, 'chat-list');
    await link.click();
    await msg(parent, `Ещё одно объявление (${stamp})`).waitFor();
    await link.locator('.unread').waitFor({ state: 'detached' });
    if (before === 0) await parent.locator('.mainnav [data-unread-total]').waitFor({ state: 'detached' });
    else await parent.locator(`.mainnav [data-unread-total="${before}"]`).waitFor();
  });

  await test('chats: conversation screens pass axe (phone and desktop)', async () => {
    await screen(teacher, 'chat-conversation');
    await parent.setViewportSize(PHONE);
    await axe(parent, 'chat-conversation-phone (parent)');
    await parent.screenshot({ path: join(shots, 'chat-parent-phone.png') });
    await parent.setViewportSize(DESKTOP);
  });

  // ---------- the chat screen as in a phone's messenger ----------
  const menuName = 'Действия с сообщением';
  await test('chats: context menu — right click at desktop size and ⋯ at phone size; reacting and replying from it; the quote jumps to its message', async () => {
    for (const page of [teacher, parent]) {
      await page.goto(`${base}/chats`);
      await page.getByRole('link', { name: /5А — родители/ }).click();
      await conv(page).getByRole('heading', { name: '5А — родители' }).waitFor();
      await live(page);
    }
    const question = `Нужны ли сменка и форма на экскурсию? (${stamp})`;
    await send(teacher, question);
    const theirs = msg(parent, question);
    await theirs.waitFor();
    // No row of links under each message any more: the actions are in the menu.
    expect((await theirs.getByRole('button', { name: 'Ответить' }).count()) === 0, 'the old link row is still there');

    // Desktop: a right click opens the menu at the pointer, the focus on its first action.
    await theirs.locator('.msg-body').click({ button: 'right' });
    const menu = parent.getByRole('menu', { name: menuName });
    await menu.waitFor();
    const names = await menu.getByRole('menuitem').allInnerTexts();
    expect(names.includes('Ответить') && names.includes('Пожаловаться') && !names.includes('Изменить') && !names.includes('Удалить'), `a parent's menu on another's message: ${names}`);
    const focused = () => parent.evaluate(() => [document.activeElement?.getAttribute('role'), document.activeElement?.textContent, document.activeElement?.getAttribute('aria-label'), document.activeElement?.getAttribute('aria-expanded')]);
    expect((await focused())[1] === 'Ответить', `focus on opening: ${await focused()}`);
    await theirs.locator('.msg-more[aria-expanded="true"]').waitFor({ state: 'attached' });
    await parent.keyboard.press('ArrowDown');
    expect((await focused())[0] === 'menuitem' && (await focused())[1] !== 'Ответить', `ArrowDown: ${await focused()}`);
    await parent.keyboard.press('ArrowUp');
    await parent.keyboard.press('ArrowUp');
    expect((await focused())[0] === 'menuitemcheckbox', `ArrowUp from the first action reaches the reactions: ${await focused()}`);
    await axe(parent, 'chat-menu (desktop)');
    await parent.screenshot({ path: join(shots, 'chat-menu-desktop.png') });
    await parent.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    const back = await focused();
    expect(back[2] === menuName && back[3] === 'false', `the focus goes back to the menu button: ${back}`);

    // A reaction from the quick row reaches the author.
    await theirs.locator('.msg-body').click({ button: 'right' });
    await menu.getByRole('menuitemcheckbox', { name: '🙏' }).click();
    await msg(teacher, question).getByRole('button', { name: '🙏: 1' }).waitFor();

    // Phone: the «⋯» button opens it as a sheet at the bottom; a reply to the older announcement.
    await parent.setViewportSize(PHONE);
    const older = msg(parent, ann);
    const annId = await older.getAttribute('data-message-id');
    await older.getByRole('button', { name: menuName }).click();
    await menu.waitFor();
    const box = await menu.boundingBox();
    expect(box && Math.abs(box.y + box.height - PHONE.height) < 2 && box.width >= PHONE.width - 1, `the menu is not a bottom sheet: ${JSON.stringify(box)}`);
    await axe(parent, 'chat-menu (phone)');
    await parent.screenshot({ path: join(shots, 'chat-menu-phone.png') });
    await menu.getByRole('menuitem', { name: 'Ответить' }).click();
    const preview = conv(parent).locator(`.reply-preview[data-reply-to="${annId}"]`);
    await preview.getByText('Иванова М. С.').waitFor();
    await preview.getByText(ann).waitFor();
    await parent.screenshot({ path: join(shots, 'chat-reply-phone.png') });
    const answer = `Будем обязательно (${stamp})`;
    await send(parent, answer);
    await preview.waitFor({ state: 'detached' });
    await parent.setViewportSize(DESKTOP);

    // The teacher sees the quote (author and first line); a press on it brings the announcement into view.
    const reply = msg(teacher, answer);
    await reply.waitFor();
    const quote = reply.locator('blockquote.quote');
    await quote.getByRole('button', { name: new RegExp(`Иванова М\\. С\\..*${stamp}`) }).click();
    await teacher.locator(`.msg--found[data-message-id="${annId}"]`).waitFor();
    expect(await teacher.locator(`[data-message-id="${annId}"]`).evaluate((el) => {
      const log = el.closest('.msg-log').getBoundingClientRect();
      const r = el.getBoundingClientRect();
      return r.bottom > log.top && r.top < log.bottom;
    }), 'the quoted message is not in view');
    await screen(teacher, 'chat-conversation-menu');
  });

  await test('chats: context menu — a long press on a phone (touch) opens it as a sheet; a tap outside closes it', async () => {
    const mctx = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, locale: 'ru-RU', timezoneId: 'Europe/Moscow' });
    mctx.setDefaultTimeout(20_000);
    await watchCsp(mctx);
    try {
      const m = await mctx.newPage();
      pagesToShoot.push(m);
      await login(m, 'parent@demo.parta.local');
      await m.goto(`${base}/chats`);
      await m.getByRole('link', { name: /5А — родители/ }).click();
      // The announcement itself (the reply to it quotes it: the first of the two).
      const target = msg(m, ann).first().locator('.msg-body');
      await target.waitFor();
      await target.scrollIntoViewIfNeeded();
      const box = await target.boundingBox();
      const point = { x: box.x + 20, y: box.y + box.height / 2 };
      // A finger held still for a while: the browser's own touch events, as a phone sends them.
      const cdp = await mctx.newCDPSession(m);
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
      await m.waitForTimeout(700);
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      const menu = m.getByRole('menu', { name: menuName });
      await menu.waitFor();
      await menu.getByRole('menuitem', { name: 'Ответить' }).waitFor();
      await menu.getByRole('menuitemcheckbox', { name: '👍' }).waitFor();
      const sheet = await menu.boundingBox();
      expect(Math.abs(sheet.y + sheet.height - PHONE.height) < 2, `not a bottom sheet: ${JSON.stringify(sheet)}`);
      await m.screenshot({ path: join(shots, 'chat-menu-longpress-phone.png') });
      await m.waitForTimeout(450);
      await m.touchscreen.tap(PHONE.width / 2, 40);
      await menu.waitFor({ state: 'detached' });
    } finally {
      await mctx.close();
    }
  });

  await test('chats: day separators and «Новые сообщения» — another parent posts while the parent is away; the chat opens at the first unread; «к последним» counts what is below', async () => {
    await parent.goto(`${base}/profile`);
    await parent.getByRole('heading', { name: 'Профиль' }).waitFor();
    const posts = Array.from({ length: 8 }, (_, i) => `Пункт ${i + 1} программы (${stamp})\nСбор у школы\nВзять воду и перекус\nВернёмся к 15:00`);
    // Another parent posts them (through the API: the class teacher's sends this minute are
    // counted with the demo's own when only some tests run).
    const lebedeva = await apiSession('lebedeva@demo.parta.local');
    const chatId = await conv(teacher).getAttribute('data-chat-id');
    for (const [i, body] of posts.entries()) {
      const r = await fetch(`${base}/api/v1/chats/${chatId}/messages`, { method: 'POST', headers: lebedeva, body: JSON.stringify({ client_msg_id: `unread-${stamp}-${i}`, body }) });
      expect(r.status === 201, `post ${i + 1}: ${r.status}`);
    }
    await msg(teacher, `Пункт 8 программы (${stamp})`).waitFor();

    await parent.getByRole('link', { name: /^Чаты/ }).click();
    await parent.getByRole('link', { name: /5А — родители/ }).click();
    await msg(parent, `Пункт 8 программы (${stamp})`).waitFor();
    // The divider sits right above the first unread message…
    const divider = conv(parent).locator('.unread-sep');
    await divider.getByText('Новые сообщения').waitFor();
    expect((await divider.count()) === 1, 'one divider');
    const next = conv(parent).locator('.unread-sep + li.msg');
    expect((await next.innerText()).includes(`Пункт 1 программы (${stamp})`), `below the divider: ${await next.innerText()}`);
    // …and the chat opened there, not at the bottom.
    const where = await divider.evaluate((el) => {
      const log = el.closest('.msg-log');
      const l = log.getBoundingClientRect();
      const r = el.getBoundingClientRect();
      return { top: r.top - l.top, fromBottom: log.scrollHeight - log.scrollTop - log.clientHeight };
    });
    expect(where.top >= -2 && where.top < 120 && where.fromBottom > 80, `the chat did not open at the divider: ${JSON.stringify(where)}`);
    // Today's messages stand under «Сегодня».
    expect((await conv(parent).locator('.day-sep', { hasText: 'Сегодня' }).count()) === 1, 'no «Сегодня» heading');
    const latest = conv(parent).getByRole('button', { name: /^К последним сообщениям: \d+ новых?$/ });
    await latest.waitFor();
    expect(Number(await latest.getAttribute('data-unseen')) >= 1, `unseen ${await latest.getAttribute('data-unseen')}`);
    await screen(parent, 'chat-unread');
    await parent.setViewportSize(PHONE);
    await parent.screenshot({ path: join(shots, 'chat-unread-open-phone.png') });
    await parent.setViewportSize(DESKTOP);

    // «К последним» goes to the bottom and hides; the divider stays where it was.
    await conv(parent).locator('.to-latest').click();
    await conv(parent).locator('.to-latest').waitFor({ state: 'detached' });
    expect(await conv(parent).locator('.msg-log').evaluate((log) => log.scrollHeight - log.scrollTop - log.clientHeight < 80), 'not at the bottom');
    expect((await conv(parent).locator('.unread-sep + li.msg').innerText()).includes(`Пункт 1 программы (${stamp})`), 'the divider moved while reading');
    // Scrolled up again, the button comes back, with nothing new to count.
    await conv(parent).locator('.msg-log').evaluate((log) => (log.scrollTop = 0));
    await conv(parent).getByRole('button', { name: 'К последним сообщениям', exact: true }).waitFor();
  });

  await test('chats: drafts survive a reload and show in the list; sending clears them; a quieted chat keeps its crossed bell', async () => {
    const parents = parent.getByRole('link', { name: /5А — родители/ });
    const draft = `Спасибо! А во сколько начало? (${stamp})`;
    await parent.goto(`${base}/chats`);
    await parents.click();
    await conv(parent).getByRole('heading', { name: '5А — родители' }).waitFor();
    await lbl(conv(parent), 'Сообщение').fill(draft);
    await parent.reload();
    await conv(parent).getByRole('heading', { name: '5А — родители' }).waitFor();
    expect((await lbl(conv(parent), 'Сообщение').inputValue()) === draft, 'the draft was lost on reload');
    // The formatting hints come on request.
    const hint = conv(parent).getByText('Enter — отправить', { exact: false });
    expect(!(await hint.isVisible()) || (await hint.evaluate((el) => el.classList.contains('visually-hidden'))), 'the hints are shown unasked');
    await conv(parent).getByRole('button', { name: 'Подсказка по оформлению' }).click();
    await conv(parent).locator('.composer-hint').waitFor();
    expect((await conv(parent).getByRole('button', { name: 'Подсказка по оформлению' }).getAttribute('aria-expanded')) === 'true', 'aria-expanded');

    // In the list: «Черновик: …».
    await parent.goto(`${base}/chats`);
    await parents.locator('.chat-draft', { hasText: `Черновик: ${draft}` }).waitFor();

    // A quieted chat keeps its crossed bell in the list beside the draft.
    const volkova = await apiSession('parent@demo.parta.local');
    const list = await (await fetch(`${base}/api/v1/chats`, { headers: volkova })).json();
    const other = list.find((c) => !(c.kind === 'parents' && c.title.startsWith('5А')) && c.org_id === 1);
    const quiet = (mute) => fetch(`${base}/api/v1/chats/${other.id}/silence`, { method: 'PUT', headers: volkova, body: JSON.stringify({ mute }) });
    expect((await quiet('1h')).ok, 'silence');
    const item = parent.locator(`.chat-list a[data-chat-id="${other.id}"][data-silenced="true"]`);
    await item.locator('.chat-silenced', { hasText: 'без звука' }).waitFor();
    await screen(parent, 'chat-list-draft');

    // Sent, it is no draft any more.
    await parents.click();
    await lbl(conv(parent), 'Сообщение').press('Enter');
    await msg(parent, draft).waitFor();
    await parent.goto(`${base}/chats`);
    await parents.waitFor();
    expect((await parents.locator('.chat-draft').count()) === 0, 'the sent draft is still listed');
    await parent.reload();
    await parents.click();
    expect((await lbl(conv(parent), 'Сообщение').inputValue()) === '', 'the sent draft came back');
    expect((await quiet('off')).ok, 'silence off');
    await item.waitFor({ state: 'detached' });
  });

  await test('chats: long history pages back with «Показать раньше»', async () => {
    // 35 messages straight through the API (more than a page of 30), from the student and
    // another session of the teacher: each person may send 30 a minute.
    const session = async (who) => {
      const res = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: who, password: PASSWORD }),
      });
      const { token } = await res.json();
      return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    };
    const student = await session('student.5a@demo.parta.local');
    const teacherApi = await session('ivanova@demo.parta.local');
    const chats = await (await fetch(`${base}/api/v1/chats?org_id=1`, { headers: student })).json();
    const cls = chats.find((c) => c.kind === 'class' && c.title.startsWith('5А'));
    let last = 0;
    for (let i = 1; i <= 35; i++) {
      const r = await fetch(`${base}/api/v1/chats/${cls.id}/messages`, {
        method: 'POST',
        headers: i <= 25 ? student : teacherApi,
        body: JSON.stringify({ client_msg_id: `history-${stamp}-${i}`, body: `История ${i} (${stamp})` }),
      });
      const text = await r.text();
      expect(r.status === 201, `history message ${i}: ${r.status} ${text}`);
      last = JSON.parse(text).seq;
    }
    // Read on another device: the chat opens at the bottom with its newest page (with
    // unread posts it would open at the first of them, paging back to it).
    expect((await fetch(`${base}/api/v1/chats/${cls.id}/read`, { method: 'POST', headers: teacherApi, body: JSON.stringify({ seq: last }) })).ok, 'read');
    await teacher.getByRole('link', { name: /5А — класс/ }).click();
    await msg(teacher, `История 35 (${stamp})`).waitFor();
    expect((await msg(teacher, `История 1 (${stamp})`).count()) === 0, 'the first page holds everything');
    await teacher.getByRole('button', { name: 'Показать раньше' }).click();
    await msg(teacher, `История 1 (${stamp})`).waitFor();
    expect((await msg(teacher, `История 35 (${stamp})`).count()) === 1, 'paging doubled a message');
    expect((await teacher.locator('.msgs > li.msg', { hasText: `(${stamp})` }).count()) === 35, 'paging lost or doubled messages');
    await teacher.getByRole('link', { name: /5А — родители/ }).click();
    await conv(teacher).getByRole('heading', { name: '5А — родители' }).waitFor();
  });

  // ---------- files, moderation, school settings ----------
  const PNG = readFileSync(join(root, 'public', 'icons', 'icon-192.png'));
  const filesText = `Фото и план экскурсии (${stamp})`;

  await test('chats: the class teacher shares a picture and a document with upload progress; the parent sees them live and opens them', async () => {
    for (const page of [teacher, parent]) {
      await page.getByRole('link', { name: /5А — родители/ }).click();
      await conv(page).getByRole('heading', { name: '5А — родители' }).waitFor();
    }
    // A slow uplink (1 MB/s) makes the progress visible.
    const cdp = await tctx.newCDPSession(teacher);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 1024 * 1024 });
    try {
      const input = teacher.locator('[data-attach-input]');
      await input.setInputFiles([
        { name: 'экскурсия.png', mimeType: 'image/png', buffer: PNG },
        { name: 'план экскурсии.pdf', mimeType: 'application/pdf', buffer: pdfOf(2 * 1024 * 1024) },
      ]);
      const pdfRow = teacher.locator('.upload', { hasText: 'план экскурсии.pdf' });
      await pdfRow.locator('progress').waitFor();
      // Seen part-way: more than nothing, less than all.
      await teacher.waitForFunction(() => {
        const p = [...document.querySelectorAll('.upload[data-name="план экскурсии.pdf"] progress')][0];
        return p && Number(p.value) > 5 && Number(p.value) < 95;
      });
      await axe(teacher, 'chat-upload-progress (desktop)');
      await teacher.screenshot({ path: join(shots, 'chat-upload-progress-desktop.png') });
      await pdfRow.getByText('2\u00a0МБ').waitFor();
      // A sent-by-mistake file is cancelled mid-way and leaves the message.
      await input.setInputFiles([{ name: 'архив.zip', mimeType: 'application/zip', buffer: Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(6 * 1024 * 1024, 1)]) }]);
      const zipRow = teacher.locator('.upload', { hasText: 'архив.zip' });
      await zipRow.locator('progress').waitFor();
      await zipRow.getByRole('button', { name: /^Отмена/ }).click();
      await zipRow.waitFor({ state: 'detached' });
      await teacher.locator('.upload[data-upload-state="done"]', { hasText: 'план экскурсии.pdf' }).waitFor({ timeout: 30_000 });
      await teacher.locator('.upload[data-upload-state="done"]', { hasText: 'экскурсия.png' }).waitFor();
    } finally {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await cdp.detach();
    }
    await send(teacher, filesText);
    await teacher.locator('.uploads').waitFor({ state: 'detached' });

    const theirs = msg(parent, filesText);
    await theirs.waitFor();
    const img = theirs.locator('.img-attach img');
    await img.waitFor();
    await parent.waitForFunction((text) => {
      const li = [...document.querySelectorAll('.msgs > li.msg')].find((x) => x.textContent.includes(text));
      const i = li?.querySelector('.img-attach img');
      return i && i.complete && i.naturalWidth === 192;
    }, filesText);
    const chip = theirs.locator('a.file-chip', { hasText: 'план экскурсии.pdf' });
    expect((await chip.innerText()).includes('2\u00a0МБ'), `chip text ${await chip.innerText()}`);
    const download = await Promise.all([parent.waitForEvent('download'), chip.click()]).then(([d]) => d);
    expect(download.suggestedFilename() === 'план экскурсии.pdf', `downloaded as ${download.suggestedFilename()}`);
    await theirs.getByRole('button', { name: /Открыть изображение «экскурсия.png»/ }).click();
    const viewer = parent.getByRole('dialog', { name: 'Изображение «экскурсия.png»' });
    await viewer.waitFor();
    await parent.waitForFunction(() => {
      const i = document.querySelector('dialog[open] img.img-full');
      return i && i.complete && i.naturalWidth === 192;
    });
    await axe(parent, 'chat-image-viewer (desktop)');
    await parent.screenshot({ path: join(shots, 'chat-image-viewer-desktop.png') });
    await parent.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    await parent.getByRole('link', { name: /5А — родители/ }).locator('.chat-preview', { hasText: filesText }).waitFor();
    await msg(teacher, filesText).locator('.img-attach img').waitFor();
    await screen(teacher, 'chat-files');
  });

  await test('chats: dropped and pasted files are attached; a file too large is refused with a clear message', async () => {
    const pane = conv(parent);
    await pane.locator('.msg-log').evaluate((log) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(51 * 1024 * 1024)], 'видео с утренника.mp4', { type: 'video/mp4' }));
      for (const type of ['dragenter', 'dragover', 'drop']) log.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    const big = pane.locator('.upload[data-upload-state="failed"]', { hasText: 'видео с утренника.mp4' });
    await big.getByText('Не загрузился: файл слишком большой — сервер школы такие не принимает.').waitFor();
    await axe(parent, 'chat-upload-error (desktop)');
    await parent.screenshot({ path: join(shots, 'chat-upload-error-desktop.png') });
    await big.getByRole('button', { name: /Убрать «видео с утренника.mp4»/ }).click();
    await big.waitFor({ state: 'detached' });
    // An empty file is refused before any request.
    const listText = 'Список: сменка, форма, альбом';
    await lbl(pane, 'Сообщение').evaluate((box, text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'список.txt', { type: 'text/plain' }));
      dt.items.add(new File([], 'пустой.txt', { type: 'text/plain' }));
      box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, listText);
    await pane.getByText('Файл «пустой.txt» пустой — отправить его нельзя.').waitFor();
    await pane.locator('.upload[data-upload-state="done"]', { hasText: 'список.txt' }).waitFor();
    // Files alone make a message.
    await lbl(pane, 'Сообщение').press('Enter');
    const list = msg(teacher, 'список.txt');
    await list.locator('a.file-chip').waitFor();
    const size = `${Buffer.byteLength(listText)}\u00a0Б`;
    expect((await list.locator('a.file-chip').innerText()).includes(size), `chip ${await list.locator('a.file-chip').innerText()} without ${size}`);
  });

  let lebedevaMsgId;
  const rude = `Кто опять не сдал деньги на экскурсию? Безобразие! (${stamp})`;
  await test('chats: a parent reports a message; the class teacher sees its history, finds it in the queue and removes it', async () => {
    // Another parent of 5А writes (and edits) through the API.
    const lebedeva = await apiSession('lebedeva@demo.parta.local');
    const chats = await (await fetch(`${base}/api/v1/chats`, { headers: lebedeva })).json();
    const parents = chats.find((c) => c.kind === 'parents' && c.title.startsWith('5А'));
    const sentRes = await fetch(`${base}/api/v1/chats/${parents.id}/messages`, {
      method: 'POST',
      headers: lebedeva,
      body: JSON.stringify({ client_msg_id: `rude-${stamp}`, body: `Кто не сдал деньги на экскурсию? (${stamp})` }),
    });
    expect(sentRes.status === 201, `send: ${sentRes.status}`);
    lebedevaMsgId = (await sentRes.json()).id;
    const edited = await fetch(`${base}/api/v1/chats/${parents.id}/messages/${lebedevaMsgId}`, { method: 'PATCH', headers: lebedeva, body: JSON.stringify({ body: rude }) });
    expect(edited.status === 200, `edit: ${edited.status}`);

    const theirs = msg(parent, rude);
    await theirs.waitFor();
    await act(parent, theirs, 'Пожаловаться');
    const dialog = parent.getByRole('dialog', { name: 'Жалоба на сообщение' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Отправить жалобу' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Выберите причину жалобы.' }).waitFor();
    await dialog.getByLabel('Оскорбления или травля').check();
    await dialog.getByLabel('Подробности').fill('Тон недопустим, прошу разобраться');
    await axe(parent, 'chat-report-dialog (desktop)');
    await parent.setViewportSize(PHONE);
    await axe(parent, 'chat-report-dialog (phone)');
    await parent.screenshot({ path: join(shots, 'chat-report-dialog-phone.png') });
    await parent.setViewportSize(DESKTOP);
    await parent.screenshot({ path: join(shots, 'chat-report-dialog-desktop.png') });
    await dialog.getByRole('button', { name: 'Отправить жалобу' }).click();
    await dialog.getByText('Жалоба отправлена. Модераторы её рассмотрят.').waitFor();
    await dialog.getByRole('button', { name: 'Закрыть' }).first().click();
    await dialog.waitFor({ state: 'detached' });

    // The moderator sees how the message read before it was edited.
    const mine = msg(teacher, rude);
    await act(teacher, mine, 'История правок');
    const versions = teacher.getByRole('dialog', { name: 'Как менялось сообщение' });
    await versions.getByText(`Кто не сдал деньги на экскурсию? (${stamp})`).waitFor();
    await versions.locator('.version--now', { hasText: rude }).waitFor();
    await axe(teacher, 'chat-versions-dialog (desktop)');
    await teacher.screenshot({ path: join(shots, 'chat-versions-dialog-desktop.png') });
    await teacher.keyboard.press('Escape');
    await versions.waitFor({ state: 'detached' });
    // A parent is no moderator: no history for them.
    expect(!(await actionsOf(parent, theirs)).includes('История правок'), 'a parent sees the edit history');

    await teacher.goto(`${base}/school/1/reports`);
    const report = teacher.locator(`.report-item[data-message-id="${lebedevaMsgId}"]`);
    await report.waitFor();
    await report.getByText('Оскорбления или травля: Тон недопустим, прошу разобраться').waitFor();
    await report.getByText('Автор жалобы: Волкова Ирина Владимировна', { exact: false }).waitFor();
    await report.getByText(rude).waitFor();
    await screen(teacher, 'reports-queue');
    await lbl(report, 'Комментарий к решению').fill('Сообщение удалено, с автором поговорю');
    await report.getByRole('button', { name: 'Удалить сообщение' }).click();
    await report.getByRole('button', { name: 'Да' }).click();
    await report.waitFor({ state: 'detached' });
    await teacher.getByText('Новых жалоб нет.').waitFor();
    await teacher.getByRole('button', { name: 'Сообщение удалено', exact: true }).click();
    const done = teacher.locator(`.report-item[data-message-id="${lebedevaMsgId}"][data-status="removed"]`);
    await done.getByText('Решение принял(а) Иванова Мария Сергеевна').waitFor();
    await done.getByText('Комментарий: Сообщение удалено, с автором поговорю').waitFor();
    // Everyone in the chat sees the removal at once.
    await parent.locator(`[data-message-id="${lebedevaMsgId}"]`).getByText('Удалено модератором').waitFor();
    expect((await msg(parent, rude).count()) === 0, 'the removed text is still shown');
    // The school's admin sees the decision in the queue too.
    const all = await (await fetch(`${base}/api/v1/orgs/1/reports?status=removed`, { headers: await apiSession('admin@demo.parta.local') })).json();
    expect(all.some((r) => r.message.id === lebedevaMsgId && r.resolved_by?.family_name === 'Иванова'), 'the admin does not see the decision');
    await teacher.goto(`${base}/chats`);
    await teacher.getByRole('link', { name: /5А — родители/ }).click();
    await live(teacher);
  });

  await test('chats: the class teacher mutes a parent; the parent’s composer says why and until when; read-only and lifting work', async () => {
    await conv(teacher).getByRole('heading', { name: '5А — родители' }).waitFor();
    // The parent writes while offline; the mute comes meanwhile.
    const late = `Можно я завтра заберу ребёнка пораньше? (${stamp})`;
    await pctx.setOffline(true);
    await parent.getByText('Нет соединения — переподключаемся…').waitFor();
    await send(parent, late);
    await parent.locator('.msg--pending', { hasText: late }).waitFor();

    await conv(teacher).getByRole('button', { name: /участник/ }).click();
    const dialog = teacher.getByRole('dialog', { name: 'О чате' });
    await dialog.waitFor();
    const row = dialog.locator('.chat-member', { hasText: 'Волкова Ирина Владимировна' });
    await lbl(row, 'Запретить писать: Волкова Ирина Владимировна').selectOption({ label: 'на 15 минут' });
    await row.getByRole('button', { name: /^Ограничить/ }).click();
    // «до 14:05» today; with the date once the mute ends past the school's midnight.
    await row.getByText(/^не может писать до .*\d\d:\d\d$/).waitFor();
    expect((await dialog.locator('.chat-member', { hasText: 'Иванова Мария Сергеевна' }).getByRole('button').count()) === 0, 'a moderator can be muted');
    await axe(teacher, 'chat-members-dialog (desktop)');
    await teacher.setViewportSize(PHONE);
    await axe(teacher, 'chat-members-dialog (phone)');
    await teacher.screenshot({ path: join(shots, 'chat-members-dialog-phone.png') });
    await teacher.setViewportSize(DESKTOP);
    await teacher.screenshot({ path: join(shots, 'chat-members-dialog-desktop.png') });

    await pctx.setOffline(false);
    await live(parent);
    const failed = parent.locator('.msg--pending[data-pending="failed"]', { hasText: late });
    await failed.getByText('Не отправлено: Модератор временно ограничил вам отправку сообщений в этом чате.').waitFor();
    const until = moscowClock(15);
    const notice = conv(parent).locator('.composer-closed');
    await notice.getByText(/^Модератор ограничил вам отправку сообщений в этом чате до .*\d\d:\d\d\.$/).waitFor();
    const shown = (await notice.innerText()).match(/(\d\d:\d\d)\.$/)?.[1];
    expect(shown === until || shown === moscowClock(14) || shown === moscowClock(16), `mute until ${shown}, expected about ${until}`);
    expect((await lbl(conv(parent), 'Сообщение').count()) === 0, 'a muted parent still has the composer');
    await axe(parent, 'chat-muted (desktop)');
    await parent.screenshot({ path: join(shots, 'chat-muted-desktop.png') });
    await failed.getByRole('button', { name: 'Удалить' }).click();

    await row.getByRole('button', { name: /^Снять ограничение/ }).click();
    await row.getByRole('button', { name: /^Ограничить/ }).waitFor();
    await lbl(conv(parent), 'Сообщение').waitFor();

    // Read-only (its switch is in the info panel): only moderators write; lifted, everyone does again.
    await dialog.getByRole('button', { name: 'Сделать только для чтения' }).click();
    await conv(parent).getByText('Писать в этот чат могут только модераторы.').waitFor();
    await dialog.getByRole('button', { name: 'Разрешить писать всем' }).waitFor();
    await teacher.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await conv(teacher).getByText('Чат только для чтения: сейчас писать могут только модераторы.').waitFor();
    await conv(teacher).getByRole('button', { name: /участник/ }).click();
    await dialog.getByRole('button', { name: 'Разрешить писать всем' }).click();
    await teacher.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await lbl(conv(parent), 'Сообщение').waitFor();
    await send(parent, `Спасибо, всё понятно (${stamp})`);
    await msg(teacher, `Спасибо, всё понятно (${stamp})`).waitFor();
  });

  await test('school settings: the admin sets quiet hours and safe mode; a held post says when it goes out, an urgent one goes at once', async () => {
    const actx = await newContext();
    const head = await actx.newPage();
    const rctx = await newContext();
    const reader = await rctx.newPage();
    pagesToShoot.push(head, reader);
    await login(head, 'admin@demo.parta.local');
    await login(reader, 'parent@demo.parta.local');
    const from = moscowClock(-60);
    const to = moscowClock(60);
    try {
      await head.goto(`${base}/school/1/profile`);
      await head.getByRole('heading', { name: 'Профиль школы' }).waitFor();
      const safe = head.getByLabel('Безопасный режим для обучающихся');
      expect(await safe.isChecked(), 'safe mode is on by default');
      await safe.uncheck();
      await head.getByLabel('Включить тихие часы').check();
      await lbl(head, 'Начало').fill(from);
      await lbl(head, 'Окончание').fill(from);
      await head.getByRole('button', { name: 'Сохранить' }).click();
      await head.getByText('Начало и окончание тихих часов должны различаться.').waitFor();
      await lbl(head, 'Окончание').fill(to);
      await head.getByRole('button', { name: 'Сохранить' }).click();
      await head.getByText('Изменения сохранены.').waitFor();
      await head.locator(`.quiet-status[data-quiet="${from}-${to}"]`).getByText(`Сейчас настроено: с ${from} до ${to}.`).waitFor();
      await head.reload();
      await head.locator(`.quiet-status[data-quiet="${from}-${to}"]`).waitFor();
      expect(!(await head.getByLabel('Безопасный режим для обучающихся').isChecked()), 'safe mode did not stay off');
      expect((await lbl(head, 'Окончание').inputValue()) === to, 'quiet hours end not kept');
      await screen(head, 'console-settings');
      await head.getByLabel('Безопасный режим для обучающихся').check();
      await head.getByRole('button', { name: 'Сохранить' }).click();
      await head.getByText('Изменения сохранены.').waitFor();

      // The school channel: the admin's ordinary post waits, the urgent one goes.
      for (const page of [head, reader]) {
        await page.goto(`${base}/chats`);
        await page.getByRole('link', { name: /Общешкольный канал/ }).click();
        await conv(page).getByRole('heading', { name: 'Общешкольный канал' }).waitFor();
        await live(page);
      }
      await conv(head).getByText(`Сейчас тихие часы (${from}–${to}): сообщения доставят в ${to}.`).waitFor();
      const held = `Завтра уроки начинаются в 9:00 (${stamp})`;
      await head.locator('[data-attach-input]').setInputFiles([{ name: 'расписание.pdf', mimeType: 'application/pdf', buffer: pdfOf(4000) }]);
      await head.locator('.upload[data-upload-state="done"]', { hasText: 'расписание.pdf' }).waitFor();
      await send(head, held);
      const mine = msg(head, held);
      await mine.locator('.msg-held').getByText(new RegExp(`^Будет доставлено (завтра )?в ${to}`)).waitFor();
      await mine.getByText('Сейчас в школе тихие часы — пока сообщение видите только вы.').waitFor();
      // Its sender may open its file already (nobody else sees the post yet).
      await mine.locator('a.file-chip', { hasText: 'расписание.pdf' }).waitFor();
      expect((await mine.locator('.file-chip--pending').count()) === 0, 'a held file is not offered to its sender');
      await axe(head, 'chat-held (desktop)');
      await head.screenshot({ path: join(shots, 'chat-held-desktop.png') });
      const urgent = `Срочно: из-за мороза занятия 1–4 классов отменены (${stamp})`;
      await head.getByLabel('Срочно — доставить сразу, даже в тихие часы').check();
      await send(head, urgent);
      await msg(reader, urgent).waitFor();
      expect((await msg(head, urgent).locator('.msg-held').count()) === 0, 'the urgent post was held');
      expect((await msg(reader, held).count()) === 0, 'the held post reached the parent during quiet hours');
      expect(!(await head.getByLabel('Срочно — доставить сразу, даже в тихие часы').isChecked()), 'the urgent mark stayed on');
    } finally {
      // Quiet hours off again, so nothing after this test is held.
      await fetch(`${base}/api/v1/orgs/1`, { method: 'PATCH', headers: await apiSession('admin@demo.parta.local'), body: JSON.stringify({ quiet_hours: null, student_safe_mode: true }) });
      await actx.close();
      await rctx.close();
    }
  });

  await test('a class teacher may post urgently in her class’s chats; quiet hours are told there', async () => {
    const ctx = await newContext();
    const from = moscowClock(-60);
    const to = moscowClock(60);
    const adminApi = await apiSession('admin@demo.parta.local');
    try {
      await fetch(`${base}/api/v1/orgs/1`, { method: 'PATCH', headers: adminApi, body: JSON.stringify({ quiet_hours: { from, to } }) });
      const page = await ctx.newPage();
      pagesToShoot.push(page);
      await login(page, 'ivanova@demo.parta.local');
      for (const title of ['5А — класс', '5А — родители']) {
        await page.goto(`${base}/chats`);
        await page.getByRole('link', { name: new RegExp(title) }).first().click();
        await conv(page).getByRole('heading', { name: title }).waitFor();
        await conv(page).getByText(`Сейчас тихие часы (${from}–${to}): сообщения доставят в ${to}.`).waitFor();
        await page.getByLabel('Срочно — доставить сразу, даже в тихие часы').waitFor();
      }
      await screen(page, 'chat-class-teacher-urgent');
      // Not in the staff room: quiet hours do not hold it, nor is there anything urgent to offer.
      await page.goto(`${base}/chats`);
      await page.getByRole('link', { name: /Учительская/ }).first().click();
      await conv(page).getByRole('heading', { name: 'Учительская' }).waitFor();
      await lbl(conv(page), 'Сообщение').waitFor();
      expect((await page.getByLabel('Срочно — доставить сразу, даже в тихие часы').count()) === 0, 'urgent offered in the staff room');
      expect((await conv(page).getByText('Сейчас тихие часы').count()) === 0, 'quiet hours told in the staff room');
    } finally {
      await fetch(`${base}/api/v1/orgs/1`, { method: 'PATCH', headers: adminApi, body: JSON.stringify({ quiet_hours: null }) });
      await ctx.close();
    }
  });

  // ---------- messages: rich text, mentions, reads, search, forwarding, thumbnails ----------
  const exam = `Завтра **контрольной** не будет, памятка: https://example.org/pamyatka?k=${stamp} — напоминание для`;
  let examId = null;

  await test('messages: the teacher writes bold, a link and an @mention picked from the list; the parent sees them formatted; «Прочитали» goes up', async () => {
    const who = await (await fetch(`${base}/api/v1/me`, { headers: await apiSession('parent@demo.parta.local') })).json();
    const mentionText = `@${who.given_name} ${who.family_name}`;
    // The parent is away from the chat, so the post starts unread.
    await parent.goto(`${base}/chats`);
    await teacher.goto(`${base}/chats`);
    await teacher.getByRole('link', { name: /5А — родители/ }).click();
    await conv(teacher).getByRole('heading', { name: '5А — родители' }).waitFor();
    await live(teacher);
    const box = lbl(conv(teacher), 'Сообщение');
    await box.fill(`${exam} `);
    await box.pressSequentially(`@${who.family_name.slice(0, 4)}`);
    const list = teacher.getByRole('listbox', { name: 'Кого упомянуть' });
    await list.waitFor();
    expect((await box.getAttribute('aria-controls')) === (await list.getAttribute('id')), 'the textarea does not point at the list');
    const names = await list.getByRole('option').allInnerTexts();
    const index = names.findIndex((n) => n.startsWith(`${who.family_name} ${who.given_name}`));
    expect(index >= 0, `the parent is not offered: ${names}`);
    await axe(teacher, 'mention-picker (desktop)');
    await teacher.screenshot({ path: join(shots, 'mention-picker-desktop.png') });
    // Escape closes the list; typing on opens it again.
    await box.press('Escape');
    await list.waitFor({ state: 'detached' });
    await box.press('Backspace');
    await list.waitFor();
    await box.pressSequentially(who.family_name.slice(3, 4));
    for (let i = 0; i < index; i++) await box.press('ArrowDown');
    const active = await box.getAttribute('aria-activedescendant');
    expect(active && (await teacher.locator(`[id="${active}"]`).innerText()).startsWith(who.family_name), 'the active option is not the parent');
    await box.press('Enter');
    await list.waitFor({ state: 'detached' });
    const value = await box.inputValue();
    expect(value.endsWith(`@[${who.given_name} ${who.family_name}](${who.id}) `), `inserted: ${value}`);
    await box.pressSequentially('родителей.');
    await box.press('Enter');
    const mine = msg(teacher, 'памятка');
    await mine.filter({ hasText: stamp }).waitFor();
    examId = await mine.filter({ hasText: stamp }).getAttribute('data-message-id');
    const own = teacher.locator(`[data-message-id="${examId}"]`);
    await own.locator('strong', { hasText: 'контрольной' }).waitFor();
    const reads = own.locator('.msg-reads[data-read]');
    await reads.waitFor();
    const read0 = Number(await reads.getAttribute('data-read'));
    const total = Number(await reads.getAttribute('data-members'));
    expect(total >= 2 && read0 < total, `reads at start: ${read0} of ${total}`);
    // ✓ or ✓✓ with the count on screen, said in words.
    const said = await reads.locator('.visually-hidden').innerText();
    expect(/^Прочитали? \d+ из \d+$/.test(said), `reads text: ${said}`);

    await parent.getByRole('link', { name: /5А — родители/ }).click();
    const theirs = parent.locator(`[data-message-id="${examId}"]`);
    await theirs.waitFor();
    await theirs.locator('strong', { hasText: 'контрольной' }).waitFor();
    const link = theirs.locator(`a[href="https://example.org/pamyatka?k=${stamp}"]`);
    expect((await link.getAttribute('target')) === '_blank', 'the link does not open a new tab');
    expect((await link.getAttribute('rel')) === 'noopener noreferrer nofollow', `rel ${await link.getAttribute('rel')}`);
    const mention = theirs.locator('.mention.mention--me');
    expect((await mention.innerText()).startsWith(mentionText), `mention text ${await mention.innerText()}`);
    expect((await own.locator('.mention').count()) === 1 && (await own.locator('.mention--me').count()) === 0, 'the teacher sees the mention as her own');
    await screen(parent, 'chat-rich');

    await own.locator(`.msg-reads[data-read="${read0 + 1}"]`).waitFor();
    await own.locator('.msg-reads').getByRole('button', { name: /^Прочитали? / }).click();
    const dialog = teacher.getByRole('dialog', { name: 'Кто прочитал сообщение' });
    await dialog.waitFor();
    await dialog.locator('[data-reads="read"] li', { hasText: `${who.family_name} ${who.given_name}` }).waitFor();
    expect((await dialog.locator('[data-reads="unread"] li', { hasText: `${who.family_name} ${who.given_name}` }).count()) === 0, 'the parent is listed as not read');
    await screen(teacher, 'reads-dialog');
    await teacher.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  await test('messages: search finds the post by another word form and opens the chat at it', async () => {
    const form = teacher.getByRole('search').first();
    await lbl(form, 'Поиск по сообщениям').fill(`контрольная ${stamp}`);
    await lbl(form, 'Поиск по сообщениям').press('Enter');
    await teacher.waitForURL(/\/search\?q=/);
    await teacher.getByRole('heading', { name: 'Поиск по сообщениям' }).waitFor();
    const hit = teacher.locator(`.search-hit[data-message-id="${examId}"]`);
    await hit.waitFor();
    await hit.getByText('5А — родители').waitFor();
    expect((await hit.locator('mark').allInnerTexts()).includes('контрольной'), `marked: ${await hit.locator('mark').allInnerTexts()}`);
    await teacher.getByText(/^Найдено 1 сообщение$/).waitFor();
    await screen(teacher, 'search');
    // Nothing found: said so.
    await lbl(teacher, 'Что найти').fill('шкафообразный');
    await teacher.getByRole('button', { name: 'Найти', exact: true }).last().click();
    await teacher.getByText('Ничего не нашлось. Попробуйте другие слова.').waitFor();
    await teacher.goBack();
    await hit.waitFor();
    await hit.getByRole('link').click();
    await teacher.waitForURL(new RegExp(`/chats/\\d+\\?m=${examId}$`));
    await teacher.locator(`.msg--found[data-message-id="${examId}"]`).waitFor();

    // Paging: the 35 «История» posts come 20 at a time; the oldest opens with the history loaded back to it.
    await teacher.goto(`${base}/search?q=${encodeURIComponent(`история ${stamp}`)}`);
    const hits = teacher.locator('.search-hit');
    await teacher.getByText(/^Найдено 20 сообщений \(показаны не все\)$/).waitFor();
    await teacher.getByRole('button', { name: 'Показать ещё' }).click();
    await teacher.getByText(/^Найдено 35 сообщений$/).waitFor();
    expect((await hits.count()) === 35, `hits after paging: ${await hits.count()}`);
    expect((await teacher.getByRole('button', { name: 'Показать ещё' }).count()) === 0, 'more offered after the last page');
    const oldest = hits.filter({ hasText: `История 1 (${stamp})` });
    const oldestId = await oldest.getAttribute('data-message-id');
    await oldest.getByRole('link').click();
    await conv(teacher).getByRole('heading', { name: '5А — класс' }).waitFor();
    await teacher.locator(`.msg--found[data-message-id="${oldestId}"]`).waitFor();
    expect(await teacher.locator(`[data-message-id="${oldestId}"]`).isVisible(), 'the found post is not in view');
  });

  await test('messages: the teacher forwards the post to the class chat; it arrives marked as forwarded', async () => {
    await teacher.getByRole('link', { name: /5А — родители/ }).click();
    await conv(teacher).getByRole('heading', { name: '5А — родители' }).waitFor();
    const own = teacher.locator(`[data-message-id="${examId}"]`);
    await act(teacher, own, 'Переслать');
    const dialog = teacher.getByRole('dialog', { name: 'Переслать сообщение' });
    await dialog.waitFor();
    expect((await dialog.getByRole('button', { name: /Переслать в чат «5А — родители»/ }).count()) === 0, 'the source chat is offered');
    await screen(teacher, 'forward-dialog');
    await lbl(dialog, 'Найти чат').fill('класс');
    await dialog.getByRole('button', { name: 'Переслать в чат «5А — класс»' }).click();
    await dialog.getByText('Сообщение переслано в чат «5А — класс».').waitFor();
    await dialog.getByRole('link', { name: 'Открыть чат' }).click();
    await conv(teacher).getByRole('heading', { name: '5А — класс' }).waitFor();
    const copy = msg(teacher, 'памятка').filter({ hasText: stamp });
    await copy.waitFor();
    await copy.locator('.msg-forwarded', { hasText: /^Переслано · автор: Иванова М\. ?С\./ }).waitFor();
    await copy.locator('strong', { hasText: 'контрольной' }).waitFor();
    // Polls are not offered for forwarding.
    await teacher.goto(`${base}/chats`);
    await teacher.getByRole('link', { name: /5А — родители/ }).click();
    await conv(teacher).getByRole('heading', { name: '5А — родители' }).waitFor();
    await msg(teacher, 'памятка').filter({ hasText: stamp }).waitFor();
    for (const poll of await teacher.locator('.msgs > li.msg', { has: teacher.locator('.poll') }).all()) {
      expect(!(await actionsOf(teacher, poll)).includes('Переслать'), 'a poll offers forwarding');
    }
  });

  await test('messages: an uploaded photo is shown by its server-made preview', async () => {
    const caption = `Фото доски (${stamp})`;
    for (const page of [teacher, parent]) {
      await page.getByRole('link', { name: /5А — родители/ }).click();
      await conv(page).getByRole('heading', { name: '5А — родители' }).waitFor();
    }
    await teacher.locator('[data-attach-input]').setInputFiles([{ name: 'доска.png', mimeType: 'image/png', buffer: pngOf(960, 240) }]);
    await teacher.locator('.upload[data-upload-state="done"]', { hasText: 'доска.png' }).waitFor();
    await send(teacher, caption);
    for (const page of [teacher, parent]) {
      const img = msg(page, caption).locator('.img-attach img[data-thumbnail="true"]');
      await img.waitFor();
      expect(/\/api\/v1\/files\/\d+\/thumbnail$/.test(await img.getAttribute('src')), `src ${await img.getAttribute('src')}`);
      await page.waitForFunction((text) => {
        const li = [...document.querySelectorAll('.msgs > li.msg')].find((x) => x.textContent.includes(text));
        const i = li?.querySelector('.img-attach img');
        return i && i.complete && i.naturalWidth === 480 && i.naturalHeight === 120;
      }, caption);
    }
    // The full picture is one click away.
    await msg(parent, caption).getByRole('button', { name: /Открыть изображение «доска.png»/ }).click();
    await parent.waitForFunction(() => {
      const i = document.querySelector('dialog[open] img.img-full');
      return i && i.complete && i.naturalWidth === 960;
    });
    await parent.keyboard.press('Escape');
  });

  // ---------- chat management: new chats, info panel, chat invites, channel authors ----------
  const mctx = await newContext();
  const mt = await mctx.newPage();
  pagesToShoot.push(mt);
  const groupTitle = `Администрация 5А (${stamp})`;
  const renamed = `Совет 5А (${stamp})`;
  const info = (page) => page.getByRole('dialog', { name: 'О чате' });
  const openInfo = async (page) => {
    await conv(page).getByRole('button', { name: /^О чате/ }).click();
    await info(page).waitFor();
    return info(page);
  };
  let chatLink;
  let octx;
  let op;

  await test('chat management: a teacher creates a group chat with a colleague, renames it and makes the colleague moderator', async () => {
    await login(mt, 'ivanova@demo.parta.local');
    await mt.goto(`${base}/chats`);
    await mt.getByRole('button', { name: 'Новый чат' }).click();
    const dialog = mt.getByRole('dialog', { name: 'Новый чат' });
    await dialog.waitFor();
    // A subject chat offers the classes she teaches.
    await dialog.getByLabel('Чат по предмету').check();
    await lbl(dialog, 'Класс').locator('option', { hasText: '5А' }).waitFor({ state: 'attached' });
    await dialog.getByLabel('Беседа').check();
    await lbl(dialog, 'Название').fill(groupTitle);
    await lbl(dialog, 'Найти по фамилии или имени').fill('смирн');
    await dialog.getByRole('checkbox', { name: /^Смирнов Алексей Петрович/ }).check();
    await dialog.getByText('Выбран 1 человек:').waitFor();
    await screen(mt, 'chat-new');
    await dialog.getByRole('button', { name: 'Создать чат' }).click();
    await mt.waitForURL(/\/chats\/\d+$/);
    await conv(mt).getByRole('heading', { name: groupTitle }).waitFor();
    await mt.getByRole('link', { name: new RegExp(groupTitle.replace(/[()]/g, '\\$&')) }).waitFor();

    const panel = await openInfo(mt);
    await panel.getByText('Беседа · 2 участника').waitFor();
    await panel.locator('.chat-member[data-role="owner"]', { hasText: 'Иванова Мария Сергеевна' }).waitFor();
    await screen(mt, 'chat-info');
    await lbl(panel, 'Название чата').fill(renamed);
    await panel.getByRole('button', { name: 'Переименовать' }).click();
    await panel.getByText('Название изменено.').waitFor();
    await conv(mt).locator('h2.conv-title', { hasText: renamed }).waitFor();
    const row = panel.locator('.chat-member', { hasText: 'Смирнов Алексей Петрович' });
    await row.getByRole('button', { name: /^Назначить модератором/ }).click();
    await panel.locator('.chat-member[data-role="moderator"]', { hasText: 'Смирнов Алексей Петрович' }).waitFor();
    await row.getByRole('button', { name: /^Снять модератора/ }).waitFor();
    // Adding by name and removing again.
    await panel.getByText('Добавить участников').click();
    await lbl(panel, 'Найти по фамилии или имени').fill('соколова ан');
    await panel.getByRole('checkbox', { name: /^Соколова Анна Павловна/ }).check();
    await panel.getByRole('button', { name: 'Добавить', exact: true }).click();
    await panel.getByText('Добавлен 1 человек.').waitFor();
    const added = panel.locator('.chat-member', { hasText: 'Соколова Анна Павловна' });
    await added.waitFor();
    await added.getByRole('button', { name: /^Удалить из чата/ }).click();
    await added.getByRole('button', { name: 'Да' }).click();
    await added.waitFor({ state: 'detached' });
    // The colleague sees the new name and his new role.
    const chatId = Number(mt.url().match(/\/chats\/(\d+)$/)[1]);
    const theirs = await (await fetch(`${base}/api/v1/chats/${chatId}`, { headers: await apiSession('smirnov@demo.parta.local') })).json();
    expect(theirs.title === renamed && theirs.my_role === 'moderator', `colleague sees ${JSON.stringify(theirs)}`);
  });

  await test('chat management: an invite link; a colleague signs in from it, joins and sees the chat', async () => {
    const panel = info(mt);
    await panel.getByRole('button', { name: 'Создать ссылку' }).click();
    const card = panel.locator('.created-chat-link');
    await card.waitFor();
    chatLink = await lbl(card, 'Ссылка-приглашение в чат').inputValue();
    expect(chatLink.startsWith(`${base}/chat-invite/`), `unexpected chat link ${chatLink}`);
    await card.locator('img.qr').waitFor();
    await panel.locator('.chat-link-row[data-status="active"]').getByText('по ней пока никто не вступил', { exact: false }).waitFor();

    // Not signed in: the link goes through the login page and comes back.
    octx = await newContext();
    op = await octx.newPage();
    pagesToShoot.push(op);
    await op.goto(chatLink);
    await op.waitForURL(/\/login\?next=/);
    await lbl(op, 'Телефон или e-mail').fill('orlov@demo.parta.local');
    await lbl(op, 'Пароль').fill(PASSWORD);
    await op.getByRole('button', { name: 'Войти', exact: true }).click();
    await op.getByRole('heading', { name: 'Приглашение в чат' }).waitFor();
    await op.locator('.chat-invite-title', { hasText: renamed }).waitFor();
    await op.getByText('2 участника').waitFor();
    await screen(op, 'chat-invite');
    await op.getByRole('button', { name: 'Вступить' }).click();
    await op.waitForURL(/\/chats\/\d+$/);
    await conv(op).getByRole('heading', { name: renamed }).waitFor();
    await live(op);
    await send(op, `Здравствуйте, коллеги (${stamp})`);
    await msg(mt, `Здравствуйте, коллеги (${stamp})`).waitFor();
    // The panel's member list follows live; the link counts the use.
    await panel.locator('.chat-member', { hasText: 'Орлов Дмитрий Игоревич' }).waitFor();
    await mt.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    const again = await openInfo(mt);
    await again.locator('.chat-link-row[data-status="active"]').getByText('вступил 1 человек').waitFor();
    // Opening the link again as a member just opens the chat.
    await op.goto(chatLink);
    await op.waitForURL(/\/chats\/\d+$/);
    await conv(op).getByRole('heading', { name: renamed }).waitFor();
  });

  await test('chat management: the colleague leaves; a revoked link shows the revoked page, an unknown one the not-found page', async () => {
    const panel = info(mt);
    const row = panel.locator('.chat-link-row[data-status="active"]');
    await row.getByRole('button', { name: 'Отозвать' }).click();
    await row.getByRole('button', { name: 'Да', exact: true }).click();
    await panel.locator('.chat-link-row[data-status="revoked"]').getByText('Отозвана').waitFor();
    await mt.keyboard.press('Escape');
    // The colleague leaves the chat (after confirming); it goes from his list.
    const leave = await openInfo(op);
    await leave.getByRole('button', { name: 'Покинуть чат' }).click();
    await leave.getByRole('button', { name: 'Да', exact: true }).click();
    await op.waitForURL(/\/chats$/);
    await op.getByRole('link', { name: /Учительская/ }).waitFor();
    expect((await op.getByRole('link', { name: new RegExp(renamed.replace(/[()]/g, '\\$&')) }).count()) === 0, 'the chat left is still listed');
    await op.goto(chatLink);
    await op.locator('[data-chat-invite-state="revoked"]').getByRole('heading', { name: 'Ссылка больше не действует' }).waitFor();
    await screen(op, 'chat-invite-revoked');
    await op.goto(`${base}/chat-invite/no-such-link-${stamp}`);
    await op.locator('[data-chat-invite-state="not_found"]').getByRole('heading', { name: 'Ссылка не найдена' }).waitFor();
    await screen(op, 'chat-invite-not-found');
  });

  await test('chat import: the group’s owner opens «Импорт истории» (loaded on demand) and checks a Telegram export — the count, her own name suggested for her, a guest, a skipped service message; imported with a progress bar, the messages arrive marked «импорт» with the guest’s name', async () => {
    const exported = JSON.stringify({
      name: 'Родители 5А',
      messages: [
        { id: 1, type: 'service', date_unixtime: '1704099600', actor: 'Мария', action: 'create_group', text: '' },
        { id: 2, type: 'message', date_unixtime: '1704103200', from: 'Мария Иванова', text: 'Собрание в пятницу в 18:00' },
        { id: 3, type: 'message', date_unixtime: '1704103260', from: 'Бабушка Лены', text: 'Спасибо, придём', reply_to_message_id: 2 },
      ],
    });
    const panel = await openInfo(mt);
    await panel.getByRole('button', { name: 'Импорт истории' }).click();
    const dialog = mt.getByRole('dialog', { name: 'Импорт истории' });
    await dialog.waitFor();
    await lbl(dialog, 'Файл экспорта').setInputFiles({ name: 'result.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
    await dialog.getByRole('button', { name: 'Проверить' }).click();
    await dialog.locator('[data-import-state="checked"]').waitFor();
    await dialog.locator('[data-messages="2"]').getByText('2 сообщения').waitFor();
    expect((await dialog.locator('select[data-author="Мария Иванова"]').inputValue()) !== '', 'her own name is not suggested for her');
    expect((await dialog.locator('select[data-author="Бабушка Лены"]').inputValue()) === '', 'the guest was given a member');
    await dialog.getByText('служебные сообщения (вход, закрепление и т. п.): 1').waitFor();
    await screen(mt, 'chat-import-dry-run');
    await dialog.getByRole('button', { name: 'Импортировать' }).click();
    await dialog.locator('[data-import-state="done"]').waitFor();
    await dialog.getByText('Готово. Добавлено сообщений: 2, файлов: 0.').waitFor();
    await screen(mt, 'chat-import-done');
    await dialog.getByRole('button', { name: 'Вернуться в чат' }).click();
    await conv(mt).getByText('Спасибо, придём').waitFor();
    await conv(mt).locator('.msg-imported').first().waitFor();
    await conv(mt).locator('.msg-sender--guest', { hasText: 'Бабушка Лены' }).waitFor();
  });

  await test('chat management: a teacher starts a subject chat for her class; its students are in it', async () => {
    await mt.goto(`${base}/chats`);
    await mt.getByRole('button', { name: 'Новый чат' }).click();
    const dialog = mt.getByRole('dialog', { name: 'Новый чат' });
    await dialog.getByLabel('Чат по предмету').check();
    await lbl(dialog, 'Класс').selectOption({ label: '5А' });
    await lbl(dialog, 'Предмет').fill(`Алгебра ${stamp}`);
    await dialog.getByText(`Чат будет называться «Алгебра ${stamp} — 5А».`).waitFor();
    await dialog.getByRole('button', { name: 'Создать чат' }).click();
    await mt.waitForURL(/\/chats\/\d+$/);
    await conv(mt).getByRole('heading', { name: `Алгебра ${stamp} — 5А` }).waitFor();
    const panel = await openInfo(mt);
    await panel.getByText('Чат по предмету', { exact: false }).first().waitFor();
    await panel.locator('.chat-member', { hasText: 'Лебедев Артём Андреевич' }).waitFor();
    await mt.keyboard.press('Escape');
  });

  await test('chat management: in safe mode a student cannot join a chat with no teacher in it', async () => {
    // A chat whose only staff member (its creator) has left, with a live link.
    const k = await apiSession('kuznetsova@demo.parta.local');
    const made = await (await fetch(`${base}/api/v1/orgs/1/chats`, { method: 'POST', headers: k, body: JSON.stringify({ kind: 'group', title: `Кружок (${stamp})` }) })).json();
    const link = await (await fetch(`${base}/api/v1/chats/${made.id}/invites`, { method: 'POST', headers: k })).json();
    const me = await (await fetch(`${base}/api/v1/me`, { headers: k })).json();
    const left = await fetch(`${base}/api/v1/chats/${made.id}/members/${me.id}`, { method: 'DELETE', headers: k });
    expect(left.status === 204, `leaving answered ${left.status}`);
    const sctx = await newContext();
    try {
      const sp = await sctx.newPage();
      pagesToShoot.push(sp);
      await login(sp, 'student.5a@demo.parta.local');
      await sp.goto(`${base}/chat-invite/${link.token}`);
      await sp.getByRole('button', { name: 'Вступить' }).click();
      await sp.locator('[data-chat-invite-state="needs_teacher"]').getByRole('heading', { name: 'В этот чат пока нельзя вступить' }).waitFor();
      await screen(sp, 'chat-invite-needs-teacher');
    } finally {
      await sctx.close();
    }
  });

  await test('chat management: the director appoints a channel author, who then posts in the school channel', async () => {
    const dctx = await newContext();
    const kctx = await newContext();
    try {
      const dp = await dctx.newPage();
      const kp = await kctx.newPage();
      pagesToShoot.push(dp, kp);
      await login(dp, 'admin@demo.parta.local');
      await login(kp, 'kuznetsova@demo.parta.local');
      for (const page of [dp, kp]) {
        await page.goto(`${base}/chats`);
        await page.getByRole('link', { name: /Общешкольный канал/ }).click();
        await conv(page).getByRole('heading', { name: 'Общешкольный канал' }).waitFor();
        await live(page);
      }
      await conv(kp).getByText('Писать в канал могут только авторы.').waitFor();
      const panel = await openInfo(dp);
      await lbl(panel, 'Найти участника').fill('кузнец');
      const row = panel.locator('.chat-member', { hasText: 'Кузнецова Елена Викторовна' });
      await row.getByRole('button', { name: /^Назначить автором/ }).click();
      await panel.locator('.chat-member[data-role="author"]', { hasText: 'Кузнецова Елена Викторовна' }).waitFor();
      await axe(dp, 'chat-info-channel (desktop)');
      // The new author's composer opens live.
      const post = `Экскурсия в музей для 1А — в пятницу (${stamp})`;
      await lbl(conv(kp), 'Сообщение').waitFor();
      await send(kp, post);
      await msg(dp, post).waitFor();
      // Taken back: the composer closes again.
      await row.getByRole('button', { name: /^Снять с авторов/ }).click();
      await panel.locator('.chat-member[data-role="member"]', { hasText: 'Кузнецова Елена Викторовна' }).waitFor();
      await conv(kp).getByText('Писать в канал могут только авторы.').waitFor();
    } finally {
      await dctx.close();
      await kctx.close();
    }
  });

  await test('chat notifications: a parent quiets a chat for an hour (crossed bell, grey counter, out of the total), her other browser follows live, «Включить уведомления» lifts it, «Только упоминания» is kept', async () => {
    const actx = await newContext();
    const bctx = await newContext();
    try {
      const a = await actx.newPage();
      const b = await bctx.newPage();
      pagesToShoot.push(a, b);
      // Another parent of 5А (no page of hers is open elsewhere, reading the chat); Volkova writes.
      await login(a, 'lebedeva@demo.parta.local');
      await login(b, 'lebedeva@demo.parta.local');
      const volkova = await apiSession('parent@demo.parta.local');
      const chats = await (await fetch(`${base}/api/v1/chats`, { headers: volkova })).json();
      const parents = chats.find((c) => c.kind === 'parents' && c.title.startsWith('5А'));
      let n = 0;
      const post = async () => {
        const r = await fetch(`${base}/api/v1/chats/${parents.id}/messages`, {
          method: 'POST',
          headers: volkova,
          body: JSON.stringify({ client_msg_id: `silence-${stamp}-${++n}`, body: `Кто идёт на ёлку в субботу? (${stamp}, ${n})` }),
        });
        expect(r.status === 201, `send: ${r.status}`);
      };
      const item = (page) => page.locator(`.chat-list a[data-chat-id="${parents.id}"]`);
      const total = async (page) => Number((await page.locator('[data-unread-total]').getAttribute('data-unread-total').catch(() => null)) ?? 0);
      for (const page of [a, b]) {
        await page.goto(`${base}/chats`);
        await item(page).waitFor();
        await live(page);
      }

      // On a phone: the chat's info panel has «Уведомления»; «на 1 час» from the keyboard.
      await a.setViewportSize(PHONE);
      await item(a).click();
      await conv(a).getByRole('heading', { name: parents.title }).waitFor();
      await live(a);
      const panel = await openInfo(a);
      const section = panel.getByRole('region', { name: 'Уведомления' });
      const dnd = section.getByRole('group', { name: 'Не беспокоить' });
      for (const name of ['на 1 час', 'на 8 часов', 'до завтра (8:00)', 'навсегда']) await dnd.getByRole('button', { name, exact: true }).waitFor();
      await lbl(section, 'Только упоминания').waitFor();
      await section.getByText('Из этого чата будут приходить только упоминания вас.').waitFor();
      await axe(a, 'chat-info-notifications (phone)');
      await a.screenshot({ path: join(shots, 'chat-info-notifications-phone.png') });
      await dnd.getByRole('button', { name: 'на 1 час', exact: true }).focus();
      await a.keyboard.press('Enter');
      const off = section.getByRole('button', { name: 'Включить уведомления' });
      await off.waitFor();
      await a.waitForFunction(() => document.activeElement?.textContent === 'Включить уведомления', null, { timeout: 5000 }).catch(() => {
        throw new Error('the focus is not on «Включить уведомления» after «на 1 час»');
      });
      const until = await section.locator('.silence-until').innerText();
      expect(/^Без звука до (завтра, )?\d{1,2}:\d\d$/.test(until), `quiet shown as «${until}»`);
      const hhmm = until.match(/(\d{1,2}:\d\d)$/)[1].padStart(5, '0');
      expect([59, 60, 61].some((m) => moscowClock(m) === hhmm), `quiet until ${hhmm}, expected about ${moscowClock(60)}`);
      await axe(a, 'chat-info-silenced (phone)');
      await a.screenshot({ path: join(shots, 'chat-info-silenced-phone.png') });
      await a.keyboard.press('Escape');
      await panel.waitFor({ state: 'detached' });
      await a.setViewportSize(DESKTOP);
      await a.goto(`${base}/chats`);
      await item(a).waitFor();
      await live(a);

      // A message comes: the counter is grey, and the chat is left out of the total.
      const before = await total(b);
      await item(b).locator('.chat-silenced').waitFor();
      await post();
      for (const page of [a, b]) {
        await item(page).locator('.unread.unread--quiet').waitFor();
        await item(page).locator('.chat-silenced').getByText('без звука').waitFor({ state: 'attached' });
        const name = await item(page).evaluate((el) => el.textContent);
        expect(name.includes('без звука'), `the link does not say «без звука»: ${name}`);
      }
      await a.getByRole('link', { name: /5А — родители.*без звука/ }).first().waitFor();
      const grey = await item(b).locator('.unread').evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(grey === 'rgb(77, 90, 106)', `the quiet counter is ${grey}`);
      expect((await total(b)) === before, `the total counts the quieted chat: ${await total(b)}, was ${before}`);
      await axe(b, 'chat-list-silenced (desktop)');
      await b.screenshot({ path: join(shots, 'chat-list-silenced-desktop.png') });

      // «Включить уведомления»: the other browser follows without a reload.
      await item(a).click();
      await live(a);
      const again = await openInfo(a);
      await again.getByRole('button', { name: 'Включить уведомления' }).click();
      await again.getByRole('group', { name: 'Не беспокоить' }).waitFor();
      await countReaches(item(b).locator('.chat-silenced'), 0, 'crossed bells after «Включить уведомления»');
      await a.keyboard.press('Escape');
      await a.goto(`${base}/chats`);
      await item(a).waitFor();
      await post();
      const counter = item(b).locator('.unread:not(.unread--quiet)');
      await counter.waitFor();
      const mine = Number(await counter.getAttribute('data-unread'));
      await countReaches(b.locator(`[data-unread-total="${before + mine}"]`), 1, `the total with the chat's ${mine} counted again`);

      // «Только упоминания» is kept after a reload.
      await item(a).click();
      await live(a);
      const panel2 = await openInfo(a);
      const saved = a.waitForResponse((r) => r.url().endsWith(`/chats/${parents.id}/silence`) && r.request().method() === 'PUT');
      await lbl(panel2, 'Только упоминания').check();
      expect((await saved).status() === 200, '«Только упоминания» was not saved');
      await a.reload();
      await live(a);
      const kept = await openInfo(a);
      const box = lbl(kept, 'Только упоминания');
      await box.waitFor();
      expect(await box.isChecked(), '«Только упоминания» is lost after a reload');
      expect((await kept.getByRole('button', { name: 'Включить уведомления' }).count()) === 0, 'the chat is still quieted');
      await box.uncheck();
      await countReaches(kept.locator('input[type="checkbox"]:checked'), 0, 'checked boxes after unticking');
    } finally {
      await actx.close();
      await bctx.close();
    }
  });

  await test('school settings: «students talk only with a teacher present» is saved and kept after a reload', async () => {
    const sctx = await newContext();
    try {
      const page = await sctx.newPage();
      pagesToShoot.push(page);
      await login(page, 'admin@demo.parta.local');
      await page.goto(`${base}/school/1/profile`);
      const safe = page.getByLabel('Безопасный режим для обучающихся');
      const supervised = page.getByLabel('Ученики общаются только в присутствии педагога');
      await supervised.waitFor();
      expect(await safe.isChecked(), 'safe mode is off in the demo');
      expect(!(await supervised.isChecked()), 'supervision is on from the start');
      // Without safe mode the setting is not offered.
      await safe.uncheck();
      expect(await supervised.isDisabled(), 'supervision is offered without safe mode');
      await page.getByText('Сначала включите безопасный режим').waitFor();
      await safe.check();
      await supervised.check();
      await page.getByRole('button', { name: 'Сохранить' }).click();
      await page.getByText('Изменения сохранены.').waitFor();
      await page.reload();
      await page.locator('[data-supervised="on"]').waitFor();
      expect(await supervised.isChecked(), 'supervision not kept after a reload');
      await screen(page, 'console-settings-supervised');
      const school = await (await fetch(`${base}/api/v1/orgs/1`, { headers: await apiSession('admin@demo.parta.local') })).json();
      expect(school.students_supervised === true && school.student_safe_mode === true, `school settings ${JSON.stringify(school)}`);
      await supervised.uncheck();
      await page.getByRole('button', { name: 'Сохранить' }).click();
      await page.getByText('Изменения сохранены.').waitFor();
      await page.reload();
      await page.locator('[data-supervised="off"]').waitFor();
      expect(!(await supervised.isChecked()), 'supervision stayed on');
    } finally {
      await fetch(`${base}/api/v1/orgs/1`, { method: 'PATCH', headers: await apiSession('admin@demo.parta.local'), body: JSON.stringify({ students_supervised: false, student_safe_mode: true }) });
      await sctx.close();
    }
  });
  // ---------- the school year ----------
  // The demo school may come with a year of its own: this one is far enough ahead.
  const yctx = await newContext();
  const yp = await yctx.newPage();
  pagesToShoot.push(yp);
  const directorApi = await apiSession('admin@demo.parta.local');
  const years = async () => (await fetch(`${base}/api/v1/orgs/1/years`, { headers: directorApi })).json();
  const yearForm = () => yp.locator('form.year-form');
  const bellsForm = () => yp.locator('form.bells');
  /** The error shown for an input (by the server's field path) and whether the input points to it. */
  async function errorAt(scope, selector) {
    const input = scope.locator(selector);
    await input.and(scope.locator('[aria-invalid="true"]')).waitFor();
    const ids = ((await input.getAttribute('aria-describedby')) || '').split(' ').filter(Boolean);
    const texts = await Promise.all(ids.map((id) => yp.locator(`[id="${id}"]`).innerText()));
    return texts.join(' ');
  }
  /** Whether the element gets the focus (focus moves after the render, so this waits a little). */
  async function focused(locator) {
    const el = await locator.elementHandle();
    return yp.waitForFunction((e) => e === document.activeElement, el, { timeout: 5_000 }).then(() => true, () => false);
  }

  await test('school year: the admin opens the tab (loaded on demand) and creates a year with quarters and holidays; overlapping quarters are refused at the field', async () => {
    await login(yp, 'admin@demo.parta.local');
    await yp.goto(`${base}/school/1/structure`);
    await yp.getByRole('heading', { name: 'Подразделения' }).waitFor();
    const chunk = yp.waitForResponse((r) => /\/assets\/year-[\w-]+\.js$/.test(new URL(r.url()).pathname));
    await yp.locator('nav.tabs').getByRole('link', { name: 'Учебный год' }).click();
    await chunk;
    await yp.getByRole('heading', { name: 'Учебные годы' }).waitFor();
    await yp.getByRole('button', { name: 'Новый учебный год' }).click();
    const form = yearForm();
    await form.getByRole('heading', { name: 'Новый учебный год' }).waitFor();
    // The usual year is filled in; a new start year moves all of it.
    expect(await form.getByRole('radio', { name: 'Четверти' }).isChecked(), 'quarters are not the default');
    expect(await form.getByRole('radio', { name: '5 дней (пн–пт)' }).isChecked(), 'a five-day week is not the default');
    await lbl(form, 'Начало учебного года').fill('2031-09-01');
    expect((await form.locator('input[name="name"]').inputValue()) === '2031/2032', 'the name did not follow the dates');
    expect((await lbl(form, 'Окончание учебного года').inputValue()) === '2032-05-31', 'the end did not follow');
    const q4 = form.getByRole('group', { name: '4 четверть' });
    expect((await lbl(q4, 'Окончание').inputValue()) === '2032-05-26', 'the 4th quarter did not follow');
    await form.getByRole('group', { name: /Осенние каникулы/ }).waitFor();
    expect((await form.locator('.day-off-row').count()) === 7, 'the usual holidays and days off are not there');
    // The period rows follow the division.
    await form.getByRole('radio', { name: 'Триместры' }).check();
    await form.getByRole('group', { name: '3 триместр' }).waitFor();
    expect((await form.locator('.period-row').count()) === 3, 'trimesters do not give three rows');
    await form.getByRole('radio', { name: 'Полугодия' }).check();
    expect((await form.locator('.period-row').count()) === 2, 'halves do not give two rows');
    await form.getByRole('radio', { name: 'Четверти' }).check();
    expect((await form.locator('.period-row').count()) === 4, 'quarters do not give four rows');
    expect((await lbl(form.getByRole('group', { name: '3 четверть' }), 'Начало').inputValue()) === '2032-01-12', 'quarters came back with other dates');
    // A row added and removed; another added for a day off of the school's own.
    await form.getByRole('button', { name: 'Добавить каникулы или выходной' }).click();
    await form.getByRole('group', { name: '8. без названия' }).waitFor();
    await form.getByRole('button', { name: 'Убрать: без названия' }).click();
    await form.getByRole('button', { name: 'Добавить каникулы или выходной' }).click();
    const extra = form.getByRole('group', { name: '8. без названия' });
    expect(await focused(lbl(extra, 'Вид')), 'the new row does not take the focus');
    await lbl(extra, 'Вид').selectOption({ label: 'Выходной день' });
    await lbl(extra, 'Название').fill('День города');
    const cityDay = form.getByRole('group', { name: '8. День города' });
    await lbl(cityDay, 'С').fill('2031-09-13');
    const copy = form.locator('select[name="copy_bells_from"]');
    if (await copy.count()) await copy.selectOption('');
    // The 2nd quarter starting inside the 1st: the server refuses, in Russian, at that field.
    await lbl(form.getByRole('group', { name: '2 четверть' }), 'Начало').fill('2031-10-20');
    await form.getByRole('button', { name: 'Создать учебный год' }).click();
    const said = await errorAt(form, 'input[name="periods[1].starts_on"]');
    expect(said.includes('Пересекается с предыдущим или идёт не по порядку.'), `the field says «${said}»`);
    await form.getByRole('alert').waitFor();
    expect(await focused(form.locator('input[name="periods[1].starts_on"]')), 'the refused field does not take the focus');
    // Nothing typed is lost.
    expect((await form.locator('input[name="name"]').inputValue()) === '2031/2032', 'the name was lost');
    expect((await lbl(cityDay, 'С').inputValue()) === '2031-09-13', 'the added day off was lost');
    await screen(yp, 'console-year-refused');
    await lbl(form.getByRole('group', { name: '2 четверть' }), 'Начало').fill('2031-11-05');
    expect((await form.locator('input[name="periods[1].starts_on"][aria-invalid="true"]').count()) === 0, 'the error stays after the field is corrected');
    await form.getByRole('button', { name: 'Создать учебный год' }).click();
    await yp.getByText('Учебный год 2031/2032 создан. Теперь задайте звонки.').waitFor();
    const item = yp.locator('.year-item[data-year="2031/2032"]');
    await item.getByText('4 четверти · пятидневка · звонки не заданы').waitFor();
    const made = (await years()).find((y) => y.name === '2031/2032');
    expect(made, 'the year is not in the API');
    expect(
      JSON.stringify(made.periods.map((p) => [p.name, p.starts_on, p.ends_on])) ===
        JSON.stringify([
          ['1 четверть', '2031-09-01', '2031-10-24'],
          ['2 четверть', '2031-11-05', '2031-12-28'],
          ['3 четверть', '2032-01-12', '2032-03-20'],
          ['4 четверть', '2032-03-30', '2032-05-26'],
        ]),
      `periods ${JSON.stringify(made.periods)}`,
    );
    expect(made.days_off.length === 8 && made.days_off.filter((d) => d.kind === 'holidays').length === 3, `days off ${JSON.stringify(made.days_off)}`);
    expect(made.days_off.some((d) => d.name === 'День города' && d.starts_on === '2031-09-13' && d.ends_on === '2031-09-13' && d.kind === 'day_off'), 'the added day off is not stored');
  });

  await test('school year: bells for shift 1 are set and saved at once; an overlapping lesson is refused at its cell', async () => {
    const bells = bellsForm();
    await bells.getByRole('heading', { name: 'Расписание звонков — 2031/2032' }).waitFor();
    const shift1 = bells.locator('section[data-shift="1"]');
    await shift1.getByText('В этой смене уроков нет.').waitFor();
    await shift1.getByRole('button', { name: /^Заполнить обычным расписанием/ }).click();
    expect((await shift1.locator('tbody tr').count()) === 7, 'a usual day is not seven lessons');
    await lbl(bells, '1 смена, 1 урок: начало').fill('08:00');
    await lbl(bells, '1 смена, 1 урок: конец').fill('08:45');
    await shift1.getByRole('button', { name: /^Добавить урок/ }).click();
    expect((await lbl(bells, '1 смена, 8 урок: начало').inputValue()) === '15:15', 'the added lesson does not follow the last one');
    await bells.getByRole('button', { name: 'Убрать 8 урок, 1 смена' }).click();
    expect((await shift1.locator('tbody tr').count()) === 7, 'the lesson was not removed');
    // The 3rd lesson starting before the 2nd ends.
    await lbl(bells, '1 смена, 3 урок: начало').fill('10:00');
    await bells.getByRole('button', { name: 'Сохранить звонки' }).click();
    const said = await errorAt(bells, 'tr[data-bell="1-3"] input[type="time"] >> nth=0');
    expect(said.includes('Пересекается с предыдущим или идёт не по порядку.'), `the cell says «${said}»`);
    expect((await lbl(bells, '1 смена, 1 урок: начало').inputValue()) === '08:00', 'what was typed was lost');
    await screen(yp, 'console-year-bells-refused');
    await lbl(bells, '1 смена, 3 урок: начало').fill('10:30');
    await bells.getByRole('button', { name: 'Сохранить звонки' }).click();
    await bells.getByText('Звонки сохранены.').waitFor();
    await yp.locator('.year-item[data-year="2031/2032"]').getByText('звонки: 7 уроков').waitFor();
    await screen(yp, 'console-year-bells');
    const made = (await years()).find((y) => y.name === '2031/2032');
    expect(made.bells.length === 7 && made.bells.every((b) => b.shift === 1), `bells ${JSON.stringify(made.bells)}`);
    expect(made.bells[0].starts_at === '08:00' && made.bells[0].ends_at === '08:45' && made.bells[2].starts_at === '10:30', `bells ${JSON.stringify(made.bells)}`);
  });

  await test('school year: the year is changed to a six-day week; a second year over its dates is refused with a readable message', async () => {
    await yp.getByRole('button', { name: 'Изменить 2031/2032' }).click();
    const form = yearForm();
    await form.getByRole('heading', { name: 'Учебный год 2031/2032' }).waitFor();
    expect((await form.locator('.day-off-row').count()) === 8, 'the stored days off are not in the form');
    await screen(yp, 'console-year-form');
    await form.getByRole('radio', { name: '6 дней (пн–сб)' }).check();
    await form.getByRole('button', { name: 'Сохранить' }).click();
    await yp.getByText('Учебный год 2031/2032 сохранён.').waitFor();
    await yp.locator('.year-item[data-year="2031/2032"]').getByText('4 четверти · шестидневка · звонки: 7 уроков').waitFor();
    expect((await years()).find((y) => y.name === '2031/2032').school_days === 6, 'the six-day week is not stored');
    await yp.getByRole('button', { name: 'Новый учебный год' }).click();
    await lbl(yearForm(), 'Начало учебного года').fill('2031-09-01');
    const copy = yearForm().locator('select[name="copy_bells_from"]');
    expect((await copy.count()) === 1, 'no offer to take the bells of a year that has them');
    await yearForm().getByRole('button', { name: 'Создать учебный год' }).click();
    await yearForm().getByRole('alert').filter({ hasText: 'Даты пересекаются с другим учебным годом школы.' }).waitFor();
    await yearForm().getByRole('button', { name: 'Отмена' }).click();
    expect((await yearForm().count()) === 0, 'the form stays open');
  });

  await test('school year: a subject is added (a second one of the name refused), its short name changed in place, archived and restored', async () => {
    const section = yp.locator('section.subjects');
    await section.getByText('27 предметов').waitFor();
    const add = section.locator('form.new-subject');
    await lbl(add, 'Название').fill('Астрономия');
    await lbl(add, 'Сокращение').fill('Астр.');
    await add.getByRole('button', { name: 'Добавить предмет' }).click();
    await add.getByText('Предмет «Астрономия» добавлен.').waitFor();
    const row = section.locator('li[data-subject="Астрономия"]');
    await row.getByText('сокращённо: Астр.').waitFor();
    await section.getByText('28 предметов').waitFor();
    await lbl(add, 'Название').fill('Астрономия');
    await add.getByRole('button', { name: 'Добавить предмет' }).click();
    await add.getByText('Такой предмет в школе уже есть.').waitFor();
    expect((await lbl(add, 'Название').getAttribute('aria-invalid')) === 'true', 'the refusal is not at the name');
    expect((await lbl(add, 'Название').inputValue()) === 'Астрономия', 'the name was lost');
    await lbl(add, 'Название').fill('');
    await row.getByRole('button', { name: 'Изменить: Астрономия' }).click();
    await lbl(row, 'Сокращение').fill('Астрон.');
    await row.getByRole('button', { name: 'Сохранить' }).click();
    await row.getByText('сокращённо: Астрон.').waitFor();
    await row.getByRole('button', { name: 'В архив: Астрономия' }).click();
    await section.locator('li[data-subject="Астрономия"][data-archived="yes"]').getByText('В архиве').waitFor();
    await section.getByText('27 предметов, в архиве: 1').waitFor();
    expect(await focused(row.getByRole('button', { name: 'Вернуть из архива: Астрономия' })), 'the focus left the archived row');
    await screen(yp, 'console-year-subjects');
    let subjects = await (await fetch(`${base}/api/v1/orgs/1/subjects`, { headers: directorApi })).json();
    let astro = subjects.find((x) => x.name === 'Астрономия');
    expect(astro && astro.archived && astro.short_name === 'Астрон.', `subject ${JSON.stringify(astro)}`);
    await row.getByRole('button', { name: 'Вернуть из архива: Астрономия' }).click();
    await section.locator('li[data-subject="Астрономия"][data-archived="no"]').waitFor();
    await row.getByRole('button', { name: 'В архив: Астрономия' }).click();
    await section.locator('li[data-subject="Астрономия"][data-archived="yes"]').waitFor();
    subjects = await (await fetch(`${base}/api/v1/orgs/1/subjects`, { headers: directorApi })).json();
    astro = subjects.find((x) => x.name === 'Астрономия');
    expect(astro?.archived === true, `subject ${JSON.stringify(astro)}`);
  });

  // Who teaches what. The demo's 5А groups and assignments are the journal tests'; these
  // use 9А (Павлов and Фёдорова) and end what they add.
  const classId = async (name) => (await (await fetch(`${base}/api/v1/orgs/1/classes`, { headers: directorApi })).json()).find((c) => c.name === name).id;
  const groupsOf = async (name) => (await fetch(`${base}/api/v1/orgs/1/classes/${await classId(name)}/groups`, { headers: directorApi })).json();

  await test('school year: groups — the admin makes a group of the first half of 9А (an empty name refused at the field), renames it, changes its students, deletes another after the warning', async () => {
    if (!yp.url().startsWith(base)) await login(yp, 'admin@demo.parta.local');
    await yp.goto(`${base}/school/1/year`);
    const section = yp.locator('section.groups');
    await section.getByRole('heading', { name: 'Группы', exact: true }).waitFor();
    await lbl(section, 'Класс').selectOption({ label: '9А' });
    await section.getByText('В 9А групп пока нет.').waitFor();
    await section.getByRole('button', { name: 'Новая группа' }).click();
    const form = section.locator('form.group-form');
    await form.getByRole('heading', { name: 'Новая группа в 9А' }).waitFor();
    expect(await focused(lbl(form, 'Название')), 'the name does not take the focus');
    const pavlov = () => form.getByRole('checkbox', { name: /^Павлов Кирилл Александрович/ });
    const fedorova = () => form.getByRole('checkbox', { name: /^Фёдорова София Михайловна/ });
    await form.getByRole('button', { name: 'Первую половину списка' }).click();
    expect((await pavlov().isChecked()) && !(await fedorova().isChecked()), 'the first half is not Павлов alone');
    await form.getByText('Отмечено: 1 из 2').waitFor();
    // No name: refused at the name, the students ticked stay ticked.
    await form.getByRole('button', { name: 'Создать группу' }).click();
    const said = await errorAt(form, 'input[name="name"]');
    expect(/[а-яё]/i.test(said), `the name says «${said}»`);
    expect(await focused(lbl(form, 'Название')), 'the refused name does not take the focus');
    expect(await pavlov().isChecked(), 'the ticks were lost');
    await lbl(form, 'Название').fill('Английский 1');
    await form.getByRole('button', { name: 'Создать группу' }).click();
    await section.getByText('Группа «Английский 1» создана.').waitFor();
    let row = section.locator('li[data-group="Английский 1"]');
    await row.getByText('Павлов К. А.').waitFor();
    await row.getByText('1 ученик').waitFor();
    expect(await focused(row.getByRole('button', { name: 'Изменить: Английский 1' })), 'the focus is not on the new group');
    // Renamed, with both students; then the first half again.
    await row.getByRole('button', { name: 'Изменить: Английский 1' }).click();
    expect(await focused(lbl(form, 'Название')), 'the name does not take the focus in the edit');
    await lbl(form, 'Название').fill('Английский, группа 1');
    await fedorova().check();
    await form.getByRole('button', { name: 'Сохранить' }).click();
    await section.getByText('Группа «Английский, группа 1» сохранена.').waitFor();
    row = section.locator('li[data-group="Английский, группа 1"]');
    await row.getByText('Павлов К. А., Фёдорова С. М.').waitFor();
    await row.getByText('2 ученика').waitFor();
    expect(await focused(row.getByRole('button', { name: 'Изменить: Английский, группа 1' })), 'the focus did not come back to the row');
    await row.getByRole('button', { name: 'Изменить: Английский, группа 1' }).click();
    await form.getByRole('button', { name: 'Первую половину списка' }).click();
    await form.getByRole('button', { name: 'Сохранить' }).click();
    await row.getByText('1 ученик').waitFor();
    const stored = await groupsOf('9А');
    expect(stored.length === 1 && stored[0].name === 'Английский, группа 1' && stored[0].student_ids.length === 1, `groups ${JSON.stringify(stored)}`);
    // A second group of the other half: the students of the first are marked.
    await section.getByRole('button', { name: 'Новая группа' }).click();
    await form.getByRole('button', { name: 'Вторую половину' }).click();
    await form.getByText('уже в группе «Английский, группа 1»').waitFor();
    await lbl(form, 'Название').fill('Английский, группа 2');
    await screen(yp, 'console-year-group-form');
    await form.getByRole('button', { name: 'Создать группу' }).click();
    const second = section.locator('li[data-group="Английский, группа 2"]');
    await second.getByText('Фёдорова С. М.').waitFor();
    await screen(yp, 'console-year-groups');
    // Deleted after the warning; the focus goes to the group left.
    await second.getByRole('button', { name: 'Удалить группу: Английский, группа 2' }).click();
    const ask = second.getByRole('group', { name: 'Удалить группу: Английский, группа 2' });
    await ask.getByText(/^Удалить группу «Английский, группа 2»\? Назначения учителей в этой группе будут сняты/).waitFor();
    expect(await focused(ask.getByRole('button', { name: 'Удалить группу', exact: true })), 'the warning\'s act does not take the focus');
    await ask.getByRole('button', { name: 'Отмена' }).click();
    expect(await focused(second.getByRole('button', { name: 'Удалить группу: Английский, группа 2' })), 'the focus did not come back after «Отмена»');
    await second.getByRole('button', { name: 'Удалить группу: Английский, группа 2' }).click();
    await ask.getByRole('button', { name: 'Удалить группу', exact: true }).click();
    await section.getByText('Группа «Английский, группа 2» удалена.').waitFor();
    await second.waitFor({ state: 'detached' });
    expect(await focused(row.getByRole('button', { name: 'Изменить: Английский, группа 1' })), 'the focus did not go to the group left');
    expect((await groupsOf('9А')).length === 1, 'the group is still in the API');
  });

  await test('school year: who teaches what — the admin gives Орлов English in the 9А group, sees it listed; the same again is refused at the teacher; it is ended after the warning', async () => {
    const section = yp.locator('section.assignments');
    await section.getByRole('heading', { name: 'Кто что ведёт' }).waitFor();
    await section.locator('#assignments-class').selectOption({ label: '9А' });
    await section.getByText('3 назначения').waitFor();
    const form = section.locator('form.new-assignment');
    // Nothing chosen: said at the class, before the server is asked.
    await form.getByRole('button', { name: 'Назначить' }).click();
    expect((await errorAt(form, 'select[name="class_id"]')).includes('Выберите класс.'), 'the class is not asked for');
    expect(await focused(form.locator('select[name="class_id"]')), 'the class does not take the focus');
    await lbl(form, 'Класс').selectOption({ label: '9А' });
    await lbl(form, 'Группа').selectOption({ label: 'Английский, группа 1' });
    await lbl(form, 'Предмет').selectOption({ label: 'Иностранный язык (английский)' });
    await lbl(form, 'Учитель').selectOption({ label: 'Орлов Дмитрий Игоревич' });
    await form.getByRole('button', { name: 'Назначить' }).click();
    const what = 'Иностранный язык (английский), 9А, Английский, группа 1 — Орлов Д. И.';
    await form.getByText(`Назначено: ${what}.`).waitFor();
    expect(await focused(form.locator('select[name="subject_id"]')), 'the subject does not take the focus for the next one');
    const row = section.locator('.assignment-class[data-class="9А"] li[data-group="Английский, группа 1"]');
    await row.getByText('Орлов Дмитрий Игоревич').waitFor();
    await section.getByText('4 назначения').waitFor();
    await yp.locator('section.groups li[data-group="Английский, группа 1"]').getByText('Кто ведёт: Орлов Д. И. — Иностранный язык (английский)').waitFor();
    // The same again: refused at the teacher; the class and the group stay chosen.
    await lbl(form, 'Предмет').selectOption({ label: 'Иностранный язык (английский)' });
    await lbl(form, 'Учитель').selectOption({ label: 'Орлов Дмитрий Игоревич' });
    await form.getByRole('button', { name: 'Назначить' }).click();
    const dup = await errorAt(form, 'select[name="teacher_id"]');
    expect(dup.includes('Такое назначение уже есть.'), `the teacher says «${dup}»`);
    expect(await focused(form.locator('select[name="teacher_id"]')), 'the refused teacher does not take the focus');
    expect((await form.locator('select[name="group_id"] option:checked').innerText()) === 'Английский, группа 1', 'the group chosen was lost');
    await screen(yp, 'console-year-assignments');
    const yearId = Number(await section.locator('#assignments-year').inputValue());
    const listed = async () =>
      (await (await fetch(`${base}/api/v1/orgs/1/years/${yearId}/assignments?class_id=${await classId('9А')}`, { headers: directorApi })).json()).filter((a) => a.group?.name === 'Английский, группа 1');
    const made = await listed();
    expect(made.length === 1 && made[0].teacher.family_name === 'Орлов' && made[0].subject.name === 'Иностранный язык (английский)', `assignments ${JSON.stringify(made)}`);
    // Ended after the warning that its lessons leave the timetable.
    await row.getByRole('button', { name: `Снять назначение: ${what}` }).click();
    const ask = row.getByRole('group', { name: `Снять назначение: ${what}` });
    await ask.getByText('Уроки по этому назначению уйдут из расписания. Проведённые уроки, оценки и посещаемость останутся в журнале.').waitFor();
    expect(await focused(ask.getByRole('button', { name: 'Снять назначение', exact: true })), 'the warning\'s act does not take the focus');
    await screen(yp, 'console-year-assignment-end');
    await ask.getByRole('button', { name: 'Снять назначение', exact: true }).click();
    await section.getByText(`Назначение снято: ${what}.`).waitFor();
    await row.waitFor({ state: 'detached' });
    await section.getByText('3 назначения').waitFor();
    expect(await yp.evaluate(() => document.activeElement?.classList.contains('end-assignment')), 'the focus did not go to the next assignment');
    expect((await listed()).length === 0, 'the assignment is still in the API');
  });

  await test('school year: the school\'s rounding rule for suggested marks is changed and kept after a reload', async () => {
    const section = yp.locator('section.rounding');
    const rule = lbl(section, 'Средний балл округляется вверх');
    await rule.waitFor();
    expect((await rule.inputValue()) === '4.5', `the rule is ${await rule.inputValue()} by default`);
    await rule.selectOption('4.6');
    await section.getByRole('button', { name: 'Сохранить' }).click();
    await section.getByText('Изменения сохранены.').waitFor();
    await yp.reload();
    await lbl(yp.locator('section.rounding'), 'Средний балл округляется вверх').waitFor();
    await yp.waitForLoadState('networkidle');
    expect((await lbl(yp.locator('section.rounding'), 'Средний балл округляется вверх').inputValue()) === '4.6', 'the rule is not kept');
    await lbl(yp.locator('section.rounding'), 'Средний балл округляется вверх').selectOption('4.5');
    await yp.locator('section.rounding').getByRole('button', { name: 'Сохранить' }).click();
    await yp.locator('section.rounding').getByText('Изменения сохранены.').waitFor();
  });

  await test('school year: a class teacher has no school year tab', async () => {
    const tctx2 = await newContext();
    try {
      const page = await tctx2.newPage();
      pagesToShoot.push(page);
      await login(page, 'ivanova@demo.parta.local');
      await page.goto(`${base}/school/1/year`);
      await page.getByRole('heading', { name: 'Новая ссылка-приглашение' }).waitFor();
      const tabs = await page.locator('nav.tabs a').allInnerTexts();
      expect(!tabs.includes('Учебный год'), `a class teacher sees the tabs ${tabs}`);
    } finally {
      await tctx2.close();
    }
  });
  await yctx.close();

  // ---------- the journal: the teacher's lessons and the diary ----------
  const jctx = await newContext();
  const tj = await jctx.newPage();
  pagesToShoot.push(tj);
  const dctx = await newContext();
  const pd = await dctx.newPage();
  pagesToShoot.push(pd);
  const moscowToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  let lessonDate;
  let lessonPath;
  const anastasia = () => tj.locator('.jr-row[data-student^="Волкова Анастасия"]');
  const diaryLesson = () => pd.locator(`.week-day[data-date="${lessonDate}"] .diary-lesson[data-subject="Математика"]`);

  await test('journal: a teacher opens his week (loaded on demand) and a 5А maths lesson from today on', async () => {
    await login(tj, 'smirnov@demo.parta.local');
    const chunkLoaded = tj.waitForResponse((r) => /\/assets\/lessons-[\w-]+\.js$/.test(new URL(r.url()).pathname));
    await tj.locator('nav.mainnav').getByRole('link', { name: 'Уроки' }).click();
    await chunkLoaded;
    await tj.getByRole('heading', { name: 'Уроки', level: 1 }).waitFor();
    // The demo has written down the lessons before today; this test takes one from today on.
    // Up to a summer's length ahead: in summer the demo's year is the coming one.
    for (let weeks = 0; weeks < 16 && !lessonDate; weeks++) {
      await tj.locator('.week-day').first().waitFor();
      lessonDate = await tj.evaluate((today) => {
        for (const day of document.querySelectorAll('.week-day[data-date]')) {
          const d = day.getAttribute('data-date');
          if (d >= today && day.querySelector('button.lesson-open[data-class="5А"][data-subject="Математика"]')) return d;
        }
        return null;
      }, moscowToday);
      if (!lessonDate) {
        const monday = await tj.locator('.week-title').getAttribute('data-monday');
        await tj.getByRole('link', { name: /Следующая неделя/ }).click();
        await tj.waitForFunction((m) => document.querySelector('.week-title')?.getAttribute('data-monday') !== m, monday);
        await tj.waitForLoadState('networkidle');
      }
    }
    expect(lessonDate, 'no 5А maths lesson from today on in sixteen weeks');
    await screen(tj, 'lessons-week');
    await tj.locator(`.week-day[data-date="${lessonDate}"] button.lesson-open[data-class="5А"][data-subject="Математика"]`).first().click();
    await tj.waitForURL(/\/lessons\/\d+$/);
    lessonPath = new URL(tj.url()).pathname;
    await tj.getByRole('heading', { name: 'Математика, 5А', level: 1 }).waitFor();
    await anastasia().waitFor();
    expect((await tj.locator('.jr-row').count()) >= 2, 'the class list is short');
    await lbl(tj, 'Тема урока').fill('Сложение дробей');
    await tj.getByRole('button', { name: 'Сохранить тему' }).click();
    await tj.getByText('Тема сохранена.').waitFor();
    await screen(tj, 'lesson');
  });

  await test('journal: the parent opens the diary (loaded on demand) on her daughter’s week', async () => {
    await login(pd, 'parent@demo.parta.local');
    const chunkLoaded = pd.waitForResponse((r) => /\/assets\/diary-[\w-]+\.js$/.test(new URL(r.url()).pathname));
    await pd.locator('nav.mainnav').getByRole('link', { name: 'Дневник' }).click();
    await chunkLoaded;
    await pd.getByRole('heading', { name: 'Дневник', level: 1 }).waitFor();
    await pd.getByRole('navigation', { name: 'Чей дневник' }).getByRole('link', { name: /Анастасия/ }).click();
    await pd.locator('.diary .lead', { hasText: 'Волкова Анастасия' }).waitFor();
    const student = await pd.locator('.diary').getAttribute('data-student-id');
    await pd.goto(`${base}/diary?student=${student}&date=${lessonDate}`);
    await diaryLesson().first().waitFor();
    await diaryLesson().first().getByText('Сложение дробей').waitFor();
    expect((await diaryLesson().first().locator('.mark').count()) === 0, 'a mark before any was given');
    // Live from here on: the connection is up.
    await pd.locator('.diary[data-conn="live"]').waitFor();
    await screen(pd, 'diary');
  });

  await test('journal: late without minutes is refused at its row, nothing typed is lost; the mark given meanwhile appears in the diary live', async () => {
    const rows = tj.locator('.jr-row');
    const names = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-student')));
    const otherName = names.find((n) => !n.startsWith('Волкова Анастасия'));
    const row = anastasia();
    const name = await row.getAttribute('data-student');
    // Enter moves down the list.
    const first = rows.first();
    await first.locator('input[data-col="fresh"]').focus();
    await tj.keyboard.press('Enter');
    const focusedStudent = await tj.evaluate(() => document.activeElement?.closest('.jr-row')?.getAttribute('data-student'));
    expect(focusedStudent === (await rows.nth(1).getAttribute('data-student')), `Enter went to ${focusedStudent}`);
    await lbl(tj, `Посещаемость: ${otherName}`).selectOption({ label: 'н' });
    await lbl(tj, `Посещаемость: ${name}`).selectOption({ label: 'оп' });
    await lbl(tj, 'Вид работы').selectOption({ label: 'Самостоятельная работа (×1.5)' });
    await lbl(tj, `Новая отметка: ${name}`).fill('5');
    await tj.getByText('Есть несохранённые изменения.').waitFor();
    await tj.getByRole('button', { name: 'Сохранить', exact: true }).click();
    await tj.getByRole('alert').filter({ hasText: 'Сохранено не всё: исправьте отмеченные строки.' }).waitFor();
    const said = await row.locator('.jr-error').innerText();
    expect(/\S/.test(said) && /[а-яё]/i.test(said), `the row says «${said}»`);
    const minutes = lbl(tj, `На сколько минут опоздал(а): ${name}`);
    expect((await minutes.getAttribute('aria-invalid')) === 'true', 'the minutes are not marked');
    expect(await minutes.evaluate((el) => el === document.activeElement), 'the refused field does not take the focus');
    // Nothing typed is lost: the attendance is still as typed; the mark went through.
    expect((await lbl(tj, `Посещаемость: ${otherName}`).inputValue()) === 'absent', 'the other student’s «н» was lost');
    expect((await lbl(tj, `Посещаемость: ${name}`).inputValue()) === 'late', 'the «оп» was lost');
    await row.locator('input[data-grade-id]').first().waitFor();
    expect((await row.locator('input[data-grade-id]').first().inputValue()) === '5', 'the mark is not saved');
    await screen(tj, 'lesson-refused');
    // The parent sees the mark without a reload.
    await diaryLesson().locator('.mark[data-mark="5"]').waitFor();
    expect((await diaryLesson().locator('.mark[data-mark="5"]').getAttribute('title')) === 'Самостоятельная работа', 'the kind of work is not shown');
    await minutes.fill('10');
    await tj.getByRole('button', { name: 'Сохранить', exact: true }).click();
    await tj.getByText('Сохранено.', { exact: true }).waitFor();
    expect((await row.locator('.jr-error').count()) === 0, 'the error stays after saving');
    await diaryLesson().locator('.absence-badge[data-absence="late"]').waitFor();
    await diaryLesson().getByText('на 10 мин').waitFor();
  });

  await test('journal: a mark is changed and another taken back; the diary follows live', async () => {
    const row = anastasia();
    const name = await row.getAttribute('data-student');
    await lbl(tj, `Новая отметка: ${name}`).fill('3 4');
    await tj.getByRole('button', { name: 'Сохранить', exact: true }).click();
    await tj.getByText('Сохранено.', { exact: true }).waitFor();
    await diaryLesson().locator('.mark[data-mark="3"]').waitFor();
    expect((await diaryLesson().locator('.mark').count()) === 3, 'three marks expected');
    // 5 becomes 4; the 3 is taken back with its button.
    const marks = row.locator('input[data-grade-id]');
    expect((await marks.count()) === 3, 'three mark inputs expected');
    await marks.first().fill('4');
    await row.getByRole('button', { name: /^Убрать отметку 3/ }).click();
    await tj.getByRole('button', { name: 'Сохранить', exact: true }).click();
    await tj.getByText('Сохранено.', { exact: true }).waitFor();
    await tj.waitForFunction(() => document.querySelectorAll('.jr-row[data-student^="Волкова Анастасия"] input[data-grade-id]').length === 2);
    await pd.waitForFunction(
      (date) => {
        const marks = [...document.querySelectorAll(`.week-day[data-date="${date}"] .diary-lesson[data-subject="Математика"] .mark`)].map((m) => m.getAttribute('data-mark'));
        return marks.join(',') === '4,4';
      },
      lessonDate,
    );
    // After a reload the teacher finds it all as saved.
    await tj.goto(`${base}${lessonPath}`);
    await anastasia().locator('input[data-grade-id]').nth(1).waitFor();
    expect((await lbl(tj, `Посещаемость: ${name}`).inputValue()) === 'late', 'the attendance is not kept');
    expect((await lbl(tj, 'Тема урока').inputValue()) === 'Сложение дробей', 'the topic is not kept');
  });

  await test('journal: homework set at the lesson appears live in the diary, at the lesson and under its due day; a due day before the lesson is refused at the field', async () => {
    const dayAfter = (date, n) => {
      const d = new Date(`${date}T12:00:00Z`);
      d.setUTCDate(d.getUTCDate() + n);
      return d.toISOString().slice(0, 10);
    };
    const form = tj.locator('form.hw-form');
    await form.getByRole('heading', { name: 'Домашнее задание', level: 2 }).waitFor();
    const body = lbl(tj, 'Задание');
    const due = lbl(tj, 'К какому дню');
    await tj.waitForLoadState('networkidle');
    const byDefault = await due.inputValue();
    expect(byDefault > lessonDate, `the due day by default is ${byDefault}, the lesson is on ${lessonDate}`);
    // A later day of the week the diary shows, else the day given by default (the next week).
    const dueDate = (await pd.evaluate((d) => [...document.querySelectorAll('.week-day[data-date]')].map((e) => e.getAttribute('data-date')).find((x) => x > d) ?? null, lessonDate)) ?? byDefault;
    const text = 'Решить № 245 и № 247.\nПовторить правило на с. 58.';
    await body.fill(text);
    await lbl(tj, 'Сколько минут').fill('30');
    await due.fill(dayAfter(lessonDate, -1));
    await tj.getByRole('button', { name: 'Сохранить задание' }).click();
    const said = form.locator('.field--error .field-error');
    await said.waitFor();
    const words = await said.innerText();
    expect(/[а-яё]/i.test(words) && /урока/.test(words), `the due day's refusal says «${words}»`);
    expect((await due.getAttribute('aria-invalid')) === 'true', 'the due day is not marked');
    expect((await body.inputValue()) === text, 'the text typed was lost');
    expect((await lbl(tj, 'Сколько минут').inputValue()) === '30', 'the minutes typed were lost');
    expect((await form.getAttribute('data-set')) === 'no', 'the homework was set despite the refusal');
    await screen(tj, 'lesson-homework-refused');
    await due.fill(dueDate);
    await said.waitFor({ state: 'detached' });
    await tj.getByRole('button', { name: 'Сохранить задание' }).click();
    await tj.getByText('Задание сохранено.').waitFor();
    await tj.getByRole('button', { name: 'Убрать задание' }).waitFor();
    // The parent sees it at the lesson without a reload…
    const atLesson = diaryLesson().locator('.dl-hw');
    await atLesson.getByText('Решить № 245 и № 247.', { exact: false }).waitFor();
    await atLesson.getByText('~30 мин', { exact: false }).waitFor();
    // …and under the day it is due (in the week after, when the lesson is at the end of its week).
    const dueItem = () => pd.locator(`.week-day[data-date="${dueDate}"] .hw-due li[data-subject="Математика"]`);
    if (!(await pd.locator(`.week-day[data-date="${dueDate}"]`).count())) {
      const student = await pd.locator('.diary').getAttribute('data-student-id');
      await pd.goto(`${base}/diary?student=${student}&date=${dueDate}`);
    }
    await dueItem().getByText('Повторить правило на с. 58.', { exact: false }).waitFor();
    await pd.locator(`.week-day[data-date="${dueDate}"] .hw-due`).getByRole('heading', { name: 'Задано на этот день' }).waitFor();
    await screen(pd, 'diary-homework');
    await screen(tj, 'lesson-homework');
  });

  await test('submissions: the teacher attaches a file to the homework; the student downloads it and hands in work with a file; the teacher grades it and the mark appears in the student’s diary live', async () => {
    // The teacher attaches a worksheet to the homework.
    const form = tj.locator('form.hw-form');
    await lbl(tj, 'Файлы к заданию').setInputFiles({ name: 'карточка.txt', mimeType: 'text/plain', buffer: Buffer.from('Карточка: № 245–247') });
    await form.locator('.picked-files li[data-file-id]').waitFor();
    await tj.getByRole('button', { name: 'Сохранить задание' }).click();
    await tj.getByText('Задание сохранено.').waitFor();
    // The parent sees the file at the lesson, live, and the work not handed in, read-only.
    await diaryLesson().locator('.dl-hw .file-chip', { hasText: 'карточка.txt' }).waitFor();
    await diaryLesson().locator('.diary-work[data-status="not_handed_in"]').waitFor();
    expect((await diaryLesson().getByRole('button', { name: 'Сдать работу' }).count()) === 0, 'a parent is offered to hand in');
    // The student opens her diary, downloads the worksheet and hands in her answer with a file.
    const sctx = await newContext();
    const ps = await sctx.newPage();
    pagesToShoot.push(ps);
    await login(ps, 'student.5a@demo.parta.local');
    await ps.goto(`${base}/diary?date=${lessonDate}`);
    const own = () => ps.locator(`.week-day[data-date="${lessonDate}"] .diary-lesson[data-subject="Математика"]`).first();
    const chip = own().locator('.dl-hw .file-chip', { hasText: 'карточка.txt' });
    await chip.waitFor();
    const href = await chip.getAttribute('href');
    const got = await ps.evaluate(async (url) => (await fetch(url)).text(), href);
    expect(got === 'Карточка: № 245–247', `the worksheet downloaded as «${got}»`);
    await ps.locator('.diary[data-conn="live"]').waitFor();
    const work = own().locator('form.hand-in');
    await work.getByRole('button', { name: 'Сдать работу' }).click();
    await work.locator('.field--error').getByText('Напишите ответ или приложите файл.').waitFor();
    await lbl(work, 'Ответ').fill('№ 245: 3/4; № 247: 1 1/2.');
    await lbl(work, 'Приложить файлы').setInputFiles({ name: 'решение.txt', mimeType: 'text/plain', buffer: Buffer.from('3/4 и 1 1/2') });
    await work.locator('.picked-files li[data-file-id]').waitFor();
    await work.getByRole('button', { name: 'Сдать работу' }).click();
    await own().locator('.diary-work[data-status="handed_in"]').waitFor();
    await own().getByText('№ 245: 3/4; № 247: 1 1/2.').waitFor();
    await screen(ps, 'diary-hand-in');
    // The parent sees it handed in without a reload.
    await diaryLesson().locator('.diary-work[data-status="handed_in"]').waitFor();
    // The teacher finds it among the handed-in work and grades it with the «5» key.
    await tj.goto(`${base}${lessonPath}`);
    await tj.getByRole('heading', { name: 'Сданные работы', level: 2 }).waitFor();
    const row = tj.locator('.subs-row[data-student^="Волкова Анастасия"]');
    await row.locator('[data-status="handed_in"]').first().waitFor();
    await row.locator('.file-chip', { hasText: 'решение.txt' }).waitFor();
    await screen(tj, 'lesson-submissions');
    const before = await anastasia().locator('input[data-grade-id]').count();
    await row.locator('button.mark-key[data-mark="5"]').click();
    await tj.locator('.subs-row[data-student^="Волкова Анастасия"][data-status="graded"]').waitFor();
    await tj.waitForFunction((n) => document.querySelectorAll('.jr-row[data-student^="Волкова Анастасия"] input[data-grade-id]').length === n + 1, before);
    // The student's diary shows the grade live, at the lesson and on her work.
    await own().locator('.diary-work[data-status="graded"]').waitFor();
    await own().locator('.dl-results .mark[data-mark="5"]').waitFor();
    expect((await own().locator('.dl-results .mark[data-mark="5"]').getAttribute('title')) === 'Домашняя работа', 'the mark is not homework');
    await screen(ps, 'diary-graded');
    await sctx.close();
  });

  await test('journal: the homework is a card in the class chat, which opens the lesson’s week in the diary', async () => {
    const sctx = await newContext();
    try {
      const sp = await sctx.newPage();
      pagesToShoot.push(sp);
      await login(sp, 'student.5a@demo.parta.local');
      await sp.goto(`${base}/chats`);
      await sp.getByRole('link', { name: /5А — класс/ }).click();
      const card = conv(sp).locator('.msg-homework', { hasText: 'Решить № 245 и № 247.' });
      await card.getByText('Домашнее задание', { exact: false }).first().waitFor();
      await card.getByText('Математика', { exact: false }).first().waitFor();
      const cardMsg = sp.locator('.msgs > li.msg', { has: sp.locator('.msg-homework', { hasText: 'Решить № 245 и № 247.' }) });
      expect(!(await actionsOf(sp, cardMsg)).includes('Изменить'), 'a card offers to be edited in the chat');
      await card.scrollIntoViewIfNeeded();
      await screen(sp, 'chat-homework-card');
      await card.getByRole('link', { name: 'Открыть в дневнике' }).click();
      await sp.waitForURL(new RegExp(`/diary\\?date=${lessonDate}`));
      await sp.locator(`.week-day[data-date="${lessonDate}"]`).getByText('Решить № 245 и № 247.', { exact: false }).waitFor();
    } finally {
      await sctx.close();
    }
  });

  await test('journal: the grid (loaded on demand) — the teacher takes attendance and gives a mark with the keyboard, sets a period mark; the diary follows live', async () => {
    const chunkLoaded = tj.waitForResponse((r) => /\/assets\/grid-[\w-]+\.js$/.test(new URL(r.url()).pathname));
    await tj.locator('nav.mainnav').getByRole('link', { name: 'Журнал' }).click();
    await chunkLoaded;
    await tj.getByRole('heading', { name: 'Классный журнал', level: 1 }).waitFor();
    const assignment = lbl(tj, 'Класс и предмет');
    const option = await assignment.locator('option', { hasText: /^5А — Математика/ }).first().getAttribute('value');
    await assignment.selectOption(option);
    // The period the lesson of the tests before is in (the current one, usually).
    const periods = await lbl(tj, 'Период').locator('option').evaluateAll((os) => os.map((o) => o.value));
    const cellOf = (who) => tj.locator(`tr:has(th.jg-name:text-matches("^${who}")) td[data-date="${lessonDate}"]`).first();
    for (const p of periods) {
      await lbl(tj, 'Период').selectOption(p);
      await tj.locator('table.jg-table').waitFor();
      await tj.waitForLoadState('networkidle');
      if (await cellOf('Волкова Анастасия').count()) break;
    }
    const cell = cellOf('Волкова Анастасия');
    await cell.waitFor();
    expect((await cell.innerText()).includes('4'), `the cell shows «${await cell.innerText()}»`);
    // The classmate below: «оп» without minutes is refused at the cell, the text kept; then «н».
    await cell.click();
    await tj.keyboard.press('ArrowDown');
    const below = tj.locator('td.jg-cell:focus');
    const belowPos = await below.getAttribute('data-pos');
    const [row, col] = (await cell.getAttribute('data-pos')).split('-').map(Number);
    expect(belowPos === `${row + 1}-${col}`, `ArrowDown went to ${belowPos}`);
    await tj.keyboard.press('Enter');
    await tj.keyboard.press('Control+A');
    await tj.keyboard.type('оп');
    await tj.keyboard.press('Enter');
    const refused = tj.locator(`td[data-pos="${row + 1}-${col}"]`);
    await tj.waitForFunction((pos) => document.querySelector(`td[data-pos="${pos}"]`)?.getAttribute('aria-invalid') === 'true', `${row + 1}-${col}`);
    const said = await tj.locator('.jg-errors').innerText();
    expect(/минуты опоздания/.test(said), `the cell's refusal says «${said}»`);
    expect((await refused.locator('.jg-text').innerText()).trim() === 'оп', 'the text typed was lost');
    await screen(tj, 'journal-grid-refused');
    await refused.click();
    await tj.keyboard.press('Enter');
    await tj.keyboard.press('Control+A');
    await tj.keyboard.type('б');
    await tj.keyboard.press('Enter');
    await tj.waitForFunction((pos) => document.querySelector(`td[data-pos="${pos}"] .jg-abs`)?.textContent === 'б', `${row + 1}-${col}`);
    await tj.locator('.jg-status', { hasText: 'Сохранено.' }).waitFor();
    // Typing on a selected cell replaces what it holds: a «4» instead of the «б».
    await refused.click();
    await tj.keyboard.press('4');
    await tj.keyboard.press('Enter');
    await refused.locator('.jg-mark[data-mark="4"]').waitFor();
    expect((await refused.locator('.jg-abs').count()) === 0, 'the «б» stays');
    // Анастасия: one more mark after the ones she has, typed at the end of the cell.
    await lbl(tj, 'Вид работы для новых отметок').selectOption({ label: 'Ответ на уроке (1)' });
    const [inCell, inDiary] = [await cell.locator('.jg-mark').count(), await diaryLesson().locator('.mark').count()];
    await cell.click();
    await tj.keyboard.press('Enter');
    await tj.keyboard.press('End');
    await tj.keyboard.type(' 5');
    await tj.keyboard.press('Enter');
    await countReaches(cell.locator('.jg-mark'), inCell + 1, 'marks in the cell');
    await cell.locator('.jg-mark[data-mark="5"]').last().waitFor();
    // The parent sees it without a reload.
    await countReaches(diaryLesson().locator('.mark'), inDiary + 1, 'marks at the lesson in the diary');
    // The period mark, with what the average suggests beside it.
    const periodMark = tj.getByRole('combobox', { name: /итоговая отметка: Волкова Анастасия/ });
    const periodSaved = tj.waitForResponse((r) => r.url().includes('/period-marks') && r.request().method() === 'PUT');
    await periodMark.selectOption('4');
    expect((await periodSaved).status() === 200, 'the period mark was refused');
    await tj.waitForFunction(
      () => [...document.querySelectorAll('select')].some((e) => /итоговая отметка: Волкова Анастасия/.test(e.getAttribute('aria-label') ?? '') && e.value === '4'),
      null,
      { timeout: 5000 },
    ).catch(() => {});
    expect((await periodMark.inputValue()) === '4', 'the period mark is not kept');
    await screen(tj, 'journal-grid');
    // After a reload, all as saved.
    await tj.reload();
    await countReaches(cellOf('Волкова Анастасия').locator('.jg-mark'), inCell + 1, 'marks in the cell after a reload');
    expect((await tj.getByRole('combobox', { name: /итоговая отметка: Волкова Анастасия/ }).inputValue()) === '4', 'the period mark is lost after a reload');
  });

  await test('journal: the diary’s «Оценки» show a period’s marks by subject with the average and the period mark; a period mark changed meanwhile appears live', async () => {
    await pd.locator('nav.diary-views').getByRole('link', { name: 'Оценки' }).click();
    await pd.getByRole('heading', { name: 'Оценки', level: 1 }).waitFor();
    const years = await (await fetch(`${base}/api/v1/orgs/1/years`, { headers: await apiSession('parent@demo.parta.local') })).json();
    const period = years.flatMap((y) => y.periods).find((p) => p.starts_on <= lessonDate && lessonDate <= p.ends_on);
    if (await lbl(pd, 'Период').count()) await lbl(pd, 'Период').selectOption(String(period.number));
    const maths = pd.locator('li.subject-marks-item[data-subject="Математика"]');
    await maths.locator('.subject-marks-period').getByText('4', { exact: true }).waitFor();
    const avg = await maths.locator('.subject-marks-average').innerText();
    expect(/^\d,\d\d$/.test(avg), `the average reads «${avg}»`);
    expect((await maths.locator('.mark').count()) >= 3, 'the period’s marks are missing');
    await screen(pd, 'diary-marks');
    // The teacher changes the period mark in the grid; the parent's page follows.
    await tj.getByRole('combobox', { name: /итоговая отметка: Волкова Анастасия/ }).selectOption('5');
    await maths.locator('.subject-marks-period').getByText('5', { exact: true }).waitFor();
  });
  await jctx.close();
  await dctx.close();

  // ---------- the regulations' rules: the day's homework load and the school's hard stop ----------
  await test('regulations: the maths teacher sets homework that takes 5Б\'s day over its 2 hours, is warned and saves anyway; the director turns on the hard stop in the school year tab (a looser number refused at its field); more minutes are then refused in words', async () => {
    const nb = (s) => s.replace(/\u00a0/g, ' ');
    /** «2 ч 10 мин», as the page says it (with ordinary spaces). */
    const hm = (n) => [Math.floor(n / 60) ? `${Math.floor(n / 60)} ч` : '', n % 60 || n < 60 ? `${n % 60} мин` : ''].filter(Boolean).join(' ');
    const teacherApi = await apiSession('smirnov@demo.parta.local');
    const directorApi = await apiSession('admin@demo.parta.local');
    const seeds = (await (await fetch(`${base}/api/v1/orgs/1/regulations`, { headers: directorApi })).json()).seeds;
    const rctx = await newContext();
    const sctx = await newContext();
    let lessonId = null;
    try {
      // The teacher opens a 5Б maths lesson from today on from his week.
      const tp = await rctx.newPage();
      pagesToShoot.push(tp);
      await login(tp, 'smirnov@demo.parta.local');
      await tp.goto(`${base}/lessons`);
      await tp.getByRole('heading', { name: 'Уроки', level: 1 }).waitFor();
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
      const pick = '.week-day[data-date] button.lesson-open[data-class="5Б"][data-subject="Математика"]';
      let date = null;
      for (let weeks = 0; weeks < 16 && !date; weeks++) {
        await tp.locator('.week-day').first().waitFor();
        await tp.waitForLoadState('networkidle');
        date = await tp.evaluate(([t, sel]) => [...document.querySelectorAll(sel)].map((b) => b.closest('.week-day').getAttribute('data-date')).find((d) => d >= t) ?? null, [today, pick]);
        if (!date) {
          const monday = await tp.locator('.week-title').getAttribute('data-monday');
          await tp.getByRole('link', { name: /Следующая неделя/ }).click();
          await tp.waitForFunction((m) => document.querySelector('.week-title')?.getAttribute('data-monday') !== m, monday);
        }
      }
      expect(date, 'no 5Б maths lesson from today on in sixteen weeks');
      await tp.locator(`.week-day[data-date="${date}"] button.lesson-open[data-class="5Б"][data-subject="Математика"]`).first().click();
      await tp.waitForURL(/\/lessons\/\d+$/);
      lessonId = Number(new URL(tp.url()).pathname.split('/').pop());
      await tp.getByRole('heading', { name: 'Математика, 5Б', level: 1 }).waitFor();
      const form = tp.locator('form.hw-form');
      await form.getByRole('heading', { name: 'Домашнее задание', level: 2 }).waitFor();
      // While there is none and its deadline is ahead, the card says by when to enter it.
      const page0 = await (await fetch(`${base}/api/v1/orgs/1/lessons/${lessonId}`, { headers: teacherApi })).json();
      expect(!page0.homework, 'the lesson already has homework');
      if (Date.parse(page0.deadlines.homework_due_by) > Date.now() + 10_000) {
        const said = await form.locator('.hw-deadline').innerText();
        expect(/^Внесите до (\d{1,2} \S+, )?\d\d:\d\d$/.test(said), `the deadline reads «${said}»`);
      }
      await tp.waitForLoadState('networkidle');
      const due = await lbl(form, 'К какому дню').inputValue();
      // What the day carries already, and the 5th grade's limit (2 hours by the regulations).
      const ask = async (minutes) => (await fetch(`${base}/api/v1/orgs/1/lessons/${lessonId}/homework-load?due_on=${due}&minutes=${minutes}`, { headers: teacherApi })).json();
      const before = await ask(0);
      expect(before.limit_minutes === 120 && !before.strict, `the load answers ${JSON.stringify(before)}`);
      const status = form.locator('.hw-load[role="status"]');
      await lbl(form, 'Задание').fill('Решить задачи № 301–315, повторить таблицу умножения.');
      if (before.minutes + 10 <= 120) {
        // Within the limit: a quiet count.
        await lbl(form, 'Сколько минут').fill('10');
        await form.locator('.hw-load[data-load="within"]').waitFor();
        expect(nb(await status.innerText()) === `В этот день: ${hm(before.minutes + 10)} из 2 ч.`, `the quiet count reads «${await status.innerText()}»`);
      }
      const minutes = Math.min(240, Math.max(10, 120 - before.minutes + 10));
      await lbl(form, 'Сколько минут').fill(String(minutes));
      await form.locator('.hw-load[data-load="over"]').waitFor();
      const warning = nb(await status.innerText());
      const total = before.minutes + minutes;
      expect(
        warning === `С этим заданием у класса на этот день ${hm(total)} домашней работы — больше нормы для 5 класса (2 ч). Сохранить всё равно можно.`,
        `the warning reads «${warning}»`,
      );
      await screen(tp, 'lesson-homework-over');
      await form.getByRole('button', { name: 'Сохранить задание' }).click();
      await form.getByText('Задание сохранено.').waitFor();
      expect((await form.getAttribute('data-set')) === 'yes', 'the homework over the limit was not saved');

      // The director makes the limit a hard stop in the school year tab.
      const dp = await sctx.newPage();
      pagesToShoot.push(dp);
      await login(dp, 'admin@demo.parta.local');
      await dp.goto(`${base}/school/1/year`);
      const section = dp.locator('section.regulations');
      await section.getByRole('heading', { name: 'Нормы СанПиН и сроки', level: 2 }).waitFor();
      const lesson56 = lbl(section.getByRole('group', { name: 'Онлайн-урок длится не дольше, мин' }), '5–6 классы');
      await lesson56.waitFor();
      expect((await lesson56.inputValue()) === String(seeds.lesson_minutes[2]), `5–6: ${await lesson56.inputValue()}`);
      const hint56 = nb(await dp.locator(`#${await lesson56.getAttribute('aria-describedby')}`).innerText());
      expect(hint56 === 'по положению: 30 мин', `the seeds' hint reads «${hint56}»`);
      const hw45 = lbl(section.getByRole('group', { name: 'Домашней работы на один день не больше, мин' }), '4–5 классы');
      expect((await hw45.inputValue()) === '120', `4–5: ${await hw45.inputValue()}`);
      // Looser than the regulations: refused at the field, in words.
      await lesson56.fill('45');
      await section.getByRole('button', { name: 'Сохранить' }).click();
      await section.locator('.field--error .field-error').waitFor();
      const refusal = nb(await section.locator('.field--error .field-error').innerText());
      expect(refusal === 'Не больше, чем по положению: 30 мин.', `the looser number's refusal reads «${refusal}»`);
      expect((await lesson56.getAttribute('aria-invalid')) === 'true', 'the looser field is not marked');
      await lesson56.fill('30');
      const strict = section.getByRole('checkbox', { name: 'Не давать сохранить задание сверх нормы' });
      await strict.check();
      await section.getByRole('button', { name: 'Сохранить' }).click();
      await section.getByText('Изменения сохранены.').waitFor();
      await dp.reload();
      await dp.locator('section.regulations').getByRole('checkbox', { name: 'Не давать сохранить задание сверх нормы' }).waitFor();
      expect(await dp.locator('section.regulations').getByRole('checkbox', { name: 'Не давать сохранить задание сверх нормы' }).isChecked(), 'the hard stop is not kept');
      await screen(dp, 'school-regulations');

      // The teacher adds minutes: told beforehand, refused at «Сколько минут» in words.
      const more = Math.min(240, minutes + 15);
      await lbl(form, 'Сколько минут').fill(String(more));
      await form.locator('.hw-load[data-load="refused"]').waitFor();
      const told = nb(await status.innerText());
      expect(told.includes(`${hm(before.minutes + more)} домашней работы — больше нормы для 5 класса (2 ч). Школа не разрешает задавать сверх нормы`), `the refusal ahead reads «${told}»`);
      await form.getByRole('button', { name: 'Сохранить задание' }).click();
      const fieldError = form.locator('.field--error .field-error');
      await fieldError.waitFor();
      const words = nb(await fieldError.innerText());
      expect(/школа не разрешает/.test(words) && !/Некорректное/.test(words), `the refusal at the field reads «${words}»`);
      expect((await lbl(form, 'Сколько минут').getAttribute('aria-invalid')) === 'true', '«Сколько минут» is not marked');
      expect((await lbl(form, 'Сколько минут').inputValue()) === String(more), 'the minutes typed were lost');
      const stored = await (await fetch(`${base}/api/v1/orgs/1/lessons/${lessonId}`, { headers: teacherApi })).json();
      expect(stored.homework?.minutes === minutes, `the homework stored has ${stored.homework?.minutes} minutes`);
      await screen(tp, 'lesson-homework-refused-over');
    } finally {
      // Later tests find the school as the demo left it.
      await fetch(`${base}/api/v1/orgs/1/regulations`, { method: 'PUT', headers: directorApi, body: JSON.stringify(seeds) });
      if (lessonId) await fetch(`${base}/api/v1/orgs/1/lessons/${lessonId}/homework`, { method: 'DELETE', headers: teacherApi });
      await rctx.close();
      await sctx.close();
    }
  });

  await test('regulations: what came late says so — homework entered after its deadline is badged at the lesson, and a mark given to a lesson over a week old is marked «с опозданием»', async () => {
    const teacherApi = await apiSession('smirnov@demo.parta.local');
    const lctx = await newContext();
    let marked = null;
    try {
      const tp = await lctx.newPage();
      pagesToShoot.push(tp);
      await login(tp, 'smirnov@demo.parta.local');
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
      const daysBefore = (n) => {
        const d = new Date(`${today}T12:00:00Z`);
        d.setUTCDate(d.getUTCDate() - n);
        return d.toISOString().slice(0, 10);
      };
      /** Opens the first 5Б maths lesson of the week of `date` that is on or before `latest`; false when there is none. */
      const openLesson = async (date, latest) => {
        await tp.goto(`${base}/lessons?date=${date}`);
        await tp.locator('.week-day').first().waitFor();
        await tp.waitForLoadState('networkidle');
        const day = await tp.evaluate(
          (latest) =>
            [...document.querySelectorAll('.week-day[data-date] button.lesson-open[data-class="5Б"][data-subject="Математика"]')]
              .map((b) => b.closest('.week-day').getAttribute('data-date'))
              .find((d) => d <= latest) ?? null,
          latest,
        );
        if (!day) return false;
        await tp.locator(`.week-day[data-date="${day}"] button.lesson-open[data-class="5Б"][data-subject="Математика"]`).first().click();
        await tp.waitForURL(/\/lessons\/\d+$/);
        await tp.getByRole('heading', { name: 'Математика, 5Б', level: 1 }).waitFor();
        return true;
      };

      // Last week's lessons were written down by the demo when it started, long after them.
      expect(await openLesson(daysBefore(7), daysBefore(1)), 'no 5Б maths lesson last week');
      const form = tp.locator('form.hw-form');
      await form.locator('.hw-deadline').getByText('Внесено с опозданием').waitFor();

      // A mark given today to a lesson over a week old is late.
      let found = false;
      for (const back of [14, 21]) if (!found) found = await openLesson(daysBefore(back), daysBefore(8));
      expect(found, 'no 5Б maths lesson two or three weeks ago');
      const lessonId = Number(new URL(tp.url()).pathname.split('/').pop());
      const row = tp.locator('.jr-row').first();
      const name = await row.getAttribute('data-student');
      await lbl(tp, `Новая отметка: ${name}`).fill('4');
      await tp.getByRole('button', { name: 'Сохранить', exact: true }).click();
      await tp.getByText('Сохранено.', { exact: true }).waitFor();
      const input = row.locator('input[data-grade-id]').last();
      await input.waitFor();
      marked = { lessonId, grade: Number(await input.getAttribute('data-grade-id')) };
      const late = row.locator(`.jr-late[data-late-grade="${marked.grade}"]`);
      await late.waitFor();
      expect((await late.getAttribute('title')) === 'Отметка выставлена позже срока', `the late mark's title is «${await late.getAttribute('title')}»`);
      const described = await input.getAttribute('aria-describedby');
      expect(described?.split(' ').includes(await late.getAttribute('id')), 'the mark is not described as late');
      await screen(tp, 'lesson-late-mark');
    } finally {
      if (marked) {
        await fetch(`${base}/api/v1/orgs/1/lessons/${marked.lessonId}/grades`, { method: 'PUT', headers: teacherApi, body: JSON.stringify({ grades: [], delete: [marked.grade] }) });
      }
      await lctx.close();
    }
  });

  // ---------- «Статистика»: the school's dashboard and «Кого не хватает» ----------
  await test('webhooks: the admin adds a webhook for chosen events (an http:// address refused in words), keeps the signing key shown once, sees its status, turns it off and removes it', async () => {
    const ctxs = [];
    try {
      const page = await signedInPage(ctxs, 'admin@demo.parta.local');
      await page.goto(`${base}/school/1/webhooks`);
      await page.getByRole('heading', { name: 'Вебхуки школы' }).waitFor();
      await page.getByText('Вебхуков пока нет.').waitFor();
      const form = page.locator('form', { has: page.getByRole('heading', { name: 'Новый вебхук' }) });
      await lbl(form, 'Адрес (https://…)').fill('http://erp.school.example/parta');
      await form.getByLabel('Человек присоединился к школе').check();
      await form.getByRole('button', { name: 'Добавить вебхук' }).click();
      await form.getByText('Некорректный адрес (нужен https://…).').waitFor();
      await lbl(form, 'Адрес (https://…)').fill('https://erp.school.example/parta');
      await form.getByLabel('Отметка в журнале').check();
      await form.getByRole('button', { name: 'Добавить вебхук' }).click();
      const secret = form.getByLabel('Ключ подписи вебхука');
      await secret.waitFor();
      expect((await secret.inputValue()).startsWith('whsec_'), 'no signing key shown');
      const item = page.locator('.wh-item', { hasText: 'https://erp.school.example/parta' });
      await item.getByText('Ещё ничего не отправлено').waitFor();
      await item.getByText('События: Человек присоединился к школе, Отметка в журнале').waitFor();
      await screen(page, 'school-webhooks');
      await item.getByRole('button', { name: 'Журнал доставок' }).click();
      await item.getByText('Доставок ещё не было.').waitFor();
      await item.getByRole('button', { name: 'Выключить' }).click();
      await item.getByText('Выключен').waitFor();
      // The key is not in the list: it was shown once.
      const listed = await (await fetch(`${base}/api/v1/orgs/1/webhooks`, { headers: await apiSession('admin@demo.parta.local') })).json();
      expect(listed.length === 1 && !('secret' in listed[0]) && listed[0].active === false, `the list: ${JSON.stringify(listed)}`);
      await item.getByRole('button', { name: 'Удалить' }).click();
      await item.getByRole('group', { name: 'Удалить вебхук? Неотправленные события отправлены не будут.' }).getByRole('button', { name: 'Да' }).click();
      await page.getByText('Вебхуков пока нет.').waitFor();
    } finally {
      for (const c of ctxs) await c.close();
    }
  });

  await test('director dashboard: the director (not an admin) opens the console with «Статистика», the audit log, the reports and the admins, switches to the month, sees the reach table and the chart\'s table matching the API, opens who is missing in 5А and downloads the CSV', async () => {
    const ctxs = [];
    try {
      const directorApi = await apiSession('director@demo.parta.local');
      const page = await signedInPage(ctxs, 'director@demo.parta.local');
      await page.waitForURL(/\/school\/1/);
      // The console's own tab bar (a chunk of its own: the page's main menu comes first).
      const nav = page.locator('nav.tabs');
      await nav.getByRole('link').first().waitFor();
      const tabs = (await nav.getByRole('link').allTextContents()).map((x) => x.trim());
      for (const tab of ['Статистика', 'Журнал аудита', 'Жалобы', 'Администраторы']) expect(tabs.includes(tab), `no «${tab}» tab: ${tabs.join(', ')}`);
      for (const tab of ['Структура и классы', 'Школа', 'Участники', 'Ссылки-приглашения', 'Заявки на вступление', 'Переход на новый год'])
        expect(!tabs.includes(tab), `the director sees the admins' «${tab}»: ${tabs.join(', ')}`);

      await nav.getByRole('link', { name: 'Статистика', exact: true }).click();
      await page.getByRole('heading', { name: 'Статистика школы' }).waitFor();
      await page.getByText('Мы не считаем сообщения').waitFor();
      await page.getByRole('button', { name: 'Месяц', exact: true }).click();
      await page.locator('.period-dates[data-period="month"]').waitFor();
      expect((await page.getByRole('button', { name: 'Месяц', exact: true }).getAttribute('aria-pressed')) === 'true', 'the month is not pressed');

      const stats = await (await fetch(`${base}/api/v1/orgs/1/statistics?period=month`, { headers: directorApi })).json();
      const fiveA = stats.reach.classes.find((c) => c.class.name === '5А');
      expect(fiveA, 'no 5А in the API\'s reach');
      const row = page.locator('table.st-reach tr[data-class="5А"]');
      await row.waitFor();
      const students = (await row.locator('td[data-col="students"]').textContent()).trim();
      expect(students === String(fiveA.students), `5А has ${students} students on the page, ${fiveA.students} in the API`);
      for (const section of ['Охват', 'Нас слышат', 'Забота', 'Активность']) await page.getByRole('heading', { name: section, exact: true }).waitFor();

      await page.getByText('Таблица', { exact: true }).click();
      const dayRows = page.locator('.st-daily-table tbody tr');
      await countReaches(dayRows, stats.daily.length, 'rows of the chart\'s table');
      const canvas = page.locator('.st-chart canvas[role="img"]');
      await canvas.waitFor();
      expect(((await canvas.getAttribute('aria-label')) || '').startsWith('График активных людей'), 'the chart has no summary');
      await screen(page, 'console-statistics');

      await row.getByRole('button', { name: 'Кого не хватает в 5А' }).click();
      await page.getByRole('heading', { name: 'Кого не хватает: 5А' }).waitFor();
      await page.getByText('Родителей приглашают по ссылке классный руководитель').or(page.getByText('У каждого ученика класса родитель уже в школе.')).first().waitFor();

      const csv = page.getByRole('link', { name: 'Скачать CSV' });
      const href = await csv.getAttribute('href');
      expect(href.includes('period=month') && href.includes('format=csv'), `the CSV link is ${href}`);
      const [download] = await Promise.all([page.waitForEvent('download'), csv.click()]);
      expect(download.suggestedFilename().endsWith('.csv'), `the download is named «${download.suggestedFilename()}»`);
      const res = await page.evaluate(async (h) => {
        const r = await fetch(h);
        return { status: r.status, type: r.headers.get('content-type') || '' };
      }, href);
      expect(res.status === 200 && res.type.startsWith('text/csv'), `the CSV answers ${res.status} ${res.type}`);

      // The reports queue: read, not resolved.
      await nav.getByRole('link', { name: 'Жалобы', exact: true }).click();
      await page.getByText('Директор и заместители видят всю очередь жалоб').waitFor();
    } finally {
      for (const ctx of ctxs) await ctx.close();
    }
  });

  await test('class teacher who is missing: the class teacher of 5А opens «Статистика класса» and sees the names of 5А\'s students without a parent, as the API has them', async () => {
    const ctxs = [];
    try {
      const teacherApi = await apiSession('ivanova@demo.parta.local');
      const me = await (await fetch(`${base}/api/v1/me`, { headers: teacherApi })).json();
      const school = me.schools.find((s) => s.org_id === 1);
      const cls = school.class_teacher_of.find((c) => c.name === '5А');
      expect(cls, 'ivanova is not the class teacher of 5А');
      expect(!school.permissions.includes('read_statistics'), 'the class teacher reads the school\'s statistics');
      const detail = await (await fetch(`${base}/api/v1/orgs/1/classes/${cls.id}/reach`, { headers: teacherApi })).json();
      const names = detail.without_parent.map((p) => [p.family_name, p.given_name, p.patronymic].filter(Boolean).join(' '));

      const page = await signedInPage(ctxs, 'ivanova@demo.parta.local');
      await page.waitForURL(/\/school\/1/);
      const nav = page.getByRole('navigation', { name: 'Разделы' });
      await nav.getByRole('link', { name: 'Статистика класса', exact: true }).click();
      expect(!(await nav.getByRole('link', { name: 'Статистика', exact: true }).count()), 'the class teacher has the school\'s «Статистика»');
      await page.getByRole('heading', { name: 'Кого не хватает: 5А' }).waitFor();
      const card = page.locator(`.st-class[data-class-id="${cls.id}"]`);
      await card.locator('dl.st-figures').waitFor();
      const shown = (await card.locator('.st-missing li').allTextContents()).map((x) => x.trim());
      expect(JSON.stringify(shown) === JSON.stringify(names), `the page names ${JSON.stringify(shown)}, the API ${JSON.stringify(names)}`);
      if (names.length) await card.getByText('Пригласите родителей по ссылке во вкладке «Ссылки-приглашения».').waitFor();
      await screen(page, 'console-class-statistics');
    } finally {
      for (const ctx of ctxs) await ctx.close();
    }
  });

  // ---------- «Соблюдение положения»: the regulations' compliance report ----------
  await test('compliance: the director opens «Соблюдение положения», sees the teachers\' table over chosen dates with the maths teacher\'s late mark, drills down into him, downloads the XLSX and opens the lesson from the drill-down', async () => {
    const teacherApi = await apiSession('smirnov@demo.parta.local');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const daysBefore = (n) => {
      const d = new Date(`${today}T12:00:00Z`);
      d.setUTCDate(d.getUTCDate() - n);
      return d.toISOString().slice(0, 10);
    };
    // A mark given today to one of the maths teacher's lessons of two or three weeks ago: late (7 days).
    const me = await (await fetch(`${base}/api/v1/me`, { headers: teacherApi })).json();
    const years = await (await fetch(`${base}/api/v1/orgs/1/years`, { headers: teacherApi })).json();
    const year = years.find((y) => y.starts_on <= today && today <= y.ends_on) ?? years[0];
    let slot = null;
    for (const back of [14, 21]) {
      if (slot) break;
      const week = await (await fetch(`${base}/api/v1/orgs/1/years/${year.id}/week?date=${daysBefore(back)}&teacher_id=${me.id}`, { headers: teacherApi })).json();
      slot = week.days.flatMap((d) => d.lessons.map((l) => ({ ...l, date: d.date }))).find((l) => l.date <= daysBefore(8) && l.class.name === '5Б' && !l.change) ?? null;
    }
    expect(slot, 'no 5Б lesson of the maths teacher two or three weeks ago');
    const lessonRes = await fetch(`${base}/api/v1/orgs/1/lessons`, { method: 'POST', headers: teacherApi, body: JSON.stringify({ assignment_id: slot.assignment_id, date: slot.date, shift: slot.shift, number: slot.number }) });
    expect(lessonRes.ok, `writing the lesson down: ${lessonRes.status}`);
    const lessonPage = await lessonRes.json();
    const lessonId = lessonPage.lesson.id;
    const types = await (await fetch(`${base}/api/v1/orgs/1/grade-types`, { headers: teacherApi })).json();
    const student = lessonPage.students[0].person;
    const gradeRes = await fetch(`${base}/api/v1/orgs/1/lessons/${lessonId}/grades`, {
      method: 'PUT',
      headers: teacherApi,
      body: JSON.stringify({ grades: [{ student_id: student.id, grade_type_id: types.find((t) => !t.archived).id, mark: '4' }] }),
    });
    expect(gradeRes.ok, `the late mark: ${gradeRes.status} ${await gradeRes.clone().text()}`);
    const graded = await gradeRes.json();
    const gradeId = Math.max(...graded.students.find((s) => s.person.id === student.id).grades.map((g) => g.id));
    const dctx = await newContext();
    try {
      const page = await dctx.newPage();
      pagesToShoot.push(page);
      await login(page, 'admin@demo.parta.local');
      await page.goto(`${base}/school/1`);
      await page.locator('nav.tabs').getByRole('link', { name: 'Соблюдение положения' }).click();
      await page.waitForURL(/\/school\/1\/compliance$/);
      await page.getByRole('heading', { name: 'Соблюдение положения', level: 2 }).waitFor();
      await page.getByText(/не учёт активности/).waitFor();
      expect((await page.getByRole('button', { name: 'Эта неделя' }).getAttribute('aria-pressed')) === 'true', 'this week is not the default');

      await lbl(page, 'С').fill(daysBefore(21));
      await lbl(page, 'По').fill(today);
      await page.getByRole('button', { name: 'Показать', exact: true }).click();
      const teachers = page.locator('#cmp-teachers');
      const row = teachers.locator('tbody tr', { has: page.getByRole('button', { name: 'Смирнов Алексей Петрович' }) });
      await row.waitFor();
      await page.waitForLoadState('networkidle');
      const heads = await teachers.locator('thead th').allInnerTexts();
      const col = heads.indexOf('Отметок позже срока');
      expect(col > 0, `no «Отметок позже срока» column: ${heads.join(' | ')}`);
      const lateMarks = (await row.locator('th, td').nth(col).innerText()).replace(/\D/g, '');
      expect(Number(lateMarks) >= 1, `the maths teacher's late marks read «${lateMarks}»`);
      expect((await row.locator('td').nth(col - 1).locator('strong').count()) === 1, 'the late marks do not stand out');
      await page.getByRole('heading', { name: 'По классам' }).waitFor();
      await page.getByRole('heading', { name: 'По неделям' }).waitFor();
      await screen(page, 'compliance');

      await page.getByRole('button', { name: 'Смирнов Алексей Петрович' }).click();
      const drill = page.locator('.cmp-drill');
      await drill.getByRole('heading', { name: 'Уроки учителя Смирнов Алексей Петрович с нарушениями' }).waitFor();
      const flagged = drill.locator(`tr[data-lesson-id="${lessonId}"]`);
      await flagged.getByText('1 отметка позже срока').waitFor();
      expect(await page.evaluate(() => document.activeElement?.id === 'cmp-drill-h'), 'the drill-down heading is not focused');
      await screen(page, 'compliance-teacher');

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Скачать XLSX' }).click()]);
      const name = download.suggestedFilename();
      expect(name.endsWith('.xlsx'), `the download is named «${name}»`);
      const bytes = readFileSync(await download.path());
      expect(bytes.subarray(0, 2).toString() === 'PK', 'the XLSX is not a zip');

      await flagged.getByRole('link').click();
      await page.waitForURL(new RegExp(`/lessons/${lessonId}$`));
      await page.getByRole('heading', { name: 'Математика, 5Б', level: 1 }).waitFor();
    } finally {
      await fetch(`${base}/api/v1/orgs/1/lessons/${lessonId}/grades`, { method: 'PUT', headers: teacherApi, body: JSON.stringify({ grades: [], delete: [gradeId] }) });
      await dctx.close();
    }
  });

  // ---------- remote learning by the director's order ----------
  await test('remote learning: the director registers an order for 5А for the coming days with its PDF (a wrong period refused at its field); the parent confirms the post in the parents chat and the class teacher sees it; the student\'s diary says «Онлайн до … · приказ № 9-о»; ended early, it shows as ended and the lessons are as usual again', async () => {
    const directorApi = await apiSession('admin@demo.parta.local');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const plus = (n) => {
      const d = new Date(`${today}T12:00:00Z`);
      d.setUTCDate(d.getUTCDate() + n);
      return d.toISOString().slice(0, 10);
    };
    const startsOn = plus(1);
    const endsOn = plus(7);
    const number = '9-о';
    let orderId = null;
    let ended = false;
    const ctxs = [];
    const open = (who) => signedInPage(ctxs, who);
    try {
      // The director opens «Дистанционное обучение» (loaded on demand).
      const dp = await open('admin@demo.parta.local');
      await dp.goto(`${base}/school/1`);
      const chunkLoaded = dp.waitForResponse((r) => /\/assets\/orders-[\w-]+\.js$/.test(new URL(r.url()).pathname));
      await dp.locator('nav.tabs').getByRole('link', { name: 'Дистанционное обучение' }).click();
      await chunkLoaded;
      await dp.waitForURL(/\/school\/1\/orders$/);
      await dp.getByRole('heading', { name: 'Дистанционное обучение', level: 2 }).waitFor();
      const form = dp.locator('form.order-form');
      await form.getByRole('heading', { name: 'Зарегистрировать приказ' }).waitFor();
      await lbl(form, 'Номер приказа').fill(number);
      await lbl(form, 'Дата приказа').fill(today);
      await lbl(form, 'Причина').fill('Морозы: температура воздуха ниже −30 °C');
      await lbl(form, 'Первый день').fill(startsOn);
      await lbl(form, 'Последний день').fill(today);
      await form.getByRole('checkbox', { name: '5А', exact: true }).check();
      await lbl(form, 'Подписанный приказ (скан или PDF)').setInputFiles({ name: 'prikaz-9-o.pdf', mimeType: 'application/pdf', buffer: pdfOf(3000) });
      await form.locator('.order-doc .file-name[data-file-id]').waitFor();
      // A last day before the first is refused at the last day's field; nothing typed is lost.
      await form.getByRole('button', { name: 'Зарегистрировать', exact: true }).click();
      await form.getByText('Последний день раньше первого.').waitFor();
      expect((await lbl(form, 'Последний день').getAttribute('aria-invalid')) === 'true', 'the last day is not marked invalid');
      expect((await lbl(form, 'Первый день').getAttribute('aria-invalid')) === null, 'the first day is marked invalid');
      expect((await lbl(form, 'Номер приказа').inputValue()) === number, 'the number was lost');
      expect(await form.getByRole('checkbox', { name: '5А', exact: true }).isChecked(), 'the class was unticked');
      await screen(dp, 'orders-form-error');

      await lbl(form, 'Последний день').fill(endsOn);
      const issued = dp.waitForResponse((r) => r.url().endsWith('/api/v1/orgs/1/orders') && r.request().method() === 'POST');
      await form.getByRole('button', { name: 'Зарегистрировать', exact: true }).click();
      const res = await issued;
      expect(res.status() === 201, `registering: ${res.status()} ${await res.text()}`);
      const order = await res.json();
      orderId = order.id;
      expect(order.document?.name === 'prikaz-9-o.pdf', 'the document is not the order\'s');
      expect(order.classes.map((c) => c.name).join() === '5А', `classes ${order.classes.map((c) => c.name)}`);
      await dp.getByText(`Приказ № ${number} зарегистрирован`).waitFor();
      const item = dp.locator(`li.order[data-order-id="${orderId}"]`);
      await item.getByRole('heading', { name: new RegExp(`^Приказ № ${number} от`) }).waitFor();
      expect((await item.getAttribute('data-status')) === 'upcoming', `status ${await item.getAttribute('data-status')}`);
      await item.getByText(/^Вступит в силу /).waitFor();
      expect((await item.locator('.order-classes').innerText()) === '5А', 'the classes in the list');
      const docHref = await item.getByRole('link', { name: /prikaz-9-o\.pdf/ }).getAttribute('href');
      const doc = await fetch(`${base}${docHref}`, { headers: directorApi });
      expect(doc.ok && (await doc.arrayBuffer()).byteLength === 3000, 'the document link does not give the PDF');
      expect((await lbl(form, 'Номер приказа').inputValue()) === '', 'the form was not cleared');
      await screen(dp, 'orders');

      // The parent opens 5А's parents chat, sees the announcement and confirms it.
      const pp = await open('parent@demo.parta.local');
      const teacherPage = await open('ivanova@demo.parta.local');
      for (const page of [pp, teacherPage]) {
        await page.goto(`${base}/chats`);
        await page.getByRole('link', { name: /5А — родители/ }).click();
        await page.waitForURL(/\/chats\/\d+$/);
        await conv(page).getByRole('heading', { name: '5А — родители' }).waitFor();
      }
      const heading = `Приказ № ${number} от`;
      const theirs = msg(pp, heading);
      await theirs.getByText('обучение 5А проходит дистанционно').waitFor();
      await theirs.getByText('Ознакомиться').waitFor();
      await theirs.getByRole('button', { name: 'Ознакомлен(а)' }).click();
      await theirs.getByText('Вы подтвердили прочтение').waitFor();

      // The class teacher sees the parent among those who confirmed (no longer pending).
      const hers = msg(teacherPage, heading);
      const count = hers.locator('.ack-count');
      await count.waitFor();
      for (let i = 0; i < 50 && Number(await count.getAttribute('data-confirmed')) < 1; i++) await new Promise((r) => setTimeout(r, 100));
      expect(Number(await count.getAttribute('data-confirmed')) >= 1, `confirmed ${await count.innerText()}`);
      if (await hers.getByText('Кто ещё не подтвердил').count()) {
        await hers.getByText('Кто ещё не подтвердил').click();
        const names = await hers.locator('.ack-pending li').allInnerTexts();
        expect(!names.some((n) => n.startsWith('Волкова И')), `the parent is still pending: ${names}`);
      }
      const teacherApi = await apiSession('ivanova@demo.parta.local');
      const post = order.announcements.find((a) => a.chat_id === Number(new URL(teacherPage.url()).pathname.split('/').pop()));
      expect(post, 'no announcement in the parents chat');
      const acks = await (await fetch(`${base}/api/v1/chats/${post.chat_id}/messages/${post.message_id}/acks`, { headers: teacherApi })).json();
      expect(acks.confirmed.some((c) => c.person.family_name === 'Волкова' && c.person.given_name === 'Ирина'), 'the parent is not among the confirmed');

      // The student's diary: a lesson of those days is online under the order.
      const studentApi = await apiSession('student.5a@demo.parta.local');
      const me = await (await fetch(`${base}/api/v1/me`, { headers: studentApi })).json();
      let remoteDay = null;
      for (const date of [startsOn, plus(7)]) {
        if (remoteDay) break;
        const diary = await (await fetch(`${base}/api/v1/orgs/1/diary?student_id=${me.id}&date=${date}`, { headers: studentApi })).json();
        remoteDay = diary.days.find((d) => d.date >= startsOn && d.date <= endsOn && d.lessons.some((l) => l.remote)) ?? null;
      }
      expect(remoteDay, 'no online lesson in the diary over the order\'s days');
      const sp = await open('student.5a@demo.parta.local');
      await sp.goto(`${base}/diary?date=${remoteDay.date}`);
      const badge = sp.locator('.diary-lesson[data-remote="true"] .lesson-remote').first();
      await badge.waitFor();
      const text = await badge.innerText();
      expect(new RegExp(`^Онлайн до \\d\\d:\\d\\d · приказ № ${number}$`).test(text), `the badge reads «${text}»`);
      await screen(sp, 'diary-remote');
      // The class teacher's week: her 5А lessons of that day carry the badge too.
      await teacherPage.goto(`${base}/lessons?date=${remoteDay.date}`);
      const teacherBadge = teacherPage.locator(`section.week-day[data-date="${remoteDay.date}"] .lesson-open[data-class="5А"] .lesson-remote`).first();
      await teacherBadge.waitFor();
      const teacherText = await teacherBadge.innerText();
      expect(teacherText.endsWith(`· приказ № ${number}`), `the teacher's badge reads «${teacherText}»`);

      // The director ends it early: the confirmation says what follows, then it shows as ended.
      await item.getByRole('button', { name: `Завершить досрочно приказ № ${number}` }).click();
      const confirm = item.getByRole('group', { name: /С завтрашнего дня уроки пойдут по обычному расписанию|не вступит в силу/ });
      await confirm.waitFor();
      await confirm.getByRole('button', { name: 'Да' }).click();
      await dp.getByText(`Приказ № ${number} завершён досрочно.`).waitFor();
      await item.getByText(/^Завершён досрочно/).waitFor();
      const status = await item.getAttribute('data-status');
      expect(status === 'cancelled' || status === 'ending_today' || status === 'ended_early', `status after ending ${status}`);
      expect((await item.getByRole('button', { name: /Завершить досрочно/ }).count()) === 0, 'still offered to end');
      ended = true;
      await msg(pp, 'идёт по обычному расписанию').waitFor();
      const after = await (await fetch(`${base}/api/v1/orgs/1/diary?student_id=${me.id}&date=${remoteDay.date}`, { headers: studentApi })).json();
      expect(!after.days.some((d) => d.date > today && d.lessons.some((l) => l.remote)), 'lessons after today still online');
      await sp.reload();
      await sp.locator('.diary-lesson').first().waitFor();
      expect((await sp.locator('.lesson-remote').count()) === 0, 'the diary still shows the badge');
    } finally {
      if (orderId && !ended) await fetch(`${base}/api/v1/orgs/1/orders/${orderId}/end`, { method: 'POST', headers: directorApi });
      for (const ctx of ctxs) await ctx.close();
    }
  });

  await test('remote learning: individual assignments — the class teacher marks a 5А student without a device; the maths teacher sets her an individual assignment from the grid (a date during the order refused at its field); the student sees it in her diary; the order ended before it began, the teacher marks it and the student\'s and the parent\'s diaries show the mark', async () => {
    const directorApi = await apiSession('admin@demo.parta.local');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const plus = (n) => {
      const d = new Date(`${today}T12:00:00Z`);
      d.setUTCDate(d.getUTCDate() + n);
      return d.toISOString().slice(0, 10);
    };
    const number = '10-о';
    const task = 'Учебник, § 12: задачи 1–5. Решения принести в тетради.';
    const ctxs = [];
    const open = (who) => signedInPage(ctxs, who);
    let orderId = null;
    let ended = false;
    try {
      // The director registers the order for 5А over the coming days (through the API).
      const classes = await (await fetch(`${base}/api/v1/orgs/1/classes`, { headers: directorApi })).json();
      const c5a = classes.find((c) => c.name === '5А');
      const res = await fetch(`${base}/api/v1/orgs/1/orders`, {
        method: 'POST',
        headers: directorApi,
        body: JSON.stringify({ number, issued_on: today, reason: 'Карантин по гриппу', starts_on: plus(1), ends_on: plus(3), class_ids: [c5a.id] }),
      });
      if (res.status !== 201) throw new Error(`registering: ${res.status} ${await res.text()}`);
      const order = await res.json();
      orderId = order.id;

      // The class teacher opens «Дистанционное обучение» (read-only for her) and ticks the student.
      const cp = await open('ivanova@demo.parta.local');
      await cp.goto(`${base}/school/1`);
      await cp.locator('nav.tabs').getByRole('link', { name: 'Дистанционное обучение' }).click();
      await cp.waitForURL(/\/school\/1\/orders$/);
      const item = cp.locator(`li.order[data-order-id="${orderId}"]`);
      await item.getByRole('heading', { name: new RegExp(`^Приказ № ${number} от`) }).waitFor();
      expect((await cp.locator('form.order-form').count()) === 0, 'the class teacher is offered to register orders');
      expect((await item.getByRole('button', { name: /Завершить досрочно/ }).count()) === 0, 'the class teacher is offered to end the order');
      const list = item.locator('form.offline-class[data-class="5А"]');
      await list.getByRole('group', { name: '5А: кто без устройства или связи' }).waitFor();
      await list.getByRole('checkbox', { name: /^Волкова Анастасия/ }).check();
      await list.getByText('Отмечен 1 ученик.').waitFor();
      const saved = cp.waitForResponse((r) => r.url().endsWith(`/orders/${orderId}/offline`) && r.request().method() === 'PUT');
      await list.getByRole('button', { name: 'Сохранить список класса 5А' }).click();
      expect((await saved).status() === 200, 'the list was refused');
      await list.getByText('Список класса 5А сохранён.').waitFor();
      await screen(cp, 'orders-offline');
      await cp.reload();
      await cp.locator(`li.order[data-order-id="${orderId}"] form.offline-class[data-class="5А"]`).getByRole('checkbox', { name: /^Волкова Анастасия/ }).waitFor();
      expect(
        await cp.locator(`li.order[data-order-id="${orderId}"] form.offline-class[data-class="5А"]`).getByRole('checkbox', { name: /^Волкова Анастасия/ }).isChecked(),
        'the tick is lost after a reload',
      );

      // The maths teacher opens 5А's maths journal: the section, the form; a date during the order is refused.
      const tp = await open('smirnov@demo.parta.local');
      await tp.goto(`${base}/journal`);
      await tp.getByRole('heading', { name: 'Классный журнал', level: 1 }).waitFor();
      const assignment = lbl(tp, 'Класс и предмет');
      const option = await assignment.locator('option', { hasText: /^5А — Математика/ }).first().getAttribute('value');
      await assignment.selectOption(option);
      const section = tp.locator('section.jg-individual');
      await section.getByRole('heading', { name: 'Индивидуальные задания', level: 2 }).waitFor();
      const block = section.locator(`.jg-ind-order[data-order-id="${orderId}"]`);
      await block.getByText('Индивидуальных заданий пока нет.').waitFor();
      const form = block.locator('form.jg-ind-form');
      expect((await lbl(form, 'Ученик').inputValue()) !== '', 'the only offline student is not chosen');
      expect((await lbl(form, 'Срок сдачи').inputValue()) === plus(4), `the date due offered: ${await lbl(form, 'Срок сдачи').inputValue()}`);
      await lbl(form, 'Задание').fill(task);
      await lbl(form, 'Срок сдачи').fill(plus(3));
      await form.getByRole('button', { name: 'Дать задание' }).click();
      await form.getByText(/^Срок — не раньше .+, после окончания приказа\.$/).waitFor();
      expect((await lbl(form, 'Срок сдачи').getAttribute('aria-invalid')) === 'true', 'the date due is not marked invalid');
      expect((await lbl(form, 'Задание').inputValue()) === task, 'the task typed was lost');
      await screen(tp, 'journal-individual-refused');
      await lbl(form, 'Срок сдачи').fill(plus(4));
      const set = tp.waitForResponse((r) => r.url().endsWith(`/orders/${orderId}/individual`) && r.request().method() === 'POST');
      await form.getByRole('button', { name: 'Дать задание' }).click();
      const setRes = await set;
      if (setRes.status() !== 201) throw new Error(`setting: ${setRes.status()} ${await setRes.text()}`);
      const individual = await setRes.json();
      const row = block.locator(`tr[data-individual-id="${individual.id}"]`);
      await row.getByText(task).waitFor();
      await form.getByText('Задание сохранено: Волкова Анастасия Дмитриевна.').waitFor();
      // The order has not begun: no mark yet, and the grid says when.
      expect((await row.getByRole('combobox').count()) === 0, 'a mark is offered while the order holds');
      await block.getByText('Отметки ставятся после окончания приказа').waitFor();
      await screen(tp, 'journal-individual');

      // The student sees it in her diary, under the week.
      const sp = await open('student.5a@demo.parta.local');
      await sp.goto(`${base}/diary`);
      const diaryItem = sp.locator(`section.diary-individual li[data-individual-id="${individual.id}"]`);
      await diaryItem.getByText(task).waitFor();
      expect((await diaryItem.getAttribute('data-subject')) === 'Математика', 'the subject');
      await diaryItem.getByText(/Смирнов А\. П\. · Сдать до /).waitFor();
      expect((await diaryItem.locator('.mark').count()) === 0, 'a mark before it was given');
      await screen(sp, 'diary-individual');

      // The director ends the order before it began: it never held, so the work is marked now.
      const endRes = await fetch(`${base}/api/v1/orgs/1/orders/${orderId}/end`, { method: 'POST', headers: directorApi });
      expect(endRes.ok, `ending: ${endRes.status}`);
      ended = true;
      await tp.reload();
      const mark = tp.getByRole('combobox', { name: /^Отметка за индивидуальное задание: Волкова Анастасия/ });
      await mark.waitFor();
      const marked = tp.waitForResponse((r) => r.url().endsWith(`/individual/${individual.id}/mark`) && r.request().method() === 'PUT');
      await mark.selectOption('5');
      expect((await marked).status() === 200, 'the mark was refused');
      // Due in the period shown, its mark is in the grid's own column too.
      if (await tp.locator('th.jg-ind').count()) await tp.locator('tr:has(th.jg-name:text-matches("^Волкова Анастасия")) td.jg-ind .jg-mark[data-mark="5"]').waitFor();
      await screen(tp, 'journal-individual-marked');
      await sp.reload();
      await diaryItem.locator('.mark[data-mark="5"]').waitFor();
      // Her parent reads it in the diary too.
      const pp = await open('parent@demo.parta.local');
      await pp.goto(`${base}/diary?student=${individual.student.id}`);
      const parentItem = pp.locator(`section.diary-individual li[data-individual-id="${individual.id}"]`);
      await parentItem.getByText(task).waitFor();
      await parentItem.locator('.mark[data-mark="5"]').waitFor();
    } finally {
      if (orderId && !ended) await fetch(`${base}/api/v1/orgs/1/orders/${orderId}/end`, { method: 'POST', headers: directorApi });
      for (const ctx of ctxs) await ctx.close();
    }
  });

  // ---------- the timetable: the admin's grid and a substitute ----------
  await test('timetable: the admin places a lesson in 1А’s week (a teacher in two places refused at the cell), sets a substitute for a date; the substitute sees it in his week', async () => {
    const actx = await newContext();
    const ap = await actx.newPage();
    pagesToShoot.push(ap);
    const director = await apiSession('admin@demo.parta.local');
    const today = moscowToday;
    const all = await (await fetch(`${base}/api/v1/orgs/1/years`, { headers: director })).json();
    const year = all.find((y) => y.starts_on <= today && today <= y.ends_on) ?? all.sort((a, b) => a.starts_on.localeCompare(b.starts_on)).find((y) => y.ends_on >= today);
    const classes = await (await fetch(`${base}/api/v1/orgs/1/classes`, { headers: director })).json();
    const c1a = classes.find((c) => c.name === '1А');
    await login(ap, 'admin@demo.parta.local');
    await ap.goto(`${base}/school/1/year`);
    const section = ap.locator('section.timetable');
    await section.getByRole('heading', { name: 'Расписание', level: 2 }).waitFor();
    await lbl(section, 'Класс').selectOption({ label: '1А' });
    const cell = (day, n) => section.locator(`td[data-cell="${day}-1-${n}"]`);
    await cell(1, 1).locator('.tt-lesson').first().waitFor();
    // A second lesson beside Monday’s first: the class is busy then, said at the lesson; the other one goes in.
    await section.getByRole('button', { name: 'Добавить урок: Понедельник, 1-й урок' }).click();
    const extra = cell(1, 1).locator('.tt-lesson').nth(1);
    const picked = await extra.locator('select').elementHandle();
    await ap.waitForFunction((e) => e === document.activeElement, picked, { timeout: 5_000 });
    await extra.locator('select').selectOption({ label: 'Математика — Кузнецова Е. В.' });
    await section.getByRole('button', { name: 'Добавить урок: Понедельник, 6-й урок' }).click();
    const sixth = cell(1, 6).locator('.tt-lesson').first();
    await sixth.locator('select').selectOption({ label: 'Окружающий мир — Кузнецова Е. В.' });
    await sixth.getByRole('textbox').fill('11');
    await section.getByRole('button', { name: 'Сохранить расписание' }).click();
    await extra.locator('.field-error').filter({ hasText: 'Учитель в это время ведёт другой урок.' }).waitFor();
    expect((await sixth.getByRole('textbox').inputValue()) === '11', 'the typed room is lost');
    await screen(ap, 'console-year-timetable-refused');
    await extra.getByRole('button', { name: 'Убрать урок: Понедельник, 1-й урок' }).click();
    await section.getByRole('button', { name: 'Сохранить расписание' }).click();
    await section.getByText('Расписание сохранено.').waitFor();
    const stored = await (await fetch(`${base}/api/v1/orgs/1/years/${year.id}/classes/${c1a.id}/timetable`, { headers: director })).json();
    expect(stored.entries.some((e) => e.weekday === 1 && e.number === 6 && e.subject.name === 'Окружающий мир' && e.room === '11'), 'the lesson is not stored');
    // The first Monday from tomorrow on with lessons.
    let monday = null;
    for (let w = 0, from = today; w < 20 && !monday; w++) {
      const week = await (await fetch(`${base}/api/v1/orgs/1/years/${year.id}/week?date=${from}&class_id=${c1a.id}`, { headers: director })).json();
      const first = week.days[0];
      if (first && first.date > today && first.school_day) monday = first.date;
      const next = new Date(`${week.monday}T00:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 7);
      from = next.toISOString().slice(0, 10);
    }
    expect(monday, 'no Monday with lessons ahead');
    await lbl(section, 'Дата').fill(monday);
    const form = section.locator('form.tt-override-form');
    await form.getByRole('heading', { name: /^Изменение на/ }).waitFor();
    await section.locator('.tt-day li[data-subject="Окружающий мир"]').waitFor();
    await lbl(form, 'Какой урок').selectOption({ label: '6-й урок: Окружающий мир — Кузнецова Е. В.' });
    await lbl(form, 'Кто заменяет').selectOption({ label: 'Орлов Д. И.' });
    await form.getByRole('button', { name: 'Сохранить изменение' }).click();
    await form.getByText('Изменение сохранено.', { exact: false }).waitFor();
    await section.locator('.tt-changes li[data-kind="substitute"]').getByText('Орлов Д. И. вместо Кузнецова Е. В.').waitFor();
    await section.locator('.tt-day li[data-subject="Окружающий мир"] .lesson-change').getByText('Замена: вместо Кузнецова Е. В.').waitFor();
    await screen(ap, 'console-year-timetable');
    // The substitute’s week has the lesson, marked, and he opens it.
    const octx2 = await newContext();
    const op = await octx2.newPage();
    pagesToShoot.push(op);
    await login(op, 'orlov@demo.parta.local');
    await op.goto(`${base}/lessons?date=${monday}`);
    const substituted = op.locator(`.week-day[data-date="${monday}"] button.lesson-open[data-class="1А"][data-subject="Окружающий мир"][data-change="substitute"]`);
    await substituted.getByText('Замена: вместо Кузнецова Е. В.').waitFor();
    await screen(op, 'lessons-week-substitute');
    await substituted.click();
    await op.waitForURL(/\/lessons\/\d+$/);
    await op.getByRole('heading', { name: 'Окружающий мир, 1А', level: 1 }).waitFor();
    // The usual teacher sees who takes it, and cannot open it.
    const kctx = await newContext();
    const kp = await kctx.newPage();
    await login(kp, 'kuznetsova@demo.parta.local');
    await kp.goto(`${base}/lessons?date=${monday}`);
    await kp.locator(`.week-day[data-date="${monday}"] .lesson-open--off[data-subject="Окружающий мир"]`).getByText('Замена: ведёт Орлов Д. И.').waitFor();
    await kctx.close();
    await octx2.close();
    await actx.close();
  });

  await octx?.close();
  await mctx.close();

  // ---------- calls: audio and video through the server's media unit ----------
  // Each person has a browser context of their own, with Chromium's fake camera and
  // microphone. An init script keeps the page's RTCPeerConnections (and the stream each
  // received track arrived in), so the test reads what each one receives from getStats().
  const callCtx = async (origin = base) => {
    const ctx = await newContext();
    await ctx.grantPermissions(['camera', 'microphone'], { origin });
    await ctx.addInitScript(() => {
      const Orig = window.RTCPeerConnection;
      if (!Orig) return;
      const pcs = [];
      window.__e2ePcs = pcs;
      function Recorded(...args) {
        const pc = new Orig(...args);
        pc.__e2eTracks = [];
        pc.addEventListener('track', (e) => pc.__e2eTracks.push({ stream: e.streams[0]?.id ?? '', kind: e.track.kind, receiver: e.receiver }));
        pcs.push(pc);
        return pc;
      }
      Recorded.prototype = Orig.prototype;
      Object.setPrototypeOf(Recorded, Orig);
      window.RTCPeerConnection = Recorded;
    });
    return ctx;
  };
  /** What the page's current connection has received, per remote stream (`p<peer>`). */
  const inbound = (page) =>
    page.evaluate(async () => {
      const pc = window.__e2ePcs?.at(-1);
      const out = {};
      if (!pc || pc.connectionState === 'closed') return out;
      const seen = new Set();
      for (const t of pc.__e2eTracks) {
        if (seen.has(t.receiver)) continue;
        seen.add(t.receiver);
        const o = (out[t.stream] ??= { audio: 0, video: 0, frames: 0 });
        for (const s of (await t.receiver.getStats()).values()) {
          if (s.type !== 'inbound-rtp') continue;
          o[t.kind] += s.bytesReceived ?? 0;
          if (t.kind === 'video') o.frames += s.framesDecoded ?? 0;
        }
      }
      return out;
    });
  const rising = (a, b, kinds) => !!(a && b) && kinds.every((k) => (k === 'video' ? b.video > a.video && b.frames > a.frames : b[k] > a[k]));
  /** Waits (up to 20 s) until the page receives the peer's media of these kinds, rising over a second. */
  const receives = async (page, peer, kinds, who) => {
    const until = Date.now() + 20_000;
    for (;;) {
      const a = await inbound(page);
      await page.waitForTimeout(1000);
      const b = await inbound(page);
      if (rising(a[`p${peer}`], b[`p${peer}`], kinds)) return;
      if (Date.now() > until) throw new Error(`${who} does not receive ${kinds.join('+')} of peer ${peer}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
    }
  };
  /** Nothing of the kind arrives from the peer over `ms`. */
  const silentOver = async (page, peer, kind, ms) => {
    const a = (await inbound(page))[`p${peer}`];
    await page.waitForTimeout(ms);
    const b = (await inbound(page))[`p${peer}`];
    return !b || !a || b[kind] === a[kind];
  };
  const myPeer = async (page) => Number(await page.locator('.call-tile[data-mine="yes"]').getAttribute('data-peer-id'));
  const inCall = (page) => page.locator('.call-in[data-phase="in"]').waitFor();
  const ccs = [];
  let classChat = null;
  let callId = null;
  const cp = {};
  /** Signs in, opens the 5А class chat, joins the running call by its banner. */
  const joinByBanner = async (who) => {
    const ctx = await callCtx();
    ccs.push(ctx);
    const page = await ctx.newPage();
    pagesToShoot.push(page);
    await login(page, who);
    if (process.env.E2E_CALL_LOG) {
      page.on('console', (m) => console.log(`    [${who} console] ${m.text()}`));
      page.on('websocket', (ws) => {
        console.log(`    [${who}] WS open`);
        ws.on('framesent', (f) => console.log(`    [${who}] > ${String(f.payload).slice(0, 160)}`));
        ws.on('framereceived', (f) => console.log(`    [${who}] < ${String(f.payload).slice(0, 160)}`));
        ws.on('close', () => console.log(`    [${who}] WS closed`));
      });
    }
    await page.goto(`${base}/chats/${classChat}`);
    const banner = page.locator(`.call-banner[data-call-id="${callId}"]`);
    await banner.getByText('Идёт звонок').waitFor();
    await banner.getByRole('link', { name: 'Присоединиться' }).click();
    await page.waitForURL(new RegExp(`/calls/${callId}$`));
    await page.getByRole('button', { name: 'Войти с камерой' }).click();
    await inCall(page);
    return page;
  };

  await test('calls: the class teacher calls from the 5А class chat; a student joins by the banner and each receives the other’s audio and video; a third joins and all three receive the others', async () => {
    const chats = await (await fetch(`${base}/api/v1/chats`, { headers: await apiSession('ivanova@demo.parta.local') })).json();
    classChat = chats.find((c) => c.kind === 'class' && c.title.includes('5А'))?.id;
    expect(classChat, `no 5А class chat in ${JSON.stringify(chats.map((c) => [c.kind, c.title]))}`);
    const ctx = await callCtx();
    ccs.push(ctx);
    const t = await ctx.newPage();
    pagesToShoot.push(t);
    cp.teacher = t;
    await login(t, 'ivanova@demo.parta.local');
    await t.goto(`${base}/chats/${classChat}`);
    await t.locator('[data-conn="live"]').waitFor();
    await t.getByRole('button', { name: 'Позвонить' }).click();
    await t.waitForURL(/\/calls\/\d+$/);
    callId = Number(new URL(t.url()).pathname.split('/').pop());
    // The check before joining: the camera's picture, the microphone's level, the devices.
    await t.locator('.prejoin-preview video').waitFor();
    await t.waitForFunction(() => document.querySelector('.prejoin-preview video')?.videoWidth > 0);
    await t.waitForFunction(() => Number(document.querySelector('.call-level meter')?.value) > 0, null, { timeout: 10_000 });
    await lbl(t, 'Камера').locator('option').first().waitFor({ state: 'attached' });
    await screen(t, 'call-prejoin');
    await t.getByRole('button', { name: 'Войти с камерой' }).click();
    await inCall(t);
    cp.student = await joinByBanner('student.5a@demo.parta.local');
    const [pt, ps] = [await myPeer(t), await myPeer(cp.student)];
    await receives(t, ps, ['audio', 'video'], 'the teacher');
    await receives(cp.student, pt, ['audio', 'video'], 'the student');
    await t.locator(`.call-tile[data-peer-id="${ps}"][data-video="on"] video`).waitFor();
    cp.third = await joinByBanner('lebedev@demo.parta.local');
    const pl = await myPeer(cp.third);
    Object.assign(cp, { pt, ps, pl });
    for (const [page, who, peers] of [
      [t, 'the teacher', [ps, pl]],
      [cp.student, 'the student', [pt, pl]],
      [cp.third, 'the third', [pt, ps]],
    ]) {
      for (const p of peers) await receives(page, p, ['audio', 'video'], who);
      await countReaches(page.locator('.call-grid .call-tile'), 3, `${who}'s tiles`);
    }
    await t.getByText('3 участника', { exact: true }).waitFor();
    await t.locator('.call-quality[data-quality="good"], .call-quality[data-quality="fair"]').waitFor({ timeout: 10_000 });
    await screen(t, 'call-grid');
    await t.getByRole('button', { name: 'Говорящий крупно' }).click();
    await t.locator('.call-main .call-tile').waitFor();
    await countReaches(t.locator('.call-strip .call-tile'), 2, 'tiles in the strip');
    await screen(t, 'call-speaker');
    // A tile chosen by hand stays large until let go.
    // The strip reorders as the voices change: the pin is clicked by peer id, and chosen
    // again where that person went large meanwhile (large tiles have no pin).
    let chosen = null;
    for (let i = 0; i < 5 && chosen === null; i++) {
      const id = await t.locator('.call-strip .call-tile:not([data-mine])').first().getAttribute('data-peer-id');
      const pin = t.locator(`.call-strip .call-tile[data-peer-id="${id}"] button.call-pin`);
      if (await pin.click({ timeout: 2_000 }).then(() => true, () => false)) chosen = id;
    }
    expect(chosen !== null, 'no tile of the strip could be pinned');
    await t.locator(`.call-main .call-tile[data-peer-id="${chosen}"]`).waitFor();
    await t.getByRole('button', { name: 'Показывать говорящего' }).click();
    await t.locator(`.call-strip .call-tile[data-peer-id="${chosen}"], .call-main .call-tile[data-peer-id="${chosen}"]`).waitFor();
    await t.getByRole('button', { name: 'Сетка' }).click();
  });

  /** The video the page's current connection receives of a peer: the decoded frames' width, and how many. */
  const videoIn = (page, peer) =>
    page.evaluate(async (stream) => {
      const pc = window.__e2ePcs?.at(-1);
      for (const t of [...(pc?.__e2eTracks ?? [])].reverse()) {
        if (t.kind !== 'video' || t.stream !== stream) continue;
        for (const s of (await t.receiver.getStats()).values()) if (s.type === 'inbound-rtp') return { width: s.frameWidth ?? 0, frames: s.framesDecoded ?? 0 };
      }
      return { width: 0, frames: 0 };
    }, `p${peer}`);
  /** What the page sends of its video, per simulcast layer: the width it is encoded at now, frames, and what limits it; and its bandwidth estimate. */
  const sentLayers = (page) =>
    page.evaluate(async () => {
      const out = {};
      const sender = window.__e2ePcs.at(-1).getSenders().find((x) => x.track?.kind === 'video');
      for (const s of (await sender.getStats()).values()) {
        if (s.type === 'outbound-rtp' && s.rid) out[s.rid] = { width: s.frameWidth ?? 0, frames: s.framesEncoded ?? 0, limit: s.qualityLimitationReason ?? '', keyframes: s.keyFramesEncoded, pli: s.pliCount, fir: s.firCount, nack: s.nackCount };
        // The sender's estimate of what the path takes, for a failure's message.
        if (s.type === 'candidate-pair' && s.nominated && s.availableOutgoingBitrate) out.estimate = s.availableOutgoingBitrate;
        if (s.type === 'remote-inbound-rtp') (out.lost ??= []).push([s.fractionLost, s.roundTripTime]);
      }
      return out;
    });
  /**
   * Waits (up to 45 s) until the page sends both layers of its video, the top one wider,
   * frames of each encoded over a second: a sender pauses its top layer while its
   * bandwidth estimate is low (a loaded machine's delays lower it), and a receiver can
   * only be sent the top layer while it goes out.
   */
  const sendsBoth = async (page, who) => {
    const until = Date.now() + 45_000;
    for (;;) {
      const a = await sentLayers(page);
      await page.waitForTimeout(1000);
      const b = await sentLayers(page);
      if (a.h && a.l && b.h.width > b.l.width && b.l.width > 0 && b.h.frames > a.h.frames && b.l.frames > a.l.frames) return b;
      if (Date.now() > until) throw new Error(`${who} does not send both layers: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
    }
  };
  /**
   * Waits until the receiving page decodes the sender's layer `rid` of its video — as
   * wide as the sender encodes that layer now (a loaded machine may encode below the
   * camera's size) — frames still decoded over a second. Up to 20 s of the sender sending
   * that layer (a clean CI run once saw the switch up take longer than 5, and a loaded
   * one longer than 10: the receiver's estimate climbs back slowly when both cores are
   * busy): while it pauses it (its estimate too low), the unit sends the other.
   */
  const receivesLayer = async (page, peer, senderPage, rid, who) => {
    const started = Date.now();
    let sending = 0;
    for (;;) {
      const a = await videoIn(page, peer);
      const sentBefore = await sentLayers(senderPage);
      await page.waitForTimeout(1000);
      const b = await videoIn(page, peer);
      const sent = await sentLayers(senderPage);
      const width = sent[rid]?.width;
      if (width && b.width === width && b.frames > a.frames) return { ms: Date.now() - started, width };
      if (sent[rid]?.frames > sentBefore[rid]?.frames) sending += 1;
      if (sending > 20 || Date.now() - started > 45_000) {
        throw new Error(`${who} does not receive layer ${rid} of peer ${peer}: ${JSON.stringify(a)} → ${JSON.stringify(b)}, sent ${JSON.stringify(sent)}`);
      }
    }
  };
  /** Shows a peer large in the speaker view, pinned (the loudest voice may be large unpinned, with no pin). */
  const pinLarge = async (page, peer) => {
    const pinned = page.locator(`.call-main .call-tile[data-peer-id="${peer}"] button.call-pin`);
    for (let i = 0; i < 5 && !(await pinned.count()); i++) {
      const own = page.locator(`.call-strip .call-tile[data-peer-id="${peer}"] button.call-pin`);
      // Large unpinned: another is pinned first, and then this one.
      const pin = (await own.count()) ? own : page.locator('.call-strip .call-tile:not([data-mine]) button.call-pin').first();
      await pin.click({ timeout: 2000 }).catch(() => {});
      await pinned.waitFor({ timeout: 1000 }).catch(() => {});
    }
    await pinned.waitFor({ timeout: 1000 });
  };

  await test('calls: simulcast — the student shows the teacher pinned large and receives her top layer; with her in the strip, the low layer within seconds; large again, the top one; frames decoded all along', async () => {
    expect(callId && cp.student, 'no call from the test before');
    const { teacher: t, student: s, pt, pl } = cp;
    const offer = await t.evaluate(() => window.__e2ePcs.at(-1).localDescription?.sdp ?? '');
    expect(/^a=simulcast:send l;h\r?$/m.test(offer) && /^a=rid:h send/m.test(offer), `the teacher's offer has no two layers: ${offer.match(/^a=(simulcast|rid).*$/gm)}`);
    // The third's camera goes off meanwhile: a loaded machine encodes and decodes less,
    // and the teacher's estimate stays high enough for her top layer.
    await cp.third.getByRole('button', { name: 'Выключить камеру' }).click();
    try {
      await s.getByRole('button', { name: 'Говорящий крупно' }).click();
      await pinLarge(s, pt);
      const layers = await sendsBoth(t, 'the teacher');
      // Under a full run's load the first «large» has twice been left unanswered (the unit
      // kept writing the low layer for 20 s): shown small and large again, the view is
      // sent anew and must then be answered. Said in the log when it happens.
      const large = await receivesLayer(s, pt, t, 'h', 'the student (the teacher large)').catch(async (error) => {
        console.log(`    the first large view went unanswered, shown again: ${error.message.slice(0, 160)}`);
        await pinLarge(s, pl);
        await pinLarge(s, pt);
        return receivesLayer(s, pt, t, 'h', 'the student (the teacher large, shown again)');
      });
      await sendsBoth(t, 'the teacher');
      await pinLarge(s, pl);
      const small = await receivesLayer(s, pt, t, 'l', 'the student (the teacher in the strip)');
      await sendsBoth(t, 'the teacher');
      await pinLarge(s, pt);
      const again = await receivesLayer(s, pt, t, 'h', 'the student (the teacher large again)');
      console.log(
        `    the teacher sends ${layers.h.width} and ${layers.l.width} wide; the student receives her ${large.width} wide large, ${small.width} in the strip (in ${small.ms} ms), ${again.width} large again (in ${again.ms} ms)`,
      );
    } finally {
      // Back as the next tests expect: no pin, the grid, the third's camera on.
      const unpin = s.getByRole('button', { name: 'Показывать говорящего' });
      if (await unpin.count()) await unpin.click();
      await s.getByRole('button', { name: 'Сетка' }).click();
      await cp.third.getByRole('button', { name: 'Включить камеру' }).click();
    }
    await receives(s, pl, ['video'], 'the student (the third’s camera on again)');
    await countReaches(s.locator('.call-grid .call-tile'), 3, 'the student’s tiles');
  });

  await test('calls: a microphone turned off stops the audio the others receive; on again, it flows again', async () => {
    expect(callId && cp.student, 'no call from the test before');
    const { teacher: t, student: s, ps } = cp;
    await s.getByRole('button', { name: 'Выключить микрофон' }).click();
    await s.getByRole('button', { name: 'Включить микрофон', pressed: false }).waitFor();
    await t.locator(`.call-tile[data-peer-id="${ps}"][data-audio="off"]`).getByText('микрофон выключен').waitFor();
    let quiet = false;
    for (let i = 0; i < 5 && !quiet; i++) quiet = await silentOver(t, ps, 'audio', 1200);
    expect(quiet, 'the teacher still receives the student’s audio');
    expect(await silentOver(cp.third, ps, 'audio', 1000), 'the third still receives the student’s audio');
    await receives(t, ps, ['video'], 'the teacher (video goes on)');
    await s.getByRole('button', { name: 'Включить микрофон' }).click();
    await receives(t, ps, ['audio'], 'the teacher');
    await t.locator(`.call-tile[data-peer-id="${ps}"][data-audio="on"]`).waitFor();
  });

  await test('calls: a shared screen replaces the camera and reaches the others; stopping it brings the camera back', async () => {
    expect(callId && cp.student, 'no call from the test before');
    const { teacher: t, student: s, ps } = cp;
    const sentLabel = () => s.evaluate(() => window.__e2ePcs.at(-1).getSenders().find((x) => x.track?.kind === 'video')?.track?.label ?? '');
    const camera = await sentLabel();
    await s.getByRole('button', { name: 'Показать экран' }).click();
    await s.getByRole('button', { name: 'Остановить показ экрана', pressed: true }).waitFor();
    const shared = await sentLabel();
    expect(shared.startsWith('screen') && shared !== camera, `the video sender sends «${shared}» (camera «${camera}»)`);
    await receives(t, ps, ['video'], 'the teacher (the screen)');
    await receives(cp.third, ps, ['video'], 'the third (the screen)');
    await s.getByRole('button', { name: 'Остановить показ экрана' }).click();
    await s.getByRole('button', { name: 'Показать экран', pressed: false }).waitFor();
    expect((await sentLabel()) === camera, 'the camera is not back');
    await receives(t, ps, ['video'], 'the teacher (the camera again)');
  });

  await test('calls: the student’s connection drops — the page says «Переподключение…», stays in the call and rejoins; the others receive the student again', async () => {
    expect(callId && cp.student, 'no call from the test before');
    const { teacher: t, student: s, ps } = cp;
    const pcs = await s.evaluate(() => window.__e2ePcs.length);
    await s.context().setOffline(true);
    await s.locator('.call-reconnecting').getByText('Переподключение…').waitFor();
    await axe(s, 'call-reconnecting (desktop)');
    await t.locator(`.call-tile[data-peer-id="${ps}"]`).waitFor({ state: 'detached' });
    await s.context().setOffline(false);
    await inCall(s);
    expect((await s.evaluate(() => window.__e2ePcs.length)) === pcs + 1, 'the rejoin did not use a fresh connection');
    const again = await myPeer(s);
    expect(again !== ps, 'the same peer after rejoining');
    cp.ps = again;
    await receives(t, again, ['audio', 'video'], 'the teacher (after the rejoin)');
    await receives(s, cp.pt, ['audio', 'video'], 'the student (after the rejoin)');
    await countReaches(t.locator('.call-grid .call-tile'), 3, 'the teacher’s tiles');
  });

  await test('calls: the host mutes everyone; the student’s microphone goes off and the page says who did it', async () => {
    expect(callId && cp.student, 'no call from the test before');
    const { teacher: t, student: s } = cp;
    await t.getByRole('button', { name: 'Выключить микрофоны всем' }).click();
    await s.locator('.call-host-muted').getByText('Ведущий выключил ваш микрофон').waitFor();
    await s.getByRole('button', { name: 'Включить микрофон', pressed: false }).waitFor();
    // The host's own microphone stays on.
    await t.getByRole('button', { name: 'Выключить микрофон', pressed: true }).waitFor();
    await s.getByRole('button', { name: 'Включить микрофон' }).click();
    await s.getByRole('button', { name: 'Выключить микрофон', pressed: true }).waitFor();
    // One person's camera.
    const row = t.locator('.call-people-list li[data-user-id]', { hasText: 'Волкова' });
    await row.getByRole('button', { name: /^Выключить камеру/ }).click();
    await s.locator('.call-host-muted').getByText('Ведущий выключил вашу камеру').waitFor();
    await s.getByRole('button', { name: 'Включить камеру', pressed: false }).waitFor();
    await t.locator(`.call-tile[data-peer-id="${cp.ps}"][data-video="off"] .call-initials`).waitFor();
    await s.getByRole('button', { name: 'Включить камеру' }).click();
    await t.locator(`.call-tile[data-peer-id="${cp.ps}"][data-video="on"] video`).waitFor();
    await receives(t, cp.ps, ['video'], 'the teacher (the camera on again)');
  });

  await test('calls: the host removes a participant — the removed one’s page says so within 1 s and the others stop receiving that media within 1 s', async () => {
    expect(callId && cp.third, 'no call from the test before');
    const { teacher: t, student: s, third: l, pl } = cp;
    const row = t.locator(`.call-people-list li[data-user-id]`, { hasText: 'Лебедев' });
    await row.getByRole('button', { name: /^Удалить из звонка/ }).click();
    const at = Date.now();
    await row.getByRole('button', { name: 'Да', exact: true }).click();
    await l.locator('.call-out[data-left="removed"]').waitFor({ timeout: 1000 });
    const shown = Date.now() - at;
    expect(shown <= 1000, `the removed page took ${shown} ms`);
    await l.getByText('Ведущий удалил вас из звонка').waitFor();
    await t.waitForTimeout(Math.max(0, 1000 - (Date.now() - at)));
    for (const [page, who] of [
      [t, 'the teacher'],
      [s, 'the student'],
    ]) {
      expect(await silentOver(page, pl, 'audio', 800), `${who} still receives the removed one’s audio after 1 s`);
      expect(await silentOver(page, pl, 'video', 200), `${who} still receives the removed one’s video after 1 s`);
      await countReaches(page.locator('.call-grid .call-tile'), 2, `${who}'s tiles`);
    }
    await screen(l, 'call-removed');
    // Coming back is refused.
    await l.goto(`${base}/calls/${callId}`);
    const out = l.locator('.call-out');
    const audioOnly = l.getByRole('button', { name: 'Только звук' });
    await out.or(audioOnly).first().waitFor();
    if (await audioOnly.count()) await audioOnly.click();
    await l.locator('.call-out[data-left="removed"], .call-out[data-refused="removed"], .call-out[data-refused="forbidden"]').waitFor();
  });

  await test('calls: the host ends the call for everyone; the chat banner disappears', async () => {
    expect(callId && cp.third, 'no call from the test before');
    const { teacher: t, student: s, third: l } = cp;
    await l.goto(`${base}/chats/${classChat}`);
    const banner = l.locator(`.call-banner[data-call-id="${callId}"]`);
    await banner.getByText('2 участника').waitFor();
    await screen(l, 'call-banner');
    await t.getByRole('button', { name: 'Завершить для всех' }).click();
    await t.getByRole('button', { name: 'Да', exact: true }).click();
    await t.locator('.call-out[data-left="ended"]').waitFor();
    await s.locator('.call-out[data-left="ended"]').getByText('Звонок завершён.').waitFor();
    await banner.waitFor({ state: 'detached' });
    for (const ctx of ccs.splice(0)) await ctx.close();
  });
  for (const ctx of ccs.splice(0)) await ctx.close();

  // ---------- calls: online lessons, meetings with a waiting room, broadcasts ----------
  /** A signed-in person's page in a context of their own, with fake devices. */
  const callPage = async (who) => {
    const ctx = await callCtx();
    ccs.push(ctx);
    const page = await ctx.newPage();
    pagesToShoot.push(page);
    await login(page, who);
    return page;
  };
  const chatOf = async (who, pick) => {
    const chats = await (await fetch(`${base}/api/v1/chats`, { headers: await apiSession(who) })).json();
    const chat = chats.find(pick);
    expect(chat, `no such chat in ${JSON.stringify(chats.map((c) => [c.kind, c.title]))}`);
    return chat.id;
  };
  const peerOf = async (page) => Number(await page.locator('.call-in[data-me]').getAttribute('data-me'));
  /** Nothing of the peer's arrives at all (no stream, or no bytes). */
  const receivesNothingOf = async (page, peer) => {
    const got = (await inbound(page))[`p${peer}`];
    return !got || (got.audio === 0 && got.video === 0);
  };
  const endForAll = async (page) => {
    await page.getByRole('button', { name: 'Завершить для всех' }).click();
    await page.getByRole('button', { name: 'Да', exact: true }).click();
    await page.locator('.call-out[data-left="ended"]').waitFor();
  };

  await test('calls: an online lesson — the teacher starts it from the lesson page, a student joins from the diary, the teacher sees «в уроке» and puts the suggestions into the journal (an absent classmate gets «н»)', async () => {
    const moscowToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const t = await callPage('ivanova@demo.parta.local');
    await t.locator('nav.mainnav').getByRole('link', { name: 'Уроки' }).click();
    await t.getByRole('heading', { name: 'Уроки', level: 1 }).waitFor();
    // The class teacher's Russian in 5А on the nearest day after today: a lesson that has
    // not begun, so that joining now is on time whatever the hour the test runs at
    // (joining today's lesson after it began would rightly suggest «опоздал»).
    let date = null;
    for (let weeks = 0; weeks < 16 && !date; weeks++) {
      await t.locator('.week-day').first().waitFor();
      date = await t.evaluate((today) => {
        for (const day of document.querySelectorAll('.week-day[data-date]')) {
          const d = day.getAttribute('data-date');
          if (d > today && day.querySelector('button.lesson-open[data-class="5А"][data-subject="Русский язык"]')) return d;
        }
        return null;
      }, moscowToday);
      if (!date) {
        const monday = await t.locator('.week-title').getAttribute('data-monday');
        await t.getByRole('link', { name: /Следующая неделя/ }).click();
        await t.waitForFunction((m) => document.querySelector('.week-title')?.getAttribute('data-monday') !== m, monday);
        await t.waitForLoadState('networkidle');
      }
    }
    expect(date, 'no 5А Russian lesson after today in sixteen weeks');
    await t.locator(`.week-day[data-date="${date}"] button.lesson-open[data-class="5А"][data-subject="Русский язык"]`).first().click();
    await t.waitForURL(/\/lessons\/\d+$/);
    const lessonPath = new URL(t.url()).pathname;
    const lessonId = Number(lessonPath.split('/').pop());
    await t.getByRole('heading', { name: 'Русский язык, 5А', level: 1 }).waitFor();
    const online = t.locator('.lesson-online');
    await online.getByRole('button', { name: 'Провести онлайн' }).waitFor();
    // The student's diary is open on that week before the lesson starts: the way in appears live.
    const s = await callPage('student.5a@demo.parta.local');
    await s.goto(`${base}/diary?date=${date}`);
    await s.locator('.diary[data-conn="live"]').waitFor();
    const diaryLesson = s.locator(`.diary-lesson[data-lesson-id="${lessonId}"]`);
    await diaryLesson.waitFor();
    await online.getByRole('button', { name: 'Провести онлайн' }).click();
    await t.waitForURL(/\/calls\/\d+$/);
    const id = Number(new URL(t.url()).pathname.split('/').pop());
    await t.getByRole('heading', { name: /^Онлайн-урок/, level: 1 }).waitFor();
    await t.getByRole('button', { name: 'Войти с камерой' }).click();
    await inCall(t);
    // The time left to the norm for a fifth grade (30 minutes) counts down.
    const timer = t.locator('.call-timer[data-over="no"]');
    await timer.waitFor();
    const left = /(\d+:\d\d)\s*$/.exec(await timer.innerText())?.[1] ?? '';
    expect(/^(29|30):\d\d$/.test(left), `the countdown shows «${left}»`);
    await diaryLesson.getByRole('link', { name: 'Войти на урок' }).click();
    await s.waitForURL(new RegExp(`/calls/${id}$`));
    await s.getByRole('button', { name: 'Войти с камерой' }).click();
    await inCall(s);
    const [pt, ps] = [await peerOf(t), await peerOf(s)];
    await receives(t, ps, ['audio', 'video'], 'the teacher');
    await receives(s, pt, ['audio', 'video'], 'the student');
    await screen(t, 'call-lesson');
    // The teacher looks at the lesson page meanwhile (a second tab).
    const lp = await t.context().newPage();
    pagesToShoot.push(lp);
    await lp.goto(`${base}${lessonPath}`);
    const panel = lp.locator('.lesson-online[data-running="yes"]');
    await panel.waitFor();
    const student = await s.evaluate(() => fetch('/api/v1/me').then((r) => r.json()).then((m) => m.id));
    const mine = panel.locator(`li[data-student-id="${student}"][data-presence="in_call"]`);
    await mine.getByText('в уроке сейчас').waitFor();
    expect((await mine.locator('.lo-mark').count()) === 0, 'the student in the lesson has a mark suggested');
    const absent = panel.locator('li[data-presence="never"]').first();
    await absent.getByText('не заходил').waitFor();
    await absent.locator('.lo-mark[data-mark="н"]').waitFor();
    const absentId = await absent.getAttribute('data-student-id');
    await screen(lp, 'lesson-online');
    await panel.getByRole('button', { name: 'Перенести в журнал' }).click();
    await panel.locator('.lesson-online-result').getByText(/^Перенесено в журнал: \d+ отмет/).waitFor();
    await lp.locator(`.jr-row[data-student-id="${absentId}"] select.jr-absence[data-absence="absent"]`).waitFor();
    expect((await lp.locator(`.jr-row[data-student-id="${student}"] select.jr-absence`).inputValue()) === '', 'the student in the lesson is marked absent');
    // Kept by the server, not only on screen.
    await lp.reload();
    await lp.locator(`.jr-row[data-student-id="${absentId}"] select.jr-absence[data-absence="absent"]`).waitFor();
    await lp.close();
    await endForAll(t);
    await s.locator('.call-out[data-left="ended"]').waitFor();
  });

  await test('calls: a meeting with a waiting room in the 5А parents chat — the parent waits, the class teacher admits her, media flows both ways; the entrance is closed and opened again, and the lead goes to the parent, who ends it', async () => {
    const chat = await chatOf('ivanova@demo.parta.local', (c) => c.kind === 'parents' && c.title.includes('5А'));
    const t = await callPage('ivanova@demo.parta.local');
    await t.goto(`${base}/chats/${chat}`);
    await t.locator('[data-conn="live"]').waitFor();
    await t.getByRole('button', { name: 'Запланировать' }).click();
    const form = t.locator('form.call-plan');
    await lbl(form, 'Название').fill('Родительское собрание');
    await form.getByLabel('Зал ожидания').check();
    await screen(t, 'call-plan');
    await form.getByRole('button', { name: 'Запланировать' }).click();
    await form.waitFor({ state: 'detached' });
    const planned = t.locator('.call-upcoming li[data-kind="meeting"]', { hasText: 'Родительское собрание' });
    await planned.waitFor();
    const id = Number(await planned.getAttribute('data-call-id'));
    // The parent sees it announced, comes early and waits.
    const p = await callPage('parent@demo.parta.local');
    await p.goto(`${base}/chats/${chat}`);
    const strip = p.locator(`.call-upcoming li[data-call-id="${id}"]`);
    await strip.getByText('с залом ожидания').waitFor();
    await screen(p, 'call-upcoming');
    await strip.getByRole('link', { name: /^Войти/ }).click();
    await p.waitForURL(new RegExp(`/calls/${id}$`));
    await p.getByRole('heading', { name: 'Родительское собрание', level: 1 }).waitFor();
    await p.getByRole('button', { name: 'Войти с камерой' }).click();
    // The form proposes the next whole hour: past 23:00 (the browser's clock) that is tomorrow, shown with its date.
    await p.locator('.call-waiting').getByText(/^Собрание ещё не началось, начало в (.+, )?\d\d:\d\d/).waitFor();
    await screen(p, 'call-waiting-early');
    // The class teacher opens it; the parent, still waiting, is now in its waiting room.
    await t.locator(`.call-upcoming li[data-call-id="${id}"]`).getByRole('link', { name: /^Войти/ }).click();
    await t.waitForURL(new RegExp(`/calls/${id}$`));
    await t.getByRole('button', { name: 'Войти с камерой' }).click();
    await inCall(t);
    await p.locator('.call-waiting').getByText('Ожидайте, ведущий впустит вас.').waitFor();
    const room = t.locator('.call-waiting-room');
    await room.getByText('Ждут входа: 1').waitFor();
    await axe(t, 'call-waiting-room (desktop)');
    await room.locator('li', { hasText: 'Волкова Ирина' }).getByRole('button', { name: /^Впустить/ }).click();
    await inCall(p);
    await room.waitFor({ state: 'detached' });
    const [pt, pp] = [await peerOf(t), await peerOf(p)];
    await receives(t, pp, ['audio', 'video'], 'the class teacher');
    await receives(p, pt, ['audio', 'video'], 'the parent');
    // The chat beside the meeting: the parent writes in it; the class teacher, whose panel is
    // closed, sees the count on its toggle, opens it and reads; the message is the chat's own.
    const said = 'Плохо слышно, повторите, пожалуйста';
    const pToggle = p.getByRole('button', { name: /^Чат/ });
    await pToggle.click();
    expect((await pToggle.getAttribute('aria-expanded')) === 'true', 'the parent’s chat toggle does not say it is open');
    const pPanel = p.getByRole('region', { name: 'Чат' });
    const box = pPanel.getByRole('textbox', { name: 'Сообщение' });
    expect((await box.getAttribute('placeholder')) === 'Написать в чат…', 'the panel’s text box has another placeholder');
    await box.fill(said);
    await pPanel.getByRole('button', { name: 'Отправить' }).click();
    await pPanel.locator('.msg[data-message-id]', { hasText: said }).waitFor();
    const tToggle = t.getByRole('button', { name: /^Чат/ });
    await t.getByRole('button', { name: /^Чат[\s,]*1 непрочитанное$/ }).waitFor();
    expect((await tToggle.getAttribute('aria-expanded')) === 'false', 'the class teacher’s chat is open before she opens it');
    await tToggle.click();
    const tPanel = t.getByRole('region', { name: 'Чат' });
    await tPanel.locator('.msg', { hasText: said }).locator('.msg-sender').getByText('Волкова И. В.').waitFor();
    await t.locator('.call-chat-badge').waitFor({ state: 'detached' });
    await t.waitForFunction(() => document.activeElement?.id === 'call-chat-title', null, { timeout: 2000 }).catch(() => {});
    expect(await t.evaluate(() => document.activeElement?.id === 'call-chat-title'), 'opening the chat does not bring the focus to it');
    // While it is open, what comes in is shown, counted as read, and leaves the focus where it was.
    const more = 'Теперь слышно, спасибо';
    await box.fill(more);
    await box.press('Enter');
    await tPanel.locator('.msg', { hasText: more }).waitFor();
    expect(await t.evaluate(() => document.activeElement?.id === 'call-chat-title'), 'a new message moved the focus');
    expect((await t.locator('.call-chat-badge').count()) === 0, 'the open chat counts its messages as unread');
    await screen(t, 'call-chat');
    // On a phone the chat covers the call, with a way back to it.
    await t.setViewportSize(PHONE);
    await tPanel.getByRole('button', { name: '← Вернуться к звонку' }).click();
    await tPanel.waitFor({ state: 'hidden' });
    // The focus goes back once the panel has closed, in the effect after it.
    await t.waitForFunction(() => document.activeElement?.classList.contains('call-chat-toggle'), null, { timeout: 2000 }).catch(() => {});
    expect(await t.evaluate(() => document.activeElement?.classList.contains('call-chat-toggle')), 'the focus is not back on the chat toggle');
    await t.setViewportSize(DESKTOP);
    const inChat = await t.context().newPage();
    await inChat.goto(`${base}/chats/${chat}`);
    for (const text of [said, more]) await inChat.locator('.msg-log .msg', { hasText: text }).waitFor();
    await inChat.close();
    // The meeting runs in the chat; the strip no longer lists it. (Checked after the chat
    // beside it: this tab reads the chat, and the badge above counts from unread.)
    const c = await t.context().newPage();
    await c.goto(`${base}/chats/${chat}`);
    await c.locator(`.call-banner[data-call-id="${id}"]`).getByText('Идёт собрание «Родительское собрание»').waitFor();
    expect((await c.locator(`.call-upcoming li[data-call-id="${id}"]`).count()) === 0, 'the open meeting is still announced');
    await c.close();
    // Closed to newcomers, and open again; everyone sees it.
    await t.getByRole('button', { name: 'Закрыть вход' }).click();
    await p.locator('.call-locked').getByText('Вход закрыт').waitFor();
    await t.getByRole('button', { name: 'Открыть вход', pressed: true }).click();
    await p.locator('.call-locked').waitFor({ state: 'detached' });
    // The lead handed to the parent: she may now end it for everyone.
    expect((await p.getByRole('button', { name: 'Завершить для всех' }).count()) === 0, 'the parent leads before being made host');
    const prow = t.locator('.call-people-list li', { hasText: 'Волкова Ирина' });
    await prow.getByRole('button', { name: /^Сделать ведущим/ }).click();
    await prow.getByRole('button', { name: 'Да', exact: true }).click();
    await p.locator('.call-people-list li', { hasText: 'Волкова Ирина' }).locator('.badge').getByText('Ведущий').waitFor();
    await endForAll(p);
    await t.locator('.call-out[data-left="ended"]').waitFor();
  });

  await test('calls: a broadcast in the school channel — the director presents, a viewer receives and sends nothing, raises a hand, is brought on stage and is then received', async () => {
    const chat = await chatOf('admin@demo.parta.local', (c) => c.kind === 'school_channel');
    const d = await callPage('admin@demo.parta.local');
    await d.goto(`${base}/chats/${chat}`);
    await d.locator('[data-conn="live"]').waitFor();
    await d.getByRole('button', { name: 'Запланировать' }).click();
    const form = d.locator('form.call-plan');
    await form.getByLabel(/^Трансляция/).check();
    await lbl(form, 'Название').fill('Школьная линейка');
    await form.getByRole('button', { name: 'Запланировать' }).click();
    const planned = d.locator('.call-upcoming li[data-kind="broadcast"]', { hasText: 'Школьная линейка' });
    await planned.waitFor();
    const id = Number(await planned.getAttribute('data-call-id'));
    await planned.getByRole('link', { name: /^Войти/ }).click();
    await d.waitForURL(new RegExp(`/calls/${id}$`));
    await d.getByRole('button', { name: 'Войти с камерой' }).click();
    await inCall(d);
    const pd = await peerOf(d);
    // A viewer: the student, by the channel's banner; asked for no camera or microphone.
    const v = await callPage('student.5a@demo.parta.local');
    await v.addInitScript(() => {
      window.__e2eAsked = 0;
      const md = navigator.mediaDevices;
      const orig = md.getUserMedia.bind(md);
      md.getUserMedia = (c) => {
        window.__e2eAsked += 1;
        return orig(c);
      };
    });
    await v.goto(`${base}/chats/${chat}`);
    const banner = v.locator(`.call-banner[data-call-id="${id}"]`);
    await banner.getByText('Идёт трансляция «Школьная линейка»').waitFor();
    await banner.getByRole('link', { name: 'Присоединиться' }).click();
    await v.waitForURL(new RegExp(`/calls/${id}$`));
    await v.getByRole('button', { name: 'Смотреть трансляцию' }).click();
    await inCall(v);
    await v.locator('.call-in[data-viewer="yes"]').waitFor();
    expect((await v.getByRole('button', { name: /микрофон/ }).count()) === 0, 'a viewer has microphone controls');
    expect((await v.getByRole('button', { name: /камеру/ }).count()) === 0, 'a viewer has camera controls');
    const pv = await peerOf(v);
    await receives(v, pd, ['audio', 'video'], 'the viewer');
    expect((await v.evaluate(() => window.__e2eAsked)) === 0, 'the viewer was asked for a camera or microphone');
    expect(await v.evaluate(() => window.__e2ePcs.at(-1).getSenders().every((x) => !x.track)), 'the viewer sends a track');
    await d.locator('.call-viewers[data-viewers="1"]').getByText('1 зритель').waitFor();
    expect(await receivesNothingOf(d, pv), 'the director receives the viewer');
    // The channel beside the broadcast: the student reads it but is no author there.
    await v.getByRole('button', { name: /^Чат/ }).click();
    const vPanel = v.getByRole('region', { name: 'Чат' });
    await vPanel.locator('.composer-closed').getByText('Писать в канал могут только авторы.').waitFor();
    expect((await vPanel.getByRole('textbox').count()) === 0, 'a viewer who may not post has a text box');
    await screen(v, 'call-chat-read-only');
    await vPanel.getByRole('button', { name: 'Скрыть чат' }).click();
    await vPanel.waitFor({ state: 'hidden' });
    await screen(v, 'call-broadcast-viewer');
    // A raised hand reaches the director, who brings the viewer on stage.
    await v.getByRole('button', { name: 'Поднять руку' }).click();
    await v.getByRole('button', { name: 'Опустить руку', pressed: true }).waitFor();
    const row = d.locator('.call-people-list li[data-hand="up"]', { hasText: 'Волкова Анастасия' });
    await row.waitFor();
    await d.locator('.call-hands').getByText(/Подняли руку: Волкова А/).waitFor();
    await screen(d, 'call-broadcast-host');
    await row.getByRole('button', { name: /^Вывести на сцену/ }).click();
    await v.locator('.call-in:not([data-viewer])').waitFor();
    await v.getByRole('button', { name: 'Выключить микрофон', pressed: true }).waitFor();
    await v.locator('.call-on-stage').waitFor();
    await receives(d, pv, ['audio', 'video'], 'the director (the viewer on stage)');
    await d.locator(`.call-tile[data-peer-id="${pv}"]`).waitFor();
    await d.locator('.call-viewers[data-viewers="0"]').waitFor();
    // And back among the viewers: nothing goes out again.
    await d.locator('.call-people-list li', { hasText: 'Волкова Анастасия' }).getByRole('button', { name: /^Вернуть в зрители/ }).click();
    await v.locator('.call-in[data-viewer="yes"]').waitFor();
    await v.waitForFunction(() => window.__e2ePcs.at(-1).getSenders().every((x) => !x.track));
    await endForAll(d);
    await v.locator('.call-out[data-left="ended"]').waitFor();
    for (const ctx of ccs.splice(0)) await ctx.close();
  });
  for (const ctx of ccs.splice(0)) await ctx.close();

  // ---------- calls: through a TURN relay only ----------
  /** The page's current connection: its configuration, every local candidate's type, and the
   *  selected pair (transport → selectedCandidatePairId → its local and remote candidates). */
  const selectedPair = (page) =>
    page.evaluate(async () => {
      const pc = window.__e2ePcs?.at(-1);
      if (!pc) return null;
      const stats = [...(await pc.getStats()).values()];
      const byId = new Map(stats.map((s) => [s.id, s]));
      const pair = byId.get(stats.find((s) => s.type === 'transport')?.selectedCandidatePairId);
      const side = (c) => c && { type: c.candidateType, address: c.address, port: c.port, relayProtocol: c.relayProtocol };
      return {
        policy: pc.getConfiguration().iceTransportPolicy,
        servers: pc.getConfiguration().iceServers?.flatMap((x) => x.urls) ?? [],
        localTypes: [...new Set(stats.filter((s) => s.type === 'local-candidate').map((s) => s.candidateType))],
        state: pair?.state,
        local: side(byId.get(pair?.localCandidateId)),
        remote: side(byId.get(pair?.remoteCandidateId)),
      };
    });

  await test('calls: through a TURN relay only — a server with --calls-turn-only; the class teacher and a student each receive the other’s audio and video, both connected from relay candidates, and coturn relays them to the media unit', async () => {
    if (!hasTurnserver()) {
      expect(process.env.CI !== 'true', 'turnserver (Debian’s coturn) is required here: apt-get install coturn');
      console.log('    note: turnserver (coturn) is missing; the TURN scenario did not run');
      return;
    }
    const rig = await startTurnRig({ bin, dist, freePort });
    extraStops.push(rig.stop);
    const ctxs = [];
    try {
      const signIn = async (who) => {
        const ctx = await callCtx(rig.base);
        ctxs.push(ctx);
        const page = await ctx.newPage();
        pagesToShoot.push(page);
        await login(page, who, PASSWORD, rig.base);
        return page;
      };
      const chats = await (await fetch(`${rig.base}/api/v1/chats`, { headers: await apiSession('ivanova@demo.parta.local', rig.base) })).json();
      const chat = chats.find((c) => c.kind === 'class' && c.title.includes('5А'))?.id;
      expect(chat, `no 5А class chat in ${JSON.stringify(chats.map((c) => [c.kind, c.title]))}`);
      const t = await signIn('ivanova@demo.parta.local');
      await t.goto(`${rig.base}/chats/${chat}`);
      await t.locator('[data-conn="live"]').waitFor();
      await t.getByRole('button', { name: 'Позвонить' }).click();
      await t.waitForURL(/\/calls\/\d+$/);
      const id = Number(new URL(t.url()).pathname.split('/').pop());
      await t.getByRole('button', { name: 'Войти с камерой' }).click();
      await inCall(t);
      const s = await signIn('student.5a@demo.parta.local');
      await s.goto(`${rig.base}/chats/${chat}`);
      await s.locator(`.call-banner[data-call-id="${id}"]`).getByRole('link', { name: 'Присоединиться' }).click();
      await s.waitForURL(new RegExp(`/calls/${id}$`));
      await s.getByRole('button', { name: 'Войти с камерой' }).click();
      await inCall(s);
      const [pt, ps] = [await myPeer(t), await myPeer(s)];
      await receives(t, ps, ['audio', 'video'], 'the teacher (through the relay)');
      await receives(s, pt, ['audio', 'video'], 'the student (through the relay)');

      const unit = unitPort(rig);
      expect(unit, `the server did not say where its media unit listens:\n${rig.partaLog}`);
      const [low, high] = rig.relayPorts;
      for (const [page, who] of [[t, 'the teacher'], [s, 'the student']]) {
        const got = await selectedPair(page);
        const seen = JSON.stringify(got);
        expect(got?.policy === 'relay', `${who}’s connection is not relay-only: ${seen}`);
        expect(got.servers.includes(`turn:127.0.0.1:${rig.relayPort}?transport=udp`), `${who}’s connection was not given the relay: ${seen}`);
        expect(got.state === 'succeeded', `${who}’s selected pair has not succeeded: ${seen}`);
        expect(got.local?.type === 'relay' && got.localTypes.join() === 'relay', `${who} connects from a candidate other than the relay: ${seen}`);
        // The local side is an address coturn allocated; the far side is the unit itself.
        expect(got.local.address === '127.0.0.1' && got.local.port >= low && got.local.port <= high, `${who}’s local candidate is not in coturn’s relay ports ${low}–${high}: ${seen}`);
        expect(got.remote?.address === '127.0.0.1' && got.remote.port === unit, `${who}’s remote candidate is not the media unit’s 127.0.0.1:${unit}: ${seen}`);
      }
      // coturn's own word: an allocation with each one's own credential (`<expiry>:<user id>`),
      // and permission to send to a peer.
      const idOf = async (who) => (await (await fetch(`${rig.base}/api/v1/me`, { headers: await apiSession(who, rig.base) })).json()).id;
      const allocated = new Set([...rig.turnLog.matchAll(/user <\d+:(\d+)>: incoming packet ALLOCATE processed, success/g)].map((m) => Number(m[1])));
      for (const who of ['ivanova@demo.parta.local', 'student.5a@demo.parta.local']) {
        const id = await idOf(who);
        expect(allocated.has(id), `coturn allocated nothing for ${who} (user ${id}), only for ${[...allocated]}:\n${rig.turnLog.slice(-3000)}`);
      }
      expect(/(CREATE_PERMISSION|CHANNEL_BIND) processed, success/.test(rig.turnLog), `coturn gave no permission to send to a peer:\n${rig.turnLog.slice(-3000)}`);
      await endForAll(t);
      await s.locator('.call-out[data-left="ended"]').waitFor();
    } finally {
      for (const ctx of ctxs) await ctx.close();
      extraStops.splice(extraStops.indexOf(rig.stop), 1);
      rig.stop();
    }
  });

  await test('year transition: on a server of its own, the admin opens «Переход на новый год» (loaded on demand), is led to create the missing next year, creates 2027/2028, keeps 9А on to 10th, marks a 5А student kept down (a move with no class refused at its field), previews and runs it after the confirmation; the 5А class teacher finds «6А — класс» and the subject chat an archive with no composer', async () => {
    // The transition changes the whole demo school: a demo server of its own, with its own data.
    const ytDemo = await startDemo('parta-e2e-yeartr-');
    const yt = ytDemo.url;
    extraStops.push(ytDemo.stop);
    const ctxs = [];
    try {
      await ytDemo.ready();
      const actx = await newContext();
      ctxs.push(actx);
      const a = await actx.newPage();
      pagesToShoot.push(a);
      await login(a, 'admin@demo.parta.local', PASSWORD, yt);
      await a.goto(`${yt}/school/1/structure`);
      await a.getByRole('heading', { name: 'Подразделения' }).waitFor();
      const chunk = a.waitForResponse((r) => /\/assets\/transition-[\w-]+\.js$/.test(new URL(r.url()).pathname));
      await a.locator('nav.tabs').getByRole('link', { name: 'Переход на новый год' }).click();
      await chunk;
      await a.getByRole('heading', { name: 'Переход на новый учебный год' }).waitFor();
      // No year after 2026/2027 yet: the page says so and leads to creating it.
      await a.getByText('Нового учебного года, который начинается после 2026/2027, пока нет.', { exact: false }).waitFor();
      expect(await a.getByRole('button', { name: 'Показать, что изменится' }).isDisabled(), 'the preview is offered with no new year');
      await a.getByRole('link', { name: 'Создать новый учебный год' }).click();
      await a.getByRole('heading', { name: 'Учебные годы' }).waitFor();

      // Beforehand, through the API: the next year, and a subject chat of 5А (its teacher starts it).
      const director = await apiSession('admin@demo.parta.local', yt);
      const made = await fetch(`${yt}/api/v1/orgs/1/years`, {
        method: 'POST',
        headers: director,
        body: JSON.stringify({
          name: '2027/2028',
          starts_on: '2027-09-01',
          ends_on: '2028-05-31',
          period_kind: 'halves',
          school_days: 5,
          periods: [
            { starts_on: '2027-09-01', ends_on: '2027-12-28' },
            { starts_on: '2028-01-11', ends_on: '2028-05-31' },
          ],
        }),
      });
      expect(made.status === 201 || made.status === 200, `the year was not created: ${made.status} ${await made.text()}`);
      const ivanova = await apiSession('ivanova@demo.parta.local', yt);
      const subject = await (
        await fetch(`${yt}/api/v1/orgs/1/chats`, { method: 'POST', headers: ivanova, body: JSON.stringify({ kind: 'subject', class_id: 3, title: 'История' }) })
      ).json();
      expect(subject.title === 'История — 5А', `subject chat ${JSON.stringify(subject)}`);

      await a.locator('nav.tabs').getByRole('link', { name: 'Переход на новый год' }).click();
      await a.getByRole('heading', { name: 'Переход на новый учебный год' }).waitFor();
      const form = a.locator('form.ytr-form');
      const fromSel = lbl(form, 'Завершается учебный год');
      await fromSel.locator('option', { hasText: '2026/2027' }).waitFor({ state: 'attached' });
      expect((await fromSel.locator('option:checked').innerText()).startsWith('2026/2027'), 'the ending year is not 2026/2027');
      expect((await lbl(form, 'Новый учебный год').locator('option:checked').innerText()).startsWith('2027/2028'), 'the new year is not 2027/2028');
      expect(await form.getByRole('checkbox', { name: '9 классы' }).isChecked(), '9th grade does not leave by default');
      expect(await form.getByRole('checkbox', { name: '11 классы' }).isChecked(), '11th grade does not leave by default');
      expect(!(await form.getByRole('checkbox', { name: '5 классы' }).isChecked()), '5th grade leaves by default');
      await form.getByRole('checkbox', { name: '9А продолжает в 10 классе' }).check();
      // The exceptions: picked by name.
      const find = lbl(form, 'Найти ученика');
      await find.fill('Лебедев');
      await form.getByText('Найден 1 ученик').waitFor();
      await form.getByRole('button', { name: 'Добавить исключение' }).click();
      const kept = form.getByRole('group', { name: 'Лебедев Артём Андреевич, 5А' });
      await kept.waitFor();
      expect((await lbl(kept, 'Что с учеником').locator('option:checked').innerText()) === 'оставлен на второй год', 'kept down is not the first choice');
      await find.fill('Козлова');
      await lbl(form, 'Ученик').selectOption({ label: 'Козлова Варвара Ильинична, 5А' });
      await form.getByRole('button', { name: 'Добавить исключение' }).click();
      const moving = form.getByRole('group', { name: 'Козлова Варвара Ильинична, 5А' });
      await lbl(moving, 'Что с учеником').selectOption({ label: 'переводится в другой класс' });
      expect((await lbl(moving, 'В класс').locator('option').allInnerTexts()).join('|') === 'Выберите класс|1А|5Б|9А', 'the classes to move to');
      await lbl(form, 'Последний день выпускников').fill('2027-06-25');
      await screen(a, 'console-transition');
      // A move with no class: refused, at that field, in Russian.
      await form.getByRole('button', { name: 'Показать, что изменится' }).click();
      const target = moving.locator('select[name="exceptions[1].to_class_id"]');
      await target.and(a.locator('[aria-invalid="true"]')).waitFor();
      const said = await a.locator(`[id="${await target.getAttribute('aria-describedby')}"]`).innerText();
      expect(said === 'Обязательное поле.', `the field says «${said}»`);
      await form.getByRole('alert').waitFor();
      await a.waitForFunction(() => document.activeElement?.getAttribute('name') === 'exceptions[1].to_class_id');
      await screen(a, 'console-transition-refused');
      await moving.getByRole('button', { name: 'Убрать исключение: Козлова Варвара Ильинична' }).click();
      await countReaches(form.locator('.ytr-exception'), 1, 'exceptions after the removal');

      // A name the new year already has: the preview warns and the run is not offered until it is renamed.
      const early = await (
        await fetch(`${yt}/api/v1/orgs/1/classes`, { method: 'POST', headers: director, body: JSON.stringify({ name: '6А', grade: 6, academic_year: 2027 }) })
      ).json();
      expect(early.id, `the class was not made: ${JSON.stringify(early)}`);
      await form.getByRole('button', { name: 'Показать, что изменится' }).click();
      const plan = a.locator('section.ytr-plan');
      await plan.locator('.ytr-taken', { hasText: 'В 2027/2028 уже есть классы 6А.' }).waitFor();
      expect(await plan.getByRole('button', { name: 'Перейти на новый год' }).isDisabled(), 'the run is offered with a name taken');
      await screen(a, 'console-transition-taken');
      const renamed = await fetch(`${yt}/api/v1/orgs/1/classes/${early.id}`, { method: 'PATCH', headers: director, body: JSON.stringify({ name: '6В' }) });
      expect(renamed.ok, `the class was not renamed: ${renamed.status} ${await renamed.text()}`);

      // The preview: nothing changes yet.
      await form.getByRole('button', { name: 'Показать, что изменится' }).click();
      await countReaches(plan.locator('.ytr-taken'), 0, 'the warning after the renaming');
      await plan.getByRole('heading', { name: 'Что изменится: 2026/2027 → 2027/2028' }).waitFor();
      const row = (name) => plan.locator(`tr[data-class="${name}"]`);
      expect((await row('5А').locator('td').first().innerText()) === '5А → 6А', `5А: ${await row('5А').innerText()}`);
      expect((await row('5А').locator('td').nth(1).innerText()) === '3 ученика', `5А students: ${await row('5А').innerText()}`);
      expect((await row('9А').locator('td').first().innerText()) === '9А → 10А', `9А: ${await row('9А').innerText()}`);
      expect((await row('1А').locator('td').first().innerText()) === '1А → 2А', `1А: ${await row('1А').innerText()}`);
      await plan.locator('.ytr-planned-exceptions li', { hasText: 'Лебедев Артём Андреевич (5А) остаётся на второй год — в 5А' }).waitFor();
      await plan.locator('.ytr-new-classes', { hasText: '5А' }).waitFor();
      await plan.locator('.ytr-chats-following li', { hasText: '5А — класс → 6А — класс' }).waitFor();
      await plan.locator('.ytr-chats-following li', { hasText: '9А — класс → 10А — класс' }).waitFor();
      await plan.locator('.ytr-chats-archived li', { hasText: 'История — 5А → История — 5А, 2026/2027' }).waitFor();
      expect((await plan.locator('.ytr-taken').count()) === 0, 'names are said to be taken');
      const before = await (await fetch(`${yt}/api/v1/orgs/1/classes`, { headers: director })).json();
      expect(!before.some((c) => c.name === '6А' && c.academic_year === 2027), 'the preview changed the classes');
      await screen(a, 'console-transition-preview');

      // Run, after the confirmation.
      await plan.getByRole('button', { name: 'Перейти на новый год' }).click();
      const dialog = a.getByRole('dialog', { name: 'Перейти на 2027/2028?' });
      await dialog.getByText('Отменить переход здесь будет нельзя.').waitFor();
      await dialog.getByText(/выпускники и выбывающие уйдут из школы 25/).waitFor();
      await axe(a, 'console-transition-confirm (desktop)');
      await dialog.getByRole('button', { name: 'Да, перейти на новый год' }).click();
      const done = a.locator('section.ytr-done');
      await done.getByRole('heading', { name: 'Школа перешла на 2027/2028' }).waitFor();
      await done.getByText('2026/2027 теперь в архиве.', { exact: false }).waitFor();
      await done.locator('tr[data-class="5А"]', { hasText: '5А → 6А' }).waitFor();
      await done.locator('.ytr-chats-archived li', { hasText: 'История — 5А' }).waitFor();
      await screen(a, 'console-transition-done');
      const after = await (await fetch(`${yt}/api/v1/orgs/1/classes`, { headers: director })).json();
      for (const name of ['2А', '6А', '6Б', '10А', '5А']) expect(after.some((c) => c.name === name && c.academic_year === 2027), `no ${name} in 2027/2028: ${JSON.stringify(after.map((c) => [c.name, c.academic_year]))}`);
      // The year list says the ending year is an archive.
      await a.goto(`${yt}/school/1/year`);
      await a.locator('.year-item[data-year="2026/2027"]').getByText('в архиве', { exact: true }).waitFor();
      expect((await a.locator('.year-item[data-year="2027/2028"]').getByText('в архиве', { exact: true }).count()) === 0, 'the new year is said to be archived');
      // Last year's classes take nobody new: the invite form offers the new year's only.
      await a.goto(`${yt}/school/1/invites`);
      const picker = a.locator('select[name="class_id"]');
      await picker.locator('option', { hasText: '6А' }).waitFor({ state: 'attached' });
      const offered = (await picker.locator('option').allTextContents()).map((o) => o.trim());
      expect(
        offered.includes('2А') && !offered.some((o) => ['1А', '5Б', '9А'].includes(o)),
        `the invite form offers ${offered.join(', ')}`,
      );

      // The class teacher of 5А: her class chat goes on as 6А's; the subject chat is an archive.
      const tctx2 = await newContext();
      ctxs.push(tctx2);
      const iv = await tctx2.newPage();
      pagesToShoot.push(iv);
      await login(iv, 'ivanova@demo.parta.local', PASSWORD, yt);
      await iv.goto(`${yt}/chats`);
      const list = iv.locator('.chat-list');
      await list.locator('.chat-link', { hasText: '6А — класс' }).waitFor();
      expect((await list.locator('.chat-title', { hasText: /^5А — класс$/ }).count()) === 0, 'the class chat kept its old name');
      const archivedLink = list.locator(`.chat-link[data-chat-id="${subject.id}"]`);
      await archivedLink.locator('.chat-archived', { hasText: 'Архив' }).waitFor();
      expect((await archivedLink.locator('.chat-title').innerText()) === 'История — 5А, 2026/2027', `archived title «${await archivedLink.locator('.chat-title').innerText()}»`);
      await archivedLink.click();
      await iv.waitForURL(new RegExp(`/chats/${subject.id}$`));
      await conv(iv).getByText('Чат в архиве — только для чтения.').waitFor();
      expect((await conv(iv).getByLabel(/^Сообщение/).count()) === 0, 'an archive has a composer');
      await screen(iv, 'chat-archived');
    } finally {
      for (const ctx of ctxs) await ctx.close();
      extraStops.splice(extraStops.indexOf(ytDemo.stop), 1);
      ytDemo.stop();
    }
  });

  await test('direct chat from a person card', async () => {
    const ctxs = [];
    const open = (who) => signedInPage(ctxs, who);
    const openInfo = async (page, chat) => {
      await page.goto(`${base}/chats`);
      await page.getByRole('link', { name: new RegExp(chat) }).click();
      await conv(page).getByRole('heading', { name: chat }).waitFor();
      await conv(page).getByRole('button', { name: /^О чате/ }).click();
      const panel = page.getByRole('dialog', { name: 'О чате' });
      await panel.waitFor();
      return panel;
    };
    const noWrite = (card) => card.getByRole('button', { name: 'Написать' }).count();
    try {
      // The class teacher: badges beside the names in the 5А class chat, then a student's card.
      const tp = await open('ivanova@demo.parta.local');
      const panel = await openInfo(tp, '5А — класс');
      const self = panel.locator('.chat-member', { hasText: 'Иванова Мария Сергеевна' });
      await self.locator('.badge--teacher', { hasText: 'Учитель' }).waitFor();
      const mark = self.locator('.badge--verified');
      expect((await mark.textContent()).includes('Подтверждённый педагог'), 'the verified mark has no name to be read out');
      expect((await self.locator('.person-link').count()) === 0, 'one’s own name opens a card');
      const row = panel.locator('.chat-member', { hasText: 'Лебедев Артём Андреевич' });
      await row.locator('.badge--student', { hasText: 'Обучающийся' }).waitFor();
      await row.getByRole('button', { name: 'Лебедев Артём Андреевич', exact: true }).click();
      const card = tp.getByRole('dialog', { name: 'Лебедев Артём Андреевич' });
      await card.locator('.person-card[data-state="shown"]').waitFor();
      await card.locator('.badge--student', { hasText: 'Обучающийся' }).waitFor();
      await card.locator('dd', { hasText: '5А' }).waitFor();
      await screen(tp, 'person-card');
      await card.getByRole('button', { name: 'Написать' }).click();
      await tp.waitForURL(/\/chats\/\d+$/);
      await conv(tp).getByRole('heading', { name: 'Лебедев Артём' }).waitFor();
      expect((await tp.getByRole('dialog').count()) === 0, 'a dialog stays open over the direct chat');
      const hello = `Артём, зайди, пожалуйста, после уроков в 214 кабинет (${stamp})`;
      await send(tp, hello);
      await msg(tp, hello).waitFor();
      const chatId = Number(new URL(tp.url()).pathname.split('/').pop());
      const ivanovaApi = await apiSession('ivanova@demo.parta.local');
      const direct = await (await fetch(`${base}/api/v1/chats/${chatId}`, { headers: ivanovaApi })).json();
      expect(direct.kind === 'direct', `the chat opened is ${direct.kind}`);

      // Student safe mode: a 5А student may not write to a 5Б parent (hidden from her) nor to a classmate's parent.
      const studentApi = await apiSession('student.5a@demo.parta.local');
      const otherClass = await fetch(`${base}/api/v1/orgs/1/members/21`, { headers: studentApi });
      expect(otherClass.status === 404, `a 5Б parent's card answers ${otherClass.status} to a 5А student`);
      const classmateParent = await (await fetch(`${base}/api/v1/orgs/1/members/20`, { headers: studentApi })).json();
      expect(classmateParent.may_message === false, `a classmate's parent: may_message ${classmateParent.may_message}`);
      const refused = await fetch(`${base}/api/v1/orgs/1/direct`, { method: 'POST', headers: studentApi, body: JSON.stringify({ user_id: 21 }) });
      expect(refused.status === 404, `opening a direct chat with a 5Б parent answers ${refused.status}`);

      const sp = await open('student.5a@demo.parta.local');
      const channel = await openInfo(sp, 'Общешкольный канал');
      await lbl(channel, 'Найти участника').fill('Новикова');
      await channel.getByRole('button', { name: 'Новикова Татьяна Юрьевна', exact: true }).click();
      const hidden = sp.getByRole('dialog', { name: 'Новикова Татьяна Юрьевна' });
      await hidden.getByText('Правила школы не позволяют вам видеть сведения об этом человеке и писать ему.').waitFor();
      expect((await noWrite(hidden)) === 0, '«Написать» is offered for a 5Б parent');
      await axe(sp, 'person-card-hidden (desktop)');
      await sp.keyboard.press('Escape');
      await hidden.waitFor({ state: 'detached' });
      await lbl(channel, 'Найти участника').fill('Лебедева');
      await channel.getByRole('button', { name: 'Лебедева Светлана Игоревна', exact: true }).click();
      const parentCard = sp.getByRole('dialog', { name: 'Лебедева Светлана Игоревна' });
      await parentCard.locator('.badge--parent', { hasText: 'Родитель (законный представитель)' }).waitFor();
      await parentCard.getByText('Правила школы не позволяют вам писать этому человеку лично.').waitFor();
      expect((await noWrite(parentCard)) === 0, '«Написать» is offered for a classmate’s parent');
      await sp.setViewportSize(PHONE);
      await axe(sp, 'person-card-no-write (phone)');
      await sp.screenshot({ path: join(shots, 'person-card-no-write-phone.png') });
      await sp.setViewportSize(DESKTOP);
      await sp.keyboard.press('Escape');
      await parentCard.waitFor({ state: 'detached' });
      await sp.keyboard.press('Escape');
      await channel.waitFor({ state: 'detached' });
      // A sender's name in the conversation opens the card too.
      await conv(sp).locator('.msg .person-link', { hasText: 'Петрова' }).first().click();
      const sender = sp.getByRole('dialog', { name: /^Петрова / });
      await sender.locator('.person-card[data-state="hidden"], .person-card[data-state="shown"]').waitFor();
      expect((await noWrite(sender)) === 0, '«Написать» is offered to a student for the director');
    } finally {
      for (const ctx of ctxs) await ctx.close();
    }
  });

  await test('curator compares schools', async () => {
    const ctxs = [];
    try {
      const page = await signedInPage(ctxs, 'curator@demo.parta.local');
      // A curator has no school: the landing page is the authority's comparison.
      await page.waitForURL(/\/authority\/\d+$/);
      const authorityId = Number(new URL(page.url()).pathname.split('/').pop());
      await page.getByRole('heading', { level: 1, name: 'Управление образования (демо)' }).waitFor();
      await page.getByText('Только числа: без сообщений, без имён детей и без контактов.', { exact: false }).waitFor();
      const table = page.getByRole('table', { name: /Школы управления за период/ });
      await table.getByRole('rowheader', { name: 'Школа № 1 (демо)' }).waitFor();
      // The header: the authority, and no chats, no journal, no console.
      const nav = page.locator('nav.mainnav');
      await nav.getByRole('link', { name: 'Управление образования' }).waitFor();
      for (const name of ['Чаты', 'Журнал', 'Управление школой', 'Мои классы', 'Оператор', 'Уроки', 'Дневник'])
        expect((await nav.getByRole('link', { name, exact: true }).count()) === 0, `the curator's header has «${name}»`);
      await screen(page, 'authority-comparison');
      // Readable at 390 px: the page itself does not scroll sideways, the table does in its box.
      await page.setViewportSize({ width: 390, height: 844 });
      const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, box: document.querySelector('.au-table-wrap').clientWidth }));
      expect(widths.doc <= 390 && widths.box <= 390, `the page is wider than a phone: ${JSON.stringify(widths)}`);
      await page.setViewportSize({ width: 1366, height: 900 });

      // Another period: the same figures as the API gives the curator.
      const stats = page.waitForResponse((r) => r.url().includes(`/api/v1/authorities/${authorityId}/statistics?period=week`));
      await page.getByRole('button', { name: 'Неделя', exact: true }).click();
      await stats;
      await page.locator('.period-dates[data-period="week"]').waitFor();
      const curator = await apiSession('curator@demo.parta.local');
      const api = await (await fetch(`${base}/api/v1/authorities/${authorityId}/statistics?period=week`, { headers: curator })).json();
      const demo = api.schools.find((s) => s.school === 'Школа № 1 (демо)');
      const students = demo.current.activity.find((a) => a.group === 'student');
      const weekly = students.people ? `${Math.round((100 * students.weekly_average) / students.people)}\u00a0%` : '—';
      const row = table.locator('tr', { has: page.getByRole('rowheader', { name: 'Школа № 1 (демо)' }) });
      const shown = await row.locator('td[data-measure="active_weekly.student"] .au-value').textContent();
      expect(shown === weekly, `students active in a week: ${shown}, the API says ${weekly}`);
      const withParent = `${Math.round((100 * demo.reach.students_with_parent) / demo.reach.students)}\u00a0%`;
      expect((await row.locator('td[data-measure="students_with_parent"] .au-value').textContent()) === withParent, 'students with a parent differ from the API');
      // Nothing personal: no curator or pupil names on the page.
      const text = await page.locator('main').innerText();
      expect(!text.includes('Громова') && !text.includes('5А'), 'the comparison shows a name or a class');

      // The CSV: semicolons, UTF-8 with a BOM, a row per school.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Скачать таблицу (CSV)' }).click()]);
      expect(download.suggestedFilename().endsWith('.csv'), `CSV named ${download.suggestedFilename()}`);
      const csv = readFileSync(await download.path());
      expect(csv[0] === 0xef && csv[1] === 0xbb && csv[2] === 0xbf, 'the CSV has no BOM');
      const lines = csv.toString('utf8').slice(1).trim().split('\r\n');
      expect(lines.length === 1 + api.schools.length, `CSV lines: ${lines.length}`);
      expect(lines[0].startsWith('Школа;') && lines.some((l) => l.startsWith('Школа № 1 (демо);')), `CSV: ${lines.join(' | ')}`);
      // Every measure as the server's XLSX (a zip: «PK» first).
      const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Все показатели (XLSX)' }).click()]);
      expect(xlsx.suggestedFilename().endsWith('.xlsx'), `XLSX named ${xlsx.suggestedFilename()}`);
      const book = readFileSync(await xlsx.path());
      expect(book[0] === 0x50 && book[1] === 0x4b, 'the XLSX is not a zip');

      // The curator reads figures only: a school's people and a class's reach are not theirs.
      for (const path of ['/api/v1/orgs/1/members', '/api/v1/orgs/1/classes/3/reach']) {
        const res = await fetch(`${base}${path}`, { headers: curator });
        expect(res.status === 404, `${path} as the curator: ${res.status}`);
      }
    } finally {
      for (const ctx of ctxs) await ctx.close();
    }
  });

  await test('operator manages authorities', async () => {
    const ctxs = [];
    const operatorApi = await apiSession('operator@demo.parta.local');
    try {
      const page = await signedInPage(ctxs, 'operator@demo.parta.local');
      await page.goto(`${base}/operator`);
      await page.locator('nav.tabs').getByRole('link', { name: 'Управления образования' }).click();
      await page.getByRole('heading', { level: 2, name: 'Управления образования', exact: true }).waitFor();
      await page.locator('tr[data-authority-id]', { hasText: 'Управление образования (демо)' }).waitFor();
      // Empty fields are refused at the fields.
      await page.getByRole('button', { name: 'Создать управление' }).click();
      await page.locator('input[aria-invalid="true"]').first().waitFor();
      expect((await lbl(page, 'Название').getAttribute('aria-invalid')) === 'true', 'an empty name is not marked');
      await lbl(page, 'Название').fill('Тестовое управление');
      await lbl(page, 'Регион').fill('Тверская область');
      await page.getByRole('button', { name: 'Создать управление' }).click();
      await page.getByText('Управление «Тестовое управление» создано.').waitFor();
      const card = page.locator('section.authority-card', { has: page.getByRole('heading', { level: 2, name: 'Тестовое управление' }) });
      await card.waitFor();
      const authorityId = await card.getAttribute('data-authority-id');

      // A curator with a new e-mail: the one-time code and the link, shown once.
      const email = `kurator-${Date.now().toString(36)}@example.org`;
      // The new authority has no curator yet: its form is open.
      expect(await card.locator('details.au-add').evaluate((d) => d.open), 'the curator form of a new authority is closed');
      await lbl(card, 'Фамилия').fill('Смирнова');
      await lbl(card, 'Имя').fill('Ольга');
      await lbl(card, 'Отчество').fill('Петровна');
      await lbl(card, 'E-mail').fill(email);
      await card.getByRole('button', { name: 'Добавить куратора', exact: true }).click();
      const code = await lbl(card, 'Одноразовый код').inputValue();
      const link = await lbl(card, 'Ссылка, чтобы задать пароль').inputValue();
      expect(code.length >= 6 && link.includes(`/set-password?token=${encodeURIComponent(code)}`), `code ${code}, link ${link}`);
      await card.locator('[data-curator-id]', { hasText: 'Смирнова Ольга Петровна' }).waitFor();

      // The demo school moves to the new authority.
      await lbl(card, 'Выберите школу').selectOption({ label: 'Школа № 1 (демо)' });
      await card.getByRole('button', { name: 'Прикрепить школу' }).click();
      await card.locator('[data-org-id="1"]').waitFor();
      await page.locator(`tr[data-authority-id="${authorityId}"]`, { hasText: 'Школа № 1 (демо)' }).waitFor();
      await screen(page, 'operator-authorities');

      // The new curator sets a password by the link and lands on the new authority's schools.
      const cctx = await newContext();
      ctxs.push(cctx);
      const c = await cctx.newPage();
      pagesToShoot.push(c);
      await c.goto(link);
      expect((await lbl(c, 'Код из ссылки').inputValue()) === code, 'the link does not fill in the code');
      await lbl(c, 'Новый пароль').fill(NEW_PASSWORD);
      await c.getByRole('button', { name: 'Сохранить пароль' }).click();
      await c.getByRole('heading', { name: 'Пароль изменён' }).waitFor();
      await login(c, email, NEW_PASSWORD);
      await c.waitForURL(new RegExp(`/authority/${authorityId}$`));
      await c.getByRole('heading', { level: 1, name: 'Тестовое управление' }).waitFor();
      await c.getByRole('rowheader', { name: 'Школа № 1 (демо)' }).waitFor();

      // The operator opens the comparison from the console. (A server before the operator was
      // let read an authority's comparison answers 403: the page then says so, with «Повторить».)
      const compareLink = card.getByRole('link', { name: 'Сравнение школ: Тестовое управление' });
      expect((await compareLink.getAttribute('href')) === `/authority/${authorityId}`, 'the comparison link');
      const readable = (await fetch(`${base}/api/v1/authorities/${authorityId}/statistics`, { headers: operatorApi })).status;
      await compareLink.click();
      if (readable === 200) await page.getByRole('rowheader', { name: 'Школа № 1 (демо)' }).waitFor();
      else await page.getByRole('alert').getByRole('button', { name: 'Повторить' }).waitFor();

      // The platform's figures.
      await page.goto(`${base}/operator`);
      await page.locator('nav.tabs').getByRole('link', { name: 'Статистика платформы' }).click();
      await page.getByRole('heading', { level: 2, name: 'Статистика платформы' }).waitFor();
      const platform = await (await fetch(`${base}/api/v1/statistics?period=month`, { headers: operatorApi })).json();
      expect((await page.locator('dd[data-figure="authorities"]').textContent()) === String(platform.authorities), 'authorities differ from the API');
      expect((await page.locator('dd[data-figure="curators"]').textContent()) === String(platform.curators), 'curators differ from the API');
      await page.locator('table.platform-active tr[data-group="parent"]').waitFor();
      await page.getByRole('button', { name: 'Год', exact: true }).click();
      await page.locator('.period-dates[data-period="year"]').waitFor();
      await screen(page, 'operator-platform');
    } finally {
      // The demo school goes back to the demo authority, so other tests keep their data.
      await fetch(`${base}/api/v1/authorities/1/schools/1`, { method: 'PUT', headers: operatorApi });
      for (const ctx of ctxs) await ctx.close();
    }
  });

  // ---------- the notification centre: the bell, the page it opens ----------
  /** What the notification tests share: the parent and the class teacher over the API, the 5А parents chat. */
  const notif = { ready: null };
  async function notifWorld() {
    if (notif.ready) return notif.ready;
    notif.ready = (async () => {
      const parentApi = await apiSession('parent@demo.parta.local');
      const teacherApi = await apiSession('ivanova@demo.parta.local');
      const parentMe = await (await fetch(`${base}/api/v1/me`, { headers: parentApi })).json();
      const teacherMe = await (await fetch(`${base}/api/v1/me`, { headers: teacherApi })).json();
      const chats = await (await fetch(`${base}/api/v1/chats`, { headers: teacherApi })).json();
      const chat = chats.find((c) => c.title === '5А — родители');
      expect(chat, 'the class teacher has no 5А parents chat');
      // The demo's own week (marks, absences, homework) notifies the parent too: wait until it is all made.
      let top = -1;
      for (let still = 0, i = 0; still < 5 && i < 150; i++) {
        const p = await (await fetch(`${base}/api/v1/notifications?limit=1`, { headers: parentApi })).json();
        const id = p.items[0]?.id ?? 0;
        still = id === top ? still + 1 : 0;
        top = id;
        await new Promise((r) => setTimeout(r, 200));
      }
      return { parentApi, teacherApi, parentMe, teacherMe, chatId: chat.id };
    })();
    return notif.ready;
  }
  let notifSeq = 0;
  /** The class teacher posts in the 5А parents chat (over the API), mentioning the parent; the message's id. */
  async function mentionParent(text, extra = {}) {
    const w = await notifWorld();
    const body = `${text} @[${w.parentMe.given_name} ${w.parentMe.family_name}](${w.parentMe.id}) (${stamp})`;
    const res = await fetch(`${base}/api/v1/chats/${w.chatId}/messages`, {
      method: 'POST',
      headers: w.teacherApi,
      body: JSON.stringify({ client_msg_id: `notif-${stamp}-${++notifSeq}`, body, ...extra }),
    });
    expect(res.ok, `posting the mention answers ${res.status}: ${await res.clone().text()}`);
    return (await res.json()).id;
  }
  /** Marks all the parent's notifications read over the API (each test starts from none unread). */
  async function parentReadsAll() {
    const w = await notifWorld();
    const res = await fetch(`${base}/api/v1/notifications/read`, { method: 'POST', headers: w.parentApi, body: JSON.stringify({ all: true }) });
    expect(res.status === 204, `marking all read answers ${res.status}`);
  }
  const bell = (page) => page.locator('header button.bell');
  /** Waits until the bell's accessible name says `n` unread (or none). */
  const bellSays = async (page, n) => {
    const name = n === 0 ? 'Уведомления' : n === 1 ? 'Уведомления, 1 новое' : `Уведомления, ${n} новых`;
    await page.locator(`header button.bell[data-unread="${n}"]`).waitFor();
    const label = await bell(page).getAttribute('aria-label');
    expect(label === name, `the bell is named «${label}», expected «${name}»`);
    await page.getByRole('button', { name, exact: true }).waitFor();
  };

  await test('notifications: a mention lights the bell live; the centre lists it in Russian and opens the chat at the message, and the count goes to 0', async () => {
    const ctxs = [];
    try {
      const w = await notifWorld();
      const page = await signedInPage(ctxs, 'parent@demo.parta.local');
      // Signing in from a new browser is itself news («вход с нового устройства»): start from none unread.
      await parentReadsAll();
      await page.goto(`${base}/chats`);
      await page.locator('[data-conn="live"]').waitFor();
      await bellSays(page, 0);
      expect((await bell(page).locator('.bell-count').count()) === 0, 'a count shows on the bell with nothing unread');

      const messageId = await mentionParent('Напоминаю про собрание в четверг,');
      await bellSays(page, 1);
      expect((await bell(page).locator('.bell-count').innerText()) === '1', `the badge says ${await bell(page).locator('.bell-count').innerText()}`);

      await bell(page).click();
      await page.waitForURL(/\/notifications$/);
      await page.getByRole('heading', { name: 'Уведомления', level: 1 }).waitFor();
      const item = page.locator(`.nt-all .nt-item[data-message-id="${messageId}"]`);
      await item.waitFor();
      expect((await item.getAttribute('data-kind')) === 'mention' && (await item.getAttribute('data-read')) === 'false', `the mention is not an unread mention: ${await item.getAttribute('data-kind')}, read ${await item.getAttribute('data-read')}`);
      const first = await page.locator('.nt-all .nt-item').first().getAttribute('data-message-id');
      expect(first === String(messageId), `the newest item is not the mention but ${await page.locator('.nt-all .nt-item').first().innerText()}`);
      const text = await item.innerText();
      expect(text.includes('Вас упомянули в чате «5А — родители»'), `the item says: ${text}`);
      expect(text.includes(`${w.teacherMe.given_name} ${w.teacherMe.family_name}: Напоминаю про собрание`), `the item does not quote the teacher: ${text}`);
      expect((await item.locator('.visually-hidden', { hasText: 'Не прочитано' }).count()) === 1, 'the unread item is not told to screen readers');
      await page.getByText('1 непрочитанное', { exact: true }).waitFor();
      await screen(page, 'notifications');

      await item.getByRole('link').click();
      await page.waitForURL(new RegExp(`/chats/${w.chatId}\\?m=${messageId}$`));
      await page.locator(`.msg--found[data-message-id="${messageId}"]`).waitFor();
      await bellSays(page, 0);
      // Read on the server too: a reload keeps it at 0.
      for (let i = 0; i < 50; i++) {
        const p = await (await fetch(`${base}/api/v1/notifications`, { headers: w.parentApi })).json();
        if (p.unread === 0) break;
        expect(i < 49, `the server still counts ${p.unread} unread`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await page.reload();
      await page.locator('[data-conn="live"]').waitFor();
      await bellSays(page, 0);
    } finally {
      for (const ctx of ctxs) await ctx.close();
    }
  });

  await test('notifications: «Отметить все прочитанными» clears them here and on the other device; a post to confirm waits on top until confirmed', async () => {
    const ctxs = [];
    try {
      const w = await notifWorld();
      const page = await signedInPage(ctxs, 'parent@demo.parta.local');
      const other = await signedInPage(ctxs, 'parent@demo.parta.local');
      // Signing in from a new browser is itself news: start from none unread.
      await parentReadsAll();
      for (const p of [page, other]) {
        await p.goto(`${base}/chats`);
        await p.locator('[data-conn="live"]').waitFor();
      }
      await page.goto(`${base}/notifications`);
      await page.getByRole('heading', { name: 'Уведомления', level: 1 }).waitFor();
      await page.locator('.nt-all').waitFor();
      const before = await page.locator('.nt-all .nt-item').count();
      await mentionParent('Кто поедет на экскурсию,');
      const ackId = await mentionParent('Прошу подтвердить: в пятницу уроки до 12:00,', { needs_ack: true });
      await bellSays(page, 2);
      await bellSays(other, 2);
      // Arrived on the open page too, newest first.
      await countReaches(page.locator('.nt-all .nt-item'), before + 2, 'items after two mentions');
      await countReaches(page.locator('.nt-all .nt-item--unread'), 2, 'unread items');
      expect((await page.locator('.nt-all .nt-item').first().getAttribute('data-message-id')) === String(ackId), `the newest is not first: ${await page.locator('.nt-all .nt-item').first().innerText()}`);
      await page.getByText('2 непрочитанных', { exact: true }).waitFor();

      await page.getByRole('button', { name: 'Отметить все прочитанными' }).click();
      await countReaches(page.locator('.nt-all .nt-item--unread'), 0, 'unread items after marking all');
      await page.getByText('Все уведомления прочитаны.').waitFor();
      await bellSays(page, 0);
      await bellSays(other, 0);
      expect((await page.getByRole('button', { name: 'Отметить все прочитанными' }).count()) === 0, '«Отметить все прочитанными» stays with nothing unread');

      // The post to confirm: on top until confirmed (the page is read afresh when opened again).
      await page.reload();
      const awaiting = page.locator('section.nt-awaiting');
      await awaiting.getByRole('heading', { name: 'Ждут вашего подтверждения' }).waitFor();
      const post = awaiting.locator(`.nt-item[data-message-id="${ackId}"]`);
      await post.waitFor();
      expect((await post.innerText()).includes('«5А — родители»'), `the awaiting post says: ${await post.innerText()}`);
      await screen(page, 'notifications-awaiting');
      await post.getByRole('link').click();
      await page.waitForURL(new RegExp(`/chats/${w.chatId}\\?m=${ackId}$`));
      const shown = page.locator(`.msg--found[data-message-id="${ackId}"]`);
      await shown.waitFor();
      await shown.getByRole('button', { name: 'Ознакомлен(а)' }).click();
      await shown.getByText('Вы подтвердили прочтение').waitFor();
      await bell(page).click();
      await page.waitForURL(/\/notifications$/);
      await page.locator('.nt-all').waitFor();
      expect((await page.locator(`.nt-awaiting .nt-item[data-message-id="${ackId}"]`).count()) === 0, 'the confirmed post still waits');
    } finally {
      for (const ctx of ctxs) await ctx.close();
    }
  });

  await test('notifications: at phone size the bell is in reach and the centre is usable', async () => {
    const ctxs = [];
    try {
      const w = await notifWorld();
      const page = await signedInPage(ctxs, 'parent@demo.parta.local');
      await parentReadsAll();
      await page.setViewportSize(PHONE);
      await page.goto(`${base}/chats`);
      await page.locator('[data-conn="live"]').waitFor();
      const messageId = await mentionParent('Телефон: заберите, пожалуйста, форму,');
      await bellSays(page, 1);
      const box = await bell(page).boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= PHONE.width && box.y + box.height <= PHONE.height, `the bell is out of view: ${JSON.stringify(box)}`);
      expect(box.width >= 40 && box.height >= 40, `the bell is too small to tap: ${JSON.stringify(box)}`);
      // By keyboard: focus the bell and press Enter.
      await bell(page).focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/notifications$/);
      const item = page.locator('.nt-all .nt-item--unread').first();
      await item.waitFor();
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(wide <= PHONE.width, `the page scrolls sideways at phone size: ${wide}px`);
      await axe(page, 'notifications (phone)');
      await page.screenshot({ path: join(shots, 'notifications-phone.png'), fullPage: true });
      await item.getByRole('link').click();
      await page.waitForURL(new RegExp(`/chats/${w.chatId}\\?m=${messageId}$`));
      await page.locator(`.msg--found[data-message-id="${messageId}"]`).waitFor();
      await bellSays(page, 0);
    } finally {
      for (const ctx of ctxs) await ctx.close();
    }
  });

  await test('notifications: a sign-in from a new device is told, and «Это не я» ends that session', async () => {
    const ctxs = [];
    try {
      const page = await signedInPage(ctxs, 'parent@demo.parta.local');
      await parentReadsAll();
      await page.goto(`${base}/notifications`);
      await page.locator('.nt-all').waitFor();
      // Someone signs in as the parent from another browser.
      const stranger = await signedInPage(ctxs, 'parent@demo.parta.local');
      await stranger.goto(`${base}/chats`);
      await stranger.locator('[data-conn="live"]').waitFor();
      await bellSays(page, 1);
      const item = page.locator('.nt-all .nt-item[data-kind="login"]').first();
      await item.waitFor();
      const text = await item.innerText();
      expect(text.includes('Вход в вашу учётную запись с нового устройства'), `the item says: ${text}`);
      expect(/Chrome|Chromium|Linux/.test(text), `the item does not name the device: ${text}`);
      await axe(page, 'notifications (sign-in)');
      await item.getByRole('button', { name: 'Это не я — завершить сеанс' }).click();
      await item.getByRole('status').filter({ hasText: 'Сеанс на том устройстве завершён' }).waitFor();
      await bellSays(page, 0);
      // The other browser's session is over; this one's is not.
      await stranger.reload();
      await stranger.waitForURL(/\/login/);
      await page.reload();
      await page.locator('.nt-all').waitFor();
    } finally {
      for (const ctx of ctxs) await ctx.close();
    }
  });

  // Password recovery. The letter's words are the same for every address; the sign-in code
  // goes to Козлова Варвара (5А), whom no other test signs in as.
  const sentText = (page) => page.locator('[data-reset-sent] .alert').innerText();
  const askReset = async (page, email) => {
    await lbl(page, 'E-mail').fill(email);
    await page.getByRole('button', { name: 'Отправить ссылку' }).click();
    await page.locator('[data-reset-sent]').waitFor();
    return sentText(page);
  };

  await test('recovery: «Забыли пароль?» on the login page leads to the form; an unknown address gets the same calm answer as a known one', async () => {
    const ctx = await newContext();
    try {
      const page = await ctx.newPage();
      pagesToShoot.push(page);
      await page.goto(`${base}/login`);
      await page.getByRole('link', { name: 'Забыли пароль?' }).click();
      await page.waitForURL(/\/forgot-password$/);
      await page.getByRole('heading', { level: 1, name: 'Восстановление пароля' }).waitFor();
      const noEmail = page.getByText('Нет электронной почты? Попросите у классного руководителя код для входа');
      await noEmail.waitFor();
      expect((await page.getByRole('link', { name: '«Новый пароль»' }).getAttribute('href')) === '/set-password', 'the code link does not lead to /set-password');
      await screen(page, 'forgot-password');

      // A malformed address is refused in words, and what was typed stays.
      await lbl(page, 'E-mail').fill('not-an-address');
      await page.getByRole('button', { name: 'Отправить ссылку' }).click();
      await page.locator('.field-error, [role="alert"]').first().waitFor();
      const refusal = (await page.locator('.field-error, [role="alert"]').first().innerText()).trim();
      expect(refusal.length > 5 && !/invalid_email|422/.test(refusal), `the refusal reads «${refusal}»`);
      expect((await lbl(page, 'E-mail').inputValue()) === 'not-an-address', 'the address typed was lost');

      const unknown = `nobody-${stamp}@example.org`;
      const toUnknown = await askReset(page, unknown);
      expect(
        toUnknown.includes(`Если в «Парте» есть учётная запись с адресом ${unknown}, мы отправили на него ссылку для нового пароля. Она действует 30 минут. Не пришло письмо — проверьте папку «Спам».`),
        `the answer reads «${toUnknown}»`,
      );
      await noEmail.waitFor();
      await axe(page, 'forgot-password-sent (desktop)');
      await page.getByRole('button', { name: 'Отправить ещё раз' }).click();
      const known = 'deputy@demo.parta.local';
      const toKnown = await askReset(page, known);
      expect(toKnown.replace(known, '@') === toUnknown.replace(unknown, '@'), `a known address is answered otherwise: «${toKnown}»`);
    } finally {
      await ctx.close();
    }
  });

  await test('recovery: at phone size the forgot-password page fits the screen and works', async () => {
    const ctx = await newContext();
    try {
      const page = await ctx.newPage();
      pagesToShoot.push(page);
      await page.setViewportSize(PHONE);
      await page.goto(`${base}/login`);
      await page.getByRole('link', { name: 'Забыли пароль?' }).click();
      await page.getByRole('heading', { level: 1, name: 'Восстановление пароля' }).waitFor();
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(wide <= PHONE.width, `the page scrolls sideways at phone size: ${wide}px`);
      for (const el of [lbl(page, 'E-mail'), page.getByRole('button', { name: 'Отправить ссылку' })]) {
        const box = await el.boundingBox();
        expect(box && box.x >= 0 && box.x + box.width <= PHONE.width && box.height >= 40, `a control is out of view or too small: ${JSON.stringify(box)}`);
      }
      await axe(page, 'forgot-password (phone)');
      const unknown = `telefon-${stamp}@example.org`;
      await lbl(page, 'E-mail').click();
      await page.keyboard.type(unknown);
      await page.keyboard.press('Enter');
      await page.locator('[data-reset-sent]').waitFor();
      expect((await sentText(page)).includes(unknown), 'the answer does not name the address');
      const after = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(after <= PHONE.width, `the answer scrolls sideways at phone size: ${after}px`);
      await axe(page, 'forgot-password-sent (phone)');
      await page.screenshot({ path: join(shots, 'forgot-password-sent-phone.png'), fullPage: true });
    } finally {
      await ctx.close();
    }
  });

  await test('recovery: the class teacher gives a 5А student a sign-in code; typed in lower case without dashes, it sets a new password the student signs in with', async () => {
    const ctxs = [];
    try {
      const tp = await signedInPage(ctxs, 'ivanova@demo.parta.local');
      await tp.goto(`${base}/chats`);
      await tp.getByRole('link', { name: /5А — класс/ }).click();
      await conv(tp).getByRole('heading', { name: '5А — класс' }).waitFor();
      await conv(tp).getByRole('button', { name: /^О чате/ }).click();
      const panel = tp.getByRole('dialog', { name: 'О чате' });
      await panel.waitFor();
      const nameButton = panel.locator('.chat-member', { hasText: 'Козлова Варвара Ильинична' }).getByRole('button', { name: 'Козлова Варвара Ильинична', exact: true });
      await nameButton.click();
      const card = tp.getByRole('dialog', { name: 'Козлова Варвара Ильинична' });
      await card.locator('.person-card[data-state="shown"]').waitFor();
      await card.getByRole('button', { name: 'Выдать код для входа' }).click();

      const ask = tp.getByRole('dialog', { name: 'Выдать код для входа?' });
      await ask.getByText('Козлова Варвара Ильинична сможет задать новый пароль по этому коду. Старый пароль продолжит работать, пока код не использован.').waitFor();
      await axe(tp, 'sign-in-code-ask (desktop)');
      await ask.getByRole('button', { name: 'Выдать код', exact: true }).click();
      const shown = tp.getByRole('dialog', { name: 'Код для входа' });
      const value = shown.locator('[data-code]');
      await value.waitFor();
      const code = await value.getAttribute('data-code');
      expect(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(code), `the code is «${code}»`);
      expect((await value.innerText()).trim() === code, 'the code shown differs from the code given');
      expect(/monospace/.test(await value.evaluate((e) => getComputedStyle(e).fontFamily)), 'the code is not monospace');
      expect(parseFloat(await value.evaluate((e) => getComputedStyle(e).fontSize)) >= 20, 'the code is not large');
      await shown.locator('dd', { hasText: 'Козлова Варвара Ильинична' }).waitFor();
      await shown.getByText('Действует до').waitFor();
      await shown.getByText('Код показывается один раз. Передайте его лично — не пересылайте в чат.').waitFor();
      expect(await tp.evaluate(() => !!document.activeElement?.closest('dialog') && document.activeElement.classList.contains('sic-code')), 'focus is not on the code');
      await shown.getByRole('button', { name: 'Скопировать' }).click();
      await shown.getByText('Код скопирован.').waitFor();
      await axe(tp, 'sign-in-code (desktop)');
      await tp.setViewportSize(PHONE);
      await axe(tp, 'sign-in-code (phone)');
      await tp.screenshot({ path: join(shots, 'sign-in-code-phone.png') });
      await tp.setViewportSize(DESKTOP);
      await tp.keyboard.press('Escape');
      await shown.waitFor({ state: 'detached' });
      expect(
        await tp.evaluate(() => document.activeElement?.textContent?.trim() === 'Козлова Варвара Ильинична'),
        'focus did not return to the name the card was opened from',
      );

      // A fresh browser: «Новый пароль» with the code in lower case, no dashes.
      const sctx = await newContext();
      ctxs.push(sctx);
      const sp = await sctx.newPage();
      pagesToShoot.push(sp);
      await sp.goto(`${base}/set-password`);
      await sp.getByRole('heading', { level: 1, name: 'Новый пароль' }).waitFor();
      await screen(sp, 'set-password-code');
      await lbl(sp, 'Код из письма или от классного руководителя').fill(code.replaceAll('-', '').toLowerCase());
      await lbl(sp, 'Новый пароль').fill(NEW_PASSWORD);
      await sp.getByRole('button', { name: 'Сохранить пароль' }).click();
      await sp.getByRole('heading', { level: 1, name: 'Пароль изменён' }).waitFor();
      await sp.getByText('Войдите с новым паролем.').waitFor();
      await sp.getByRole('main').getByRole('link', { name: 'Войти' }).click();
      await sp.waitForURL(/\/login/);
      await login(sp, 'kozlova@demo.parta.local', NEW_PASSWORD);
      expect(!new URL(sp.url()).pathname.startsWith('/login'), 'the student is not signed in');
      // Once used, the code is spent.
      const again = await fetch(`${base}/api/v1/auth/set-password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: code, password: 'e2e-ещё-раз-2026' }),
      });
      expect(again.status === 409, `a used code answers ${again.status}`);
    } finally {
      for (const ctx of ctxs) await ctx.close();
    }
  });

  await test('push: the chat list offers notifications until answered — «Не сейчас» is remembered, «Включить» subscribes this browser', async () => {
    const ctxs = [];
    try {
      const first = await newContext();
      ctxs.push(first);
      await fakeBrowserPush(first, { prompt: true });
      const page = await first.newPage();
      pagesToShoot.push(page);
      await login(page, 'student.5a@demo.parta.local');
      await page.goto(`${base}/chats`);
      const offer = page.getByRole('region', { name: 'Уведомления' });
      await offer.getByText('Включите уведомления').waitFor();
      await screen(page, 'chats-push-offer');
      await offer.getByRole('button', { name: 'Не сейчас' }).click();
      await offer.waitFor({ state: 'detached' });
      await page.reload();
      await page.locator('.chats-list-pane').waitFor();
      expect((await page.getByRole('region', { name: 'Уведомления' }).count()) === 0, '«Не сейчас» is remembered');

      const second = await newContext();
      ctxs.push(second);
      await fakeBrowserPush(second, { prompt: true });
      const other = await second.newPage();
      pagesToShoot.push(other);
      await login(other, 'student.5a@demo.parta.local');
      await other.goto(`${base}/chats`);
      const again = other.getByRole('region', { name: 'Уведомления' });
      await again.getByRole('button', { name: 'Включить' }).click();
      await again.waitFor({ state: 'detached' });
      const devices = await other.evaluate(() => fetch('/api/v1/push/subscriptions').then((r) => r.json()));
      expect(devices.length === 1 && devices[0].current === true, `this browser is subscribed: ${JSON.stringify(devices)}`);
      await other.reload();
      await other.locator('.chats-list-pane').waitFor();
      expect((await other.getByRole('region', { name: 'Уведомления' }).count()) === 0, 'no offer once allowed');
    } finally {
      for (const ctx of ctxs) await ctx.close();
    }
  });

  await test('push: a parent turns on notifications on this device, chooses what they tell of (kept after a reload), and turns them off', async () => {
    const ctx = await newContext();
    try {
      await ctx.grantPermissions(['notifications'], { origin: base });
      await fakeBrowserPush(ctx);
      const page = await ctx.newPage();
      pagesToShoot.push(page);
      await login(page, 'parent@demo.parta.local');
      await page.goto(`${base}/notifications`);
      const section = page.locator('.nt-push');
      await section.locator('h2', { hasText: 'Уведомления на этом устройстве' }).waitFor();
      await page.locator('.nt-push[data-push="off"]').waitFor();
      await section.getByRole('button', { name: 'Включить уведомления' }).click();
      await page.locator('.nt-push[data-push="on"]').waitFor();
      await section.getByText('Уведомления на этом устройстве включены.').waitFor();
      const marks = section.getByRole('checkbox', { name: 'Оценки' });
      expect(await marks.isChecked(), 'marks are on by default');
      const saved = page.waitForResponse((r) => r.url().includes('/api/v1/push/subscriptions/') && r.request().method() === 'PUT');
      await marks.uncheck();
      expect((await saved).ok(), 'the choice is saved');
      await screen(page, 'push-settings');
      await page.reload();
      await page.locator('.nt-push[data-push="on"]').waitFor();
      expect(!(await section.getByRole('checkbox', { name: 'Оценки' }).isChecked()), 'the choice is kept on the server');
      expect(await section.getByRole('checkbox', { name: 'Новые сообщения в чатах' }).isChecked(), 'messages stay on');
      await section.getByRole('button', { name: 'Отключить на этом устройстве' }).click();
      await page.locator('.nt-push[data-push="off"]').waitFor();
      const left = await page.evaluate(() => fetch('/api/v1/push/subscriptions').then((r) => r.json()));
      expect(Array.isArray(left) && left.length === 0, `the server still has ${JSON.stringify(left)}`);
    } finally {
      await ctx.close();
    }
  });

  await test('digest: a parent chooses a daily digest in the profile (kept after a reload); the stop page asks before it stops and says when a link does not match', async () => {
    const ctxs = [];
    try {
      const page = await signedInPage(ctxs, 'parent@demo.parta.local');
      await page.goto(`${base}/profile`);
      const section = page.locator('section[aria-labelledby="digest-title"]');
      await section.getByRole('heading', { name: 'Сводка по почте' }).waitFor();
      await section.getByLabel('Каждый день').check();
      await page.locator('section[data-digest="daily"]').waitFor();
      await section.getByText(/Следующее письмо: /).waitFor();
      await axe(page, 'profile (digest)');
      await page.reload();
      await page.locator('section[data-digest="daily"]').waitFor();
      expect(await page.locator('section[aria-labelledby="digest-title"]').getByLabel('Каждый день').isChecked(), 'the choice is not kept');
      await page.locator('section[aria-labelledby="digest-title"]').getByLabel('Не присылать').check();
      await page.locator('section[data-digest="off"]').waitFor();

      // The stop link, opened without signing in: it asks first; a made-up token is refused in words.
      const anonymous = await newContext();
      ctxs.push(anonymous);
      const stop = await anonymous.newPage();
      await stop.goto(`${base}/unsubscribe?token=not-a-real-token`);
      await stop.getByRole('heading', { name: 'Сводка по почте' }).waitFor();
      await stop.getByText('Отписаться от сводки «Парты» на этот адрес?').waitFor();
      await axe(stop, 'unsubscribe');
      await stop.getByRole('button', { name: 'Отписаться' }).click();
      await stop.getByText('Ссылка не подошла. Отключите сводку в профиле «Парты».').waitFor();
      await stop.goto(`${base}/unsubscribe`);
      await stop.getByText(/В ссылке нет кода/).waitFor();
    } finally {
      for (const ctx of ctxs) await ctx.close();
    }
  });

  await test('recovery: the admin is offered a code on the members tab for a student, not for an admin (himself)', async () => {
    const ctxs = [];
    try {
      const ap = await signedInPage(ctxs, 'admin@demo.parta.local');
      await ap.goto(`${base}/school/1/members`);
      await lbl(ap, 'Поиск по ФИО').fill('Лебедев Артём');
      const row = ap.locator('.member-item', { hasText: 'Лебедев Артём Андреевич' });
      await row.locator('summary').click();
      await row.getByRole('button', { name: /^Выдать код для входа\s*: Лебедев Артём Андреевич$/ }).click();
      const ask = ap.getByRole('dialog', { name: 'Выдать код для входа?' });
      await ask.getByRole('button', { name: 'Отмена' }).click();
      await ask.waitFor({ state: 'detached' });
      await lbl(ap, 'Поиск по ФИО').fill('Белов');
      const adminRow = ap.locator('.member-item', { hasText: 'Белов Игорь Андреевич' });
      await adminRow.waitFor();
      expect((await adminRow.getByRole('button', { name: /^Выдать код для входа/ }).count()) === 0, 'a code is offered for an admin');
    } finally {
      for (const ctx of ctxs) await ctx.close();
    }
  });

  await test('profile: a person edits their name and language (kept on the account), the phone is refused in words; the school locks names and the admin corrects one with «Исправить ФИО»', async () => {
    const ctxs = [];
    const adminApi = await apiSession('admin@demo.parta.local');
    const lock = (on) => fetch(`${base}/api/v1/orgs/1`, { method: 'PATCH', headers: adminApi, body: JSON.stringify({ names_locked: on }) });
    try {
      const page = await signedInPage(ctxs, 'secretary@demo.parta.local');
      await page.goto(`${base}/profile`);
      const nameForm = page.locator('form[aria-labelledby="name-title"]');
      await nameForm.getByRole('heading', { name: 'ФИО' }).waitFor();
      await lbl(nameForm, 'Фамилия').fill('Соколова-Белова');
      await nameForm.getByRole('button', { name: 'Сохранить ФИО' }).click();
      await nameForm.getByText('ФИО сохранено.').waitFor();
      await page.getByRole('heading', { name: 'Соколова-Белова Анна Павловна' }).waitFor();
      await screen(page, 'profile-edit');

      // No SMS gateway: the phone is refused, and the page says why.
      const phone = page.locator('section[data-contact="phone"]');
      await lbl(phone, 'Новый номер').fill('+7 912 000-00-00');
      await phone.getByRole('button', { name: 'Получить код' }).click();
      await phone.getByText(/Сервер пока не отправляет SMS/).waitFor();

      // The language goes with the account: English after a reload, and in /me.
      await page.locator('section[aria-labelledby="lang-title"]').getByLabel('English').check();
      await page.getByRole('heading', { name: 'Profile', exact: true }).waitFor();
      await page.locator('section[data-language="en"]').waitFor();
      const mine = await apiSession('secretary@demo.parta.local');
      const meNow = await (await fetch(`${base}/api/v1/me`, { headers: mine })).json();
      expect(meNow.language === 'en', `the account's language is ${meNow.language}`);
      await page.reload();
      await page.getByRole('heading', { name: 'Profile', exact: true }).waitFor();
      await axe(page, 'profile-edit (en)');
      await page.locator('section[aria-labelledby="lang-title"]').getByLabel('Русский').check();
      await page.getByRole('heading', { name: 'Профиль', exact: true }).waitFor();

      // The school keeps names to its register: the form is disabled, with why.
      expect((await lock(true)).ok, 'names locked');
      await page.reload();
      const locked = page.locator('form[data-names-locked="yes"]');
      await locked.getByText(/ФИО указывается только по списку школы/).waitFor();
      expect(await lbl(locked, 'Фамилия').isDisabled(), 'the name can still be typed while locked');

      // The admin corrects it on the members tab; the person's page follows live.
      const ap = await signedInPage(ctxs, 'admin@demo.parta.local');
      await ap.goto(`${base}/school/1/members`);
      await lbl(ap, 'Поиск по ФИО').fill('Соколова-Белова');
      const row = ap.locator('.member-item', { hasText: 'Соколова-Белова Анна Павловна' });
      await row.locator('summary').click();
      await row.getByRole('button', { name: /^Исправить ФИО\s*: Соколова-Белова Анна Павловна$/ }).click();
      const dialog = ap.getByRole('dialog', { name: 'Исправить ФИО' });
      await lbl(dialog, 'Фамилия').fill('Соколова');
      await axe(ap, 'members (correct a name)');
      await dialog.getByRole('button', { name: 'Сохранить' }).click();
      await dialog.getByText('ФИО исправлено.').waitFor();
      await page.getByRole('heading', { name: 'Соколова Анна Павловна' }).waitFor();
      const audit = await (await fetch(`${base}/api/v1/orgs/1/audit`, { headers: adminApi })).json();
      expect(audit.some((e) => e.action === 'name_corrected'), 'the correction is not in the audit log');
    } finally {
      await lock(false);
      for (const ctx of ctxs) await ctx.close();
    }
  });

  await test('chats: logging out closes the connection', async () => {
    await parent.getByRole('button', { name: 'Выйти' }).click();
    await parent.waitForURL(/\/login/);
    await parent.goto(`${base}/chats`);
    await parent.waitForURL(/\/login/);
  });
  await tctx.close();
  await pctx.close();
  await adminCtx.close();
} catch (e) {
  results.push({ name: 'setup', ok: false });
  console.log(`  ✗ setup\n    ${String(e?.stack || e)}`);
} finally {
  try {
    await browser?.close();
  } catch {
    /* ignore */
  }
  stopAll();
}

const lateCsp = cspViolations.splice(0);
if (lateCsp.length) {
  results.push({ name: 'no CSP violation after the last test', ok: false });
  console.log(`  ✗ ${lateCsp.length} Content Security Policy violation(s) after the last test:\n      ${lateCsp.join('\n      ')}`);
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`axe: ${axeReport.length} checks, ${axeReport.reduce((a, r) => a + r.violations, 0)} minor/moderate findings, ${axeReport.reduce((a, r) => a + r.serious, 0)} serious/critical`);
console.log(`screenshots: ${shots}`);
console.log(`time: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
// The failures again at the very end, where a log cut to its tail still shows them.
for (const r of results.filter((r) => !r.ok)) console.log(`failed: ${r.name}\n    ${r.why ?? ''}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
