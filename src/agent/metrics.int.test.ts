// `runsight agent --metrics-listen`: the reports' /metrics listener on loopback with the agent's own
// figures added. The exposition must pass promtool (Debian `prometheus`), carry the stats given, and
// /healthz must answer for the pod's liveness probe.
import { describe, expect, it } from 'vitest';
import { startMetricsServer } from '../reports/index.js';
import { parseSamples, promtoolCheck, SKIP_PROMTOOL } from '../reports/metrics/test-support/exposition.js';
import type { AgentStats } from './agent.js';
import { metricsText } from './metrics.js';

const STATS: AgentStats = {
  batchesSent: 7,
  fullListsSent: 2,
  bytesSent: 4096,
  jsonBytesTaken: 65536,
  retries: 3,
  replayed: 1,
  bufferDrops: 0,
  heartbeats: 12,
  lastSuccessAt: 1_764_590_400_000,
  queuedBatches: 4,
  queuedBytes: 2048,
  pods: 321,
};

describe('the agent metrics listener', () => {
  it('serves the agent figures beside the process metrics, and /healthz', async () => {
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, extra: () => metricsText(STATS) });
    try {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const value = (name: string) => parseSamples(text).find((s) => s.name === name)?.value;
      expect(value('runsight_agent_pods')).toBe(321);
      expect(value('runsight_agent_batches_sent_total')).toBe(7);
      expect(value('runsight_agent_retries_total')).toBe(3);
      expect(value('runsight_agent_queued_bytes')).toBe(2048);
      expect(value('runsight_agent_last_success_timestamp_seconds')).toBe(1_764_590_400);
      expect(value('runsight_build_info')).toBe(1);
      if (!SKIP_PROMTOOL) expect(promtoolCheck(text)).toEqual({ code: 0, output: '' });
      const health = await fetch(`${server.url}/healthz`);
      expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    } finally {
      await server.close();
    }
  });
});
