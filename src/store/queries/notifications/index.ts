// Store queries of notifications (src/reports/notifications): each rule's current set, its
// remembered facts, and the notification log.
export * from './notification-log.js';
export * from './notification-state.js';
export * from './query-rule-set.js';
