// OpenVEX and CycloneDX VEX documents → flat statements (one per product × vulnerability), as
// stored in vex_statements. CycloneDX `affects[].ref` is resolved through the document's
// components to a purl when it can be; states map to OpenVEX's vocabulary.
export type { VexStatement, VexStatus } from '../../core/advisory.js';

import type { VexStatement, VexStatus } from '../../core/advisory.js';
import { AdvisoryFormatError } from '../errors.js';
import { cyclonedxVex, openVexDocument } from './schema.js';

const CDX_STATE: Record<string, VexStatus> = {
  resolved: 'fixed',
  resolved_with_pedigree: 'fixed',
  exploitable: 'affected',
  in_triage: 'under_investigation',
  false_positive: 'not_affected',
  not_affected: 'not_affected',
};

function idOf(x: string | { '@id'?: string | undefined; name?: string | undefined }): string | undefined {
  return typeof x === 'string' ? x : (x['@id'] ?? x.name);
}

function date(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function parseVex(data: unknown, origin: string): VexStatement[] {
  const o = (data ?? {}) as Record<string, unknown>;
  if (typeof o['@context'] === 'string') return parseOpenVex(data, origin);
  if (o.bomFormat === 'CycloneDX') return parseCyclonedx(data, origin);
  throw new AdvisoryFormatError(
    origin,
    'expected an OpenVEX document (@context openvex) or a CycloneDX BOM with vulnerabilities',
  );
}

function issues(origin: string, err: { issues: { path: PropertyKey[]; message: string }[] }): never {
  const i = err.issues[0]!;
  throw new AdvisoryFormatError(origin, `at ${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
}

function parseOpenVex(data: unknown, origin: string): VexStatement[] {
  const r = openVexDocument.safeParse(data);
  if (!r.success) issues(origin, r.error);
  const doc = r.data;
  const out: VexStatement[] = [];
  for (const s of doc.statements) {
    const vuln = idOf(s.vulnerability);
    if (!vuln) throw new AdvisoryFormatError(origin, 'a statement has a vulnerability without @id or name');
    for (const p of s.products ?? []) {
      const product = idOf(p as never);
      if (!product) continue;
      const subs =
        typeof p === 'string' ? [] : (p.subcomponents ?? []).map((x) => idOf(x as never)).filter(Boolean);
      for (const sub of subs.length ? subs : [undefined]) {
        out.push({
          document: origin,
          format: 'openvex',
          product,
          subcomponent: sub,
          vulnerabilityId: vuln,
          status: s.status,
          justification: s.justification,
          impact: s.impact_statement,
          action: s.action_statement,
          issuedAt: date(s.timestamp ?? doc.timestamp),
        });
      }
    }
  }
  return out;
}

function parseCyclonedx(data: unknown, origin: string): VexStatement[] {
  const r = cyclonedxVex.safeParse(data);
  if (!r.success) issues(origin, r.error);
  const doc = r.data;
  const refs = new Map<string, string>();
  const meta = doc.metadata?.component;
  if (meta?.['bom-ref']) refs.set(meta['bom-ref'], meta.purl ?? meta['bom-ref']);
  for (const c of doc.components ?? []) if (c['bom-ref']) refs.set(c['bom-ref'], c.purl ?? c['bom-ref']);
  const out: VexStatement[] = [];
  for (const v of doc.vulnerabilities) {
    if (!v.analysis) continue;
    for (const a of v.affects ?? []) {
      // A ref may be `urn:cdx:…/1#bom-ref` pointing into another BOM: keep its bom-ref part.
      const ref = a.ref.includes('#') ? a.ref.slice(a.ref.lastIndexOf('#') + 1) : a.ref;
      out.push({
        document: origin,
        format: 'cyclonedx',
        product: refs.get(ref) ?? ref,
        vulnerabilityId: v.id,
        status: CDX_STATE[v.analysis.state]!,
        justification:
          v.analysis.justification ?? (v.analysis.state === 'false_positive' ? 'false_positive' : undefined),
        impact: v.analysis.detail,
        action: v.analysis.response?.join(', '),
        issuedAt: date(doc.metadata?.timestamp),
      });
    }
  }
  return out;
}
