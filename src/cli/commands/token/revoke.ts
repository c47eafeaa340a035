// `runsight token revoke <id-or-name>`: revokes an API token. A running server that checked the
// token within its cache TTL (60 s) may accept it until that entry ends (docs/api.md).
import type { Command } from 'commander';
import { revokeToken, type TokenInfo } from '../../../server/auth/tokens.js';
import { group, type Run } from '../../main.js';
import { TOKEN_GROUP } from './create.js';

export function registerTokenRevokeCommand(program: Command, run: Run): void {
  group(program, 'token', TOKEN_GROUP)
    .command('revoke')
    .description('revoke an API token by id or name (servers stop accepting it within 60 s)')
    .argument('<id-or-name>', 'the token id (from token list) or its name')
    .action(
      run(async (ctx, idOrName: string) => {
        const t = await revokeToken(await ctx.store(), idOrName);
        return {
          json: t,
          rows: [t],
          columns: [
            { header: 'id', value: (r: TokenInfo) => r.id },
            { header: 'name', value: (r: TokenInfo) => r.name },
            { header: 'revoked', value: (r: TokenInfo) => r.revokedAt },
          ],
          footer: [
            'Servers that checked this token in the last 60 s may accept it until their cache entry ends.',
          ],
        };
      }),
    );
}
