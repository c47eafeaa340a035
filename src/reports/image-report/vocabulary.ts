// The one set of mappings between Runsight's vocabulary and the three formats' (docs/reports.md
// "Per image: SARIF, CycloneDX, OpenVEX" prints them as tables):
// - severity → SARIF `level` and GitHub's `security-severity` (GitHub code scanning reads a number
//   from 0.1 to 10: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low);
// - a finding's status and VEX statement → CycloneDX 1.6 `analysis` (state, justification,
//   response) and OpenVEX v0.2.0 `status`/`justification`;
// - justifications between the two VEX vocabularies (the same correspondence Trivy applies when it
//   reads CycloneDX VEX, and CISA's "VEX status justifications" paper).
import type { VexStatus } from '../../core/advisory.js';
import type { FindingStatus, Severity } from '../../core/types.js';

export type SarifLevel = 'error' | 'warning' | 'note';

export const SARIF_LEVEL: Record<Severity, SarifLevel> = {
  CRITICAL: 'error',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'note',
  UNKNOWN: 'note',
};

/** GitHub's bands for `security-severity`; the number shown is the CVSS score when it falls in the band. */
const BAND: Record<Severity, [number, number, number] | null> = {
  CRITICAL: [9.0, 10.0, 9.5],
  HIGH: [7.0, 8.9, 8.0],
  MEDIUM: [4.0, 6.9, 5.5],
  LOW: [0.1, 3.9, 2.0],
  UNKNOWN: null,
};

/** `security-severity` for a severity (undefined for UNKNOWN: GitHub then shows the level alone). */
export function securitySeverity(
  severity: Severity,
  cvssScore: number | null | undefined,
): string | undefined {
  const band = BAND[severity];
  if (!band) return undefined;
  const [lo, hi, mid] = band;
  const n = cvssScore != null && cvssScore >= lo && cvssScore <= hi ? cvssScore : mid;
  return n.toFixed(1);
}

export const OPENVEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;
export type OpenVexJustification = (typeof OPENVEX_JUSTIFICATIONS)[number];

export const CDX_JUSTIFICATIONS = [
  'code_not_present',
  'code_not_reachable',
  'requires_configuration',
  'requires_dependency',
  'requires_environment',
  'protected_by_compiler',
  'protected_at_runtime',
  'protected_at_perimeter',
  'protected_by_mitigating_control',
] as const;
export type CdxJustification = (typeof CDX_JUSTIFICATIONS)[number];

const OPENVEX_TO_CDX: Record<OpenVexJustification, CdxJustification> = {
  component_not_present: 'code_not_present',
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  vulnerable_code_cannot_be_controlled_by_adversary: 'requires_environment',
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
};

const CDX_TO_OPENVEX: Record<CdxJustification, OpenVexJustification> = {
  code_not_present: 'vulnerable_code_not_present',
  code_not_reachable: 'vulnerable_code_not_in_execute_path',
  requires_configuration: 'vulnerable_code_cannot_be_controlled_by_adversary',
  requires_dependency: 'vulnerable_code_cannot_be_controlled_by_adversary',
  requires_environment: 'vulnerable_code_cannot_be_controlled_by_adversary',
  protected_by_compiler: 'inline_mitigations_already_exist',
  protected_at_runtime: 'inline_mitigations_already_exist',
  protected_at_perimeter: 'inline_mitigations_already_exist',
  protected_by_mitigating_control: 'inline_mitigations_already_exist',
};

/** A stored justification (either vocabulary) in CycloneDX's; undefined when it is neither. */
export function cdxJustification(j: string | undefined): CdxJustification | undefined {
  if (!j) return undefined;
  if ((CDX_JUSTIFICATIONS as readonly string[]).includes(j)) return j as CdxJustification;
  return OPENVEX_TO_CDX[j as OpenVexJustification];
}

/** A stored justification (either vocabulary) in OpenVEX's; undefined when it is neither. */
export function openVexJustification(j: string | undefined): OpenVexJustification | undefined {
  if (!j) return undefined;
  if ((OPENVEX_JUSTIFICATIONS as readonly string[]).includes(j)) return j as OpenVexJustification;
  return CDX_TO_OPENVEX[j as CdxJustification];
}

export type CdxState = 'resolved' | 'exploitable' | 'in_triage' | 'false_positive' | 'not_affected';

/**
 * CycloneDX `analysis.state` for a finding: from the VEX statement deciding it, else from a status
 * the source itself reported (not_affected, fixed); none for a plain scanner finding.
 */
export function cdxState(
  status: FindingStatus,
  vex: VexStatus | undefined,
  justification?: string,
): CdxState | undefined {
  if (status === 'not_affected')
    return justification === 'false_positive' ? 'false_positive' : 'not_affected';
  if (status === 'fixed') return 'resolved';
  if (vex === 'under_investigation') return 'in_triage';
  if (vex === 'affected') return 'exploitable';
  return undefined;
}

export const CDX_RESPONSES = [
  'can_not_fix',
  'will_not_fix',
  'update',
  'rollback',
  'workaround_available',
] as const;

/** OpenVEX status of a finding: VEX's word when a statement decides it, else from the status. */
export function openVexStatus(status: FindingStatus, vex: VexStatus | undefined): VexStatus {
  if (status === 'not_affected' || status === 'fixed') return status;
  if (vex === 'under_investigation') return 'under_investigation';
  // `unknown`: Runsight could not compare the installed version with the advisory's ranges.
  if (status === 'unknown') return 'under_investigation';
  return 'affected';
}
