import net from 'node:net';

/** A port `npm start` gives a process, by the variable that sets it. */
export interface PortUse {
  variable: string;
  process: string;
  what: string;
}

export const PORTS: readonly PortUse[] = [
  { variable: 'INGEST_PORT', process: 'ingest', what: 'the webhook API' },
  { variable: 'INGEST_METRICS_PORT', process: 'ingest', what: 'its /metrics' },
  { variable: 'DASHBOARD_PORT', process: 'dashboard', what: 'the dashboard' },
  { variable: 'DASHBOARD_METRICS_PORT', process: 'dashboard', what: 'its /metrics' },
  { variable: 'WORKER_METRICS_PORT', process: 'worker', what: 'its /metrics and /healthz' },
  { variable: 'SIMULATORS_PORT', process: 'simulators', what: 'AITable and MissionX' },
];

/** Whether a server could listen on the port now, on every interface, as the processes do. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/** A port free right now, chosen by the system. */
export function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** What to say about a port that is taken: the process, the variable and how to get past it. */
export function portInUse(use: PortUse, port: number): string {
  return (
    `${use.process}: port ${port} (${use.variable}, ${use.what}) is already in use. ` +
    `Stop what holds it (\`lsof -i :${port}\` or \`ss -ltnp | grep :${port}\`) or set ${use.variable} to a free port.`
  );
}

/**
 * Checks every port the processes will listen on. A busy port `npm start` chose itself (`chosen`,
 * in demo mode) is replaced by a free one and reported in `moved`; a busy port the person set is
 * an error naming the process and the variable, as is any busy port outside demo mode.
 */
export async function settlePorts(
  env: NodeJS.ProcessEnv,
  chosen: ReadonlySet<string>,
  uses: readonly PortUse[] = PORTS,
): Promise<{ moved: string[]; problems: string[] }> {
  const moved: string[] = [];
  const problems: string[] = [];
  for (const use of uses) {
    const port = Number(env[use.variable] ?? '');
    // Unset, or 0 (a metrics port off: /metrics is served on the main port).
    if (!port) continue;
    if (await portFree(port)) continue;
    if (!chosen.has(use.variable)) {
      problems.push(portInUse(use, port));
      continue;
    }
    const free = await anyFreePort();
    env[use.variable] = String(free);
    moved.push(`${use.variable}=${free} (${use.process}; ${port} was busy)`);
  }
  return { moved, problems };
}

/** The explanation for a child whose output shows it could not listen, or undefined. */
export function explainListenFailure(label: string, output: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  for (const line of output) {
    const port = /EADDRINUSE.*?:(\d+)/.exec(line)?.[1];
    if (!port) continue;
    const use = PORTS.find((u) => env[u.variable] === port) ?? { variable: `the ${label} port`, process: label, what: 'a listener' };
    return portInUse({ ...use, process: label }, Number(port));
  }
  return undefined;
}
