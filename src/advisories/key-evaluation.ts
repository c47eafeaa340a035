// Evaluating the keys of a re-match in the store (ADR 0027): each page of lookup keys the store
// reads becomes finding templates (numbered, each sent once) and (key, template) pairs. On
// PostgreSQL a re-match with more than one page of keys evaluates in a worker thread
// (key-worker.ts, its own matcher over its own read-only connections) while the main thread
// parses the next page and sends the previous page's pairs: parsing pages and evaluating keys each
// kept the main thread busy, the second core idle (ADR 0031). The first page, and every page of
// PGlite (one connection, inside the process), are evaluated on the main thread; both use pageHits.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FindingTemplate, RematchKey } from '../store/index.js';
import type { KeyFinding, KeyInputs, Matcher } from './match/matcher.js';

/**
 * The finding templates numbered so far: by their columns, and by the matcher's finding object
 * (keys with the same outcome share one, so most pairs skip serialising the template). `next` is
 * the number the next new template takes.
 */
export interface Tids {
  bySignature: Map<string, number>;
  byFinding: Map<KeyFinding, number>;
  next: number;
}

export function newTids(first = 1): Tids {
  return { bySignature: new Map(), byFinding: new Map(), next: first };
}

/** One page evaluated: its new templates, and the pairs as (index of the key in the page, template number). */
export interface PageHits {
  templates: { tid: number; template: FindingTemplate }[];
  key: Int32Array;
  tid: Int32Array;
}

/** Evaluates one page of keys (each key once; the store sends each once). */
export async function pageHits(matcher: Matcher, page: readonly KeyInputs[], tids: Tids): Promise<PageHits> {
  const found = await matcher.keyFindings(page);
  const templates: { tid: number; template: FindingTemplate }[] = [];
  const key: number[] = [];
  const tidOf: number[] = [];
  for (let n = 0; n < found.length; n++) {
    for (const f of found[n]!) {
      let tid = tids.byFinding.get(f);
      if (tid === undefined) {
        const template = templateOf(f);
        const sig = JSON.stringify(template);
        tid = tids.bySignature.get(sig);
        if (tid === undefined) {
          tid = tids.next++;
          tids.bySignature.set(sig, tid);
          templates.push({ tid, template });
        }
        tids.byFinding.set(f, tid);
      }
      key.push(n);
      tidOf.push(tid);
    }
  }
  return { templates, key: Int32Array.from(key), tid: Int32Array.from(tidOf) };
}

/** A key's finding as the columns a stored finding takes from it (findingRow's, less the package's). */
function templateOf(f: KeyFinding): FindingTemplate {
  return {
    vulnerabilityId: f.id,
    aliases: f.aliases,
    fixedVersion: f.fixedVersion ?? null,
    severity: f.severity,
    severitySource: f.severitySource ?? null,
    cvssVersion: f.cvss?.version ?? null,
    cvssVector: f.cvss?.vector ?? null,
    cvssScore: f.cvss?.score ?? null,
    status: f.status,
    statusReason: f.statusReason ?? null,
  };
}

/** The inputs the matcher reads of a key, column by column: a page crosses to the worker as 7 arrays (cheaper to copy than 20 000 objects). */
export type KeyColumns = { [K in keyof KeyInputs]: string[] };
const INPUTS: readonly (keyof KeyInputs)[] = [
  'ecosystem',
  'name',
  'version',
  'sourceName',
  'sourceVersion',
  'evidence',
  'osEcosystem',
];

function toColumns(page: readonly RematchKey[]): KeyColumns {
  const cols = {} as KeyColumns;
  for (const c of INPUTS) cols[c] = page.map((k) => k[c]);
  return cols;
}

export function fromColumns(cols: KeyColumns): KeyInputs[] {
  const out: KeyInputs[] = new Array(cols.name.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = {
      ecosystem: cols.ecosystem[i]!,
      name: cols.name[i]!,
      version: cols.version[i]!,
      sourceName: cols.sourceName[i]!,
      sourceVersion: cols.sourceVersion[i]!,
      evidence: cols.evidence[i]!,
      osEcosystem: cols.osEcosystem[i]!,
    };
  }
  return out;
}

/** Messages to the worker, and its answers. */
export type ToKeyWorker = { op: 'page'; id: number; keys: KeyColumns } | { op: 'close' };
export type FromKeyWorker =
  | { op: 'ready' }
  | { op: 'hits'; id: number; hits: PageHits }
  | { op: 'error'; id?: number | undefined; message: string };
export interface KeyWorkerData {
  databaseUrl: string;
  /** The number the worker's first template takes: apart from those numbered elsewhere. */
  firstTid: number;
}

/** tsx's ESM API (tsImport), for a worker started from the sources: a development dependency. */
function tsxApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(join(dirname(manifest), exports['./esm/api']!.import.default)).href;
}

/** A worker thread evaluating pages of keys, one at a time, in the order they are sent. */
export interface KeyEvaluator {
  evaluate(page: readonly RematchKey[]): Promise<PageHits>;
  /** Pages sent and not answered yet. */
  readonly pending: number;
  close(): Promise<void>;
}

/**
 * Starts the worker and waits until its matcher's connection is open; rejects when it cannot start
 * (the caller evaluates on the main thread instead).
 */
export async function startKeyWorker(data: KeyWorkerData): Promise<KeyEvaluator> {
  // From the sources (tests, a run under tsx) the worker is TypeScript: it is loaded through tsx's
  // API (a loader given in a worker's execArgv does not apply to it on Node 20). The bundle
  // rewrites import.meta.url to the tsc-built file (.js).
  const ts = import.meta.url.endsWith('.ts');
  const entry = new URL(ts ? './key-worker.ts' : './key-worker.js', import.meta.url);
  const worker = ts
    ? new Worker(
        `import(${JSON.stringify(tsxApi())})
          .then(({ tsImport }) => tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(entry.href)}))`,
        { eval: true, workerData: data },
      )
    : new Worker(entry, { workerData: data });
  const waiting = new Map<number, { resolve: (h: PageHits) => void; reject: (e: Error) => void }>();
  let failure: Error | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    for (const w of waiting.values()) w.reject(failure);
    waiting.clear();
  };
  let ready: (() => void) | undefined;
  const started = new Promise<void>((resolve, reject) => {
    ready = resolve;
    worker.once('error', reject);
    worker.once('exit', () => reject(failure ?? new Error('the key evaluation worker exited')));
  });
  worker.on('message', (m: FromKeyWorker) => {
    if (m.op === 'ready') ready?.();
    else if (m.op === 'hits') {
      waiting.get(m.id)?.resolve(m.hits);
      waiting.delete(m.id);
    } else fail(new Error(m.message));
  });
  let alive = true;
  worker.on('error', (err) => fail(err));
  worker.on('exit', () => {
    alive = false;
    fail(new Error('the key evaluation worker exited'));
  });
  try {
    await started;
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  let nextId = 1;
  return {
    get pending() {
      return waiting.size;
    },
    evaluate(page) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      const answer = new Promise<PageHits>((resolve, reject) => waiting.set(id, { resolve, reject }));
      worker.postMessage({ op: 'page', id, keys: toColumns(page) } satisfies ToKeyWorker);
      return answer;
    },
    async close() {
      if (!alive) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ op: 'close' } satisfies ToKeyWorker);
      // A worker that does not end by itself (a query hanging on its connection) is stopped.
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
