// End to end: an imported report's findings reach the containers running that digest, and the
// container's severity counts equal the report's (the seed's posture-validation check); the
// authoritative source decides which of several sources a container shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncPosture } from '../propagation/index.js';
import { addContainers, addManifest, addSource } from '../propagation/test-support/fleet.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { showContainer } from '../views/index.js';
import { importReports } from './import-reports.js';
import { raw, TESTDATA } from './test-support/reports.js';

const kinds = await storeKindsToTest();
const KEYCLOAK_AMD64 = 'sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e';

function countsOf(findings: { severity: string }[]) {
  const c = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
  for (const f of findings) c[f.severity.toLowerCase() as keyof typeof c]++;
  return c;
}

describe.each(kinds)('imported findings propagate to containers on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
    await addManifest(store, KEYCLOAK_AMD64);
    const src = await addSource(store);
    await addContainers(store, src, [
      {
        id: 'iam/keycloak-0/keycloak',
        image: 'keycloak/keycloak:21.0.2',
        digest: KEYCLOAK_AMD64,
        workloadName: 'keycloak',
        namespace: 'iam',
      },
    ]);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('container severity counts equal the imported report', async () => {
    const r = await importReports(store, {
      format: 'grype',
      files: [`${TESTDATA}grype/keycloak-test.json`],
    });
    expect(r.errors).toEqual([]);
    await syncPosture(store);
    const c = await showContainer(store, 'iam/keycloak-0/keycloak');
    expect(c.imageDigest).toBe(KEYCLOAK_AMD64);
    expect(c.findingsSource).toBe('grype');
    // Counted per distinct vulnerability, as posture reports it: the report's distinct CVEs by severity.
    const doc = raw('grype/keycloak-test.json');
    const distinct = new Map<string, { severity: string }>();
    for (const m of doc.matches)
      distinct.set(m.vulnerability.id, { severity: m.vulnerability.severity.toUpperCase() });
    expect(c.counts).toEqual(countsOf([...distinct.values()]));
  });

  it('with a second source, the configured authoritative one is what the container shows', async () => {
    await importReports(store, {
      format: 'cyclonedx',
      files: [`${TESTDATA}cyclonedx-defectdojo/log4j.json`],
      image: KEYCLOAK_AMD64,
    });
    await syncPosture(store, { authoritativeSource: 'cyclonedx' });
    const c = await showContainer(store, 'iam/keycloak-0/keycloak', { authoritativeSource: 'cyclonedx' });
    expect(c.findingsSource).toBe('cyclonedx');
    expect(c.counts.critical).toBeGreaterThan(0); // log4shell and friends
    await syncPosture(store, { authoritativeSource: 'grype' });
    const g = await showContainer(store, 'iam/keycloak-0/keycloak', { authoritativeSource: 'grype' });
    expect(g.findingsSource).toBe('grype');
    expect(g.counts.critical).toBe(0);
  });
});
