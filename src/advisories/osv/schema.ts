// The OSV schema (https://ossf.github.io/osv-schema/, 1.7) as zod: what an OSV record must look like
// to be imported. Unknown fields are kept (the record is stored whole); known fields must have
// the right types.
import { z } from 'zod';

const dateString = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an RFC 3339 timestamp');

const event = z.looseObject({
  introduced: z.string().optional(),
  fixed: z.string().optional(),
  last_affected: z.string().optional(),
  limit: z.string().optional(),
});

export const osvRange = z.looseObject({
  type: z.enum(['ECOSYSTEM', 'SEMVER', 'GIT']),
  repo: z.string().optional(),
  events: z.array(event).min(1, 'a range needs at least one event'),
  database_specific: z.unknown().optional(),
});

export const osvSeverity = z.looseObject({
  type: z.string(),
  score: z.string(),
});

export const osvAffected = z.looseObject({
  package: z
    .looseObject({
      ecosystem: z.string().min(1),
      name: z.string().min(1),
      purl: z.string().optional(),
    })
    .optional(),
  severity: z.array(osvSeverity).optional(),
  ranges: z.array(osvRange).optional(),
  versions: z.array(z.string()).optional(),
  ecosystem_specific: z.unknown().optional(),
  database_specific: z.unknown().optional(),
});

export const osvRecord = z.looseObject({
  schema_version: z.string().optional(),
  id: z.string().min(1),
  modified: dateString.optional(),
  published: dateString.optional(),
  withdrawn: dateString.optional(),
  aliases: z.array(z.string()).nullish(),
  upstream: z.array(z.string()).nullish(),
  related: z.array(z.string()).nullish(),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: z.array(osvSeverity).nullish(),
  affected: z.array(osvAffected).nullish(),
  references: z.array(z.looseObject({ type: z.string(), url: z.string() })).nullish(),
  database_specific: z.unknown().optional(),
});

export type OsvRecord = z.infer<typeof osvRecord>;
export type OsvAffected = z.infer<typeof osvAffected>;
