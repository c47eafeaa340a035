// zod schemas for the SBOM documents Runsight reads (only the fields it uses; unknown fields pass).
// Specs: CycloneDX 1.4–1.6 JSON (https://cyclonedx.org/docs/1.6/json/); SPDX 2.2/2.3 JSON.
import { z } from 'zod';

const Property = z.object({ name: z.string(), value: z.string().optional() });

export interface CdxComponent {
  'bom-ref'?: string | undefined;
  type?: string | undefined;
  group?: string | undefined;
  name?: string | undefined;
  version?: string | undefined;
  purl?: string | undefined;
  properties?: { name: string; value?: string | undefined }[] | undefined;
  components?: CdxComponent[] | undefined;
}

export const CdxComponentSchema: z.ZodType<CdxComponent> = z.lazy(() =>
  z.object({
    'bom-ref': z.string().optional(),
    type: z.string().optional(),
    group: z.string().optional(),
    name: z.string().optional(),
    version: z.string().optional(),
    purl: z.string().optional(),
    properties: z.array(Property).optional(),
    components: z.array(CdxComponentSchema).optional(),
  }),
);

export const CycloneDxSchema = z.object({
  bomFormat: z.literal('CycloneDX'),
  specVersion: z.string(),
  metadata: z.object({ component: CdxComponentSchema.optional() }).optional(),
  components: z.array(CdxComponentSchema).optional(),
  dependencies: z.array(z.object({ ref: z.string(), dependsOn: z.array(z.string()).optional() })).optional(),
});

export const SpdxSchema = z.object({
  spdxVersion: z.string().startsWith('SPDX-'),
  name: z.string().optional(),
  packages: z
    .array(
      z.object({
        SPDXID: z.string(),
        name: z.string(),
        versionInfo: z.string().optional(),
        primaryPackagePurpose: z.string().optional(),
        attributionTexts: z.array(z.string()).optional(),
        sourceInfo: z.string().optional(),
        externalRefs: z
          .array(
            z.object({
              referenceType: z.string(),
              referenceLocator: z.string(),
              referenceCategory: z.string().optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
});
