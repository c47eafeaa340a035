// POST /api/v1/inventory/{source}/batches (operator): an InventoryMutation as the collectors emit it
// (`{type:'full', containers}` or `{type:'delta', added, removed}`), landed by the inventory stage's
// applier (applyInventoryMutation: one transaction), then posture brought up to date for what moved.
// A caller with a scope may push only containers inside it: a full list (which closes every other
// container of the source, also outside the scope) and removals (whose containers it cannot be
// shown) are refused with 403, and so is an added container outside the scope, named in the message.
import { type AccessScope, inScope, isUnrestricted } from '../../core/access.js';
import type { ContainerObservation, InventoryMutation } from '../../core/types.js';
import { applyInventoryMutation } from '../../inventory/index.js';
import { maintainPosture, postureConfigOf } from '../../propagation/index.js';
import { listContainers, type Store } from '../../store/index.js';
import type { App } from '../app.js';
import { ApiError } from '../errors.js';
import { apiRoute } from '../route-access.js';
import {
  InventoryKindQuery,
  InventoryMutationSchema,
  InventoryResultSchema,
  InventorySource,
} from '../schemas.js';

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
    201: { description: 'landed', content: { 'application/json': { schema: InventoryResultSchema } } },
    413: { description: 'body larger than server.maxBodyBytes' },
  },
});

/** Throws 403 unless a caller with `scope` may land `mutation`. */
export function checkMutationScope(scope: AccessScope, mutation: InventoryMutation): void {
  if (isUnrestricted(scope)) return;
  if (mutation.type === 'full')
    throw new ApiError(
      403,
      'outside_scope',
      'a full list replaces every container of the source, also outside your scope: push deltas, or use a token without a scope',
    );
  if (mutation.removed.length)
    throw new ApiError(
      403,
      'outside_scope',
      `a token with a scope cannot remove containers (${mutation.removed[0]}${mutation.removed.length > 1 ? ', …' : ''}); use a token without a scope`,
    );
  const outside = mutation.added.find((o) => !inScope(scope, fields(o)));
  if (outside)
    throw new ApiError(
      403,
      'outside_scope',
      `container "${outside.id}" (cluster ${outside.cluster ?? '-'}, namespace ${outside.namespace ?? '-'}) is outside your scope`,
    );
}

/**
 * Throws 403 when an added container reuses the id of a stored container (live or gone) outside
 * the caller's scope: landing it would move that container into the scope, or change it.
 */
export async function checkStoredScope(store: Store, scope: AccessScope, mutation: InventoryMutation) {
  if (isUnrestricted(scope) || mutation.type !== 'delta' || !mutation.added.length) return;
  const ids = [...new Set(mutation.added.map((o) => o.id))];
  for (let i = 0; i < ids.length; i += 5000) {
    const stored = await listContainers(store, { ids: ids.slice(i, i + 5000), includeRemoved: true });
    const outside = stored.find((r) => !inScope(scope, r));
    if (outside)
      throw new ApiError(
        403,
        'outside_scope',
        `container id "${outside.id}" belongs to a container outside your scope; use a token without a scope`,
      );
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
    const mutation = c.req.valid('json') as InventoryMutation;
    const deps = c.var.deps;
    c.set('auditTarget', `inventory source ${source}`);
    c.set(
      'auditDetail',
      mutation.type === 'full'
        ? { type: 'full', containers: mutation.containers.length }
        : { type: 'delta', added: mutation.added.length, removed: mutation.removed.length },
    );
    checkMutationScope(c.var.principal.scope, mutation);
    await checkStoredScope(deps.store, c.var.principal.scope, mutation);
    const applied = await applyInventoryMutation(deps.store, { name: source, kind }, mutation, {
      observedAt: deps.now?.(),
    });
    const settings = { ...postureConfigOf(deps.config), signal: deps.signal };
    if (applied.idsOmitted) await maintainPosture(deps.store, {}, settings);
    else
      await maintainPosture(deps.store, { containerIds: [...applied.added, ...applied.changed] }, settings);
    return c.json(
      {
        source,
        runId: applied.runId,
        counts: {
          seen: applied.counts.seen,
          added: applied.counts.added,
          changed: applied.counts.changed,
          removed: applied.counts.removed,
        },
      },
      201,
    );
  });
}
