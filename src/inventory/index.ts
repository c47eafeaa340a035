// The inventory stage's public entry: collect running containers from Kubernetes, Docker and CMDB
// files and land each collection as one mutation (full list or delta) in the store. Propagation
// reads the returned ids (added / changed / removed) to recompute only what moved.
export { KubernetesApiError } from '../kubernetes/index.js';
export { applyInventoryMutation } from './apply-inventory-mutation.js';
export { collectDockerInventory, collectKubernetesInventory, dockerSource } from './collect.js';
export { digestOfReference, normalizeDigest, type ParsedImageId, parseImageId } from './image-id.js';
export { CMDB_ID_LIMIT, importCmdbFile } from './import-cmdb.js';
export {
  DEFAULT_ENVIRONMENT_KEYS,
  DEFAULT_OWNER_KEYS,
  type MetadataKeys,
  metadataKeys,
} from './metadata-keys.js';
export { CmdbImportError } from './providers/cmdb/cmdb-import-error.js';
export { type CmdbParseResult, type CmdbRowError, parseCmdb } from './providers/cmdb/parse-cmdb.js';
export { type DockerApi, DockerApiError, dockerApi, dockerEndpoint } from './providers/docker/client.js';
export { collectDocker, REPO_DIGESTS_LABEL, watchDocker } from './providers/docker/collector.js';
export type { KubernetesApi } from './providers/kubernetes/api.js';
export { collectKubernetes, watchKubernetes } from './providers/kubernetes/collector.js';
export { type ClusterTarget, kubernetesTargets } from './providers/kubernetes/targets.js';
export type { CommonOptions, SourceResult } from './source-result.js';
export {
  followKubernetes,
  type KubernetesFollowOptions,
  type KubernetesSink,
  kubernetesSourceOf,
  type WatchCallbacks,
  watchDockerInventory,
  watchKubernetesInventory,
} from './watch.js';
