// Test support: one rule for tests that need something outside the process — a PostgreSQL server,
// docker-registry, podman, umoci/skopeo, rpm, ruby. Outside CI a missing dependency is a visible
// skip (`it.skipIf`, `describe.skipIf`, `ctx.skip()`), announced once on stderr; under CI=true it is
// a failure, so a CI run can never turn green by quietly not running a test. (STYLE.md: "A test that
// returns early when its server is missing is a silent pass: skip visibly, fail in CI.")

/** True when the tests run in CI (the CI=true convention of GitHub Actions, GitLab CI and others). */
export function inCi(): boolean {
  return process.env.CI === 'true';
}

const announced = new Set<string>();

/**
 * Whether the tests that need `what` can run. Returns `available` as it is when true. When false:
 * under CI=true it throws (naming `what` and `reason`); otherwise it warns once per `what` and
 * returns false, for the caller to skip visibly:
 *
 *   const pg = requireOrSkip(await pgAnswers(), 'PostgreSQL at 127.0.0.1:5432');
 *   it.skipIf(!pg)('…', async () => { … });
 */
export function requireOrSkip(available: boolean, what: string, reason?: string): boolean {
  if (available) return true;
  const why = reason ? `: ${reason}` : '';
  if (inCi()) throw new Error(`CI=true and ${what} is unavailable${why}; tests that need it must run in CI`);
  if (!announced.has(what)) {
    announced.add(what);
    console.warn(
      `${what} is unavailable${why}; the tests that need it are skipped (they fail under CI=true)`,
    );
  }
  return false;
}

/**
 * Runs `probe` (which throws or resolves false when `what` is missing) and applies requireOrSkip to
 * the outcome, with the probe's error message as the reason.
 */
export async function probeOrSkip(what: string, probe: () => Promise<boolean | undefined>): Promise<boolean> {
  let available: boolean;
  let reason: string | undefined;
  try {
    available = (await probe()) !== false;
  } catch (err) {
    available = false;
    reason = (err as Error).message;
  }
  return requireOrSkip(available, what, reason);
}
