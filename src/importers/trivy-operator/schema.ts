// trivy-operator `VulnerabilityReport` custom resources (aquasecurity.github.io/v1alpha1,
// github.com/aquasecurity/trivy-operator pkg/apis/aquasecurity/v1alpha1/vulnerability_types.go).
// Vulnerability entries are validated one by one.
import { z } from 'zod';

const optStr = z.string().nullish();

export const operatorVulnerabilitySchema = z.object({
  vulnerabilityID: z.string().min(1),
  resource: z.string().min(1),
  installedVersion: z.string(),
  fixedVersion: optStr,
  severity: optStr,
  score: z.number().nullish(),
  target: optStr,
  class: optStr,
  packageType: optStr,
  pkgPURL: optStr,
  pkgPath: optStr,
});
export type OperatorVulnerability = z.infer<typeof operatorVulnerabilitySchema>;

export const vulnerabilityReportSchema = z.object({
  apiVersion: z.string().regex(/^aquasecurity\.github\.io\//, 'expected apiVersion aquasecurity.github.io/…'),
  kind: z.enum(['VulnerabilityReport', 'ClusterVulnerabilityReport']),
  metadata: z.object({
    name: optStr,
    namespace: optStr,
    creationTimestamp: optStr,
    labels: z.record(z.string(), z.string()).nullish(),
  }),
  report: z.object({
    updateTimestamp: optStr,
    scanner: z.object({ name: optStr, vendor: optStr, version: optStr }).nullish(),
    registry: z.object({ server: optStr }).nullish(),
    artifact: z.object({ repository: z.string().min(1), tag: optStr, digest: optStr }),
    os: z.object({ family: optStr, name: optStr }).nullish(),
    vulnerabilities: z.array(z.unknown()).nullish(),
  }),
});
export type VulnerabilityReport = z.infer<typeof vulnerabilityReportSchema>;
