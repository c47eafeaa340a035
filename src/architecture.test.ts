// The shape of src/ as a test (docs/architecture.md): imports flow one way along the data flow, SQL
// and its drivers stay in store/, other stages reach the store only through its index.ts, and every
// folder's index.ts is a table of contents. Reads the sources as text; no network, no dependencies.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Data-flow rank of each top-level folder under src/. A folder may import folders of lower or equal
// rank only (equal: siblings such as scan and importers, kept acyclic by the cycle check). `store`
// is the port: any other folder may import it, and it imports only STORE_MAY_IMPORT. A folder
// missing from this table is an offender: place it before it grows imports.
const RANK: Record<string, number> = {
  core: 0,
  versioning: 1,
  kubernetes: 1, // the Kubernetes adapter: a port over @kubernetes/client-node that imports only core
  identity: 2,
  scan: 3,
  // Advisories before importers: imported findings are rated with the advisories stage's
  // severity rules (CVSS scoring), so both sources of findings speak the same scale.
  advisories: 4,
  importers: 5,
  inventory: 6,
  propagation: 7,
  remediation: 8,
  views: 9,
  reports: 10,
  jobs: 11,
  cli: 12,
  server: 12,
  agent: 12,
};
const STORE = 'store';
const STORE_MAY_IMPORT = new Set(['core', 'versioning']);
const DRIVERS = /^(?:kysely|pg|@electric-sql\/pglite)(?:\/|$)/;

const SRC = resolve(import.meta.dirname);

interface Import {
  file: string; // relative to src/, e.g. 'propagation/sync.ts'
  spec: string; // as written
  folder: string; // importing folder
  target?: string; // imported file relative to src/, for relative specifiers inside src/
  targetFolder?: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'test-support' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

const STATIC = /^\s*(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm;
const BARE = /^\s*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(path: string): Import[] {
  const text = readFileSync(path, 'utf8');
  const file = relative(SRC, path);
  const folder = file.split('/')[0]!;
  const specs = [STATIC, BARE, DYNAMIC].flatMap((re) => [...text.matchAll(re)].map((m) => m[1]!));
  return specs.map((spec) => {
    if (!spec.startsWith('.')) return { file, spec, folder };
    const target = relative(SRC, resolve(dirname(path), spec)).replace(/\.js$/, '.ts');
    if (target.startsWith('..') || !target.includes('/')) return { file, spec, folder };
    return { file, spec, folder, target, targetFolder: target.split('/')[0]! };
  });
}

const FILES = sourceFiles(SRC).filter((p) => relative(SRC, p).includes('/')); // not src/index.ts
const IMPORTS = FILES.flatMap(importsOf);
const CROSS = IMPORTS.filter((i) => i.targetFolder !== undefined && i.targetFolder !== i.folder);
const show = (i: Import) => `src/${i.file} imports '${i.spec}'`;

describe('architecture of src/', () => {
  it('finds the sources', () => {
    expect(FILES.length).toBeGreaterThan(50);
    expect(CROSS.length).toBeGreaterThan(50);
  });

  it('(a) has no cycle between folders', () => {
    const edges = new Map<string, Map<string, Import>>();
    for (const i of CROSS) {
      const out = edges.get(i.folder) ?? new Map<string, Import>();
      if (!out.has(i.targetFolder!)) out.set(i.targetFolder!, i);
      edges.set(i.folder, out);
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    function visit(folder: string): void {
      state.set(folder, 'open');
      stack.push(folder);
      for (const to of edges.get(folder)?.keys() ?? []) {
        if (state.get(to) === 'open') {
          const path = [...stack.slice(stack.indexOf(to)), to];
          const witnesses = path.slice(0, -1).map((f, k) => show(edges.get(f)!.get(path[k + 1]!)!));
          cycles.push(`${path.join(' → ')} (${witnesses.join('; ')})`);
        } else if (!state.has(to)) {
          visit(to);
        }
      }
      stack.pop();
      state.set(folder, 'done');
    }
    for (const folder of [...edges.keys()].sort()) if (!state.has(folder)) visit(folder);
    expect(cycles).toEqual([]);
  });

  it('(b) only store imports kysely, pg or PGlite', () => {
    const offenders = IMPORTS.filter((i) => i.folder !== STORE && DRIVERS.test(i.spec)).map(show);
    expect(offenders).toEqual([]);
  });

  it('(c) other folders reach the store only through store/index.ts', () => {
    const offenders = CROSS.filter((i) => i.targetFolder === STORE && i.target !== 'store/index.ts').map(
      show,
    );
    expect(offenders).toEqual([]);
  });

  it('(d) every top-level index.ts holds only imports, re-exports and comments', () => {
    const indexes = FILES.filter((p) => /^[^/]+\/index\.ts$/.test(relative(SRC, p)));
    const offenders = indexes.flatMap((p) => {
      const rest = readFileSync(p, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/(^|\s)\/\/.*$/gm, '$1')
        .replace(STATIC, '')
        .replace(BARE, '')
        .replace(/^\s*;/gm, '')
        .trim();
      return rest ? [`src/${relative(SRC, p)}: ${rest.split('\n')[0]}`] : [];
    });
    expect(offenders).toEqual([]);
  });

  it('(e) imports follow the data flow; store imports only core and versioning', () => {
    const offenders = CROSS.flatMap((i) => {
      const to = i.targetFolder!;
      if (i.folder === STORE) return STORE_MAY_IMPORT.has(to) ? [] : [`${show(i)}: store is a port`];
      if (to === STORE) return [];
      const from = RANK[i.folder];
      const rank = RANK[to];
      if (from === undefined) return [`${show(i)}: ${i.folder} has no rank in the table`];
      if (rank === undefined) return [`${show(i)}: ${to} has no rank in the table`];
      return rank > from ? [`${show(i)}: ${i.folder} (${from}) → ${to} (${rank}) goes upstream`] : [];
    });
    expect(offenders).toEqual([]);
  });
});
