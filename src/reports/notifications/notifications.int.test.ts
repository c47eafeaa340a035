// Notifications end to end on a real store (PGlite and PostgreSQL) with findings and inventory
// written by the real stages (propagation/test-support/fleet.ts), posture maintained after every
// step, and a webhook receiver on loopback that verifies every signature:
//  - a rollout of 20 pods from an image with a critical vulnerability to a fixed image: exactly one
//    new-critical when the first pod appears, none for pods 2..20 nor for a rescan, exactly one
//    resolved when the last old pod goes;
//  - a rule for namespace cart never fires for namespace shop (and fires once for its own pod);
//  - rules pointing at 169.254.169.254 and at localhost (not in outbound.allowHosts) are refused,
//    the reason in the log row and in the logger;
//  - a rule's first evaluation is a baseline that sends nothing.
//  - a stale inventory source: one event when it passes its SLA, one when it recovers; a failing
//    validation check; KEV added to a held vulnerability.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../core/logger.js';
import { maintainPosture } from '../../propagation/index.js';
import {
  addContainers,
  addManifest,
  addScan,
  addSource,
  type C,
  digestOf,
} from '../../propagation/test-support/fleet.js';
import { listNotificationLog, listNotificationLogByIds, replaceKev } from '../../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../../store/test-support/stores.js';
import type { NotificationRuleConfig, OutboundConfig } from '../config.js';
import { deliverNotification } from './deliver.js';
import { evaluateNotifications } from './evaluate.js';
import { type Receiver, startReceiver } from './test-support/receiver.js';

const kinds = await storeKindsToTest();
const OLD = digestOf('notify-old');
const FIXED = digestOf('notify-fixed');
const SECRET = 'whsec_notify_test';
const CVE = 'CVE-2024-0001';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver(SECRET);
});
afterAll(async () => {
  await receiver.close();
});

