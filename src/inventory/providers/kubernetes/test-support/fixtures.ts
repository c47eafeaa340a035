// Test support: the recorded Kubernetes objects in testdata/inventory/k8s (see SOURCES.md there).
import { readFileSync } from 'node:fs';

const ROOT = new URL('../../../../../testdata/inventory/k8s/', import.meta.url);

// biome-ignore lint/suspicious/noExplicitAny: recorded JSON objects, validated by the code under test.
export type K8sObject = any;

export function k8sFixture(path: string): K8sObject {
  return JSON.parse(readFileSync(new URL(path, ROOT), 'utf8'));
}

/** The kind v1.20 cluster recorded by sonobuoy: 20 pods in 3 namespaces, 3 nodes. */
export function kindCluster(): { pods: K8sObject[]; nodes: K8sObject[] } {
  const pods = ['kube-system', 'local-path-storage', 'sonobuoy'].flatMap(
    (ns) => k8sFixture(`sonobuoy-kind/ns/${ns}/core_v1_pods.json`).items,
  );
  return { pods, nodes: k8sFixture('sonobuoy-kind/cluster/core_v1_nodes.json').items };
}

/** A Namespace object (none are recorded; the tests give them labels to exercise the fallback). */
export function namespaceObject(name: string, labels: Record<string, string> = {}): K8sObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}
