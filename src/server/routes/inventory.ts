// POST /api/v1/inventory/{source}/batches (operator): an InventoryMutation as the collectors emit it
// (`{type:'full', containers}` or `{type:'delta', added, removed}`), landed by the inventory stage's
// applier (applyInventoryMutation: one transaction), then posture brought up to date for what moved.
// An `Idempotency-Key` header names the batch: the id is claimed in the same transaction, so a retry
// is applied once and answered as the first time (docs/agent.md "Batch ids"). Bodies may come
// gzip-compressed (app.ts, gunzip-body.ts).
// A caller with a scope may push only containers inside it, and may replace or remove only its own:
// a full list is accepted when every container in it AND every live stored container of the source
// (in the listed namespaces) is inside the scope; a removal when the removed container is. An added
// container outside the scope, or reusing the id of a stored container outside it, is refused (403,
// named in the message).
import { type AccessScope, inScope, isUnrestricted } from '../../core/access.js';
import type { ContainerObservation, InventoryMutation } from '../../core/types.js';
import { applyInventoryMutation } from '../../inventory/index.js';
import { maintainPosture, postureConfigOf } from '../../propagation/index.js';
import {
  claimAgentBatch,
  findLiveContainerOutsideScope,
  listContainers,
  recordAgentBatchResponse,
  type Store,
} from '../../store/index.js';
import type { App } from '../app.js';
import { ApiError } from '../errors.js';
import { apiRoute } from '../route-access.js';
import {
  InventoryKindQuery,
  InventoryMutationSchema,
  InventoryResultSchema,
  InventorySource,
} from '../schemas.js';

const BATCH_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

const batches = apiRoute('operator', {
  method: 'post',
  path: '/api/v1/inventory/{source}/batches',
  summary: 'Push an inventory mutation (a full list or a delta) for one inventory source',
  tags: ['writes'],
  request: {
    params: InventorySource,
    query: InventoryKindQuery,
    body: { required: true, content: { 'application/json': { schema: InventoryMutationSchema } } },
  },
  responses: {
    201: {
      description: 'landed (or, for a batch id landed before, the answer given then)',
      content: { 'application/json': { schema: InventoryResultSchema } },
    },
    413: { description: 'body (after gzip decompression) larger than server.maxBodyBytes' },
  },
});

/** Throws 403 unless every container a scoped caller pushes is inside its scope. */
export function checkMutationScope(scope: AccessScope, mutation: InventoryMutation): void {
  if (isUnrestricted(scope)) return;
  const observed = mutation.type === 'full' ? mutation.containers : mutation.added;
  const outside = observed.find((o) => !inScope(scope, fields(o)));
  if (outside)
    throw new ApiError(
      403,
      'outside_scope',
      `container "${outside.id}" (cluster ${outside.cluster ?? '-'}, namespace ${outside.namespace ?? '-'}) is outside your scope`,
    );
}

/**
 * Throws 403 when a scoped caller's mutation would touch a stored container outside its scope: an
 * added container reusing the id of one (live or gone), a removed one, or — for a full list — any
 * live container of the source (in the listed namespaces) that the list would close.
 */
export async function checkStoredScope(
  store: Store,
  scope: AccessScope,
  source: string,
  mutation: InventoryMutation,
  namespaces?: string[] | undefined,
) {
  if (isUnrestricted(scope)) return;
  if (mutation.type === 'full') {
    const live = await findLiveContainerOutsideScope(store, source, scope, namespaces);
    if (live)
      throw new ApiError(
        403,
        'outside_scope',
        `a full list replaces every container of source "${source}", and container "${live.id}" (cluster ${live.cluster ?? '-'}, namespace ${live.namespace ?? '-'}) is outside your scope; use a token without a scope`,
      );
  }
  const observed = mutation.type === 'full' ? mutation.containers : mutation.added;
  const touched = [
    { ids: [...new Set(observed.map((o) => o.id))], verb: 'belongs to' },
    { ids: mutation.type === 'delta' ? [...new Set(mutation.removed)] : [], verb: 'removes' },
  ];
  for (const { ids, verb } of touched) {
    for (let i = 0; i < ids.length; i += 5000) {
      const stored = await listContainers(store, { ids: ids.slice(i, i + 5000), includeRemoved: true });
      const outside = stored.find((r) => !inScope(scope, r));
      if (outside)
        throw new ApiError(
          403,
          'outside_scope',
          verb === 'removes'
            ? `a token with a scope can remove only containers inside it, and "${outside.id}" is outside your scope`
            : `container id "${outside.id}" belongs to a container outside your scope; use a token without a scope`,
        );
    }
  }
}

function fields(o: ContainerObservation) {
  return {
    cluster: o.cluster ?? null,
    namespace: o.namespace ?? null,
    environment: o.environment ?? null,
    owner: o.owner ?? null,
  };
}

export function registerInventoryRoutes(app: App): void {
  app.openapi(batches, async (c) => {
    const { source } = c.req.valid('param');
    const { kind } = c.req.valid('query');
    const body = c.req.valid('json');
    const namespaces = body.type === 'full' ? body.namespaces : undefined;
    const mutation: InventoryMutation =
      body.type === 'full'
        ? { type: 'full', containers: body.containers as ContainerObservation[] }
        : (body as InventoryMutation);
    const batchId = c.req.header('idempotency-key');
    if (batchId !== undefined && !BATCH_ID.test(batchId))
      throw new ApiError(
        400,
        'invalid_request',
        'header Idempotency-Key: expected 1–200 letters, digits, . _ : - (e.g. agent-7f3a:42)',
      );
    const deps = c.var.deps;
    c.set('auditTarget', `inventory source ${source}`);
    c.set(
      'auditDetail',
      mutation.type === 'full'
        ? { type: 'full', containers: mutation.containers.length, ...(batchId ? { batchId } : {}) }
        : {
            type: 'delta',
            added: mutation.added.length,
            removed: mutation.removed.length,
            ...(batchId ? { batchId } : {}),
          },
    );
    checkMutationScope(c.var.principal.scope, mutation);
    await checkStoredScope(deps.store, c.var.principal.scope, source, mutation, namespaces);
    const now = deps.now?.() ?? new Date();
    const landed = await deps.store.transaction(async (tx) => {
      c.var.signal.throwIfAborted();
      if (batchId) {
        const prior = await claimAgentBatch(tx, source, batchId, now);
        if (prior) return { replayed: prior.response } as const;
      }
      const applied = await applyInventoryMutation(tx, { name: source, kind }, mutation, {
        observedAt: deps.now?.(),
        ...(namespaces ? { scope: { namespaces } } : {}),
      });
      const answer = {
        source,
        runId: applied.runId,
        counts: {
          seen: applied.counts.seen,
          added: applied.counts.added,
          changed: applied.counts.changed,
          removed: applied.counts.removed,
        },
      };
      if (batchId) await recordAgentBatchResponse(tx, source, batchId, answer, now);
      // Timed out (or the client left) while applying: throw before the commit, so it rolls back.
      c.var.signal.throwIfAborted();
      return { applied, answer } as const;
    });
    if ('replayed' in landed) {
      c.header('Idempotent-Replayed', 'true');
      return c.json(landed.replayed as typeof InventoryResultSchema._output, 201);
    }
    const { applied, answer } = landed;
    const settings = { ...postureConfigOf(deps.config), signal: deps.signal };
    if (applied.idsOmitted) await maintainPosture(deps.store, {}, settings);
    else
      await maintainPosture(deps.store, { containerIds: [...applied.added, ...applied.changed] }, settings);
    return c.json(answer, 201);
  });
}
