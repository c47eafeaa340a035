// In-cluster agents (docs/agent.md "Heartbeat"):
// POST /api/v1/agents/heartbeat (operator): an agent's periodic "alive": records its last contact,
// version, cluster and source. With `inSync` (the agent has landed its full list and every batch
// since, and watches the whole cluster) it also says "the source is unchanged since": the source's
// seen-at advances (ADR 0010) so freshness stays current while nothing changes; a silent agent lets
// it age, and the inventory SLA then marks the cluster stale. A scoped caller may speak only for a
// cluster inside its scope, and advance a source whose every live container is inside it.
// GET /api/v1/agents (viewer): the agents, by cluster; a caller whose scope restricts clusters sees
// those clusters' agents, one restricted otherwise (namespaces, environments, owners) sees none.
import { z } from '@hono/zod-openapi';
import { type AccessScope, isUnrestricted } from '../../core/access.js';
import {
  advanceSourceSeenAt,
  findLiveContainerOutsideScope,
  listAgents,
  recordAgentHeartbeat,
} from '../../store/index.js';
import type { App } from '../app.js';
import { ApiError } from '../errors.js';
import { apiRoute } from '../route-access.js';

const name = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'expected a name of letters, digits, . _ : -');

const HeartbeatSchema = z
  .strictObject({
    cluster: name.openapi({ example: 'prod-eu' }),
    source: name.openapi({ example: 'prod-eu' }),
    version: z.string().min(1).max(100),
    podsWatched: z.number().int().min(0).max(100_000_000).optional(),
    inSync: z.boolean().default(false),
  })
  .openapi('AgentHeartbeat');

const HeartbeatResultSchema = z
  .object({ cluster: z.string(), lastContactAt: z.string(), seenAtAdvanced: z.boolean() })
  .openapi('AgentHeartbeatResult');

const AgentSchema = z
  .object({
    cluster: z.string(),
    source: z.string(),
    version: z.string(),
    subject: z.string().nullable(),
    podsWatched: z.number().nullable(),
    firstContactAt: z.string(),
    lastContactAt: z.string(),
    ageSeconds: z.number(),
  })
  .openapi('Agent');

const heartbeat = apiRoute('operator', {
  method: 'post',
  path: '/api/v1/agents/heartbeat',
  summary: "An agent's heartbeat: last contact, version; advances its source's seen-at when in sync",
  tags: ['writes'],
  request: { body: { required: true, content: { 'application/json': { schema: HeartbeatSchema } } } },
  responses: {
    200: { description: 'recorded', content: { 'application/json': { schema: HeartbeatResultSchema } } },
  },
});

const agents = apiRoute('viewer', {
  method: 'get',
  path: '/api/v1/agents',
  summary: 'Agents by cluster: last contact, version, pods watched',
  tags: ['agents'],
  responses: {
    200: {
      description: 'the agents inside your scope',
      content: { 'application/json': { schema: z.object({ agents: z.array(AgentSchema) }) } },
    },
  },
});

/** Whether a caller with `scope` may speak for `cluster` (a cluster restriction that names it, or none). */
function mayAct(scope: AccessScope, cluster: string): boolean {
  if (isUnrestricted(scope)) return true;
  return Boolean(scope.clusters?.includes(cluster));
}

export function registerAgentRoutes(app: App): void {
  app.openapi(heartbeat, async (c) => {
    const hb = c.req.valid('json');
    const deps = c.var.deps;
    const scope = c.var.principal.scope;
    c.set('auditTarget', `agent ${hb.cluster}`);
    c.set('auditDetail', { source: hb.source, version: hb.version, inSync: hb.inSync });
    if (!mayAct(scope, hb.cluster))
      throw new ApiError(403, 'outside_scope', `cluster "${hb.cluster}" is outside your scope`);
    const at = deps.now?.() ?? new Date();
    let seenAtAdvanced = false;
    await deps.store.transaction(async (tx) => {
      await recordAgentHeartbeat(tx, {
        cluster: hb.cluster,
        source: hb.source,
        version: hb.version,
        subject: c.var.principal.subject,
        podsWatched: hb.podsWatched ?? null,
        at,
      });
      if (!hb.inSync) return;
      if (!isUnrestricted(scope) && (await findLiveContainerOutsideScope(tx, hb.source, scope)))
        throw new ApiError(
          403,
          'outside_scope',
          `source "${hb.source}" holds containers outside your scope: its seen-at cannot be advanced with this token`,
        );
      seenAtAdvanced = await advanceSourceSeenAt(tx, hb.source, at);
    });
    return c.json({ cluster: hb.cluster, lastContactAt: at.toISOString(), seenAtAdvanced }, 200);
  });

  app.openapi(agents, async (c) => {
    const scope = c.var.principal.scope;
    const now = (c.var.deps.now?.() ?? new Date()).getTime();
    const restrictsOther = Boolean(
      scope.namespaces?.length || scope.environments?.length || scope.owners?.length,
    );
    const rows = restrictsOther ? [] : await listAgents(c.var.deps.store, scope);
    return c.json(
      {
        agents: rows.map((a) => ({
          ...a,
          firstContactAt: a.firstContactAt.toISOString(),
          lastContactAt: a.lastContactAt.toISOString(),
          ageSeconds: Math.max(0, Math.round((now - a.lastContactAt.getTime()) / 1000)),
        })),
      },
      200,
    );
  });
}