describe.each(kinds)('notifications on a rollout (%s)', (kind) => {
  let store: TestStore;
  const warnings: { msg: string; fields?: Record<string, unknown> | undefined }[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (msg, fields) => warnings.push({ msg, fields }),
    error() {},
  };
  beforeEach(async () => {
    store = await createTestStore(kind);
    receiver.deliveries.length = 0;
    warnings.length = 0;
  }, 120_000);
  afterEach(async () => {
    await store.dispose();
  }, 120_000);

  it('sends one new-critical, nothing per pod or rescan, one resolved; scopes stay apart; SSRF refused', async () => {
    const rules: NotificationRuleConfig[] = [
      {
        name: 'shop-critical',
        on: ['new-kev', 'new-critical', 'resolved', 'rescored'],
        scope: { namespace: 'shop' },
        webhook: { url: `${receiver.url}/shop`, secret: SECRET },
      },
      {
        name: 'cart-critical',
        on: ['new-critical', 'resolved'],
        scope: { namespace: 'cart' },
        webhook: { url: `${receiver.url}/cart`, secret: SECRET },
      },
      {
        name: 'to-metadata',
        on: ['new-critical'],
        webhook: { url: 'http://169.254.169.254/latest/meta-data/' },
      },
      {
        name: 'to-localhost',
        on: ['new-critical'],
        webhook: { url: `http://localhost:${receiver.url.split(':')[2]}/x` },
      },
    ];
    const outbound: OutboundConfig = { allowHosts: [receiver.hostPort] };
    const src = await addSource(store);
    await addManifest(store, OLD);
    await addManifest(store, FIXED);
    const oldFindings = [
      { id: CVE, severity: 'CRITICAL' as const, pkg: 'openssl', fixed: '3.0.2' },
      { id: 'CVE-2024-0003', severity: 'LOW' as const, pkg: 'zlib' },
    ];
    await addScan(store, OLD, oldFindings);
    await addScan(store, FIXED, [{ id: 'CVE-2024-0003', severity: 'LOW', pkg: 'zlib' }]);
    await maintainPosture(store);

    /** One evaluation and the delivery of what it logged; the events per rule. */
    const step = async (): Promise<Record<string, string[]>> => {
      const r = await evaluateNotifications(store, rules, { logger });
      for (const id of r.logIds)
        await deliverNotification(store, rules, id, { outbound, logger }).catch(() => undefined);
      return Object.fromEntries(
        r.rules.map((x) => [x.rule, x.events.map((e) => `${e.event} ${e.key}`)] as const),
      );
    };
    const none = { 'shop-critical': [], 'cart-critical': [], 'to-metadata': [], 'to-localhost': [] };

    // The first evaluation is the baseline: nothing is sent.
    const first = await evaluateNotifications(store, rules, { logger });
    expect(first.rules.every((x) => x.baseline)).toBe(true);
    expect(first.logIds).toEqual([]);

    const pod = (i: number, digest: string, gen: string, more: Partial<C> = {}): C => ({
      id: `web-${gen}-${i}`,
      image: gen === 'old' ? 'shop/web:1.0' : 'shop/web:1.1',
      digest,
      namespace: 'shop',
      workloadName: 'web',
      ...more,
    });
    const land = async (cs: C[]) => {
      await addContainers(store, src, cs);
      await maintainPosture(store, { containerIds: cs.filter((c) => !c.removedAt).map((c) => c.id) });
    };

    // Pod 1 of the old image: one new-critical, for the shop rule (and the unscoped SSRF rules).
    await land([pod(1, OLD, 'old')]);
    expect(await step()).toEqual({
      ...none,
      'shop-critical': [`new-critical ${CVE}`],
      'to-metadata': [`new-critical ${CVE}`],
      'to-localhost': [`new-critical ${CVE}`],
    });
    // Pods 2..20: nothing.
    for (let i = 2; i <= 20; i++) {
      await land([pod(i, OLD, 'old')]);
      expect(await step()).toEqual(none);
    }
    // A rescan of the old image (same findings, a new scan): nothing.
    await addScan(store, OLD, oldFindings);
    await maintainPosture(store);
    expect(await step()).toEqual(none);

    // The rollout: each step adds a fixed pod and removes an old one; resolved only at the last.
    for (let i = 1; i <= 20; i++) {
      await land([pod(i, FIXED, 'new'), pod(i, OLD, 'old', { removedAt: new Date(Date.now() + 1) })]);
      const events = await step();
      if (i < 20) expect(events).toEqual(none);
      else expect(events).toEqual({ ...none, 'shop-critical': [`resolved ${CVE}`] });
    }

    // What the receiver got, every signature valid: exactly the two shop notifications.
    expect(receiver.deliveries.map((d) => [d.path, d.body.event])).toEqual([
      ['/shop', 'new-critical'],
      ['/shop', 'resolved'],
    ]);
    expect(receiver.deliveries.every((d) => d.signatureValid === true)).toBe(true);
    const [opened, resolved] = receiver.deliveries.map((d) => d.body);
    expect(opened).toMatchObject({
      event: 'new-critical',
      rule: 'shop-critical',
      scope: { namespace: ['shop'] },
      vulnerability: { id: CVE, severity: 'CRITICAL', kev: false, fixedVersions: ['3.0.2'] },
      containers: 1,
      workloads: [{ cluster: 'prod', namespace: 'shop', kind: 'Deployment', name: 'web', containers: 1 }],
      workloadsTotal: 1,
    });
    expect(new Date(String(opened!.at)).toISOString()).toBe(opened!.at);
    expect(resolved).toMatchObject({
      event: 'resolved',
      vulnerability: { id: CVE },
      containers: 0,
      workloads: [],
    });

    // The SSRF guard refused the other two, with the reason in the log and in the logger.
    const failed = await listNotificationLog(store, { status: 'failed' });
    expect(failed.map((f) => [f.rule, f.host]).sort()).toEqual([
      ['to-localhost', `localhost:${receiver.url.split(':')[2]}`],
      ['to-metadata', '169.254.169.254'],
    ]);
    expect(failed.find((f) => f.rule === 'to-metadata')!.lastError).toMatch(
      /refused outbound request to 169\.254\.169\.254: 169\.254\.169\.254 is a metadata address/,
    );
    expect(failed.find((f) => f.rule === 'to-localhost')!.lastError).toMatch(/is a loopback address/);
    expect(
      warnings
        .filter((w) => w.msg === 'notification delivery failed')
        .map((w) => w.fields?.rule)
        .sort(),
    ).toEqual(['to-localhost', 'to-metadata']);
    expect((await listNotificationLog(store, { status: 'delivered' })).length).toBe(2);
    expect(
      (
        await listNotificationLogByIds(
          store,
          failed.map((f) => f.id),
        )
      )
        .map((f) => f.rule)
        .sort(),
    ).toEqual(['to-localhost', 'to-metadata']);

    // A pod of the old image in namespace cart: the cart rule fires once; the shop rule stays quiet.
    await land([{ ...pod(1, OLD, 'old'), id: 'cart-1', namespace: 'cart', workloadName: 'cart' }]);
    const cart = await step();
    expect(cart['shop-critical']).toEqual([]);
    expect(cart['cart-critical']).toEqual([`new-critical ${CVE}`]);
    expect(receiver.deliveries.at(-1)!.body).toMatchObject({
      rule: 'cart-critical',
      scope: { namespace: ['cart'] },
    });
  }, 240_000);

  it('stale: one event when a source passes its SLA, none while it stays stale, one on recovery; validation-failed', async () => {
    const rules: NotificationRuleConfig[] = [{ name: 'health', on: ['stale', 'validation-failed'] }];
    const posture = { sla: { inventoryAge: '1h' } };
    const src = await addSource(store);
    await addManifest(store, OLD);
    await addContainers(store, src, [{ id: 'a-1', image: 'a:1', digest: OLD, namespace: 'shop' }]);
    await maintainPosture(store);
    const t0 = new Date();
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const events = async (now: Date, notifyBaseline = false) =>
      (await evaluateNotifications(store, rules, { posture, now, notifyBaseline })).rules[0]!.events.map(
        (e) => `${e.event} ${e.key} ${e.status}`,
      );
    // The first evaluation (told to send its baseline): the checklist fails (no cadences, no
    // advisories loaded), the inventory source is fresh.
    expect(await events(t0, true)).toEqual(['validation-failed operationalised open']);
    expect(await events(at(60_000))).toEqual([]);
    expect(await events(at(2 * 3600_000))).toEqual(['stale inventory:k8s open']);
    expect(await events(at(2 * 3600_000 + 60_000))).toEqual([]);
    // The source reports again: recovered.
    await addContainers(store, src, [{ id: 'a-2', image: 'a:1', digest: OLD, namespace: 'shop' }]);
    expect(await events(new Date(Date.now() + 1000))).toEqual(['stale inventory:k8s recovered']);
  }, 240_000);

  it('KEV added to a vulnerability already held: one new-kev (or rescored without new-kev), not a second on the next pass', async () => {
    const rules: NotificationRuleConfig[] = [
      {
        name: 'kev',
        on: ['new-kev', 'new-critical'],
        webhook: { url: `${receiver.url}/kev`, secret: SECRET },
      },
      { name: 'rescore', on: ['rescored'], webhook: { url: `${receiver.url}/rescore`, secret: SECRET } },
    ];
    const src = await addSource(store);
    await addManifest(store, OLD);
    await addScan(store, OLD, [{ id: CVE, severity: 'CRITICAL', pkg: 'openssl' }]);
    await addContainers(store, src, [{ id: 'a-1', image: 'a:1', digest: OLD, namespace: 'shop' }]);
    await maintainPosture(store);
    expect((await evaluateNotifications(store, rules)).logIds).toEqual([]); // baseline
    await store.transaction((tx) =>
      replaceKev(tx, [
        {
          cve_id: CVE,
          vendor: null,
          product: null,
          name: null,
          date_added: '2024-03-29',
          due_date: null,
          known_ransomware: null,
        },
      ]),
    );
    await maintainPosture(store);
    const r = await evaluateNotifications(store, rules);
    expect(r.rules.map((x) => [x.rule, x.events.map((e) => e.event)])).toEqual([
      ['kev', ['new-kev']],
      ['rescore', ['rescored']],
    ]);
    const again = await evaluateNotifications(store, rules);
    expect(again.logIds).toEqual([]);
  }, 240_000);
});
