// Runsight's library entry point. Stages export their public functions here.
export * from './core/index.js';
export {
  applyInventoryMutation,
  CmdbImportError,
  collectDockerInventory,
  collectKubernetesInventory,
  dockerSource,
  importCmdbFile,
  kubernetesTargets,
  metadataKeys,
  parseCmdb,
  parseImageId,
  type SourceResult,
  watchDockerInventory,
  watchKubernetesInventory,
} from './inventory/index.js';
export {
  type AppliedMutation,
  type ContainerFilter,
  type ContainerRow,
  getStoreStatus,
  listContainers,
  listInventorySources,
  openStore,
  type Store,
  type StoreKind,
  type StoreStatus,
} from './store/index.js';
