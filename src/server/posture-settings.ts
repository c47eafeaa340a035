// The propagation settings a view or a posture update takes, from the server's config: the one
// mapping in src/propagation/settings.ts, as the CLI's postureConfig uses it.
import { postureConfigOf } from '../propagation/index.js';
import type { AppConfig } from './config.js';

export function postureSettings(config: AppConfig) {
  return postureConfigOf(config);
}
