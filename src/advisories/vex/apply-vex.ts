// Applies VEX statements to one image's findings: a statement whose vulnerability is the finding's
// id (or one of its aliases) and whose product is the image (digest or pkg:oci purl) or the
// finding's package (purl, with the subcomponent when given) sets the status to not_affected or
// fixed, and keeps the justification and impact in statusReason. `affected` and
// `under_investigation` change nothing. The newest statement wins.
import type { Finding } from '../../core/types.js';
import type { VexStatement } from './parse-vex.js';

export interface ApplyVexOptions {
  /** The platform manifest digest the findings belong to. */
  imageDigest?: string | undefined;
}

/** `sha256:…` from a digest or a `pkg:oci/name@sha256%3A…` purl; undefined otherwise. */
export function productDigest(product: string): string | undefined {
  if (/^sha256:[0-9a-f]{64}$/.test(product)) return product;
  const m = /^pkg:oci\/[^@]+@(sha256(?::|%3A)[0-9a-f]{64})/i.exec(product);
  return m ? m[1]!.replace(/%3A/i, ':').toLowerCase() : undefined;
}

/** purl equality ignoring qualifiers and subpath; a purl without version matches every version. */
export function purlMatches(pattern: string, purl: string | undefined): boolean {
  if (!purl || !pattern.startsWith('pkg:')) return false;
  const strip = (p: string) => decodeURIComponent(p.split(/[?#]/)[0]!).toLowerCase();
  const a = strip(pattern);
  const b = strip(purl);
  if (a === b) return true;
  if (!a.includes('@')) return b.startsWith(`${a}@`) || b === a;
  return false;
}

/** Whether statement `s` speaks about finding `f` (its vulnerability, and its image or package). */
export function vexStatementApplies(s: VexStatement, f: Finding, opts: ApplyVexOptions): boolean {
  if (s.vulnerabilityId !== f.id && !f.aliases.includes(s.vulnerabilityId)) return false;
  const digest = productDigest(s.product);
  const subOk = !s.subcomponent || purlMatches(s.subcomponent, f.package.purl);
  if (digest) return digest === opts.imageDigest && subOk;
  if (purlMatches(s.product, f.package.purl)) return true;
  // The product is the artifact that contains the package (OpenVEX products with subcomponents).
  return Boolean(s.subcomponent) && subOk;
}

export function applyVex(
  findings: Finding[],
  statements: VexStatement[],
  opts: ApplyVexOptions = {},
): Finding[] {
  if (!statements.length) return findings;
  const sorted = [...statements].sort((a, b) => (a.issuedAt?.getTime() ?? 0) - (b.issuedAt?.getTime() ?? 0));
  return findings.map((f) => {
    let out = f;
    for (const s of sorted) {
      if (!vexStatementApplies(s, f, opts)) continue;
      if (s.status === 'not_affected' || s.status === 'fixed') {
        const reason = [s.justification, s.impact].filter(Boolean).join(': ');
        out = {
          ...f,
          status: s.status,
          statusReason: `VEX ${s.status}${reason ? ` (${reason})` : ''} — ${s.document}`,
        };
      } else if (s.status === 'affected' && out !== f) {
        out = f; // a newer statement re-affirms the vulnerability
      }
    }
    return out;
  });
}
