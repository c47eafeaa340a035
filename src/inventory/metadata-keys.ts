// Owner and environment of a container, read from configurable label/annotation keys: the
// workload's own labels first, then its annotations, then its namespace's labels and annotations.
// Config: `inventory.ownerKeys`, `inventory.environmentKeys` (docs/inventory.md).

export const DEFAULT_OWNER_KEYS: readonly string[] = ['owner', 'team', 'app.kubernetes.io/part-of'];
export const DEFAULT_ENVIRONMENT_KEYS: readonly string[] = ['environment', 'env'];

export interface MetadataKeys {
  ownerKeys: readonly string[];
  environmentKeys: readonly string[];
}

export function metadataKeys(config?: {
  ownerKeys?: string[] | undefined;
  environmentKeys?: string[] | undefined;
}): MetadataKeys {
  return {
    ownerKeys: config?.ownerKeys?.length ? config.ownerKeys : DEFAULT_OWNER_KEYS,
    environmentKeys: config?.environmentKeys?.length ? config.environmentKeys : DEFAULT_ENVIRONMENT_KEYS,
  };
}

/** The first non-empty value of the first key found, searching the maps in order (most specific first). */
export function pickValue(
  keys: readonly string[],
  maps: readonly (Record<string, string> | undefined)[],
): string | undefined {
  for (const map of maps) {
    if (!map) continue;
    for (const key of keys) {
      const v = map[key];
      if (v?.trim()) return v.trim();
    }
  }
  return undefined;
}
