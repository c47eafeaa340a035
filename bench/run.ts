// `npm run bench [-- --quick] [-- AREA…]`: runs every benchmark and prints one table.
import type { Bench, BenchRow } from './harness.js';
import { machine } from './harness.js';

/** Every benchmark module, explicitly, in data-flow order. */
const BENCHES: (() => Promise<{ bench: Bench }>)[] = [
  () => import('./identity.js'),
  () => import('./advisories.js'),
  () => import('./scan.js'),
  () => import('./inventory.js'),
  () => import('./importers.js'),
  () => import('./propagation.js'),
  () => import('./cli.js'),
  () => import('./api.js'),
  () => import('./dashboard.js'),
  () => import('./agent.js'),
  () => import('./metrics.js'),
  () => import('./reports.js'),
  () => import('./jobs.js'),
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));

const rows: (BenchRow & { area: string })[] = [];
for (const load of BENCHES) {
  const { bench } = await load();
  if (only.length && !only.includes(bench.area)) continue;
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
