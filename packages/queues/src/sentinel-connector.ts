import IORedis, { SentinelConnector, type SentinelConnectionOptions } from 'ioredis';

type Stream = Awaited<ReturnType<SentinelConnector['connect']>>;

/** Published by every sentinel that learns of a failover: `<name> <old-ip> <old-port> <new-ip> <new-port>`. */
const SWITCH_MASTER = '+switch-master';

/**
 * The Sentinel connector of every connection in Sentinel mode, in place of ioredis's own
 * `failoverDetector`. Both close the connection when the sentinels announce a new primary, so a
 * socket that hangs on an unreachable old primary (a host gone without a reset) asks the sentinels
 * again instead of waiting for TCP to notice.
 *
 * ioredis's detector does it through the connector's disconnect(), which also cancels a connect in
 * progress: an announcement that arrives while the client is between two tries (the old primary
 * refused, the sentinels not yet switched) makes that try reject, and ioredis then sets the status
 * `end` for good, with no retry (ioredis 5.11 and 6.0, SentinelConnector#connect). Ingest's producer
 * then answered 503 to every request; worker connections (and BullMQ's duplicates of them) ran the
 * same risk.
 *
 * Here the announcement only destroys the socket this connector handed out, which the client's
 * retryStrategy treats like any broken socket. There is one watcher per configured sentinel
 * (REDIS_SENTINELS), and they live exactly as long as that socket, so a quit() leaves no subscriber
 * connection behind (ioredis's detector outlives a quit: ioredis #1362). BullMQ's duplicate() copies
 * the options, so the connections BullMQ derives use this connector too.
 */
export class SwitchWatchingSentinelConnector extends SentinelConnector {
  // ioredis hands a `Connector` the client's whole options, which hold the Sentinel ones.
  constructor(options: unknown) {
    super(options as SentinelConnectionOptions);
  }

  override async connect(...args: Parameters<SentinelConnector['connect']>): Promise<Stream> {
    const stream = await super.connect(...args);
    if (!stream.destroyed) this.watchSwitches(stream);
    return stream;
  }

  private watchSwitches(stream: Stream): void {
    const { sentinels = [], name, sentinelUsername, sentinelPassword, sentinelTLS, connectTimeout } = this.options;
    const watchers = sentinels.map((sentinel) => {
      const watcher = new IORedis({
        host: sentinel.host,
        port: sentinel.port ?? 26379,
        username: sentinelUsername,
        password: sentinelPassword,
        tls: sentinelTLS,
        connectTimeout,
        // A sentinel restarting must not blind the watcher; resubscribing is automatic.
        retryStrategy: (times: number) => Math.min(times * 200, 2000),
        enableReadyCheck: false,
      });
      // A sentinel that is down is the other sentinels' and the connection's own retry's business.
      watcher.on('error', () => undefined);
      watcher.on('message', (_channel: string, message: string) => {
        const [master, , , ip, port] = message.split(' ');
        // Another primary's failover, or a late announcement of the switch this socket already followed: nothing to do.
        if (master !== name || (stream.remoteAddress === ip && String(stream.remotePort) === port)) return;
        stream.destroy();
      });
      watcher.subscribe(SWITCH_MASTER).catch(() => undefined);
      return watcher;
    });
    stream.once('close', () => {
      for (const watcher of watchers) watcher.disconnect();
    });
  }
}
