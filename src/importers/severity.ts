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
