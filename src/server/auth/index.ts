// Who may do what on the API: API tokens, OIDC identities, and the audit log (docs/api.md,
// "Authentication and roles"). The server calls these; roles and scopes are src/core/access.ts.
export * from './audit.js';
export * from './auth-deps.js';
export * from './authenticate.js';
export * from './oidc.js';
export * from './oidc-login.js';
export * from './secret-box.js';
export * from './token-format.js';
export * from './token-hash.js';
export * from './token-verifier.js';
export * from './tokens.js';
