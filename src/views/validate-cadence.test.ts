// The operationalisation check reads what actually ran: a configured cadence passes only when its
// input was refreshed within the interval (by a job, or by the CLI run from cron).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordJobFinished } from '../store/index.js';
import { createTestStore, type TestStore } from '../store/test-support/stores.js';
import { validatePropagation } from './validate.js';

describe('validate: operationalised', () => {
  let store: TestStore;
  const now = new Date('2026-12-01T12:00:00Z');
  const config = { cadence: { scan: '1h', advisories: '1d', inventory: '15m' } };

  beforeAll(async () => {
    store = await createTestStore('pglite');
  });
  afterAll(() => store?.dispose());

  async function detail(): Promise<string> {
    const { checks } = await validatePropagation(store, {}, config, now);
    const c = checks[5]!;
    expect(c.status).toBe('fail'); // no running containers, no SLA: never passes here
    return c.evidence;
  }

  it('a configured cadence that never ran is a problem, not a pass', async () => {
    const d = await detail();
    expect(d).toContain('cadence.scan=1h but it has never run');
    expect(d).toContain('cadence.inventory=15m but it has never run');
  });

  it('a job success within the interval counts; one older than the interval does not', async () => {
    await recordJobFinished(store, 'inventory.collect', new Date('2026-12-01T11:50:00Z')); // 10 min ago < 15m
    await recordJobFinished(store, 'scan.in-use', new Date('2026-12-01T10:30:00Z')); // 90 min ago > 1h
    const d = await detail();
    // A failing check lists only its problems: inventory is no longer one of them.
    expect(d).not.toContain('cadence.inventory');
    expect(d).toContain('cadence.scan=1h but it last ran 2026-12-01T10:30:00.000Z');
    expect(d).toContain('cadence.advisories=1d but it has never run');
  });
});
