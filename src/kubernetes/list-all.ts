// Lists every object of a resource, page by page (`limit` / `continue`), as client-go's pager does:
// an expired continue token (410 Gone) restarts the list once from the first page.
import type { ListOptions, ListPage } from './client.js';
import { KubernetesApiError } from './errors.js';

export interface ListAllOptions {
  /** Objects per page (default 500). */
  pageSize?: number | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Follows `continue` tokens until the list ends. `accept` sees each raw object once per attempt and
 * returns what to keep (undefined skips it). Returns the kept objects and the list's resourceVersion.
 */
export async function listAll<T>(
  listPage: (page: Required<Pick<ListOptions, 'limit'>> & Pick<ListOptions, 'continue'>) => Promise<ListPage>,
  opts: ListAllOptions,
  accept: (item: unknown) => T | undefined,
): Promise<{ items: T[]; resourceVersion: string }> {
  const items: T[] = [];
  let cont: string | undefined;
  let resourceVersion = '';
  let restarted = false;
  for (;;) {
    opts.signal?.throwIfAborted();
    let page: ListPage;
    try {
      page = await listPage({ limit: opts.pageSize ?? 500, continue: cont });
    } catch (err) {
      if (cont && !restarted && err instanceof KubernetesApiError && err.status === 410) {
        restarted = true;
        cont = undefined;
        items.length = 0;
        continue; // from the first page again
      }
      throw err;
    }
    for (const raw of page.items) {
      const item = accept(raw);
      if (item !== undefined) items.push(item);
    }
    resourceVersion = page.resourceVersion || resourceVersion;
    cont = page.continue || undefined;
    if (!cont) return { items, resourceVersion };
  }
}
