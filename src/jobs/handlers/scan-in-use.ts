// scan.in-use: the images that run and are unscanned, stale or newly seen (the list `scan --in-use`
// works through, views' listInUseScanTargets) each become one scan.image job keyed by its digest,
// stamped with when it was asked for. A digest whose scan is already queued, retrying or running
// is left alone: the queue would take a second job for it while one runs (policy `stately`), and
// that one would wait in line at the head of the queue for nothing. A target scanned since it
// fell due is left alone too: the in-use list is read from maintained posture, which catches up
// with a finished scan only when the posture.maintain job that scan asked for has run, and until
// then the image still looks unscanned (a digest: until its scan is stale under `sla.scanAge`; a
// reference that never resolved to a digest: for that long, or an hour without an SLA).
import { durationToMs } from '../../propagation/index.js';
import { lastScansFinished, pendingJobKeys } from '../../store/index.js';
import { listInUseScanTargets } from '../../views/index.js';
import type { Job } from '../kinds.js';
import type { StageDeps } from './stage-deps.js';

/** How long a scan of a reference that resolved to no digest answers for it without an SLA. */
const RECENT_REFERENCE_SCAN_MS = 3600_000;

export async function scanInUseJob(deps: StageDeps, _job: Job, signal: AbortSignal) {
  const targets = await listInUseScanTargets(deps.store, deps.posture);
  const pending = await pendingJobKeys(deps.store, 'scan.image');
  // A scan asked for by tag that is still running may already have recorded the tag's digest, so
  // posture can name that digest before its scan lands: a digest of a repository with a scan by tag
  // pending waits for the next round rather than being scanned twice at once.
  const pendingRepositories = new Set(
    [...pending].filter((k) => !k.startsWith('sha256:')).map((k) => repositoryOf(k)),
  );
  const digests = targets.flatMap((t) => (t.digest ? [t.digest] : []));
  const last = await lastScansFinished(
    deps.store,
    digests,
    targets.flatMap((t) => (t.digest ? [] : [t.reference])),
  );
  const now = Date.now();
  const slaMs = durationToMs(deps.posture.sla?.scanAge);
  let queued = 0;
  let inProgress = 0;
  let scanned = 0;
  for (const t of targets) {
    signal.throwIfAborted();
    const key = t.digest ?? t.reference;
    if (pending.has(key) || (t.digest && pendingRepositories.has(repositoryOf(t.reference)))) {
      inProgress++;
      continue;
    }
    const at = t.digest ? last.byDigest.get(t.digest) : last.byReference.get(t.reference);
    const fresh = t.digest ? slaMs : (slaMs ?? RECENT_REFERENCE_SCAN_MS);
    if (at && (fresh === undefined || now - at.getTime() < fresh)) {
      scanned++;
      continue;
    }
    const id = await deps.queue.send(
      'scan.image',
      { reference: t.reference, digest: t.digest, requestedAt: new Date().toISOString() },
      { key },
    );
    if (id) queued++;
  }
  return { targets: targets.length, queued, inProgress, scanned };
}

/** `registry/repo` of `registry/repo:tag` or `registry/repo@sha256:…` (a port's colon kept). */
function repositoryOf(reference: string): string {
  const at = reference.indexOf('@');
  const name = at < 0 ? reference : reference.slice(0, at);
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
}
