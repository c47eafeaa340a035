// The kinds of job Runsight runs, what each job is keyed by, and which cadence of the config
// (`cadence.inventory`, `cadence.advisories`, `cadence.scan`, `cadence.imports`) starts which kind.
// docs/operations.md.

export const JOB_KINDS = [
  /** Collect every configured inventory source once; then ask for a scan of what is in use. */
  'inventory.collect',
  /** Update the advisory feeds and re-match the images the changes touch. */
  'advisories.update',
  /** List the in-use images that are unscanned, stale or newly seen and queue a scan of each. */
  'scan.in-use',
  /** Scan one image (key: its digest, else its reference): never two at once for one key. */
  'scan.image',
  /** Bring posture up to date (roll-ups, snapshots) after scans; coalesced to one at a time. */
  'posture.maintain',
  /** Write or send the scheduled reports that are due (config `reports:`; docs/reports.md). */
  'reports.run',
  /** Compare posture with the notification rules' last state and queue a delivery per transition. */
  'notifications.evaluate',
  /** Deliver one notification (key: its id); retried with backoff, then kept as failed (dead letter). */
  'notifications.deliver',
  /** Delete history older than the config's `retention:` limits (daily when any is set). */
  'retention.run',
  /** Import one report file dropped in `imports.directory` (key: its name, size and mtime). */
  'imports.directory',
  /** Import the VulnerabilityReports of one `imports.trivyOperator` cluster (key: its name). */
  'imports.trivy-operator',
] as const;

export type JobKind = (typeof JOB_KINDS)[number];

export type CadenceName = 'inventory' | 'advisories' | 'scan';

/** The job kind each cadence starts. */
export const CADENCE_KINDS: Readonly<Record<CadenceName, JobKind>> = {
  inventory: 'inventory.collect',
  advisories: 'advisories.update',
  scan: 'scan.in-use',
};

/**
 * The cadences as the config file has them: durations like `5m`, `6h`, `24h`. `imports` starts
 * the import kinds (IMPORT_KINDS): a watched directory is listed and each ready file queued, each
 * trivy-operator cluster queued; default DEFAULT_IMPORTS_CADENCE when imports are configured.
 */
export type Cadences = Partial<Record<CadenceName | 'imports', string | undefined>>;

/** The kinds `cadence.imports` starts. */
export const IMPORT_KINDS = ['imports.directory', 'imports.trivy-operator'] as const satisfies JobKind[];

/** `cadence.imports` when imports are configured and it is not set. */
export const DEFAULT_IMPORTS_CADENCE = '1m';

export function isJobKind(name: string): name is JobKind {
  return (JOB_KINDS as readonly string[]).includes(name);
}

/** A job as a handler sees it. */
export interface Job {
  id: string;
  kind: JobKind;
  /** What the job is about (a scan's digest), or null. */
  key: string | null;
  data: Record<string, unknown>;
}
