// The inventory stage's applier: providers emit mutations, this lands one for a source in one
// transaction (the store writes the rows, store/queries/inventory/write-inventory-mutation.ts).
// It is also the inventory's text boundary: every provider's observations (and the source and its
// errors) are cleaned here by the one rule of core/untrusted-text.ts, and each change is returned.
// The names of pinned references are recorded as aliases of their digests (image_names).
import type { ContainerObservation, InventoryMutation } from '../core/types.js';
import { cleanText, cleanTree, type TextChange } from '../core/untrusted-text.js';
import { parseReference } from '../identity/index.js';
import {
  type AppliedMutation,
  type ApplyOptions,
  type ImageNameRow,
  type InventorySourceSpec,
  recordImageNames,
  type Store,
  writeInventoryMutation,
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
  const applied = await writeInventoryMutation(store, cleanSource, cleanMutation, cleanOpts);
  const observed = cleanMutation.type === 'full' ? cleanMutation.containers : cleanMutation.added;
  await recordImageNames(store, pinnedNames(observed), opts?.observedAt ?? new Date());
  return { ...applied, cleaned };
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
