// osv-scanner JSON output (github.com/google/osv-scanner pkg/models/results.go: VulnerabilityResults
// → PackageSource → PackageVulns with full embedded OSV records and alias groups). OSV records
// follow the OSV schema (https://ossf.github.io/osv-schema/); only the fields used are checked.
import { z } from 'zod';

const optStr = z.string().nullish();

export const osvRecordSchema = z.object({
  id: z.string().min(1),
  aliases: z.array(z.string()).nullish(),
  severity: z.array(z.object({ type: z.string(), score: z.string() })).nullish(),
  affected: z
    .array(
      z.object({
        package: z.object({ ecosystem: optStr, name: optStr, purl: optStr }).nullish(),
        ranges: z
          .array(z.object({ type: optStr, events: z.array(z.record(z.string(), z.string())).nullish() }))
          .nullish(),
      }),
    )
    .nullish(),
  database_specific: z.object({ severity: z.unknown() }).partial().nullish(),
});
export type OsvRecord = z.infer<typeof osvRecordSchema>;

export const osvPackageVulnsSchema = z.object({
  package: z.object({ name: optStr, version: optStr, ecosystem: optStr, commit: optStr }),
  vulnerabilities: z.array(z.unknown()).nullish(),
  groups: z
    .array(
      z.object({ ids: z.array(z.string()), aliases: z.array(z.string()).nullish(), max_severity: optStr }),
    )
    .nullish(),
});
export type OsvPackageVulns = z.infer<typeof osvPackageVulnsSchema>;

export const osvScannerOutputSchema = z.object({
  results: z.array(
    z.object({
      source: z.object({ path: z.string(), type: optStr }),
      packages: z.array(osvPackageVulnsSchema).nullish(),
    }),
  ),
});
export type OsvScannerOutput = z.infer<typeof osvScannerOutputSchema>;
