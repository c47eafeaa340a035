// notifications.evaluate (docs/notifications.md): for each rule, its current set from maintained
// posture (one store statement per rule), its stale sources (views/freshness.ts) and its failing
// checks (views/validate.ts), diffed against what it held last time (transitions.ts). Each
// transition becomes one notification_log row per destination, landed in the same transaction
// as the rule's new state; the caller queues one delivery job per row.
// Baseline: a rule seen for the first time (or whose scope, threshold or events changed) records
// what holds now and sends nothing, unless `notifyBaseline` is set.
// The validation checklist runs only for rules that send validation-failed, and only when posture
// was recomputed since it last ran, or an hour has passed (its "operationalised" check ages).
import { type Logger, silentLogger } from '../../core/logger.js';
import type { PostureConfig } from '../../propagation/index.js';
import { postureState } from '../../propagation/index.js';
import {
  getNotificationRule,
  type NotificationFact,
  type NotificationLogInsert,
  queryRuleSet,
  readNotificationFacts,
  type Store,
  saveNotificationOutcome,
} from '../../store/index.js';
import { getFreshness } from '../../views/freshness.js';
import { type ValidateConfig, validatePropagation } from '../../views/validate.js';
import type { NotificationRuleConfig } from '../config.js';
import { notificationBody } from './bodies.js';
import { destinationsOf } from './destinations.js';
import { type Rule, ruleOf } from './rules.js';
import { type Diff, diffFacts, diffVulnerabilities } from './transitions.js';

export interface EvaluateOptions {
  /** Posture settings (SLAs) and the cadences, as the validation checklist reads them. */
  posture?: (PostureConfig & Pick<ValidateConfig, 'cadence'>) | undefined;
  now?: Date | undefined;
  /** Send what a new rule finds on its first evaluation instead of recording it as the baseline. */
  notifyBaseline?: boolean | undefined;
  /** Workloads listed per notification (default 20; the body also says how many in all). */
  workloadLimit?: number | undefined;
  logger?: Logger | undefined;
}

export interface RuleEvaluation {
  rule: string;
  /** This evaluation recorded the rule's baseline. */
  baseline: boolean;
  /** Facts the rule holds open after it (vulnerabilities, stale sources, failing checks). */
  open: number;
  events: { event: string; key: string; status?: string | undefined }[];
  validated: boolean;
}

export interface EvaluateResult {
  rules: RuleEvaluation[];
  /** The notification_log rows written: one delivery each. */
  logIds: number[];
}

const REVALIDATE_MS = 3600_000;

export async function evaluateNotifications(
  store: Store,
  configs: readonly NotificationRuleConfig[],
  opts: EvaluateOptions = {},
): Promise<EvaluateResult> {
  const logger = opts.logger ?? silentLogger;
  const now = opts.now ?? new Date();
  const out: EvaluateResult = { rules: [], logIds: [] };
  const seen = new Set<string>();
  let posture: string | null | undefined;
  for (const config of configs) {
    if (seen.has(config.name)) {
      logger.warn('notification rule name used twice: only the first is evaluated', { rule: config.name });
      continue;
    }
    seen.add(config.name);
    const rule = ruleOf(config);
    const stored = await getNotificationRule(store, rule.name);
    const reset = !stored || stored.fingerprint !== rule.fingerprint;
    const previous = reset ? [] : await readNotificationFacts(store, rule.name);
    const current = await queryRuleSet(store, {
      rule: rule.name,
      scope: rule.scope,
      minRank: rule.minRank,
      workloadLimit: opts.workloadLimit,
    });
    const diffs: Diff[] = [diffVulnerabilities(rule, previous, current, now)];
    if (rule.on.has('stale'))
      diffs.push(diffFacts('stale', 'stale', rule, previous, await staleNow(store, rule, opts, now), now));
    let validatedPostureAt: string | null | undefined;
    if (rule.on.has('validation-failed')) {
      posture ??= (await postureState(store)).computedAt;
      const due =
        reset ||
        stored?.validatedPostureAt !== posture ||
        !stored?.validatedAt ||
        now.getTime() - stored.validatedAt.getTime() >= REVALIDATE_MS;
      if (due) {
        diffs.push(
          diffFacts(
            'check',
            'validation-failed',
            rule,
            previous,
            await failingChecks(store, rule, opts, now),
            now,
          ),
        );
        validatedPostureAt = posture;
      }
    }
    const transitions = reset && !opts.notifyBaseline ? [] : diffs.flatMap((d) => d.transitions);
    const destinations = destinationsOf(rule.config);
    if (transitions.length && !destinations.length)
      logger.warn('notification rule has no webhook or slack destination: events not sent', {
        rule: rule.name,
      });
    const log: NotificationLogInsert[] = [];
    for (const t of transitions) {
      const payload = notificationBody(rule, t, now) as unknown as Record<string, unknown>;
      for (const d of destinations)
        log.push({ rule: rule.name, event: t.event, key: t.key, destination: d.kind, host: d.host, payload });
    }
    const open = diffs.flatMap((d) => d.open);
    const close = diffs.flatMap((d) => d.close);
    const ids = await saveNotificationOutcome(store, {
      rule: rule.name,
      fingerprint: rule.fingerprint,
      at: now,
      reset,
      open,
      close,
      validatedPostureAt,
      log,
    });
    out.logIds.push(...ids);
    const stillOpen = reset ? open.length : openCount(previous, open, close);
    out.rules.push({
      rule: rule.name,
      baseline: reset,
      open: stillOpen,
      events: transitions.map((t) => ({ event: t.event, key: t.key, status: t.status })),
      validated: validatedPostureAt !== undefined,
    });
    if (reset) logger.info('notification rule baselined', { rule: rule.name, open: stillOpen });
    else if (transitions.length)
      logger.info('notification events', {
        rule: rule.name,
        events: transitions.length,
        notifications: ids.length,
      });
  }
  return out;
}

function openCount(
  previous: readonly NotificationFact[],
  open: readonly NotificationFact[],
  close: readonly { kind: string; key: string }[],
): number {
  const keys = new Set(previous.map((f) => `${f.kind}\u0000${f.key}`));
  for (const f of open) keys.add(`${f.kind}\u0000${f.key}`);
  for (const c of close) keys.delete(`${c.kind}\u0000${c.key}`);
  return keys.size;
}

/** The inventory sources (inside the rule's scope) and advisory feeds past their SLA now. */
async function staleNow(
  store: Store,
  rule: Rule,
  opts: EvaluateOptions,
  now: Date,
): Promise<Map<string, Record<string, unknown>>> {
  const f = await getFreshness(store, opts.posture ?? {}, now, { scope: rule.scope });
  const out = new Map<string, Record<string, unknown>>();
  for (const i of f.inventory)
    if (i.stale)
      out.set(`inventory:${i.name}`, { kind: 'inventory', name: i.name, at: i.at, sla: f.sla.inventoryAge });
  for (const a of f.advisories)
    if (a.stale)
      out.set(`advisories:${a.name}`, { kind: 'advisories', name: a.name, at: a.at, sla: f.sla.advisoryAge });
  return out;
}

/** The checks of the validation checklist that fail now, inside the rule's scope (no image or id given). */
async function failingChecks(
  store: Store,
  rule: Rule,
  opts: EvaluateOptions,
  now: Date,
): Promise<Map<string, Record<string, unknown>>> {
  const { checks } = await validatePropagation(store, {}, opts.posture ?? {}, now, { scope: rule.scope });
  return new Map(checks.filter((c) => c.status === 'fail').map((c) => [c.name, { evidence: c.evidence }]));
}
