// Test support: a small fleet in a PGlite data directory, built with the CLI from real data — the
// demo's Alpine 3.18 base (musl 1.2.4-r0: CVE-2025-26519, 1 vulnerability HIGH fixable, 2 findings:
// musl and musl-utils) and its patched rebuild (none; counted by hand in src/cli/commands/counts.test.ts)
// — run by five containers over 2 clusters × 2 namespaces (source `cmdb`, ids `cmdb/vm-N`):
//
//   c1/ns-a  vm-1  Deployment/api     vulnerable
//   c1/ns-b  vm-2  Deployment/web     patched
//   c2/ns-a  vm-3  Deployment/api     vulnerable
//   c2/ns-b  vm-4  Deployment/web     vulnerable
//   c2/ns-b  vm-5  Deployment/worker  patched
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_DIR } from '../../cli/commands/demo/demo-pipeline.js';
import { runCli } from '../../cli/test-support/run-cli.js';

export const CVE = 'CVE-2025-26519';

export interface Fleet {
  dir: string;
  dataDir: string;
  vulnerable: string;
  patched: string;
  /** Runs the CLI against the fleet's store (which must not be open elsewhere: PGlite). */
  cli(...args: string[]): ReturnType<typeof runCli>;
}

export async function buildFleet(): Promise<Fleet> {
  const dir = mkdtempSync(join(tmpdir(), 'runsight-server-fleet-'));
  const dataDir = join(dir, 'data');
  const cli = (...args: string[]) => runCli(['--log-level', 'error', '--data-dir', dataDir, ...args]);
  const must = async (...args: string[]) => {
    const r = await cli(...args);
    if (r.code !== 0) throw new Error(`runsight ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
    return r;
  };
  await must('db', 'update', '--source', join(DEMO_DIR, 'advisories'));
  const scanned = async (name: string) =>
    (await must('--format', 'json', 'scan', `oci:${DEMO_DIR}oci:${name}`)).json<{
      image: { digest: string };
    }>().image.digest;
  const vulnerable = await scanned('alpine-base-3.18');
  const patched = await scanned('alpine-base-3.18-patched');
  const row = (id: string, cluster: string, ns: string, workload: string, digest: string, tag: string) =>
    `${id},${cluster},${ns},${workload},app,registry.demo.local/library/alpine:${tag},${digest},2026-11-22T02:00:00Z,,team-${cluster},prod,linux/amd64`;
  const csv = join(dir, 'cmdb.csv');
  writeFileSync(
    csv,
    [
      'source_id,cluster,namespace,workload,container,image,digest,started_at,labels,owner,environment,platform',
      row('vm-1', 'c1', 'ns-a', 'Deployment/api', vulnerable, '3.18'),
      row('vm-2', 'c1', 'ns-b', 'Deployment/web', patched, '3.18-r3'),
      row('vm-3', 'c2', 'ns-a', 'Deployment/api', vulnerable, '3.18'),
      row('vm-4', 'c2', 'ns-b', 'Deployment/web', vulnerable, '3.18'),
      row('vm-5', 'c2', 'ns-b', 'Deployment/worker', patched, '3.18-r3'),
      '',
    ].join('\n'),
  );
  await must('inventory', 'import', csv, '--source-name', 'cmdb');
  return { dir, dataDir, vulnerable, patched, cli };
}
