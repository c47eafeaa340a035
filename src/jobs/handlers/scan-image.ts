// scan.image: scans one in-use image (the stage function of `scan`), holding one of its registry's
// concurrency slots (shared by every worker: store job_slots) while it pulls, then asks for a
// posture update. A scan that partly failed is saved as partial by the scan stage and reported in
// the job's output; one that failed throws, and the queue retries it after a back-off. A digest
// scanned since the job was asked for is not scanned again.
import { hostname } from 'node:os';
import { matchPackages } from '../../advisories/index.js';
import { parseReference } from '../../identity/index.js';
import { scanImage } from '../../scan/index.js';
import { acquireSlot, lastScanFinishedAt, releaseSlot, renewSlot } from '../../store/index.js';
import type { Job } from '../kinds.js';
import type { StageDeps } from './stage-deps.js';

const SLOT_LEASE_SECONDS = 30; // renewed every 10 s: a killed worker's slot frees itself within 30 s
const SLOT_WAIT_MS = 2_000;

export async function scanImageJob(deps: StageDeps, job: Job, signal: AbortSignal) {
  const reference = job.data.reference;
  if (typeof reference !== 'string') throw new Error('scan.image job without a reference');
  // A scan of this digest that finished after this one was asked for (a job queued while another
  // ran, or a retry of one that did finish) answers it: the image is not pulled again.
  const requestedAt = typeof job.data.requestedAt === 'string' ? new Date(job.data.requestedAt) : null;
  // (By digest when the inventory knows it, else by the reference the scan was asked for.)
  const digest = typeof job.data.digest === 'string' ? job.data.digest : job.key;
  if (requestedAt) {
    const last = await lastScanFinishedAt(
      deps.store,
      digest?.startsWith('sha256:') ? digest : null,
      reference,
    );
    if (last && last >= requestedAt) return [{ digest, status: 'already scanned', findings: null }];
  }
  const registry = parseReference(reference).registry;
  const holder = `${hostname()}:${process.pid}:${job.id}`;
  const slots = deps.registryConcurrency ?? 4;
  const scope = `registry:${registry}`;
  let held = await acquireSlot(deps.store, scope, slots, holder, SLOT_LEASE_SECONDS);
  while (held === null) {
    signal.throwIfAborted();
    await new Promise((r) => setTimeout(r, SLOT_WAIT_MS));
    held = await acquireSlot(deps.store, scope, slots, holder, SLOT_LEASE_SECONDS);
  }
  const renew = setInterval(
    () => {
      renewSlot(deps.store, scope, held, holder, SLOT_LEASE_SECONDS).catch(() => {});
    },
    (SLOT_LEASE_SECONDS * 1000) / 3,
  );
  try {
    const results = await scanImage({
      source: reference,
      store: deps.store,
      match: (packages, o) => matchPackages(deps.store, packages, o),
      ...deps.scan,
      signal,
      logger: deps.logger,
    });
    await deps.queue.send('posture.maintain', {});
    return results.map((r) => ({
      digest: r.image.digest,
      status: r.status,
      findings: r.findings.length,
      errors: r.errors.map((e) => `${e.code}: ${e.message}`),
    }));
  } finally {
    clearInterval(renew);
    await releaseSlot(deps.store, scope, held, holder).catch(() => {});
  }
}
