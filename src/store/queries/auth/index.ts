// API access in the store: token rows, dashboard sessions and the audit log (src/server/auth/ holds the rules).
export * from './api-tokens.js';
export * from './audit-log.js';
export * from './dashboard-sessions.js';
