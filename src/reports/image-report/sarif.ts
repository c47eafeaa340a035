// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html) for one image, in
// the shape GitHub code scanning reads (docs.github.com "SARIF support for code scanning"): one run,
// tool.driver "Runsight"; one rule per vulnerability with `security-severity` and the `security`
// tag; one result per counted finding (status affected or unknown after VEX: what posture counts)
// located at the image (`oci://registry/repo@sha256:…`, a region on line 1 as container scanners'
// SARIF does, and the package as a logical location), with a partial fingerprint stable per
// (platform digest, package, vulnerability) so re-uploads update alerts instead of adding them.
import { createHash } from 'node:crypto';
import { severityRank } from '../../core/severity.js';
import { advisoryUrl, imageUri } from './links.js';
import { counted, type ImageReportData, type ReportFinding, type ReportTarget } from './model.js';
import { SARIF_LEVEL, securitySeverity } from './vocabulary.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** The fingerprint key (versioned: a change of what it hashes gets a new key). */
export const FINGERPRINT_KEY = 'runsightFinding/v1';

export function fingerprint(
  digest: string,
  f: Pick<ReportFinding, 'ecosystem' | 'packageName' | 'id'>,
): string {
  return createHash('sha256').update([digest, f.ecosystem, f.packageName, f.id].join('\n')).digest('hex');
}

export function toSarif(d: ImageReportData): unknown {
  const found = d.targets.flatMap((t) => t.findings.filter((f) => counted(f.status)).map((f) => ({ t, f })));
  const ruleIndex = new Map<string, number>();
  const rules: unknown[] = [];
  const byId = new Map<string, { f: ReportFinding }[]>();
  for (const x of found) byId.set(x.f.id, [...(byId.get(x.f.id) ?? []), x]);
  for (const [id, list] of [...byId].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    ruleIndex.set(id, rules.length);
    rules.push(
      rule(
        d,
        id,
        list.map((x) => x.f),
      ),
    );
  }
  const results = found.map(({ t, f }) => result(d, t, f, ruleIndex.get(f.id)!));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Runsight',
            fullName: 'Runsight container vulnerability posture',
            version: d.toolVersion,
            semanticVersion: /^\d+\.\d+\.\d+/.test(d.toolVersion) ? d.toolVersion : undefined,
            rules,
          },
        },
        automationDetails: {
          id: `runsight/image/${d.name ? `${d.name.registry}/${d.name.repository}` : d.digest}/`,
        },
        results,
        properties: {
          imageReference: d.reference,
          imageDigest: d.digest,
          imagePurl: d.purl,
          generatedAt: d.generatedAt.toISOString(),
          platforms: d.targets.map((t) => ({
            digest: t.digest,
            platform: t.platform,
            source: t.scan?.source ?? null,
            scannerVersion: t.scan?.scannerVersion ?? null,
            scannedAt: t.scan?.startedAt.toISOString() ?? null,
            scanStatus: t.scan?.status ?? 'not scanned',
          })),
        },
      },
    ],
  };
}

function rule(d: ImageReportData, id: string, findings: ReportFinding[]): unknown {
  const worst = findings.reduce((a, b) => (severityRank(b.severity) > severityRank(a.severity) ? b : a));
  const facts = d.facts.get(id);
  const summary = facts?.advisory?.summary ?? undefined;
  const url = advisoryUrl(id, facts);
  const cvss = Math.max(
    ...findings.filter((f) => f.severity === worst.severity).map((f) => f.cvss?.score ?? -1),
  );
  const fixes = [...new Set(findings.map((f) => f.fixedVersion).filter((v): v is string => !!v))];
  const helpLines = [
    `Vulnerability ${id}${summary ? `: ${summary}` : ''}`,
    `Severity: ${worst.severity}`,
    `Fixed version: ${fixes.length ? fixes.join(', ') : 'none known'}`,
    facts?.kev ? `Listed in CISA KEV since ${facts.kev.dateAdded ?? 'an unknown date'}` : undefined,
    facts?.epss ? `EPSS: ${facts.epss.score} (percentile ${facts.epss.percentile})` : undefined,
    url ? `Link: ${url}` : undefined,
  ].filter(Boolean);
  return {
    id,
    name: id.replace(/[^A-Za-z0-9]/g, ''),
    shortDescription: { text: oneLine(summary ?? id) },
    fullDescription: { text: summary ?? `${id} (no advisory summary held by Runsight)` },
    ...(url ? { helpUri: url } : {}),
    help: {
      text: helpLines.join('\n'),
      markdown: helpLines.map((l) => l!.replace(/^Link: (.*)$/, `[${id}]($1)`)).join('  \n'),
    },
    defaultConfiguration: { level: SARIF_LEVEL[worst.severity] },
    properties: {
      precision: 'very-high',
      'security-severity': securitySeverity(worst.severity, cvss >= 0 ? cvss : undefined),
      tags: ['vulnerability', 'security', worst.severity.toLowerCase()],
      aliases: [...new Set(findings.flatMap((f) => f.aliases))],
      kev: !!facts?.kev,
      ...(facts?.epss ? { epss: facts.epss.score, epssPercentile: facts.epss.percentile } : {}),
    },
  };
}

function result(d: ImageReportData, t: ReportTarget, f: ReportFinding, index: number): unknown {
  const facts = d.facts.get(f.id);
  const where = t.platform && d.targets.length > 1 ? ` (${t.platform})` : '';
  const fix = f.fixedVersion ? `fixed in ${f.fixedVersion}` : 'no fixed version known';
  return {
    ruleId: f.id,
    ruleIndex: index,
    level: SARIF_LEVEL[f.severity],
    message: {
      text: `${f.id} (${f.severity}) in package ${f.packageName} ${f.installedVersion}${where}: ${fix}${
        f.status === 'unknown' ? ' (Runsight could not compare the installed version with the advisory)' : ''
      }`,
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: imageUri(d.name, t.digest) },
          region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
        },
        logicalLocations: [
          {
            name: f.packageName,
            fullyQualifiedName: f.purl ?? `${f.packageName}@${f.installedVersion}`,
            kind: 'package',
          },
        ],
        message: { text: `${f.packageName}@${f.installedVersion}` },
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(t.digest, f) },
    properties: {
      package: f.packageName,
      ecosystem: f.ecosystem,
      purl: f.purl,
      installedVersion: f.installedVersion,
      fixedVersion: f.fixedVersion,
      fixable: !!f.fixedVersion,
      severity: f.severity,
      ...(f.cvss ? { cvssScore: f.cvss.score, cvssVector: f.cvss.vector, cvssVersion: f.cvss.version } : {}),
      status: f.status,
      kev: !!facts?.kev,
      ...(facts?.kev?.knownRansomware ? { kevKnownRansomware: facts.kev.knownRansomware } : {}),
      ...(facts?.epss ? { epss: facts.epss.score, epssPercentile: facts.epss.percentile } : {}),
      imageDigest: t.digest,
      platform: t.platform,
      layer: f.layer,
      source: t.scan?.source,
    },
  };
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
