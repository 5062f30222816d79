import type { Logger } from './logger';

/**
 * An 'error' listener for a Redis connection, a BullMQ queue or worker (an EventEmitter without
 * one would throw). While Redis is down every reconnect attempt reports an error; one warning
 * per `intervalMs` per source is enough.
 */
export function logErrorsThrottled(logger: Pick<Logger, 'warn'>, source: string, intervalMs = 30_000): (err: Error) => void {
  let last = 0;
  return (err) => {
    if (Date.now() - last < intervalMs) return;
    last = Date.now();
    logger.warn(`${source}: error (repeats within ${Math.round(intervalMs / 1000)} s are not logged)`, { error: err.message });
  };
}
