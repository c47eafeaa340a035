export * from './list-containers-to-resolve.js';
export * from './load-identity-graph.js';
export * from './propagation-settings.js';
export * from './query-workload-history.js';
export * from './save-resolutions.js';
export * from './write-stamp.js';
