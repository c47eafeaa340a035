// `runsight validate`: the use case's validation checklist, run against the store
// (../shared/design/use-case.txt "Validation Checklist"). Each check passes, fails or is skipped
// (its inputs were not given), with the evidence that decided it.
import type { PostureConfig } from '../propagation/index.js';
import {
  durationToMs,
  FIGURE_SEVERITIES,
  findImageDigest,
  parseImageName,
  readRollups,
} from '../propagation/index.js';
import { rolloutCheck } from '../remediation/rollout.js';
import type { Store } from '../store/index.js';
import {
  canonicalVulnIds,
  countImageFindingsDirect,
  imageRunInScope,
  listJobRuns,
  queryImageCarries,
  queryImageWorkloads,
  queryMatchSummary,
  queryOwnerCoverage,
  queryPlatformSiblings,
  queryWorkloadContainers,
  scopeRestricts,
} from '../store/index.js';
import { getFreshness } from './freshness.js';
import type { ScopedRead } from './scoped-read.js';

export type CheckStatus = 'pass' | 'fail' | 'skip';
export interface Check {
  name: string;
  status: CheckStatus;
  evidence: string;
}

export interface ValidateInput {
  image?: string | undefined;
  vulnerability?: string | undefined;
  fixedImage?: string | undefined;
}

export interface ValidateConfig extends PostureConfig {
  cadence?:
    | { scan?: string | undefined; advisories?: string | undefined; inventory?: string | undefined }
    | undefined;
}

export const CHECK_NAMES = [
  'image-scanned-with-vulnerability',
  'workload-in-inventory',
  'posture-counts-match',
  'fixed-image-scanned',
  'deployment-improved',
  'operationalised',
] as const;

