// Shared text helpers for the posture commands' table output, and the one wording of the two
// figures every command prints: `N vulnerabilities, M findings`
// (docs/cli.md#counts-vulnerabilities-and-findings).
import { UsageError } from '../core/errors.js';
import { SEVERITIES, type Severity } from '../core/types.js';
import type { CountSummary, Figures, WrittenInputs } from '../propagation/index.js';
import { maintainPosture, postureConfigOf } from '../propagation/index.js';
import type { Freshness } from '../views/index.js';
import { humanAge } from '../views/index.js';
import type { CliContext } from './context.js';

export function parseSeverity(value: string | undefined, flag: string): Severity | undefined {
  if (value === undefined) return undefined;
  const s = value.toUpperCase();
  if ((SEVERITIES as readonly string[]).includes(s)) return s as Severity;
  throw new UsageError(`${flag} expects critical, high, medium, low or unknown, got "${value}"`);
}

/** `C/H/M/L/U` counts. */
export function chml(f: {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
}): string {
  return `${f.critical}/${f.high}/${f.medium}/${f.low}/${f.unknown}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `1 vulnerability, 2 findings`. */
export function countsHeadline(s: CountSummary): string {
  return `${plural(s.vulnerabilities.total, 'vulnerability', 'vulnerabilities')}, ${plural(s.findings.total, 'finding', 'findings')}`;
}

/** `findings C/H/M/L/U 0/2/0/0/0 (0 KEV, 2 fixable)`. */
export function figuresText(label: string, f: Figures): string {
  return `${label} C/H/M/L/U ${chml(f)} (${f.kev} KEV, ${f.fixable} fixable)`;
}

/** `vulnerabilities C/H/M/L/U … · findings C/H/M/L/U …`: both figures by severity. */
export function summaryDetail(s: CountSummary): string {
  return `${figuresText('vulnerabilities', s.vulnerabilities)} · ${figuresText('findings', s.findings)}`;
}

/** `3 instances (container × vulnerability) C/H/M/L/U …`: a scope's third figure. */
export function instancesText(f: Figures): string {
  return figuresText(`${plural(f.total, 'instance', 'instances')} (container × vulnerability)`, f);
}

export function freshnessFooter(f: Freshness): string[] {
  const out: string[] = [];
  const adv = f.advisories.length
    ? f.advisories.map((a) => `${a.name} ${humanAge(a.ageSeconds)}${a.stale ? ' STALE' : ''}`).join(', ')
    : 'none loaded';
  const inv = f.inventory.length
    ? f.inventory.map((i) => `${i.name} ${humanAge(i.ageSeconds)}${i.stale ? ' STALE' : ''}`).join(', ')
    : 'none';
  out.push(
    `freshness: advisories ${adv}; inventory ${inv}; oldest scan in use ${humanAge(f.scans.oldestInUse.ageSeconds)}${f.scans.oldestInUse.stale ? ' STALE' : ''}; posture computed ${humanAge(f.posture.ageSeconds)}`,
  );
  if (f.posture.settingsPending)
    out.push(
      `posture was computed with authoritative source ${f.posture.authoritativeSource}; run \`runsight db sync\` to apply the configured one`,
    );
  return out;
}

/**
 * After a command wrote posture inputs: bring posture up to date (propagation's maintenance; views
 * never do it). The server and scheduler call the same stage function after their writes.
 */
export async function maintain(ctx: CliContext, written: WrittenInputs = {}): Promise<void> {
  await maintainPosture(await ctx.store(), written, {
    ...postureConfig(ctx),
    signal: ctx.signal,
    progress: ctx.reportProgress,
  });
}

/** The propagation settings from the config file. */
export function postureConfig(ctx: CliContext) {
  return postureConfigOf(ctx.config);
}
