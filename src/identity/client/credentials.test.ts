// Credential sources and their order: config, RUNSIGHT_REGISTRY_AUTH, REGISTRY_AUTH_FILE, Docker
// config.json (credHelpers, auths incl. Docker Hub's legacy key and identity tokens, credsStore).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { credentialResolver } from './credentials.js';

const dir = mkdtempSync(join(tmpdir(), 'runsight-creds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('credentialResolver', () => {
  const docker = file('config.json', {
    auths: {
      'https://index.docker.io/v1/': { auth: b64('hubuser:hubpass') },
      'https://ghcr.io': { auth: b64('gh:tok:with:colons') },
      'quay.io': { identitytoken: 'refresh-me' },
    },
  });

  it('reads Docker config auths, with Hub under its legacy key', async () => {
    const r = credentialResolver({ env: {}, dockerConfigPath: docker });
    expect(await r('docker.io')).toMatchObject({ kind: 'basic', username: 'hubuser', password: 'hubpass' });
    expect(await r('ghcr.io')).toMatchObject({ kind: 'basic', username: 'gh', password: 'tok:with:colons' });
    expect(await r('quay.io')).toMatchObject({ kind: 'identity', identityToken: 'refresh-me' });
    expect(await r('unknown.example')).toBeUndefined();
  });

  it('prefers the Runsight config, then the environment, then Docker', async () => {
    const r = credentialResolver({
      config: { 'ghcr.io': { token: 'from-config' } },
      env: {
        RUNSIGHT_REGISTRY_AUTH: JSON.stringify({
          'ghcr.io': { username: 'e', password: 'p' },
          'docker.io': { username: 'e2', password: 'p2' },
        }),
      },
      dockerConfigPath: docker,
    });
    expect(await r('ghcr.io')).toEqual({
      kind: 'token',
      token: 'from-config',
      origin: 'config registries.ghcr.io',
    });
    expect(await r('docker.io')).toMatchObject({ username: 'e2', origin: 'RUNSIGHT_REGISTRY_AUTH' });
  });

  it('reads REGISTRY_AUTH_FILE (containers auth.json)', async () => {
    const auth = file('auth.json', { auths: { 'registry.example:5000': { auth: b64('a:b') } } });
    const r = credentialResolver({
      env: { REGISTRY_AUTH_FILE: auth },
      dockerConfigPath: join(dir, 'missing.json'),
    });
    expect(await r('registry.example:5000')).toMatchObject({ username: 'a', password: 'b' });
  });

  it('rejects malformed environment and config files with the key named', async () => {
    await expect(credentialResolver({ env: { RUNSIGHT_REGISTRY_AUTH: '{nope' } })('x.io')).rejects.toThrow(
      ConfigError,
    );
    await expect(
      credentialResolver({ env: { RUNSIGHT_REGISTRY_AUTH: '{"x.io":{"user":"a"}}' } })('x.io'),
    ).rejects.toThrow(/RUNSIGHT_REGISTRY_AUTH/);
    const bad = file('bad.json', { auths: { 'x.io': { auth: b64('nocolon') } } });
    await expect(credentialResolver({ env: {}, dockerConfigPath: bad })('x.io')).rejects.toThrow(
      /base64\("user:password"\)/,
    );
  });

  it('reports a missing credential helper as an AuthError with advice', async () => {
    const cfg = file('helper.json', { credHelpers: { 'x.io': 'definitely-not-installed' } });
    await expect(credentialResolver({ env: {}, dockerConfigPath: cfg })('x.io')).rejects.toThrow(
      /docker-credential-definitely-not-installed could not run/,
    );
  });
});