export async function validatePropagation(
  store: Store,
  input: ValidateInput,
  config: ValidateConfig = {},
  now = new Date(),
  opts: ScopedRead = {},
): Promise<{ checks: Check[] }> {
  const { scope } = opts;
  // Under an access scope an image counts as known only when a container inside it runs or ran it.
  const visibleDigest = async (ref: string): Promise<string | undefined> => {
    const d = await findImageDigest(store, ref).catch(() => undefined);
    if (!d || !scopeRestricts(scope)) return d;
    return (await imageRunInScope(store, await queryPlatformSiblings(store, d), scope)) ? d : undefined;
  };
  const checks: Check[] = [];
  const ids = input.vulnerability ? await canonicalVulnIds(store, input.vulnerability) : [];
  const idText = input.vulnerability ?? '';

  // 1. The known image is scanned and carries the known vulnerability.
  let digest: string | undefined;
  if (!input.image || !input.vulnerability) {
    checks.push(skip(CHECK_NAMES[0], 'give --image REF and --vulnerability ID'));
  } else {
    digest = await visibleDigest(input.image);
    if (!digest)
      checks.push(fail(CHECK_NAMES[0], `${input.image} has not been scanned (no digest known for it)`));
    else {
      const has = await imageHas(store, digest, ids.length ? ids : [idText]);
      checks.push(
        has
          ? pass(CHECK_NAMES[0], `${input.image} (${digest}) is scanned and carries ${idText} (${has})`)
          : fail(CHECK_NAMES[0], `${input.image} (${digest}) is scanned but does not carry ${idText}`),
      );
    }
  }

  // 2. A workload running it appears in inventory, by tag or digest, now or in history.
  let workloads: { cluster: string | null; namespace: string | null; kind: string | null; name: string }[] =
    [];
  if (!input.image) checks.push(skip(CHECK_NAMES[1], 'give --image REF'));
  else {
    const ref = parseImageName(input.image);
    const digests = digest ? await queryPlatformSiblings(store, digest) : [];
    const r = {
      rows: await queryImageWorkloads(store, { digests, image: input.image, repoDigest: ref?.digest }, scope),
    };
    workloads = r.rows;
    checks.push(
      r.rows.length
        ? pass(
            CHECK_NAMES[1],
            r.rows
              .map(
                (w) =>
                  `${w.cluster ?? '-'}/${w.namespace ?? '-'}/${w.kind ?? '-'}/${w.name} (${w.running ? 'running' : 'gone'}, ${w.how})`,
              )
              .join('; '),
          )
        : fail(
            CHECK_NAMES[1],
            `no container in inventory runs ${input.image}, by tag or digest, now or in history`,
          ),
    );
  }

  // 3. Every container's severity counts equal its image's.
  {
    const rows = await readRollups(store, 'container', { scope });
    const byDigest = new Map<string, Record<string, number>>();
    const mismatches: string[] = [];
    let compared = 0;
    for (const r of rows) {
      const d = r.labels.image_digest;
      if (!d || r.unscanned) continue;
      let image = byDigest.get(d);
      if (!image) {
        image = await countImageFindingsDirect(store, d);
        byDigest.set(d, image);
      }
      compared++;
      for (const s of FIGURE_SEVERITIES) {
        if (r.distinct[s] !== image[s])
          mismatches.push(`${r.key}: ${s} ${r.distinct[s]} ≠ image ${image[s]}`);
      }
    }
    const methods = await queryMatchSummary(store, { scope });
    const unresolved = methods
      .filter((m) => m.matchMethod === 'unresolved')
      .reduce((n, m) => n + m.containers, 0);
    if (!compared) checks.push(skip(CHECK_NAMES[2], 'no running container resolves to a scanned image yet'));
    else if (mismatches.length) checks.push(fail(CHECK_NAMES[2], mismatches.slice(0, 10).join('; ')));
    else
      checks.push(
        pass(
          CHECK_NAMES[2],
          `${compared} containers on ${byDigest.size} images: counts equal${unresolved ? ` (${unresolved} unresolved containers listed as coverage gaps)` : ''}`,
        ),
      );
  }

  // 4. The rebuilt image is scanned and lacks the vulnerability.
  let fixedDigest: string | undefined;
  if (!input.fixedImage || !input.vulnerability)
    checks.push(skip(CHECK_NAMES[3], 'give --fixed-image REF and --vulnerability ID'));
  else {
    fixedDigest = await visibleDigest(input.fixedImage);
    if (!fixedDigest) checks.push(fail(CHECK_NAMES[3], `${input.fixedImage} has not been scanned`));
    else if (await imageHas(store, fixedDigest, ids.length ? ids : [idText]))
      checks.push(fail(CHECK_NAMES[3], `${input.fixedImage} (${fixedDigest}) still carries ${idText}`));
    else
      checks.push(
        pass(CHECK_NAMES[3], `${input.fixedImage} (${fixedDigest}) is scanned and does not carry ${idText}`),
      );
  }

  // 5. The workload now runs the fixed digest and its posture improved (from history).
  if (!fixedDigest || !workloads.length) {
    checks.push(
      skip(
        CHECK_NAMES[4],
        fixedDigest ? 'no workload of the known image found (check 2)' : 'needs a scanned --fixed-image',
      ),
    );
  } else {
    const evidence: string[] = [];
    let ok = false;
    const fixedFamily = new Set(await queryPlatformSiblings(store, fixedDigest));
    for (const w of workloads) {
      if (!w.namespace || !w.kind) continue;
      const spec = { cluster: w.cluster ?? '-', namespace: w.namespace, kind: w.kind, name: w.name };
      const running = (await queryWorkloadContainers(store, spec, scope)).filter((c) => !c.removedAt);
      const onFixed =
        running.length > 0 && running.every((c) => c.imageDigest !== null && fixedFamily.has(c.imageDigest));
      const rollout = await rolloutCheck(store, spec).catch(() => undefined);
      const gone = ids.length
        ? ids.some((id) => rollout?.fixed.includes(id))
        : rollout?.fixed.includes(idText);
      const line = `${w.namespace}/${w.kind}/${w.name}: ${onFixed ? 'runs the fixed digest' : `runs ${[...new Set(running.map((c) => c.imageDigest))].join(', ') || 'nothing'}`}; ${
        rollout?.previous
          ? `before (${rollout.previous.evidence} ${rollout.previous.at}) ${fmt(rollout.previous.distinct)} → now ${fmt(rollout.current.distinct)}, ${rollout.improved ? 'improved' : 'not improved'}${gone ? `, ${idText} gone` : ''}`
          : 'no earlier posture in history'
      }`;
      evidence.push(line);
      if (onFixed && rollout?.improved && gone) ok = true;
    }
    checks.push(
      ok
        ? pass(CHECK_NAMES[4], evidence.join('; '))
        : fail(CHECK_NAMES[4], evidence.join('; ') || 'no workload to check'),
    );
  }

  // 6. Operationalisation: cadences that actually run (each input refreshed within its cadence —
  // by the job system or by the CLI run from cron), owners set, freshness within SLA.
  {
    const problems: string[] = [];
    const good: string[] = [];
    const cadence = config.cadence ?? {};
    const f = await getFreshness(store, config, now, opts);
    const runs = await listJobRuns(store);
    const succeeded = (kind: string) =>
      runs.find((r) => r.kind === kind)?.lastSuccessAt?.toISOString() ?? null;
    // The newest evidence that each input was refreshed: a job's last success or the store's own record.
    const lastRun = {
      inventory: newest([succeeded('inventory.collect'), ...f.inventory.map((i) => i.at)]),
      advisories: newest([succeeded('advisories.update'), ...f.advisories.map((a) => a.at)]),
      scan: newest([succeeded('scan.in-use'), f.scans.newestInUse.at]),
    };
    for (const k of ['scan', 'advisories', 'inventory'] as const) {
      const every = cadence[k];
      const last = lastRun[k];
      const everyMs = durationToMs(every);
      if (!every || everyMs === undefined) problems.push(`cadence.${k} not configured`);
      else if (!last) problems.push(`cadence.${k}=${every} but it has never run`);
      else if (now.getTime() - Date.parse(last) > everyMs)
        problems.push(`cadence.${k}=${every} but it last ran ${last}`);
      else good.push(`cadence.${k}=${every}, last ran ${last}`);
    }
    const sla = config.sla ?? {};
    for (const k of ['scanAge', 'advisoryAge', 'inventoryAge'] as const) {
      if (!sla[k]) problems.push(`sla.${k} not configured`);
    }
    const o = await queryOwnerCoverage(store, scope);
    if (o.running === 0) problems.push('no running containers in inventory');
    else if (o.unowned) problems.push(`${o.unowned} of ${o.running} running containers have no owner`);
    else good.push(`all ${o.running} running containers have an owner`);
    if (f.stale) {
      const stale = [
        ...f.advisories.filter((a) => a.stale).map((a) => `advisories ${a.name}`),
        ...f.inventory.filter((i) => i.stale).map((i) => `inventory ${i.name}`),
        ...(f.scans.oldestInUse.stale ? ['oldest scan in use'] : []),
      ];
      problems.push(`outside SLA: ${stale.join(', ')}`);
    } else if (config.sla) good.push('freshness within SLA');
    if (!f.advisories.length) problems.push('no advisory source loaded');
    checks.push(
      problems.length ? fail(CHECK_NAMES[5], problems.join('; ')) : pass(CHECK_NAMES[5], good.join('; ')),
    );
  }
  return { checks };
}

async function imageHas(store: Store, digest: string, ids: string[]): Promise<string | undefined> {
  return (await queryImageCarries(store, digest, ids))?.severity;
}

function fmt(d: Record<string, number>): string {
  return `C${d.critical ?? 0}/H${d.high ?? 0}/M${d.medium ?? 0}/L${d.low ?? 0}/U${d.unknown ?? 0}`;
}

const pass = (name: string, evidence: string): Check => ({ name, status: 'pass', evidence });
const fail = (name: string, evidence: string): Check => ({ name, status: 'fail', evidence });
const skip = (name: string, evidence: string): Check => ({ name, status: 'skip', evidence });

/** The latest of ISO timestamps (null when there is none). */
function newest(times: (string | null)[]): string | null {
  return times.reduce<string | null>((a, b) => (b && (!a || b > a) ? b : a), null);
}
