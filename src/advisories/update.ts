// `runsight db update`: reads every named source (directory, zip, file or URL), validates all of
// it first, then writes it in ONE transaction — a malformed file imports nothing and the error
// names the file and record (or line). OSV is incremental: a record is written only when new or
// when its `modified` moved forward. Alpine secdb, KEV and EPSS are whole snapshots per source.
// CVE records (CVE JSON 5) are incremental by `dateUpdated`: their CVSS scores replace the CVE's
// stored ones, a rejected record removes them.
// After the write, the images the changes touch are re-matched from their stored SBOMs: through
// the packages whose advisories changed, and through the findings naming CVEs whose scores changed.
import type { AdvisorySourceKind, CveRecordScores, NormalizedAdvisory } from '../core/advisory.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import type { Store } from '../store/index.js';
import {
  countCveScoreRecords,
  deleteAdvisoriesNotIn,
  getAdvisoryModified,
  type PackageKey,
  replaceCveScores,
  replaceEpss,
  replaceKev,
  replaceVexDocument,
  upsertAdvisorySource,
  writeAdvisories,
} from '../store/index.js';
import { collectSecdb, secdbRelease } from './alpine-secdb/normalize.js';
import { secdbFile } from './alpine-secdb/schema.js';
import { normalizeCveRecord } from './cve/normalize.js';
import { cveRecord } from './cve/schema.js';
import { parseEpss } from './epss/parse-epss.js';
import { AdvisoryFormatError } from './errors.js';
import { kevCatalog } from './kev/schema.js';
import { normalizeOsv } from './osv/normalize.js';
import { osvRecord } from './osv/schema.js';
import { parseFile, readSource } from './read-source.js';
import { type RematchResult, rematch } from './rematch.js';
import { parseVex, type VexStatement } from './vex/parse-vex.js';

export interface UpdateOptions {
  /** Paths or http(s) URLs. */
  sources: string[];
  /** Skip detection: treat every file as this kind. */
  kind?: AdvisorySourceKind | undefined;
  /** Re-match touched images afterwards (default true). */
  rematch?: boolean | undefined;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
}

export interface SourceSummary {
  name: string;
  kind: AdvisorySourceKind;
  location: string;
  /** Records read from the files. */
  read: number;
  /** Records written (new or newer `modified`). */
  written: number;
  /** Records skipped as unchanged. */
  unchanged: number;
}

export interface UpdateResult {
  sources: SourceSummary[];
  /** (ecosystem, package) keys whose advisories changed. */
  touched: number;
  /** CVE ids whose CVE-record scores changed (added, changed or removed). */
  cves: number;
  rematch?: RematchResult | undefined;
}

interface Collected {
  osv: Map<string, { adv: NormalizedAdvisory; location: string }>;
  secdb: Map<string, { advisories: Map<string, NormalizedAdvisory>; location: string }>;
  kev?: { rows: Parameters<typeof replaceKev>[1]; location: string };
  epss?: { rows: Parameters<typeof replaceEpss>[1]; location: string };
  vex: Map<string, VexStatement[]>;
  /** CVE records by id: the newest `dateUpdated` read wins. */
  cve: Map<string, { rec: CveRecordScores; location: string }>;
}

function zodIssue(
  origin: string,
  err: { issues: { path: PropertyKey[]; message: string }[] },
  prefix = '',
): never {
  const i = err.issues[0]!;
  const at = [prefix, i.path.map(String).join('.')].filter(Boolean).join('.');
  throw new AdvisoryFormatError(origin, `${at ? `at ${at}: ` : ''}${i.message}`);
}

