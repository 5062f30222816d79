import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { aitableRouter } from './aitable/routes';
import { SimControlClient } from './control/client';
import { controlRouter } from './control/routes';
import { latencyRouter } from './latency';
import { missionxRouter } from './missionx/routes';
import { SimState } from './state';
import type { SimulatorOptions } from './types';

export interface RunningSimulators {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `${url}/fusion`: the bridge appends `/v1/...`. */
  aitableBaseUrl: string;
  /** `${url}/missionx/v2` */
  missionxBaseUrl: string;
  /** `${url}/missionx/auth/token` */
  missionxAuthUrl: string;
  control: SimControlClient;
  close(): Promise<void>;
}

/** The simulators as one Express app: AITable under `/fusion`, MissionX under `/missionx`, control under `/__sim`. */
export function createSimulatorApp(state: SimState): Express {
  const app = express();
  // qs parsing gives sort[0][field] and filter[customId] the nesting the real APIs read.
  app.set('query parser', 'extended');
  app.disable('x-powered-by');
  app.use('/fusion', state.inFlight.middleware('aitable'));
  app.use('/missionx', state.inFlight.middleware('missionx'));
  app.use('/fusion', state.latency.middleware('aitable'));
  app.use('/missionx', state.latency.middleware('missionx'));
  app.use(
    '/fusion',
    aitableRouter({ store: state.aitable, limiter: state.limiter, apiKeys: state.apiKeys, faults: state.faults, log: state.log }),
  );
  app.use('/missionx', missionxRouter({ store: state.missionx, faults: state.faults, log: state.log }));
  app.use('/__sim/latency', latencyRouter(state.latency));
  app.use('/__sim', controlRouter(state));
  app.use((req, res) => {
    res.status(404).json({ message: `Cannot ${req.method} ${req.originalUrl}` });
  });
  return app;
}

/**
 * Starts the AITable and MissionX simulators on one HTTP server (a free port unless `port` is given).
 * Seeds are checked at start: an invalid datasheet seed rejects.
 */
export async function startSimulators(opts: SimulatorOptions = {}): Promise<RunningSimulators> {
  const state = new SimState(opts);
  const app = createSimulatorApp(state);
  const host = opts.host ?? '127.0.0.1';
  const server = await new Promise<import('node:http').Server>((resolve, reject) => {
    const s = app.listen(opts.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  // A wildcard bind is reached through loopback; print an address a client can use.
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
  return {
    url,
    aitableBaseUrl: `${url}/fusion`,
    missionxBaseUrl: `${url}/missionx/v2`,
    missionxAuthUrl: `${url}/missionx/auth/token`,
    control: new SimControlClient(url),
    close: () =>
      new Promise<void>((resolve, reject) => {
        state.faults.clear();
        state.latency.reset();
        server.close((err) => (err ? reject(err) : resolve()));
        // Hung requests and keep-alive sockets would hold close() open.
        server.closeAllConnections();
      }),
  };
}
