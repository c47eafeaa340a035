// Test support: builds the Go binary and Java archives once per test run with
// testdata/scan/build-artifacts.sh (Debian golang-go and the JDK's jar; no downloads).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCAN_TESTDATA = fileURLToPath(new URL('../../../testdata/scan/', import.meta.url));

let built: string | undefined;

/** Directory holding hello-go, greet-lib-2.4.1.jar, thing-1.0.7.jar, app.jar and shop.war. */
export function buildArtifacts(): string {
  if (built && existsSync(join(built, 'app.jar'))) return built;
  const out = mkdtempSync(join(tmpdir(), 'runsight-artifacts-'));
  execFileSync('sh', [join(SCAN_TESTDATA, 'build-artifacts.sh'), out], { stdio: 'pipe' });
  built = out;
  return out;
}
