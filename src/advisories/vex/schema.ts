// VEX documents: OpenVEX (https://github.com/openvex/spec, v0.2.0) and CycloneDX VEX
// (https://cyclonedx.org/capabilities/vex/, spec 1.4+ `vulnerabilities[].analysis`).
import { z } from 'zod';

const idRef = z.union([
  z.string(),
  z.looseObject({ '@id': z.string().optional(), name: z.string().optional() }),
]);

export const openVexDocument = z.looseObject({
  '@context': z.string().includes('openvex'),
  '@id': z.string().optional(),
  timestamp: z.string().optional(),
  statements: z.array(
    z.looseObject({
      vulnerability: idRef,
      products: z
        .array(
          z.union([
            z.string(),
            z.looseObject({
              '@id': z.string().optional(),
              identifiers: z.record(z.string(), z.string()).optional(),
              subcomponents: z
                .array(z.union([z.string(), z.looseObject({ '@id': z.string().optional() })]))
                .optional(),
            }),
          ]),
        )
        .optional(),
      status: z.enum(['not_affected', 'affected', 'fixed', 'under_investigation']),
      justification: z.string().optional(),
      impact_statement: z.string().optional(),
      action_statement: z.string().optional(),
      timestamp: z.string().optional(),
    }),
  ),
});

export const cyclonedxVex = z.looseObject({
  bomFormat: z.literal('CycloneDX'),
  metadata: z
    .looseObject({
      timestamp: z.string().optional(),
      component: z
        .looseObject({
          'bom-ref': z.string().optional(),
          purl: z.string().optional(),
          name: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  components: z
    .array(z.looseObject({ 'bom-ref': z.string().optional(), purl: z.string().optional() }))
    .optional(),
  vulnerabilities: z.array(
    z.looseObject({
      id: z.string(),
      analysis: z
        .looseObject({
          state: z.enum([
            'resolved',
            'resolved_with_pedigree',
            'exploitable',
            'in_triage',
            'false_positive',
            'not_affected',
          ]),
          justification: z.string().optional(),
          response: z.array(z.string()).optional(),
          detail: z.string().optional(),
        })
        .optional(),
      affects: z.array(z.looseObject({ ref: z.string() })).optional(),
    }),
  ),
});
