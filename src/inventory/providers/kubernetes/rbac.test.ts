// deploy/rbac.yaml grants exactly what the provider calls (api.ts): get/list/watch, read-only.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

describe('deploy/rbac.yaml', () => {
  const docs = parseAllDocuments(
    readFileSync(new URL('../../../../deploy/rbac.yaml', import.meta.url), 'utf8'),
  ).map((d) => d.toJS());

  it('is a read-only ClusterRole over pods, nodes, namespaces, replicasets and jobs, bound to the service account', () => {
    const role = docs.find((d) => d.kind === 'ClusterRole');
    const grants = role.rules
      .flatMap((r: { apiGroups: string[]; resources: string[]; verbs: string[] }) =>
        r.apiGroups.flatMap((g) =>
          r.resources.map((res) => `${g || 'core'}/${res}:${[...r.verbs].sort().join(',')}`),
        ),
      )
      .sort();
    expect(grants).toEqual([
      'apps/replicasets:get,list,watch',
      'batch/jobs:get,list,watch',
      'core/namespaces:get,list,watch',
      'core/nodes:get,list,watch',
      'core/pods:get,list,watch',
    ]);
    const binding = docs.find((d) => d.kind === 'ClusterRoleBinding');
    const sa = docs.find((d) => d.kind === 'ServiceAccount');
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace },
    ]);
  });
});
