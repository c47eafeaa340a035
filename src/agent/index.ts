// The in-cluster agent (docs/agent.md): the inventory collector's mutations pushed to a server.
export {
  type AgentClock,
  type AgentOptions,
  AgentRefusedError,
  type AgentStats,
  AgentTokenError,
  runAgent,
  runSender,
  systemClock,
} from './agent.js';
export { backoffDelay, DEFAULT_BACKOFF, retryAfterMs } from './backoff.js';
export { metricsText } from './metrics.js';
export { type Batch, DEFAULT_OUTBOX_LIMITS, Outbox, type OutboxLimits } from './outbox.js';
export { createTransport, type Outcome, type Transport } from './transport.js';
