// Benchmark harness types. Each bench/<area>.ts exports `bench: Bench`; bench/run.ts runs them and
// prints one table with the command and machine. Figures are reported as ratios against a baseline
// measured in the same run, since this machine is shared and noisy.
import { cpus, totalmem } from 'node:os';

export interface BenchRow {
  /** What was measured, e.g. "resolve 500 tags". */
  name: string;
  value: number;
  unit: string;
  /** The baseline measured in the same run, same unit (e.g. plain HTTP GET of the same blob). */
  baseline?: { name: string; value: number } | undefined;
  /** value/baseline or baseline/value, whichever the goal is stated in; say which in `goal`. */
  ratio?: number | undefined;
  /** The goal from the issue, e.g. ">= 0.9 of baseline". */
  goal?: string | undefined;
  notes?: string | undefined;
}

export interface Bench {
  area: string;
  run(opts: { quick: boolean; log: (msg: string) => void }): Promise<BenchRow[]>;
}

export function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`;
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export async function timeIt<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
}
