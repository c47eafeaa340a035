// The inventory stage's applier: providers emit mutations, this lands one for a source in one
// transaction (the store writes the rows, store/queries/inventory/write-inventory-mutation.ts).
import type { InventoryMutation } from '../core/types.js';
import {
  type AppliedMutation,
  type ApplyOptions,
  type InventorySourceSpec,
  type Store,
  writeInventoryMutation,
} from '../store/index.js';

/** Applies one mutation for a source in one transaction; returns the ids added, changed, removed. */
export function applyInventoryMutation(
  store: Store,
  source: InventorySourceSpec,
  mutation: InventoryMutation,
  opts?: ApplyOptions,
): Promise<AppliedMutation> {
  return writeInventoryMutation(store, source, mutation, opts);
}
