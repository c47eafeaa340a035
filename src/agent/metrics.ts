// The agent's own figures in the Prometheus text format
// (https://prometheus.io/docs/instrumenting/exposition_formats/), added to what the reports'
// /metrics listener serves for `runsight agent --metrics-listen HOST:PORT` (with GET /healthz).
import type { AgentStats } from './agent.js';

const METRICS: [keyof AgentStats, 'counter' | 'gauge', string][] = [
  ['batchesSent', 'counter', 'Batches the server took'],
  ['fullListsSent', 'counter', 'Full lists the server took'],
  ['bytesSent', 'counter', 'Gzip bytes posted, retries included'],
  ['jsonBytesTaken', 'counter', 'JSON bytes of the batches the server took'],
  ['retries', 'counter', 'Batch attempts that will be retried'],
  ['replayed', 'counter', 'Batches the server had already applied (answered from the batch id)'],
  ['bufferDrops', 'counter', 'Times the buffer was full and dropped for a full list'],
  ['heartbeats', 'counter', 'Heartbeats the server took'],
  ['queuedBatches', 'gauge', 'Delta batches waiting'],
  ['queuedBytes', 'gauge', 'JSON bytes waiting'],
  ['pods', 'gauge', 'Pods watched'],
];

export function metricsText(stats: AgentStats): string {
  const lines: string[] = [];
  for (const [key, type, help] of METRICS) {
    const name = `runsight_agent_${key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}${type === 'counter' ? '_total' : ''}`;
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${stats[key] ?? 0}`);
  }
  lines.push(
    '# HELP runsight_agent_last_success_timestamp_seconds When the server last took a batch',
    '# TYPE runsight_agent_last_success_timestamp_seconds gauge',
    `runsight_agent_last_success_timestamp_seconds ${stats.lastSuccessAt ? stats.lastSuccessAt / 1000 : 0}`,
  );
  return `${lines.join('\n')}\n`;
}
