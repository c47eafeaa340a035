// The propagation settings a view or a posture update takes, from the config file: the same
// mapping as the CLI's postureConfig (src/cli/posture-format.ts), for a face without a CliContext.
import type { AppConfig } from './config.js';

export function postureSettings(config: AppConfig) {
  return {
    authoritativeSource: config.posture?.authoritativeSource,
    sla: config.sla,
    cadence: config.cadence,
    baseImages: config.baseImages,
  };
}
