// deploy/agent/rbac.yaml grants exactly what the provider calls (api.ts), read-only: the grants are
// compared with the calls every method of the adapter makes on a recording client, and with the
// list checked by hand against collector.ts (get/list on all five, watch on pods only).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubernetesClient, KubernetesResource } from '../../../kubernetes/index.js';
import { kubernetesApi } from './api.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** `group/resource:verb` for each (group, resource, verb) a role grants. */
function grants(rules: Rule[]): string[] {
  const out = rules.flatMap((r) =>
    r.apiGroups.flatMap((g) =>
      r.resources.flatMap((res) => r.verbs.map((v) => `${g || 'core'}/${res}:${v}`)),
    ),
  );
  return [...new Set(out)].sort();
}

/** The same, for every call each method of kubernetesApi makes. */
async function adapterCalls(): Promise<string[]> {
  const calls = new Set<string>();
  const note = (r: KubernetesResource, verb: string) => calls.add(`${r.group || 'core'}/${r.plural}:${verb}`);
  const client: KubernetesClient = {
    server: 'https://recording.invalid',
    list: async (r) => {
      note(r, 'list');
      return { items: [], resourceVersion: '1' };
    },
    get: async (r) => {
      note(r, 'get');
      return undefined;
    },
    watch: async (r) => {
      note(r, 'watch');
    },
  };
  const api = kubernetesApi(client);
  const signal = new AbortController().signal;
  for (const [name, method] of Object.entries(api)) {
    if (typeof method !== 'function') continue;
    const call = method as (...args: unknown[]) => Promise<unknown>;
    if (name.startsWith('watch')) await call({ resourceVersion: '1' }, () => {}, signal);
    else if (name.startsWith('list')) await call({});
    else await call('ns', 'name');
  }
  return [...calls].sort();
}

describe('deploy/agent/rbac.yaml', () => {
  const docs = parseAllDocuments(
    readFileSync(new URL('../../../../deploy/agent/rbac.yaml', import.meta.url), 'utf8'),
  ).map((d) => d.toJS());
  const role = docs.find((d) => d.kind === 'ClusterRole');

  it('grants exactly the calls the Kubernetes provider makes', async () => {
    expect(grants(role.rules)).toEqual(await adapterCalls());
  });

  it('is read-only: get/list on pods, nodes, namespaces, replicasets and jobs, watch on pods', () => {
    expect(grants(role.rules)).toEqual([
      'apps/replicasets:get',
      'apps/replicasets:list',
      'batch/jobs:get',
      'batch/jobs:list',
      'core/namespaces:get',
      'core/namespaces:list',
      'core/nodes:get',
      'core/nodes:list',
      'core/pods:get',
      'core/pods:list',
      'core/pods:watch',
    ]);
  });

  it('is bound to the agent service account', () => {
    const binding = docs.find((d) => d.kind === 'ClusterRoleBinding');
    const sa = docs.find((d) => d.kind === 'ServiceAccount');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: role.metadata.name,
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace },
    ]);
  });
});
