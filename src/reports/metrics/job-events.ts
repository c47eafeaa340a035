// The worker's in-process hook for job metrics: src/jobs/worker.ts reports each finished job here
// (kind, outcome, duration); the process's metrics (process-metrics.ts) listen. Plain functions
// with no dependency, so that running jobs never loads the Prometheus client by itself.

export interface JobRunEvent {
  kind: string;
  ok: boolean;
  seconds: number;
}

const listeners = new Set<(e: JobRunEvent) => void>();

/** Called by the worker when a job ends (success or failure). Never throws. */
export function noteJobRun(e: JobRunEvent): void {
  for (const fn of listeners) {
    try {
      fn(e);
    } catch {
      // a metrics listener must never fail a job
    }
  }
}

/** Listens to finished jobs; returns the function that stops listening. */
export function onJobRun(fn: (e: JobRunEvent) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
