import type { Logger } from '@bridge/logger';

/**
 * An 'error' listener for a Redis connection or a BullMQ worker (an EventEmitter without one
 * would throw). While Redis is down every reconnect attempt reports an error; one line per
 * 30 s per source is enough.
 */
export function logErrorsThrottled(logger: Logger, source: string): (err: Error) => void {
  let last = 0;
  return (err) => {
    if (Date.now() - last < 30_000) return;
    last = Date.now();
    logger.warn(`${source}: error (repeats within 30 s are not logged)`, { error: err.message });
  };
}
