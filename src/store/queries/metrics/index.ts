export * from './posture-series.js';
export * from './queue-counts.js';
export * from './scan-ages.js';
