// Test support for the metrics tests: `promtool check metrics` over an exposition (the Prometheus
// project's own linter and parser; Debian package `prometheus`), and a small reader of the text
// format's samples for value checks. A missing promtool skips visibly outside CI and fails in CI.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = [process.env.PROMTOOL, '/usr/bin/promtool', '/usr/local/bin/promtool'];

/** The promtool binary, or undefined when none is installed. */
export const PROMTOOL: string | undefined = CANDIDATES.find((p): p is string => !!p && existsSync(p));

/** Whether tests needing promtool must be skipped: never under CI=true (they fail there instead). */
export const SKIP_PROMTOOL = !PROMTOOL && process.env.CI !== 'true';

/** promtool's verdict on an exposition: exit code and what it printed (lint problems, parse errors). */
export function promtoolCheck(text: string): { code: number; output: string } {
  if (!PROMTOOL) throw new Error('promtool is not installed (Debian/Ubuntu: apt-get install prometheus)');
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a text exposition (label values unescaped). */
export function parseSamples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The metric families an exposition declares (`# TYPE name …`). */
export function familyNames(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
}

/** Σ of the samples of `name` whose labels include `where`. */
export function sum(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}
