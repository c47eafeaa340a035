// CVE JSON 5 records (the CVE List, https://github.com/CVEProject/cvelistV5; schema
// https://github.com/CVEProject/cve-schema) as zod: only what severity needs is checked — the
// record's id, state and date, each container's provider and its CVSS metrics. Everything else
// (descriptions, references, affected, SSVC and other `other` metrics) passes through unchecked.
import { z } from 'zod';

/** A CVE timestamp: RFC 3339, or ISO 8601 without a zone (older records; read as UTC). */
export const cveDate = z
  .string()
  .refine((s) => parseCveDate(s) !== undefined, 'expected an ISO 8601 timestamp');

export function parseCveDate(s: string): Date | undefined {
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(s) ? s : `${s}Z`;
  const t = Date.parse(zoned);
  return Number.isNaN(t) ? undefined : new Date(t);
}

const cvss = z.looseObject({
  version: z.string().optional(),
  vectorString: z.string().min(1),
  baseScore: z.number().min(0).max(10),
  baseSeverity: z.string().optional(),
});

export const cveMetric = z.looseObject({
  /** Free-form metrics (SSVC, a CNA's own rating scale): only a rating word is ever read from it. */
  other: z.looseObject({ type: z.string().optional(), content: z.unknown().optional() }).optional(),
  cvssV4_0: cvss.optional(),
  cvssV3_1: cvss.optional(),
  cvssV3_0: cvss.optional(),
  cvssV2_0: cvss.optional(),
});

const container = z.looseObject({
  providerMetadata: z.looseObject({
    orgId: z.string().min(1),
    shortName: z.string().min(1).optional(),
    dateUpdated: cveDate.optional(),
  }),
  metrics: z.array(cveMetric).optional(),
});

export const cveRecord = z.looseObject({
  dataType: z.literal('CVE_RECORD'),
  dataVersion: z.string().optional(),
  cveMetadata: z.looseObject({
    cveId: z.string().regex(/^CVE-\d{4}-\d{4,}$/, 'expected a CVE id (CVE-YYYY-NNNN)'),
    state: z.enum(['PUBLISHED', 'REJECTED']),
    assignerShortName: z.string().optional(),
    dateUpdated: cveDate.optional(),
  }),
  containers: z.looseObject({
    cna: container,
    adp: z.array(container).optional(),
  }),
});

export type CveRecord = z.infer<typeof cveRecord>;
export type CveContainer = z.infer<typeof container>;
