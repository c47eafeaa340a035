// Test support (for every stage's integration tests): starts Debian's `docker-registry`
// (distribution 2.8) on a free 127.0.0.1 port with temporary storage, optionally behind htpasswd
// basic auth or token auth. Usage:
//   const reg = await startRegistry({ htpasswd: { username: 'u', password: 'p' } });
//   if (!reg) return ctx.skip();   // only outside CI; under CI=true a failure to start throws
//   … `${reg.host}/app:1` …; await reg.stop();
// The registry speaks plain HTTP: pass `reg.host` in insecureRegistries (or --insecure-registry).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface StartRegistryOptions {
  /** Require basic auth with this user (htpasswd -Bbn). */
  htpasswd?: { username: string; password: string } | undefined;
  /**
   * Require bearer tokens from `realm` (distribution token auth): tokens are JWTs signed by the key
   * of `rootCertBundle` and carry `issuer`/`service`.
   */
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string } | undefined;
  /** Extra environment for the registry process (REGISTRY_* overrides). */
  env?: Record<string, string> | undefined;
}

export interface TestRegistry {
  /** `127.0.0.1:PORT` — the registry part of references. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Storage directory (filesystem driver root). */
  storage: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function cannotStart(reason: string): undefined {
  if (process.env.CI === 'true') throw new Error(`CI=true and docker-registry cannot start: ${reason}`);
  console.warn(`docker-registry cannot start (${reason}); registry integration tests are skipped outside CI`);
  return undefined;
}

/** Starts a registry, or returns undefined (outside CI) / throws (CI=true) when it cannot. */
export async function startRegistry(opts: StartRegistryOptions = {}): Promise<TestRegistry | undefined> {
  if (!existsSync(REGISTRY_BIN))
    return cannotStart(`${REGISTRY_BIN} is not installed (apt-get install docker-registry)`);
  const dir = mkdtempSync(join(tmpdir(), 'runsight-registry-'));
  const storage = join(dir, 'storage');
  const port = await freePort();
  let auth = '';
  if (opts.htpasswd) {
    let line: string;
    try {
      line = execFileSync('htpasswd', ['-Bbn', opts.htpasswd.username, opts.htpasswd.password], {
        encoding: 'utf8',
      });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      return cannotStart(`htpasswd failed (apt-get install apache2-utils): ${(err as Error).message}`);
    }
    writeFileSync(join(dir, 'htpasswd'), line.trim() + '\n');
    auth = `auth:\n  htpasswd:\n    realm: runsight-test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (opts.token) {
    const t = opts.token;
    auth = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.rootCertBundle}\n`;
  }
  const config = `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${storage}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:${port}
  secret: runsight-test-secret
${auth}`;
  const configPath = join(dir, 'config.yml');
  writeFileSync(configPath, config);
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', configPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
      if (!exited) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 401) return { host: `127.0.0.1:${port}`, url, storage, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  return cannotStart(
    `no answer on ${url}/v2/ within 15 s${stderr ? `: ${stderr.trim().slice(0, 500)}` : ''}`,
  );
}
