// Audit entries: who, role, action, target, outcome; request-derived text cleaned; big details
// replaced by a note; read back newest first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '../../store/test-support/stores.js';
import { readAudit, recordAudit } from './audit.js';

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore('pglite');
});
afterAll(async () => {
  await store?.dispose();
});

describe('audit log', () => {
  it('records principal, action, target and outcome; anonymous when unauthenticated', async () => {
    await recordAudit(store, {
      principal: { subject: 'token:ci', role: 'operator', scope: {}, via: 'token', tokenId: 'x' },
      action: 'POST /api/v1/imports',
      target: 'trivy-report.json',
      outcome: 201,
      detail: { findings: 12 },
    });
    await recordAudit(store, { action: 'POST /api/v1/imports', outcome: 401 });
    await recordAudit(store, { subject: 'oidc:bob', action: 'GET /api/v1/containers', outcome: 403 });
    const { entries } = await readAudit(store);
    expect(entries.map((e) => [e.subject, e.role, e.action, e.target, e.outcome, e.detail])).toEqual([
      ['oidc:bob', null, 'GET /api/v1/containers', null, '403', null],
      ['anonymous', null, 'POST /api/v1/imports', null, '401', null],
      ['token:ci', 'operator', 'POST /api/v1/imports', 'trivy-report.json', '201', { findings: 12 }],
    ]);
  });

  it('cleans control characters and NUL (also inside detail) and caps big details', async () => {
    await recordAudit(store, {
      action: 'GET /api/v1/x\u001b[2J\u0000',
      target: 'a\nb',
      outcome: 'error',
      detail: { reason: 'nul\u0000here' },
    });
    await recordAudit(store, { action: 'POST /big', outcome: 'ok', detail: { blob: 'x'.repeat(5000) } });
    const { entries } = await readAudit(store, { limit: 2 });
    expect(entries[1]).toMatchObject({
      action: 'GET /api/v1/x\uFFFD[2J\uFFFD',
      target: 'a\uFFFDb',
      detail: { reason: 'nul\uFFFDhere' },
    });
    // The string is cut to 2048 characters (2047 x and …), so the JSON is {"blob":"…"}: 9 + 2048 + 2.
    expect(entries[0]?.detail).toEqual({ truncated: true, length: 2059 });
  });
});
