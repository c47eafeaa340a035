// The context every command gets (run-context.ts builds it): this door reads the config file with
// the config module loaded up front, for callers that build a context synchronously (tests). The
// CLI's own runs go through main.ts, which loads the config module only when a file is named.
import { loadConfig } from './config.js';
import { type CliContext, type ContextIo, contextWith, type GlobalOptions } from './run-context.js';

export {
  type CliContext,
  type ContextIo,
  checkDatabaseUrl,
  etaSeconds,
  type GlobalOptions,
  PROGRESS_INTERVAL_MS,
  progressLine,
  type RegistryOptions,
} from './run-context.js';

export function createContext(opts: GlobalOptions, io: ContextIo): CliContext & { close(): Promise<void> } {
  return contextWith(opts, io, loadConfig);
}
