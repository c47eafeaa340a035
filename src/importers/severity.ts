// Scanner severities → Runsight's five levels. Each scanner spells them its own way:
// Trivy/trivy-operator upper case, Grype `Negligible`, CycloneDX `info`/`none`, GHSA `MODERATE`.
import type { Severity } from '../core/types.js';

const MAP: Record<string, Severity> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  important: 'HIGH', // Red Hat
  medium: 'MEDIUM',
  moderate: 'MEDIUM', // GHSA, Red Hat
  low: 'LOW',
  negligible: 'LOW', // Grype: below low, still a finding
  info: 'LOW', // CycloneDX
  none: 'LOW', // CycloneDX / CVSS "None"
  unknown: 'UNKNOWN',
  unspecified: 'UNKNOWN',
  '': 'UNKNOWN',
};

/** Maps a scanner's severity word; anything unrecognised is UNKNOWN (never guessed upward). */
export function mapSeverity(value: string | null | undefined): Severity {
  return MAP[(value ?? '').trim().toLowerCase()] ?? 'UNKNOWN';
}

/** CVSS v3/v4 qualitative bands (FIRST CVSS v3.1 specification, section 5). */
export function severityFromScore(score: number): Severity {
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  if (score > 0) return 'LOW';
  return 'LOW';
}

const RANK: Record<Severity, number> = { CRITICAL: 4, HIGH: 3, MEDIUM: 2, LOW: 1, UNKNOWN: 0 };
export function severityRank(s: Severity): number {
  return RANK[s];
}
