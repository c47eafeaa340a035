// `runsight token create --name NAME --role viewer|operator|admin [--scope KIND=VALUE …]
// [--expires 90d]`: makes an API token and prints it once (docs/api.md "Authentication and
// roles"). Only its hash is stored: the token cannot be shown again. The `token` group also holds
// `token list` (list.ts) and `token revoke` (revoke.ts).
import type { Command } from 'commander';
import { ROLES } from '../../../core/access.js';
import { UsageError } from '../../../core/errors.js';
import { checkTokenInput, createToken } from '../../../server/auth/tokens.js';
import { group, type Run } from '../../main.js';

export const TOKEN_GROUP = 'API tokens for runsight serve (create, list, revoke)';

export function registerTokenCreateCommand(program: Command, run: Run): void {
  group(program, 'token', TOKEN_GROUP)
    .command('create')
    .description('create an API token; it is printed once and cannot be shown again')
    .option('--name <name>', 'a unique name for the token (e.g. ci-import)')
    .option('--role <role>', `what the token may do: ${ROLES.join(', ')}`)
    .option(
      '--scope <kind=value>',
      'restrict what it sees: cluster=, namespace=, environment= or owner= (repeatable; none = everything)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--expires <duration>', 'expire after this long (e.g. 90d, 12h); default: never')
    .action(
      run(async (ctx, opts: { name?: string; role?: string; scope?: string[]; expires?: string }) => {
        if (!opts.name) throw new UsageError('token create needs --name NAME');
        if (!opts.role) throw new UsageError(`token create needs --role ${ROLES.join('|')}`);
        const input = { name: opts.name, role: opts.role, scopes: opts.scope ?? [], expiresIn: opts.expires };
        checkTokenInput(input); // bad input is refused before the store is opened
        const created = await createToken(await ctx.store(), input);
        const rows: [string, string][] = [
          ['id', created.id],
          ['name', created.name],
          ['role', created.role],
          ['scopes', created.scopes.join(' ') || '(all)'],
          ['expires', created.expiresAt ?? 'never'],
          ['token', created.token],
        ];
        return {
          json: created,
          rows,
          columns: [
            { header: 'field', value: (r: [string, string]) => r[0] },
            { header: 'value', value: (r: [string, string]) => r[1] },
          ],
          footer: ['Copy the token now: it is stored only as a hash and will not be shown again.'],
        };
      }),
    );
}
