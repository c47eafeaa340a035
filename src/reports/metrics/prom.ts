// prom-client, loaded on first use: the reports module is imported by commands that never serve
// metrics (a report, the CLI), and the client costs ~50 ms to load. It is CommonJS, so a
// synchronous require works from ESM.
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

let loaded: typeof PromClient | undefined;

export function promClient(): typeof PromClient {
  loaded ??= createRequire(import.meta.url)('prom-client') as typeof PromClient;
  return loaded;
}
