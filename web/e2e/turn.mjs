// A Parta server whose calls go through a TURN relay only, for one e2e scenario: Debian's
// coturn (`turnserver`) on a free loopback port, and `parta serve --demo` on its own data
// directory and port sharing a random secret with it, given `--calls-turn-only`. Both
// listen on 127.0.0.1 only; `stop()` ends both and removes their files.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether coturn is installed. */
export function hasTurnserver() {
  const r = spawnSync('turnserver', ['--version'], { stdio: 'ignore' });
  return !r.error;
}

/** Relay ports coturn may allocate from: a band of 100 of its own (random, as other runs may share
 *  the machine), so a relayed address is told from the unit's. */
function relayBand() {
  const low = 50_000 + 100 * Math.floor(Math.random() * 100);
  return [low, low + 99];
}

/**
 * Starts coturn and a relay-only Parta. `freePort()` gives free loopback TCP ports (coturn
 * listens on UDP and TCP on its port). Resolves once both answer.
 */
export async function startTurnRig({ bin, dist, freePort }) {
  const dir = mkdtempSync(join(tmpdir(), 'parta-e2e-turn-'));
  const secret = randomBytes(18).toString('base64url');
  const relayPort = await freePort();
  const port = await freePort();
  const relayPorts = relayBand();
  const rig = { base: `http://127.0.0.1:${port}`, relayPort, relayPorts, turnLog: '', partaLog: '', procs: [] };

  const turn = spawn(
    'turnserver',
    [
      '-n',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${relayPort}`,
      `--min-port=${relayPorts[0]}`,
      `--max-port=${relayPorts[1]}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=parta.test',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--allow-loopback-peers',
      `--userdb=${join(dir, 'turndb')}`,
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      '--log-file=stdout',
      '--verbose',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const parta = spawn(
    bin,
    [
      'serve', '--demo', '--listen', `127.0.0.1:${port}`, '--data', join(dir, 'parta'), '--web-dir', dist,
      '--calls-udp', '127.0.0.1:0',
      '--calls-turn-urls', `turn:127.0.0.1:${relayPort}?transport=udp`,
      // Joined with `=`: a random secret may begin with «-», which would read as a flag.
      `--calls-turn-secret=${secret}`,
      '--calls-turn-only',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PARTA_LOG: 'warn,parta_server::calls=info' } },
  );
  for (const [p, key] of [[turn, 'turnLog'], [parta, 'partaLog']]) {
    p.exited = false;
    p.on('exit', () => (p.exited = true));
    p.stdout.on('data', (d) => (rig[key] += d));
    p.stderr.on('data', (d) => (rig[key] += d));
    rig.procs.push(p);
  }
  rig.stop = () => {
    for (const p of rig.procs) if (!p.exited) p.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => {
      if (turn.exited) throw new Error(`turnserver exited:\n${rig.turnLog}`);
      return new RegExp(`UDP listener opened on\\s*:\\s*127\\.0\\.0\\.1:${relayPort}\\b`).test(rig.turnLog);
    }, 'turnserver listens');
    await waitFor(async () => {
      if (parta.exited) throw new Error(`the relay-only server exited:\n${rig.partaLog}`);
      return (await fetch(`${rig.base}/healthz`).catch(() => null))?.ok ?? false;
    }, 'the relay-only server answers');
  } catch (e) {
    rig.stop();
    throw e;
  }
  return rig;
}

/** The media unit's UDP port, from the server's log line once the unit started. */
export function unitPort(rig) {
  const m = /media unit listening\S*\s+address=127\.0\.0\.1:(\d+)/.exec(rig.partaLog.replace(/\x1b\[[0-9;]*m/g, ''));
  return m ? Number(m[1]) : null;
}

async function waitFor(ready, what) {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out: ${what}`);
}
