// Runsight's library entry point. Stages export their public functions here.
export * from './core/index.js';
export * from './propagation/index.js';
export * from './remediation/index.js';
export {
  getStoreStatus,
  openStore,
  type Store,
  type StoreKind,
  type StoreStatus,
} from './store/index.js';
