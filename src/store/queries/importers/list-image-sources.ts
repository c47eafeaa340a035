// The current scan of every source (runsight, trivy, grype, …) for one image digest, with its
// findings: what `runsight image show` compares side by side.
import type { FindingStatus, Severity } from '../../../core/types.js';
import type { Store } from '../../open-store.js';

export interface SourceScan {
  source: string;
  scanId: number;
  scannerVersion: string | null;
  reference: string | null;
  status: string;
  startedAt: Date;
  /** When the scan (or import) landed: what posture's tie-break orders by. */
  finishedAt: Date | null;
  stats: Record<string, unknown>;
  findings: {
    vulnerabilityId: string;
    aliases: string[];
    ecosystem: string;
    packageName: string;
    installedVersion: string;
    fixedVersion: string | null;
    severity: Severity;
    cvssScore: number | null;
    status: FindingStatus;
  }[];
}

export async function listImageSources({ db }: Pick<Store, 'db'>, digest: string): Promise<SourceScan[]> {
  const scans = await db
    .selectFrom('current_scans')
    .innerJoin('scans', 'scans.id', 'current_scans.scan_id')
    .select([
      'current_scans.source',
      'scans.id',
      'scans.scanner_version',
      'scans.reference',
      'scans.status',
      'scans.started_at',
      'scans.finished_at',
      'scans.stats',
    ])
    .where('current_scans.image_digest', '=', digest)
    .orderBy('current_scans.source')
    .execute();
  const out: SourceScan[] = [];
  for (const s of scans) {
    const rows = await db
      .selectFrom('findings')
      .select([
        'vulnerability_id',
        'aliases',
        'package_ecosystem',
        'package_name',
        'installed_version',
        'fixed_version',
        'severity',
        'cvss_score',
        'status',
      ])
      .where('scan_id', '=', s.id)
      .orderBy('vulnerability_id')
      .orderBy('package_name')
      .execute();
    out.push({
      source: s.source,
      scanId: s.id,
      scannerVersion: s.scanner_version,
      reference: s.reference,
      status: s.status,
      startedAt: s.started_at,
      finishedAt: s.finished_at,
      stats: (s.stats ?? {}) as Record<string, unknown>,
      findings: rows.map((r) => ({
        vulnerabilityId: r.vulnerability_id,
        aliases: r.aliases,
        ecosystem: r.package_ecosystem,
        packageName: r.package_name,
        installedVersion: r.installed_version,
        fixedVersion: r.fixed_version,
        severity: r.severity as Severity,
        cvssScore: r.cvss_score,
        status: r.status as FindingStatus,
      })),
    });
  }
  return out;
}
