// Grype JSON output schema (github.com/anchore/grype grype/presenter/models: Document, Match,
// Vulnerability, Package, Source, Descriptor). Matches are validated one by one.
import { z } from 'zod';

const optStr = z.string().nullish();

const grypeCvss = z.object({
  version: optStr,
  vector: optStr,
  metrics: z.object({ baseScore: z.number().nullish() }).nullish(),
});

export const grypeMatchSchema = z.object({
  vulnerability: z.object({
    id: z.string().min(1),
    namespace: optStr,
    severity: optStr,
    cvss: z.array(grypeCvss).nullish(),
    fix: z.object({ versions: z.array(z.string()).nullish(), state: optStr }).nullish(),
  }),
  relatedVulnerabilities: z
    .array(z.object({ id: z.string(), namespace: optStr, cvss: z.array(grypeCvss).nullish() }))
    .nullish(),
  artifact: z.object({
    name: z.string().min(1),
    version: z.string(),
    type: optStr,
    purl: optStr,
    locations: z.array(z.object({ path: optStr, layerID: optStr })).nullish(),
    upstreams: z.array(z.object({ name: z.string(), version: optStr })).nullish(),
  }),
});
export type GrypeMatch = z.infer<typeof grypeMatchSchema>;

export const grypeImageTargetSchema = z.object({
  userInput: optStr,
  imageID: optStr,
  manifestDigest: optStr,
  tags: z.array(z.string()).nullish(),
  repoDigests: z.array(z.string()).nullish(),
  architecture: optStr,
  os: optStr,
  variant: optStr,
});

export const grypeDocumentSchema = z.object({
  matches: z.array(z.unknown()),
  source: z
    .object({
      type: z.string(),
      target: z.union([grypeImageTargetSchema, z.string(), z.record(z.string(), z.unknown())]).nullish(),
    })
    .nullish(),
  distro: z.object({ name: optStr, version: optStr }).nullish(),
  descriptor: z.object({ name: optStr, version: optStr, timestamp: optStr }).nullish(),
});
export type GrypeDocument = z.infer<typeof grypeDocumentSchema>;
