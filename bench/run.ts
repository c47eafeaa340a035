// `npm run bench [-- --quick] [-- AREA…]`: runs every benchmark and prints one table.
import type { Bench, BenchRow } from './harness.js';
import { machine } from './harness.js';

/**
 * Every benchmark module by its area, explicitly, in data-flow order. A module is imported only
 * when its area runs (several import the whole app, a store and a browser driver).
 */
const BENCHES: [string, () => Promise<{ bench: Bench }>][] = [
  ['identity', () => import('./identity.js')],
  ['advisories', () => import('./advisories.js')],
  ['scan', () => import('./scan.js')],
  ['inventory', () => import('./inventory.js')],
  ['importers', () => import('./importers.js')],
  ['propagation', () => import('./propagation.js')],
  ['cli', () => import('./cli.js')],
  ['api', () => import('./api.js')],
  ['dashboard', () => import('./dashboard.js')],
  ['agent', () => import('./agent.js')],
  ['metrics', () => import('./metrics.js')],
  ['reports', () => import('./reports.js')],
  ['jobs', () => import('./jobs.js')],
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));
const unknown = only.filter((a) => !BENCHES.some(([area]) => area === a));
if (unknown.length) {
  process.stderr.write(
    `unknown benchmark area ${unknown.join(', ')}; areas: ${BENCHES.map(([a]) => a).join(', ')}\n`,
  );
  process.exit(2);
}

const rows: (BenchRow & { area: string })[] = [];
for (const [area, load] of BENCHES) {
  if (only.length && !only.includes(area)) continue;
  const { bench } = await load();
  if (bench.area !== area) throw new Error(`bench module for ${area} names its area ${bench.area}`);
  const log = (m: string) => process.stderr.write(`[${bench.area}] ${m}\n`);
  log('running');
  for (const row of await bench.run({ quick, log })) rows.push({ ...row, area: bench.area });
}

const fmt = (n: number | undefined) =>
  n === undefined ? '' : Number.isInteger(n) ? String(n) : n.toPrecision(4);
const table = rows.map((r) => [
  r.area,
  r.name,
  `${fmt(r.value)} ${r.unit}`,
  r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)} ${r.unit}` : '',
  fmt(r.ratio),
  r.goal ?? '',
  r.notes ?? '',
]);
const head = ['area', 'benchmark', 'value', 'baseline (same run)', 'ratio', 'goal', 'notes'];
const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(`command: npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`);
console.log(`machine: ${machine()}`);
console.log(`date: ${new Date().toISOString()}\n`);
console.log(line(head));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const t of table) console.log(line(t));
