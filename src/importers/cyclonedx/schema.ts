// CycloneDX JSON BOM schema, the parts that carry findings (CycloneDX 1.4–1.6 specification:
// `components` (nested), `metadata.component`, `metadata.tools` in both the ≤1.4 array form and the
// 1.5 `{components, services}` form, and `vulnerabilities` with ratings, affects and analysis — the
// same shape CycloneDX VEX documents use). Vulnerabilities are validated one by one.
import { z } from 'zod';

const optStr = z.string().nullish();

export const cdxPropertySchema = z.object({ name: z.string(), value: optStr });

export interface CdxComponent {
  type?: string | null | undefined;
  'bom-ref'?: string | null | undefined;
  group?: string | null | undefined;
  name: string;
  version?: string | null | undefined;
  purl?: string | null | undefined;
  properties?: { name: string; value?: string | null | undefined }[] | null | undefined;
  components?: CdxComponent[] | null | undefined;
}

export const cdxComponentSchema: z.ZodType<CdxComponent> = z.lazy(() =>
  z.object({
    type: optStr,
    'bom-ref': optStr,
    group: optStr,
    name: z.string(),
    version: optStr,
    purl: optStr,
    properties: z.array(cdxPropertySchema).nullish(),
    components: z.array(cdxComponentSchema).nullish(),
  }),
);

const tool = z.object({ vendor: optStr, name: optStr, version: optStr, group: optStr });

export const cdxVulnerabilitySchema = z.object({
  'bom-ref': optStr,
  id: z.string().min(1),
  source: z.object({ name: optStr }).nullish(),
  references: z.array(z.object({ id: z.string(), source: z.object({ name: optStr }).nullish() })).nullish(),
  ratings: z
    .array(
      z.object({
        source: z.object({ name: optStr }).nullish(),
        score: z.number().nullish(),
        severity: optStr,
        method: optStr,
        vector: optStr,
      }),
    )
    .nullish(),
  recommendation: optStr,
  analysis: z
    .object({ state: optStr, justification: optStr, response: z.array(z.string()).nullish(), detail: optStr })
    .nullish(),
  affects: z
    .array(
      z.object({
        ref: z.string().min(1),
        versions: z.array(z.object({ version: optStr, range: optStr, status: optStr })).nullish(),
      }),
    )
    .min(1),
  properties: z.array(cdxPropertySchema).nullish(),
});
export type CdxVulnerability = z.infer<typeof cdxVulnerabilitySchema>;

export const cdxBomSchema = z.object({
  bomFormat: z.literal('CycloneDX'),
  specVersion: z.string(),
  metadata: z
    .object({
      timestamp: optStr,
      tools: z.union([z.array(tool), z.object({ components: z.array(tool).nullish() })]).nullish(),
      component: cdxComponentSchema.nullish(),
    })
    .nullish(),
  components: z.array(cdxComponentSchema).nullish(),
  vulnerabilities: z.array(z.unknown()).nullish(),
});
export type CdxBom = z.infer<typeof cdxBomSchema>;
