// `runsight token list`: every API token with its role, scopes and dates — never a secret (only
// hashes are stored). Revoked tokens are listed with the time they were revoked.
import type { Command } from 'commander';
import { listTokens, type TokenInfo } from '../../../server/auth/tokens.js';
import { group, type Run } from '../../main.js';
import { TOKEN_GROUP } from './create.js';

export function registerTokenListCommand(program: Command, run: Run): void {
  group(program, 'token', TOKEN_GROUP)
    .command('list')
    .description('list API tokens (no secrets): role, scopes, created, expires, last used, revoked')
    .action(
      run(async (ctx) => {
        const tokens = await listTokens(await ctx.store());
        return {
          json: tokens,
          rows: tokens,
          columns: [
            { header: 'id', value: (t: TokenInfo) => t.id },
            { header: 'name', value: (t: TokenInfo) => t.name },
            { header: 'role', value: (t: TokenInfo) => t.role },
            { header: 'scopes', value: (t: TokenInfo) => t.scopes.join(' ') || '(all)' },
            { header: 'created', value: (t: TokenInfo) => t.createdAt },
            { header: 'expires', value: (t: TokenInfo) => t.expiresAt ?? 'never' },
            { header: 'last used', value: (t: TokenInfo) => t.lastUsedAt ?? 'never' },
            { header: 'revoked', value: (t: TokenInfo) => t.revokedAt ?? '' },
          ],
        };
      }),
    );
}
