// Trivy JSON report schemas (github.com/aquasecurity/trivy pkg/types/report.go, SchemaVersion 2;
// the pre-v2 list form `[{Target, Type, Vulnerabilities}]`; and `trivy k8s` reports in both the
// older `{ClusterName, Vulnerabilities: [{Namespace, Kind, Name, Results}]}` and the newer
// `{ClusterName, Resources: [...]}` shapes). Vulnerability entries are validated one by one.
import { z } from 'zod';

const str = z.string();
const optStr = z.string().nullish();

export const trivyCvssSchema = z.object({
  V2Vector: optStr,
  V3Vector: optStr,
  V40Vector: optStr,
  V2Score: z.number().nullish(),
  V3Score: z.number().nullish(),
  V40Score: z.number().nullish(),
});

export const trivyVulnerabilitySchema = z.object({
  VulnerabilityID: str.min(1),
  VendorIDs: z.array(str).nullish(),
  PkgID: optStr,
  PkgName: str.min(1),
  PkgPath: optStr,
  PkgIdentifier: z.object({ PURL: optStr }).nullish(),
  InstalledVersion: str,
  FixedVersion: optStr,
  Status: optStr,
  Layer: z.object({ Digest: optStr, DiffID: optStr }).nullish(),
  SeveritySource: optStr,
  Severity: optStr,
  CVSS: z.record(str, trivyCvssSchema).nullish(),
});
export type TrivyVulnerability = z.infer<typeof trivyVulnerabilitySchema>;

export const trivyPackageSchema = z.object({
  ID: optStr,
  Name: str,
  Version: str,
  Release: optStr,
  Epoch: z.number().nullish(),
  SrcName: optStr,
  SrcVersion: optStr,
  SrcRelease: optStr,
  SrcEpoch: z.number().nullish(),
  Identifier: z.object({ PURL: optStr }).nullish(),
  FilePath: optStr,
  Layer: z.object({ Digest: optStr, DiffID: optStr }).nullish(),
});
export type TrivyPackage = z.infer<typeof trivyPackageSchema>;

export const trivyResultSchema = z.object({
  Target: str,
  Class: optStr,
  Type: optStr,
  Packages: z.array(z.unknown()).nullish(),
  Vulnerabilities: z.array(z.unknown()).nullish(),
});
export type TrivyResult = z.infer<typeof trivyResultSchema>;

export const trivyOsSchema = z.object({ Family: str, Name: optStr });

export const trivyMetadataSchema = z.object({
  OS: trivyOsSchema.nullish(),
  ImageID: optStr,
  RepoTags: z.array(str).nullish(),
  RepoDigests: z.array(str).nullish(),
  Reference: optStr,
  ImageConfig: z
    .object({ architecture: optStr, os: optStr, variant: optStr, 'os.version': optStr })
    .nullish(),
});

export const trivyReportV2Schema = z.object({
  SchemaVersion: z.literal(2),
  Trivy: z.object({ Version: optStr }).nullish(),
  CreatedAt: optStr,
  ArtifactName: optStr,
  ArtifactType: optStr,
  Metadata: trivyMetadataSchema.nullish(),
  Results: z.array(trivyResultSchema).nullish(),
});
export type TrivyReportV2 = z.infer<typeof trivyReportV2Schema>;

export const trivyLegacyReportSchema = z.array(trivyResultSchema);

const k8sWorkload = z.object({
  Namespace: optStr,
  Kind: optStr,
  Name: optStr,
  Metadata: trivyMetadataSchema.nullish(),
  Results: z.array(trivyResultSchema).nullish(),
});
export type TrivyK8sWorkload = z.infer<typeof k8sWorkload>;

export const trivyK8sReportSchema = z.object({
  ClusterName: optStr,
  Vulnerabilities: z.array(k8sWorkload).nullish(),
  Resources: z.array(k8sWorkload).nullish(),
});
export type TrivyK8sReport = z.infer<typeof trivyK8sReportSchema>;