/** Reads and validates every source; throws on the first bad file, before anything is written. */
export async function collectSources(opts: UpdateOptions): Promise<Collected> {
  const c: Collected = { osv: new Map(), secdb: new Map(), vex: new Map(), cve: new Map() };
  for (const location of opts.sources) {
    for await (const file of readSource(location, opts.signal)) {
      const f = parseFile(file, opts.kind);
      if (f.kind === 'osv') {
        const list = Array.isArray(f.data)
          ? f.data
          : f.data && typeof f.data === 'object' && Array.isArray((f.data as { vulns?: unknown }).vulns)
            ? (f.data as { vulns: unknown[] }).vulns
            : [f.data];
        list.forEach((item, i) => {
          const r = osvRecord.safeParse(item);
          const where = list.length > 1 ? `${f.origin} record ${i + 1}` : f.origin;
          if (!r.success) zodIssue(where, r.error);
          const adv = normalizeOsv(r.data);
          const key = `${adv.source}\u0000${adv.id}`;
          const prev = c.osv.get(key);
          if (!prev || (adv.modified?.getTime() ?? 0) >= (prev.adv.modified?.getTime() ?? 0)) {
            c.osv.set(key, { adv, location });
          }
        });
      } else if (f.kind === 'alpine-secdb') {
        const r = secdbFile.safeParse(f.data);
        if (!r.success) zodIssue(f.origin, r.error);
        const name = `alpine-secdb:${secdbRelease(r.data)}`;
        let entry = c.secdb.get(name);
        if (!entry) {
          entry = { advisories: new Map(), location };
          c.secdb.set(name, entry);
        }
        collectSecdb(r.data, entry.advisories);
      } else if (f.kind === 'kev') {
        const r = kevCatalog.safeParse(f.data);
        if (!r.success) zodIssue(f.origin, r.error);
        c.kev = {
          location,
          rows: r.data.vulnerabilities.map((v) => ({
            cve_id: v.cveID,
            vendor: v.vendorProject ?? null,
            product: v.product ?? null,
            name: v.vulnerabilityName ?? null,
            date_added: v.dateAdded,
            due_date: v.dueDate ?? null,
            known_ransomware: v.knownRansomwareCampaignUse ?? null,
          })),
        };
      } else if (f.kind === 'epss') {
        const parsed = parseEpss(f.data as string, f.origin);
        c.epss = {
          location,
          rows: parsed.rows.map((r) => ({
            cve_id: r.cve,
            score: r.score,
            percentile: r.percentile,
            score_date: parsed.scoreDate ?? null,
          })),
        };
      } else if (f.kind === 'vex') {
        c.vex.set(f.origin, parseVex(f.data, f.origin));
      } else if (f.kind === 'cve') {
        const r = cveRecord.safeParse(f.data);
        if (!r.success) zodIssue(f.origin, r.error);
        const rec = normalizeCveRecord(r.data);
        const prev = c.cve.get(rec.cveId);
        if (!prev || (rec.dateUpdated?.getTime() ?? 0) >= (prev.rec.dateUpdated?.getTime() ?? 0)) {
          c.cve.set(rec.cveId, { rec, location });
        }
      }
    }
  }
  return c;
}

