// The server's limits and their defaults (config `server.maxBodyBytes`, `server.requestTimeout`).

import { durationToMs } from '../core/duration.js';
import type { AppConfig } from './config.js';

export const DEFAULT_MAX_BODY_BYTES = 256 * 2 ** 20;
export const DEFAULT_REQUEST_TIMEOUT_MS = 5 * 60_000;

export function maxBodyBytes(config: AppConfig): number {
  return config.server?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
}

export function requestTimeoutMs(config: AppConfig): number {
  return durationToMs(config.server?.requestTimeout) ?? DEFAULT_REQUEST_TIMEOUT_MS;
}
