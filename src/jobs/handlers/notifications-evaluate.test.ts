// When the scheduler queues notifications.evaluate: never ran → now; then once a minute; sooner
// when posture was recomputed after the last evaluation started (an API push, a collection…).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maintainPosture } from '../../propagation/index.js';
import { recordJobStarted } from '../../store/index.js';
import { createTestStore, type TestStore } from '../../store/test-support/stores.js';
import { notificationsEvaluateDue } from './notifications-evaluate.js';

describe('notificationsEvaluateDue', () => {
  let store: TestStore;
  beforeEach(async () => {
    store = await createTestStore('pglite');
  }, 120_000);
  afterEach(async () => {
    await store.dispose();
  });

  it('is due when never run, a minute after the last start, or after posture moved', async () => {
    const t0 = new Date();
    expect(await notificationsEvaluateDue(store, t0)).toBe(true);
    await maintainPosture(store, {}, { now: new Date(t0.getTime() - 5_000) });
    await recordJobStarted(store, 'notifications.evaluate', t0);
    expect(await notificationsEvaluateDue(store, new Date(t0.getTime() + 30_000))).toBe(false);
    expect(await notificationsEvaluateDue(store, new Date(t0.getTime() + 60_000))).toBe(true);
    await maintainPosture(store, {}, { now: new Date(t0.getTime() + 10_000) });
    expect(await notificationsEvaluateDue(store, new Date(t0.getTime() + 20_000))).toBe(true);
  }, 120_000);
});
