// Who may see and do what: the roles of API tokens and OIDC identities, and the access scope that
// restricts which containers (and so which images, vulnerabilities, roll-ups and totals) a caller
// can see. A scope holds in every answer: stage and store reads take it as a filter (docs/api.md).
import { UsageError } from './errors.js';

/** viewer reads; operator also imports, pushes inventory and requests scans; admin also manages tokens and settings. */
export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

/** The kinds a scope restricts, as written in `--scope KIND=VALUE`. */
export type ScopeDimension = 'cluster' | 'namespace' | 'environment' | 'owner';
export const SCOPE_DIMENSIONS: readonly ScopeDimension[] = ['cluster', 'namespace', 'environment', 'owner'];

/**
 * Which containers a caller may see. Values of one kind are alternatives (namespace=shop and
 * namespace=cart: either); kinds combine (cluster=prod and namespace=shop: shop in prod). A kind
 * left out (or an empty list) does not restrict. `{}` sees everything.
 */
export interface AccessScope {
  clusters?: string[] | undefined;
  namespaces?: string[] | undefined;
  environments?: string[] | undefined;
  owners?: string[] | undefined;
}

const FIELD: Record<ScopeDimension, keyof AccessScope> = {
  cluster: 'clusters',
  namespace: 'namespaces',
  environment: 'environments',
  owner: 'owners',
};

/** A scope as the config file writes it: a value or a list per kind (`{cluster: prod, namespace: [shop, cart]}`). */
export interface ConfigScope {
  cluster?: string | string[] | undefined;
  namespace?: string | string[] | undefined;
  environment?: string | string[] | undefined;
  owner?: string | string[] | undefined;
}

/** The AccessScope a config scope names (undefined: unrestricted). */
export function scopeFromConfig(scope: ConfigScope | undefined): AccessScope {
  const out: AccessScope = {};
  if (!scope) return out;
  for (const d of SCOPE_DIMENSIONS) {
    const v = scope[d];
    if (v === undefined) continue;
    out[FIELD[d]] = Array.isArray(v) ? [...v] : [v];
  }
  return out;
}

/** The caller of an API request, after authentication. */
export interface Principal {
  /** Token name (`token:NAME`) or the OIDC subject (`oidc:SUB`): what the audit log records. */
  subject: string;
  role: Role;
  scope: AccessScope;
  via: 'token' | 'oidc' | 'local';
  tokenId?: string | undefined;
}

/** Whether `role` includes what `needed` may do (admin ⊃ operator ⊃ viewer). */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** True when the scope restricts nothing. */
export function isUnrestricted(scope: AccessScope): boolean {
  return SCOPE_DIMENSIONS.every((d) => !scope[FIELD[d]]?.length);
}

/** Parses `["cluster=prod", "namespace=shop"]`; an unknown kind or an empty value is a UsageError. */
export function parseScope(items: readonly string[]): AccessScope {
  const scope: AccessScope = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const kind = item.slice(0, eq) as ScopeDimension;
    const value = item.slice(eq + 1);
    if (eq < 1 || !SCOPE_DIMENSIONS.includes(kind) || value === '' || /[\0-\x1f\x7f]/.test(value))
      throw new UsageError(
        `scope "${item}" is not KIND=VALUE with KIND one of ${SCOPE_DIMENSIONS.join(', ')} (e.g. namespace=shop)`,
      );
    const field = FIELD[kind];
    const list = scope[field] ?? [];
    if (!list.includes(value)) list.push(value);
    scope[field] = list;
  }
  return scope;
}

/** The scope as `["cluster=prod", "namespace=shop"]` (the order of SCOPE_DIMENSIONS, values sorted). */
export function formatScope(scope: AccessScope): string[] {
  return SCOPE_DIMENSIONS.flatMap((d) => [...(scope[FIELD[d]] ?? [])].sort().map((v) => `${d}=${v}`));
}

/** Whether a container with these fields is inside the scope (the rule the store's SQL applies). */
export function inScope(
  scope: AccessScope,
  c: { cluster: string | null; namespace: string | null; environment: string | null; owner: string | null },
): boolean {
  const ok = (values: string[] | undefined, v: string | null) =>
    !values?.length || (v !== null && values.includes(v));
  return (
    ok(scope.clusters, c.cluster) &&
    ok(scope.namespaces, c.namespace) &&
    ok(scope.environments, c.environment) &&
    ok(scope.owners, c.owner)
  );
}
