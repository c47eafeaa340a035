// Integration: a real docker-registry behind htpasswd basic auth. Credentials come from each
// documented source in turn — the Runsight config (through the CLI), RUNSIGHT_REGISTRY_AUTH,
// ~/.docker/config.json `auths`, and a docker-credential-* helper speaking the helper protocol.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/test-support/run-cli.js';
import { AuthError } from '../errors.js';
import { openImageSource } from '../open-image-source.js';
import { type BuiltImage, buildAndPush, imageToolsAvailable } from '../test-support/build-image.js';
import { startRegistry, type TestRegistry } from '../test-support/registry-server.js';
import { credentialResolver } from './credentials.js';

const USER = 'runsight';
const PASS = 'correct horse battery staple';
let reg: TestRegistry | undefined;
let img: BuiltImage;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runsight-auth-'));
  if (!(await imageToolsAvailable())) return;
  reg = await startRegistry({ htpasswd: { username: USER, password: PASS } });
  if (!reg) return;
  img = await buildAndPush({
    registry: reg.host,
    repository: 'private/app',
    tag: '1',
    credentials: { username: USER, password: PASS },
    platforms: [{ os: 'linux', architecture: 'amd64', layers: [{ files: { secret: 'not really\n' } }] }],
  });
}, 180_000);
afterAll(async () => {
  await reg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function dockerConfig(name: string, content: unknown): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'config.json'), JSON.stringify(content));
  return d;
}

describe('htpasswd-protected docker-registry', () => {
  it('401 without credentials is an AuthError; wrong password too', async (ctx) => {
    if (!reg) return ctx.skip();
    const none = credentialResolver({ env: {}, dockerConfigPath: join(dir, 'none.json') });
    const err = await (
      await openImageSource(`${reg.host}/private/app:1`, {
        insecureRegistries: [reg.host],
        credentials: none,
      })
    )
      .resolve()
      .catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/requires authentication.*no credentials were found/);
    const wrong = credentialResolver({
      env: {},
      config: { [reg.host]: { username: USER, password: 'nope' } },
    });
    const err2 = await (
      await openImageSource(`${reg.host}/private/app:1`, {
        insecureRegistries: [reg.host],
        credentials: wrong,
      })
    )
      .resolve()
      .catch((e) => e);
    expect(err2).toBeInstanceOf(AuthError);
    expect(err2.message).toMatch(/rejected the credentials from config registries/);
  });

  it('uses credentials from the Runsight config file (CLI)', async (ctx) => {
    if (!reg) return ctx.skip();
    const cfg = join(dir, 'runsight.yaml');
    writeFileSync(
      cfg,
      `registries:\n  "${reg.host}":\n    username: ${USER}\n    password: ${PASS}\n    insecure: true\n`,
      { mode: 0o600 }, // a config with credentials that others may read is loaded with a warning
    );
    const r = await runCli(
      [
        '--config',
        cfg,
        '--data-dir',
        join(dir, 'data'),
        '--format',
        'json',
        'image',
        'resolve',
        `${reg.host}/private/app:1`,
      ],
      {
        DOCKER_CONFIG: join(dir, 'empty'),
      },
    );
    expect(r.stderr).toBe('');
    expect(r.json<{ digest: string }>().digest).toBe(img.digest);
  });

  it('uses RUNSIGHT_REGISTRY_AUTH and ~/.docker/config.json auths', async (ctx) => {
    if (!reg) return ctx.skip();
    const viaEnv = credentialResolver({
      env: { RUNSIGHT_REGISTRY_AUTH: JSON.stringify({ [reg.host]: { username: USER, password: PASS } }) },
      dockerConfigPath: join(dir, 'none.json'),
    });
    const a = await (
      await openImageSource(`${reg.host}/private/app:1`, {
        insecureRegistries: [reg.host],
        credentials: viaEnv,
      })
    ).resolve();
    expect(a.digest).toBe(img.digest);
    const home = dockerConfig('docker-auths', {
      auths: { [reg.host]: { auth: Buffer.from(`${USER}:${PASS}`).toString('base64') } },
    });
    const viaDocker = credentialResolver({ env: { DOCKER_CONFIG: home } });
    const b = await (
      await openImageSource(`${reg.host}/private/app:1`, {
        insecureRegistries: [reg.host],
        credentials: viaDocker,
      })
    ).resolve();
    expect(b.digest).toBe(img.digest);
  });

  it('runs a docker-credential helper (credHelpers and credsStore)', async (ctx) => {
    if (!reg) return ctx.skip();
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    const log = join(dir, 'helper.log');
    // A helper implementing the protocol: server URL on stdin, JSON credentials on stdout.
    const helper = join(bin, 'docker-credential-runsighttest');
    writeFileSync(
      helper,
      `#!/bin/sh\n[ "$1" = get ] || exit 1\nread server\necho "$server" >> ${log}\nif [ "$server" = "${reg.host}" ]; then printf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASS}"}' "$server"; else echo "credentials not found in native keychain"; exit 1; fi\n`,
    );
    chmodSync(helper, 0o755);
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath}`;
    try {
      for (const [name, cfg] of [
        ['helpers', { credHelpers: { [reg.host]: 'runsighttest' } }],
        ['store', { credsStore: 'runsighttest' }],
      ] as const) {
        const resolver = credentialResolver({ env: { DOCKER_CONFIG: dockerConfig(name, cfg) } });
        const r = await (
          await openImageSource(`${reg.host}/private/app:1`, {
            insecureRegistries: [reg.host],
            credentials: resolver,
          })
        ).resolve();
        expect(r.digest).toBe(img.digest);
      }
      // "not found" from the helper means: no credentials (then 401 → AuthError), not a crash.
      const resolver = credentialResolver({
        env: { DOCKER_CONFIG: dockerConfig('store2', { credsStore: 'runsighttest' }) },
      });
      expect(await resolver('other.example')).toBeUndefined();
    } finally {
      process.env.PATH = oldPath;
    }
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(log, 'utf8')).toContain(reg.host);
  });
});
