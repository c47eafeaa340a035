// `runsight agent --server URL --token TOKEN|--token-file FILE --cluster-name NAME [--kubeconfig F]
// [--context C] [--namespace N …] [--metrics-listen HOST:PORT]`: the in-cluster agent (docs/agent.md).
// Watches one cluster with the collector `inventory watch` uses and pushes its mutations to a
// `runsight serve`. The token comes from --token-file or RUNSIGHT_TOKEN; --token TOKEN is accepted
// (the issue names it) with a warning, since argv is visible to every user of the machine. In a pod
// with no kubeconfig it uses the in-cluster service account. Runs
// until SIGINT/SIGTERM; a token the server refuses ends it with exit 2. Thin: src/agent does the work.
import { type Command, InvalidArgumentError } from 'commander';
import { type AgentStats, metricsText, runAgent } from '../../agent/index.js';
import { durationToMs } from '../../core/duration.js';
import { UsageError } from '../../core/errors.js';
import { kubernetesTargets, metadataKeys } from '../../inventory/index.js';
import { parseMetricsListen, startMetricsServer } from '../../reports/index.js';
import { type Run, VERSION } from '../main.js';
import { type GlobalOptions, tokenFor } from '../run-context.js';

interface AgentFlags {
  token?: string;
  clusterName?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string[];
  metricsListen?: string;
  heartbeatInterval?: number;
  retryMax?: number;
}

const repeat = (v: string, prev: string[] = []) => [...prev, v];

function duration(v: string): number {
  const ms = durationToMs(v);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError('expected a duration like 30s, 5m, 1h');
  return ms;
}

export function registerAgentCommand(program: Command, run: Run): void {
  program
    .command('agent')
    .description(
      'watch one cluster and push its containers to a runsight server (--server; token from --token-file or RUNSIGHT_TOKEN)',
    )
    .option(
      '--token <token>',
      'API token (visible in the process list: prefer --token-file or RUNSIGHT_TOKEN)',
    )
    .option(
      '--cluster-name <name>',
      'the cluster (and inventory source) name; the token needs scope cluster=NAME',
    )
    .option(
      '--kubeconfig <file>',
      'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account)',
    )
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('--namespace <ns>', 'only this namespace (repeatable; default: all namespaces)', repeat)
    .option('--metrics-listen <host:port>', 'serve Prometheus /metrics and /healthz here')
    .option(
      '--heartbeat-interval <duration>',
      'how often the agent reports to the server (default 30s)',
      duration,
    )
    .option(
      '--retry-max <duration>',
      'longest wait between retries while the server is away (default 30s)',
      duration,
    )
    .action(
      run(async (ctx, flags: AgentFlags) => {
        if (!ctx.server)
          throw new UsageError(
            'runsight agent needs --server URL (or RUNSIGHT_SERVER): the runsight serve to push to',
          );
        if (!/^https?:\/\//i.test(ctx.server))
          throw new UsageError(`--server expects an http:// or https:// URL, got "${ctx.server}"`);
        if (!flags.clusterName)
          throw new UsageError(
            'runsight agent needs --cluster-name NAME: it names the inventory source and every container id',
          );
        if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/.test(flags.clusterName))
          throw new UsageError(
            `--cluster-name expects letters, digits, . _ : - (e.g. prod-eu), got "${flags.clusterName}"`,
          );
        if (flags.token)
          ctx.logger.warn(
            'the API token on the command line is visible to every user of this machine: prefer --token-file or RUNSIGHT_TOKEN',
          );
        const token = flags.token || tokenFor(program.opts<GlobalOptions>(), ctx.env);
        if (!token)
          throw new UsageError(
            `runsight agent needs an API token: --token-file FILE, RUNSIGHT_TOKEN or --token (runsight token create --role operator --scope cluster=${flags.clusterName})`,
          );
        if (/^http:\/\/(?!(localhost|127\.[\d.]+|\[::1\])(:\d+)?(\/|$))/i.test(ctx.server))
          ctx.logger.warn('the API token goes over plain HTTP to a server off this machine: use https://');
        const [target] = await kubernetesTargets({
          kubeconfig: flags.kubeconfig,
          context: flags.context,
          clusterName: flags.clusterName,
          env: ctx.env,
        });
        if (!target) throw new UsageError('no Kubernetes cluster to watch');
        target.cluster = flags.clusterName;
        let metrics: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
        let stats: (() => AgentStats) | undefined;
        if (flags.metricsListen) {
          metrics = await startMetricsServer({
            ...parseMetricsListen(flags.metricsListen),
            extra: () => (stats ? metricsText(stats()) : ''),
            logger: ctx.logger,
          });
          ctx.print(`metrics on ${metrics.url}/metrics\n`);
        }
        ctx.print(`agent for cluster ${flags.clusterName} pushing to ${ctx.server}\n`);
        ctx.logger.info('agent starting', {
          cluster: flags.clusterName,
          server: ctx.server,
          version: VERSION,
        });
        try {
          await runAgent({
            server: ctx.server,
            token,
            target,
            namespaces: flags.namespace,
            keys: metadataKeys(ctx.config.inventory),
            signal: ctx.signal,
            logger: ctx.logger,
            version: VERSION,
            heartbeatMs: flags.heartbeatInterval,
            backoff: flags.retryMax ? { initialMs: 500, maxMs: flags.retryMax } : undefined,
            onStats: (s) => {
              stats = s;
            },
          });
        } finally {
          await metrics?.close();
        }
        return undefined;
      }),
    );
}
