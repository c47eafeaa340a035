// Rollout check: for a workload whose image digest changed, its posture before and after. "Before"
// is the latest posture snapshot whose digests differ from what runs now, else (no snapshot
// predates the rollout) the digests of the workload's containers that have gone. Both digest sets
// are evaluated against today's findings, so the comparison is not skewed by advisory updates;
// the snapshot's own recorded figures are reported as history.
import { InputError } from '../core/errors.js';
import { fewerBySeverity } from '../propagation/index.js';
import type { Store } from '../store/index.js';
import { queryDigestSetFigures, queryWorkloadContainers, snapshotHistory } from '../store/index.js';

export interface WorkloadSpec {
  cluster?: string | undefined;
  namespace: string;
  kind: string;
  name: string;
}

export interface PostureSide {
  digests: string[];
  distinct: Record<string, number>;
  vulnerabilities: string[];
}

export interface RolloutCheck {
  workload: WorkloadSpec & { key: string };
  current: PostureSide;
  previous:
    | (PostureSide & {
        evidence: 'snapshot' | 'ledger';
        at: string;
        recorded?: Record<string, number> | undefined;
      })
    | null;
  digestChanged: boolean;
  /** Lexicographically fewer vulnerabilities, critical first; null when there is nothing to compare. */
  improved: boolean | null;
  fixed: string[];
  introduced: string[];
}

export function parseWorkloadSpec(text: string): WorkloadSpec {
  const parts = text.split('/');
  if (parts.length === 3) return { namespace: parts[0]!, kind: parts[1]!, name: parts[2]! };
  if (parts.length === 4)
    return { cluster: parts[0]!, namespace: parts[1]!, kind: parts[2]!, name: parts[3]! };
  throw new InputError(
    `expected a workload as NAMESPACE/KIND/NAME (or CLUSTER/NAMESPACE/KIND/NAME), got "${text}"`,
  );
}

export async function rolloutCheck(store: Store, spec: WorkloadSpec): Promise<RolloutCheck> {
  const containers = await queryWorkloadContainers(store, spec);
  if (!containers.length) {
    throw new InputError(
      `no container of workload ${spec.namespace}/${spec.kind}/${spec.name} has been seen in inventory`,
    );
  }
  const clusters = [...new Set(containers.map((c) => c.cluster ?? '-'))];
  if (!spec.cluster && clusters.length > 1) {
    throw new InputError(
      `${spec.namespace}/${spec.kind}/${spec.name} runs in clusters ${clusters.join(', ')}: name one as CLUSTER/${spec.namespace}/${spec.kind}/${spec.name}`,
    );
  }
  const first = containers[0]!;
  const key = [
    first.cluster ?? '-',
    first.namespace ?? '-',
    first.workloadKind ?? '-',
    first.workloadName,
  ].join('/');
  const running = containers.filter((c) => !c.removedAt);
  const currentDigests = uniq(running.map((c) => c.imageDigest));
  const current = { digests: currentDigests, ...(await queryDigestSetFigures(store, currentDigests)) };

  let previous: RolloutCheck['previous'] = null;
  const history = await snapshotHistory(store, 'workload', [key]);
  const snap = history.find((s) => s.digests.length && !sameSet(s.digests, currentDigests));
  if (snap) {
    previous = {
      evidence: 'snapshot',
      at: snap.takenAt.toISOString(),
      digests: snap.digests,
      recorded: snap.distinctCounts,
      ...(await queryDigestSetFigures(store, snap.digests)),
    };
  } else {
    const gone = containers.filter(
      (c) => c.removedAt && c.imageDigest && !currentDigests.includes(c.imageDigest),
    );
    if (gone.length) {
      const latest = Math.max(...gone.map((c) => c.removedAt!.getTime()));
      const digests = uniq(gone.filter((c) => c.removedAt!.getTime() === latest).map((c) => c.imageDigest));
      previous = {
        evidence: 'ledger',
        at: new Date(latest).toISOString(),
        digests,
        ...(await queryDigestSetFigures(store, digests)),
      };
    }
  }
  const before = new Set(previous?.vulnerabilities ?? []);
  const after = new Set(current.vulnerabilities);
  return {
    workload: { ...spec, cluster: first.cluster ?? undefined, key },
    current,
    previous,
    digestChanged: previous !== null,
    improved: previous ? fewerBySeverity(current.distinct, previous.distinct) : null,
    fixed: [...before].filter((v) => !after.has(v)).sort(),
    introduced: [...after].filter((v) => !before.has(v)).sort(),
  };
}

function uniq(xs: (string | null)[]): string[] {
  return [...new Set(xs.filter((x): x is string => Boolean(x)))].sort();
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}
