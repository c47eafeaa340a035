// `runsight token create|list|revoke`, run in-process on a PGlite data directory: the secret is
// printed once and works, list never shows it, revoke by name or id, bad input → exit 2.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../../server/auth/token-verifier.js';
import { openStore } from '../../../store/index.js';
import { runCli } from '../../test-support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-token-'));
const dir = join(tmp, 'data');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Listed {
  id: string;
  name: string;
  role: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

describe('runsight token', () => {
  let created: {
    id: string;
    name: string;
    role: string;
    scopes: string[];
    expiresAt: string | null;
    token: string;
  };

  it('create --format json prints exactly id, name, role, scopes, expiresAt and the token', async () => {
    const before = Date.now();
    const r = await runCli([
      '--data-dir',
      dir,
      '--format',
      'json',
      'token',
      'create',
      '--name',
      'ci-import',
      '--role',
      'operator',
      '--scope',
      'namespace=shop',
      '--scope',
      'cluster=prod',
      '--expires',
      '90d',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    created = r.json();
    expect(Object.keys(created)).toEqual(['id', 'name', 'role', 'scopes', 'expiresAt', 'token']);
    expect(created).toMatchObject({
      name: 'ci-import',
      role: 'operator',
      scopes: ['cluster=prod', 'namespace=shop'],
    });
    expect(created.token).toMatch(new RegExp(`^rs_${created.id}_[A-Za-z0-9_-]{43}$`));
    const expires = Date.parse(created.expiresAt!);
    const ninetyDays = 90 * 86_400_000;
    expect(expires).toBeGreaterThanOrEqual(before + ninetyDays);
    expect(expires).toBeLessThanOrEqual(Date.now() + ninetyDays);
  }, 180_000);

  it('the printed token authenticates with its role and scope', async () => {
    const store = await openStore({ dataDir: dir });
    try {
      const verifier = createTokenVerifier(store);
      const p = await verifier.verify(created.token);
      await verifier.flush(); // the last-use write lands before the store closes
      expect(p).toMatchObject({
        subject: 'token:ci-import',
        role: 'operator',
        scope: { clusters: ['prod'], namespaces: ['shop'] },
      });
    } finally {
      await store.close();
    }
  });

  it('create in a table says the token will not be shown again', async () => {
    const r = await runCli(['--data-dir', dir, 'token', 'create', '--name', 'viewer-1', '--role', 'viewer']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^token\s+rs_[0-9a-f]{16}_/m);
    expect(r.stdout).toMatch(/^scopes\s+\(all\)$/m);
    expect(r.stdout).toMatch(/^expires\s+never$/m);
    expect(r.stdout).toContain('will not be shown again');
  });

  it('list shows every token without a secret', async () => {
    const r = await runCli(['--data-dir', dir, '--format', 'json', 'token', 'list']);
    expect(r.code).toBe(0);
    const list = r.json<Listed[]>();
    expect(list.map((t) => t.name).sort()).toEqual(['ci-import', 'viewer-1']);
    const ci = list.find((t) => t.name === 'ci-import')!;
    expect(ci).toMatchObject({
      id: created.id,
      role: 'operator',
      scopes: ['cluster=prod', 'namespace=shop'],
      revokedAt: null,
    });
    expect(ci.lastUsedAt).not.toBeNull(); // the verification above used it
    expect(r.stdout).not.toContain(created.token.slice(20));
    expect(r.stdout).not.toContain('scrypt');
    const table = await runCli(['--data-dir', dir, 'token', 'list']);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+ROLE\s+SCOPES\s+CREATED\s+EXPIRES\s+LAST USED\s+REVOKED$/m);
    expect(table.stdout).not.toContain('rs_');
  });

  it('revoke by name, then the name is free again; revoke by id; unknown → exit 2', async () => {
    const r = await runCli(['--data-dir', dir, '--format', 'json', 'token', 'revoke', 'ci-import']);
    expect(r.code).toBe(0);
    expect(r.json<Listed>()).toMatchObject({ id: created.id, name: 'ci-import' });
    expect(r.json<Listed>().revokedAt).not.toBeNull();
    const store = await openStore({ dataDir: dir });
    try {
      expect(await createTokenVerifier(store).verify(created.token)).toBeNull();
    } finally {
      await store.close();
    }
    const again = await runCli(['--data-dir', dir, 'token', 'revoke', 'ci-import']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('no unrevoked token has the id or name "ci-import"');
    const list = (await runCli(['--data-dir', dir, '--format', 'json', 'token', 'list'])).json<Listed[]>();
    const viewer = list.find((t) => t.name === 'viewer-1')!;
    expect((await runCli(['--data-dir', dir, 'token', 'revoke', viewer.id])).code).toBe(0);
  });

  it('a live name cannot be taken twice', async () => {
    expect(
      (await runCli(['--data-dir', dir, 'token', 'create', '--name', 'dup', '--role', 'viewer'])).code,
    ).toBe(0);
    const r = await runCli(['--data-dir', dir, 'token', 'create', '--name', 'dup', '--role', 'admin']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a token named "dup" already exists');
  });

  it.each([
    [['--name', 'x', '--role', 'root'], 'role "root" is not one of viewer, operator, admin'],
    [['--name', 'x', '--role', 'viewer', '--scope', 'pod=a'], 'scope "pod=a" is not KIND=VALUE'],
    [['--name', 'x', '--role', 'viewer', '--scope', 'namespace='], 'scope "namespace=" is not KIND=VALUE'],
    [
      ['--name', 'x', '--role', 'viewer', '--expires', '3 months'],
      'expiry "3 months" is not a positive duration',
    ],
    [['--name', 'x', '--role', 'viewer', '--expires', '0d'], 'expiry "0d" is not a positive duration'],
    [
      ['--name', 'x', '--role', 'viewer', '--expires', '99999999d'],
      'expiry "99999999d" is not a positive duration',
    ],
    [['--name', 'bad name', '--role', 'viewer'], 'token name "bad name" is not accepted'],
    [['--role', 'viewer'], 'token create needs --name NAME'],
    [['--name', 'x'], 'token create needs --role'],
  ])('create %j → exit 2: %s', async (args, message) => {
    const r = await runCli(['--data-dir', dir, 'token', 'create', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
  });
});
