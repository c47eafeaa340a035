// Store queries of the retention.run job: bounded, batched deletes of expired history.
export * from './delete-expired.js';
