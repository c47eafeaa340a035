// Typed errors shared by every stage. Each says what was expected, what came, and what to do.
// The CLI maps them to exit codes: InputError → 2, CompletedWithFailuresError → 4, InterruptedError
// → 128 + the signal's number, everything else → 3 (see docs/cli.md).

export class RunsightError extends Error {
  override readonly name: string = 'RunsightError';
  /** Process exit code the CLI uses when this error ends a command. */
  readonly exitCode: number = 3;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Bad input from the user or a file: a malformed reference, report, config key, CSV row… Exit 2. */
export class InputError extends RunsightError {
  override readonly name: string = 'InputError';
  override readonly exitCode: number = 2;
}

/** A command line that cannot be carried out as written. Exit 2. */
export class UsageError extends InputError {
  override readonly name: string = 'UsageError';
}

/** The configuration file is invalid; `key` names the offending path (e.g. `registries.ghcr.io.password`). */
export class ConfigError extends InputError {
  override readonly name: string = 'ConfigError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(key ? `config key "${key}": ${message}` : message);
  }
}

/** The store could not be opened or migrated, or a query failed. Exit 3. */
export class StoreError extends RunsightError {
  override readonly name: string = 'StoreError';
}

/** A findings gate tripped (e.g. `posture --fail-on high`). Exit 1; not a failure of Runsight itself. */
export class GateTrippedError extends RunsightError {
  override readonly name: string = 'GateTrippedError';
  override readonly exitCode: number = 1;
}

/**
 * The command did its work and printed its result, but part of it failed: a scan that is `partial`,
 * an in-use image that could not be scanned. Exit 4, so that scripts notice.
 */
export class CompletedWithFailuresError extends RunsightError {
  override readonly name: string = 'CompletedWithFailuresError';
  override readonly exitCode: number = 4;
}

/** The command was stopped by SIGINT or SIGTERM before it finished. Exit 130 or 143 (128 + signal). */
export class InterruptedError extends RunsightError {
  override readonly name: string = 'InterruptedError';
  override readonly exitCode: number;
  constructor(readonly signal: 'SIGINT' | 'SIGTERM') {
    super(`interrupted (${signal})`);
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
}
