import { AsyncLocalStorage } from 'node:async_hooks';

/** Facts every log line of one request or job carries. */
export interface LogContext {
  requestId?: string;
  deliveryId?: string;
  queue?: string;
  jobId?: string;
  recordId?: string;
  datasheetId?: string;
  [key: string]: string | number | undefined;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs fn with ctx added to the current context; every log line inside carries it. */
export function withLogContext<T>(ctx: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...ctx }, fn);
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}
