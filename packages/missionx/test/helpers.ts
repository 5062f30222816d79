import { MissionxApiClient, type MissionxClientOptions, type MissionxOperation } from '@bridge/missionx';
import { startSimulators, type RunningSimulators, type SimulatorOptions } from '@bridge/simulators';

export const TEMPLATE = 'https://app.missionx.ai/portal/{clientId}?ref={customId}';

/** One simulator per test file; clients built against it, with hooks that record every call. */
export class MissionxHarness {
  sim!: RunningSimulators;

  constructor(private readonly simOptions: SimulatorOptions = {}) {}

  async start(): Promise<void> {
    this.sim = await startSimulators(this.simOptions);
  }

  stop(): Promise<void> {
    return this.sim.close();
  }

  client(over: Partial<MissionxClientOptions> = {}): {
    client: MissionxApiClient;
    calls: { operation: MissionxOperation; status: string }[];
  } {
    const calls: { operation: MissionxOperation; status: string }[] = [];
    const client = new MissionxApiClient({
      baseUrl: this.sim.missionxBaseUrl,
      authUrl: this.sim.missionxAuthUrl,
      clientId: 'sim-client',
      clientSecret: 'sim-secret',
      orgId: 'sim-org',
      portalUrlTemplate: TEMPLATE,
      timeoutMs: 5000,
      hooks: { onCall: (operation, status) => calls.push({ operation, status }) },
      ...over,
    });
    return { client, calls };
  }

  tokenRequests = async () => (await this.sim.control.requests({ service: 'missionx', pathIncludes: '/auth/token' })).length;
}
