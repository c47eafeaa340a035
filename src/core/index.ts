export * from './advisory.js';
export * from './duration.js';
export * from './errors.js';
export * from './image-source.js';
export * from './logger.js';
export * from './severity.js';
export * from './types.js';
export * from './untrusted-text.js';
