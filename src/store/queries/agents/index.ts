// Agents: heartbeats and batch ids (migration 19, docs/agent.md).
export { claimAgentBatch, recordAgentBatchResponse } from './agent-batches.js';
export {
  type AgentHeartbeat,
  type AgentRow,
  advanceSourceSeenAt,
  findLiveContainerOutsideScope,
  listAgents,
  recordAgentHeartbeat,
} from './agent-heartbeats.js';
