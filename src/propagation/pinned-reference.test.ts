// End to end: a CMDB row pinned to an index digest under another name (`keycloak:21.0.2@sha256:347a…`
// is docker.io/library/keycloak; the Grype report said docker.io/keycloak/keycloak) is not scanned
// until the report of that digest is imported, then runs the report's linux/amd64 manifest, exactly.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/test-support/run-cli.js';
import { TESTDATA } from '../importers/test-support/reports.js';
import { openStore } from '../store/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-pinned-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// jq -r '.source.target | .repoDigests[0], .manifestDigest' grype/keycloak-test.json
const KEYCLOAK_INDEX = 'sha256:347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50';
const KEYCLOAK_AMD64 = 'sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e';

interface ContainerJson {
  id: string;
  imageDigest: string | null;
  matchMethod: string;
  confidence: string;
  counts: Record<string, number> | null;
}

describe('a pinned reference after importing the report of its digest', () => {
  it('resolves by the digest (index → the amd64 manifest the report read), exact, and is scanned', async () => {
    const dir = join(tmp, 'data');
    const cmdb = join(tmp, 'cmdb.csv');
    writeFileSync(
      cmdb,
      [
        'source_id,namespace,workload,container,image,platform',
        `vm-1/iam,iam,Deployment/keycloak,keycloak,keycloak:21.0.2@${KEYCLOAK_INDEX},linux/amd64`,
        `vm-2/iam,iam,Deployment/keycloak-arm,keycloak,keycloak:21.0.2@${KEYCLOAK_INDEX},linux/arm64`,
      ].join('\n'),
    );
    const cli = (...args: string[]) => runCli(['--data-dir', dir, '--format', 'json', ...args]);
    expect((await cli('inventory', 'import', cmdb, '--source-name', 'cmdb')).code).toBe(0);
    const byId = async () =>
      new Map((await cli('containers')).json<ContainerJson[]>().map((c) => [c.id, c] as const));
    expect((await byId()).get('cmdb/vm-1/iam')).toMatchObject({
      imageDigest: null,
      matchMethod: 'unresolved',
      counts: null,
    });

    expect((await cli('import', 'grype', `${TESTDATA}grype/keycloak-test.json`)).code).toBe(0);
    const after = await byId();
    expect(after.get('cmdb/vm-1/iam')).toMatchObject({
      imageDigest: KEYCLOAK_AMD64,
      matchMethod: 'index-digest+platform',
      confidence: 'exact',
      // one distinct vulnerability, CVE-2020-12413 (LOW), on 6 packages
      counts: { critical: 0, high: 0, medium: 0, low: 1, unknown: 0 },
    });
    // The report read only the amd64 manifest: an arm64 node's container is not given its findings.
    expect(after.get('cmdb/vm-2/iam')).toMatchObject({ imageDigest: null, matchMethod: 'unresolved' });
  });

  it('records the name a pinned reference carries as an alias of its digest', async () => {
    const dir = join(tmp, 'alias');
    const cmdb = join(tmp, 'alias.csv');
    writeFileSync(
      cmdb,
      [
        'source_id,namespace,container,image',
        `vm-1/iam,iam,keycloak,keycloak:21.0.2@${KEYCLOAK_INDEX}`,
        `vm-2/iam,iam,keycloak,mirror.example:5000/keycloak/keycloak@${KEYCLOAK_INDEX}`,
        'vm-3/iam,iam,keycloak,keycloak:21.0.2',
      ].join('\n'),
    );
    expect(
      (await runCli(['--data-dir', dir, 'inventory', 'import', cmdb, '--source-name', 'cmdb'])).code,
    ).toBe(0);
    const store = await openStore({ dataDir: dir });
    try {
      const names = await store.db
        .selectFrom('image_names')
        .select(['registry', 'repository', 'digest'])
        .orderBy('registry')
        .execute();
      // Only the pinned rows: a tag names no digest.
      expect(names).toEqual([
        { registry: 'docker.io', repository: 'library/keycloak', digest: KEYCLOAK_INDEX },
        { registry: 'mirror.example:5000', repository: 'keycloak/keycloak', digest: KEYCLOAK_INDEX },
      ]);
    } finally {
      await store.close();
    }
  });
});