export async function updateAdvisories(store: Store, opts: UpdateOptions): Promise<UpdateResult> {
  const logger = opts.logger ?? silentLogger;
  const c = await collectSources(opts);
  const summaries = new Map<string, SourceSummary>();
  const touched = new Map<string, PackageKey>();
  const touch = (keys: PackageKey[]) => {
    for (const k of keys) touched.set(`${k.ecosystem}\u0000${k.packageName}`, k);
  };
  let fullRematch = false;
  let changedCves: string[] = [];

  await store.transaction(async (tx) => {
    // OSV, incremental by `modified`.
    const osvSources = [...new Set([...c.osv.values()].map((x) => x.adv.source))];
    const stored = await getAdvisoryModified(tx, osvSources);
    const toWrite: NormalizedAdvisory[] = [];
    for (const { adv, location } of c.osv.values()) {
      const s = summaries.get(adv.source) ?? {
        name: adv.source,
        kind: 'osv',
        location,
        read: 0,
        written: 0,
        unchanged: 0,
      };
      summaries.set(adv.source, s);
      s.read++;
      const key = `${adv.source}\u0000${adv.id}`;
      const prev = stored.get(key);
      const newer = prev === undefined || !adv.modified || !prev || adv.modified.getTime() > prev.getTime();
      if (newer) {
        toWrite.push(adv);
        s.written++;
      } else s.unchanged++;
    }
    // Source rows first: advisories reference them. Counts are set again after the writes.
    for (const s of summaries.values()) await upsertAdvisorySource(tx, { ...s, recordCount: 0 });
    for (const [name, { location }] of c.secdb) {
      await upsertAdvisorySource(tx, { name, kind: 'alpine-secdb', location, recordCount: 0 });
    }
    touch(await writeAdvisories(tx, toWrite));
    // Alpine secdb: the files are the whole truth for their release.
    for (const [name, { advisories, location }] of c.secdb) {
      const list = [...advisories.values()];
      touch(await writeAdvisories(tx, list));
      touch(
        await deleteAdvisoriesNotIn(
          tx,
          name,
          list.map((a) => a.id),
        ),
      );
      summaries.set(name, {
        name,
        kind: 'alpine-secdb',
        location,
        read: list.length,
        written: list.length,
        unchanged: 0,
      });
    }
    for (const s of summaries.values())
      await upsertAdvisorySource(tx, { name: s.name, kind: s.kind, location: s.location });
    if (c.kev) {
      await replaceKev(tx, c.kev.rows);
      await upsertAdvisorySource(tx, {
        name: 'kev',
        kind: 'kev',
        location: c.kev.location,
        recordCount: c.kev.rows.length,
      });
      summaries.set('kev', {
        name: 'kev',
        kind: 'kev',
        location: c.kev.location,
        read: c.kev.rows.length,
        written: c.kev.rows.length,
        unchanged: 0,
      });
      fullRematch = true;
    }
    if (c.epss) {
      await replaceEpss(tx, c.epss.rows);
      await upsertAdvisorySource(tx, {
        name: 'epss',
        kind: 'epss',
        location: c.epss.location,
        recordCount: c.epss.rows.length,
      });
      summaries.set('epss', {
        name: 'epss',
        kind: 'epss',
        location: c.epss.location,
        read: c.epss.rows.length,
        written: c.epss.rows.length,
        unchanged: 0,
      });
      fullRematch = true;
    }
    if (c.cve.size) {
      const location = [...new Set([...c.cve.values()].map((x) => x.location))].join(', ');
      const w = await replaceCveScores(
        tx,
        [...c.cve.values()].map((x) => x.rec),
      );
      changedCves = w.changed;
      await upsertAdvisorySource(tx, {
        name: 'cve',
        kind: 'cve',
        location,
        recordCount: await countCveScoreRecords(tx),
      });
      summaries.set('cve', {
        name: 'cve',
        kind: 'cve',
        location,
        read: c.cve.size,
        written: w.written,
        unchanged: w.unchanged,
      });
    }
    for (const [document, statements] of c.vex) {
      await replaceVexDocument(tx, document, statements);
      summaries.set(`vex:${document}`, {
        name: `vex:${document}`,
        kind: 'vex',
        location: document,
        read: statements.length,
        written: statements.length,
        unchanged: 0,
      });
      fullRematch = true;
    }
  });
  logger.info('advisories updated', {
    sources: summaries.size,
    touched: touched.size,
    cves: changedCves.length,
  });

  let rm: RematchResult | undefined;
  if (opts.rematch !== false && (touched.size || changedCves.length || fullRematch)) {
    rm = await rematch(store, {
      keys: [...touched.values()],
      cves: changedCves,
      all: fullRematch,
      signal: opts.signal,
      logger,
    });
    logger.info('re-matched images', {
      scans: rm.scans,
      newlyAffected: rm.newlyAffected,
      newlyFixed: rm.newlyFixed,
    });
  }
  return { sources: [...summaries.values()], touched: touched.size, cves: changedCves.length, rematch: rm };
}
