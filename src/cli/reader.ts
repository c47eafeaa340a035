// The local side of `ctx.reader()`: the read commands' documents from the views over the local
// store, under the same method names as the HTTP client (src/server/client.ts) that serves them in
// remote mode (`--server`). A command calls the reader and prints what comes back, so local and
// remote runs print the same table, JSON and CSV from one code path.
import { parseWorkloadSpec } from '../remediation/index.js';
import type { RunsightReader } from '../server/client.js';
import { getSetting, type Store } from '../store/index.js';
import {
  getPosture,
  listContainerDocuments,
  showContainer,
  showImage,
  showVulnerability,
  showWorkload,
  validatePropagation,
  vulnWhere,
} from '../views/index.js';
import type { CliContext } from './context.js';
import { postureConfig } from './posture-format.js';
import { localReport } from './report-local.js';

/** The reader over `store`, with the posture settings of the config file. */
export function localReader(store: Store, ctx: CliContext): RunsightReader {
  const config = postureConfig(ctx);
  return {
    containers: async (q) => (await listContainerDocuments(store, q)).items,
    posture: (q) => getPosture(store, q, config),
    container: (id) => showContainer(store, id, config),
    workload: (key) => showWorkload(store, parseWorkloadSpec(key), config),
    vulnerability: (id) => showVulnerability(store, id),
    vulnerabilityWhere: (id) => vulnWhere(store, id, config),
    async image(ref) {
      // posture.authoritativeSource from the config, else the settings table (as posture reads it).
      const configured =
        config.authoritativeSource ?? (await getSetting<string>(store, 'posture.authoritativeSource'));
      return showImage(store, ref, configured);
    },
    validate: (input) => validatePropagation(store, input, config),
    report: (q) => localReport(store, ctx, q),
  };
}
