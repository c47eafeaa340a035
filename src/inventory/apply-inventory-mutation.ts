// The inventory stage's applier: providers emit mutations, this lands one for a source in one
// transaction (the store writes the rows, store/queries/inventory/write-inventory-mutation.ts).
// It is also the inventory's text boundary: every provider's observations (and the source and its
// errors) are cleaned here by the one rule of core/untrusted-text.ts, and each change is returned.
// The names of pinned references are recorded as aliases of their digests (image_names), in the
// same transaction. A list too long to hold (a large CMDB file) comes as a stream of batches
// (`applyInventoryStream`): each batch is cleaned as it passes, and the store writer lands it.
import type { ContainerObservation, InventoryMutation } from '../core/types.js';
import { cleanText, cleanTree, type TextChange } from '../core/untrusted-text.js';
import { parseReference } from '../identity/index.js';
import {
  type AppliedMutation,
  type ApplyOptions,
  type ImageNameRow,
  type InventorySourceSpec,
  type InventoryStreamEnd,
  recordImageNames,
  type Store,
  type StreamApplyOptions,
  writeInventoryMutation,
  writeInventoryStream,
} from '../store/index.js';

/** What was landed, and every text value cleaned on the way (named `<container id>: <field>`). */
export interface AppliedInventoryMutation extends AppliedMutation {
  cleaned: TextChange[];
}

/** Applies one mutation for a source in one transaction; returns the ids added, changed, removed. */
export async function applyInventoryMutation(
  store: Store,
  source: InventorySourceSpec,
  mutation: InventoryMutation,
  opts?: ApplyOptions,
): Promise<AppliedInventoryMutation> {
  const cleaned: TextChange[] = [];
  const cleanSource = cleanTree(source, 'source', cleaned);
  const cleanOpts = opts?.errors ? { ...opts, errors: cleanTree(opts.errors, 'errors', cleaned) } : opts;
  const cleanMutation: InventoryMutation =
    mutation.type === 'full'
      ? { type: 'full', containers: cleanObservations(mutation.containers, cleaned) }
      : {
          type: 'delta',
          added: cleanObservations(mutation.added, cleaned),
          removed: mutation.removed.map((id) => cleanText(id).value),
        };
  const observed = cleanMutation.type === 'full' ? cleanMutation.containers : cleanMutation.added;
  return store.transaction(async (tx) => {
    const applied = await writeInventoryMutation(tx, cleanSource, cleanMutation, cleanOpts);
    await recordImageNames(tx, pinnedNames(observed), opts?.observedAt ?? new Date());
    return { ...applied, cleaned };
  });
}

/**
 * Applies a stream of observation batches for a source in one transaction (the store's
 * writeInventoryStream): each batch is cleaned as it passes; `end` is asked, once the stream is
 * exhausted, whether it was a full list or a delta (or throws: then nothing is written at all).
 */
export async function applyInventoryStream(
  store: Store,
  source: InventorySourceSpec,
  batches: AsyncIterable<ContainerObservation[]>,
  end: () => InventoryStreamEnd | Promise<InventoryStreamEnd>,
  opts: StreamApplyOptions = {},
): Promise<AppliedInventoryMutation> {
  const cleaned: TextChange[] = [];
  const cleanSource = cleanTree(source, 'source', cleaned);
  // Distinct pinned names: as many as distinct pinned images, not rows.
  const names = new Map<string, ImageNameRow>();
  // Images whose names were taken already: a large list repeats its images row after row (a
  // reference is parsed once, not per row). Bounded: emptied when full.
  const imagesSeen = new Set<string>();
  async function* cleanBatches(): AsyncGenerator<ContainerObservation[]> {
    for await (const batch of batches) {
      const clean = cleanObservations(batch, cleaned);
      const fresh = clean.filter((o) => !imagesSeen.has(o.image) && imagesSeen.add(o.image));
      if (imagesSeen.size > 10_000) imagesSeen.clear();
      for (const n of pinnedNames(fresh)) names.set(`${n.registry}\u0000${n.repository}\u0000${n.digest}`, n);
      yield clean;
    }
  }
  return store.transaction(async (tx) => {
    const applied = await writeInventoryStream(
      tx,
      cleanSource,
      cleanBatches(),
      async () => {
        const how = await end();
        return how.errors ? { ...how, errors: cleanTree(how.errors, 'errors', cleaned) } : how;
      },
      opts,
    );
    await recordImageNames(tx, [...names.values()], opts.observedAt ?? new Date());
    return { ...applied, cleaned };
  });
}

/** The names pinned references carry (`keycloak:21@sha256:…`): aliases of their digests. */
function pinnedNames(list: ContainerObservation[]): ImageNameRow[] {
  const out: ImageNameRow[] = [];
  for (const o of list) {
    const ref = tryParseReference(o.image);
    if (ref?.digest) out.push({ registry: ref.registry, repository: ref.repository, digest: ref.digest });
  }
  return out;
}

function tryParseReference(text: string) {
  try {
    return parseReference(text.replace(/^docker-pullable:\/\//, ''));
  } catch {
    return undefined;
  }
}

function cleanObservations(list: ContainerObservation[], cleaned: TextChange[]): ContainerObservation[] {
  return list.map((o) => {
    const own: TextChange[] = [];
    const c = cleanTree(o, '', own);
    for (const change of own) cleaned.push({ ...change, field: `${c.id}: ${change.field}` });
    return c;
  });
}
