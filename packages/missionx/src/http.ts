import type { AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import { performance } from 'node:perf_hooks';
import type { AppError } from '@bridge/errors';
import { errorFromTransport, type MissionxCallContext } from './errors';
import type { MissionxHooks } from './options';

export type Exchange = { ok: true; res: AxiosResponse } | { ok: false; error: AppError };

/** One HTTP exchange, timed and reported to the hooks; transport failures become AppErrors. */
export async function exchange(
  http: AxiosInstance,
  ctx: MissionxCallContext,
  req: AxiosRequestConfig,
  timeoutMs: number,
  hooks: MissionxHooks | undefined,
): Promise<Exchange> {
  const started = performance.now();
  let status: string;
  let result: Exchange;
  try {
    const res = await http.request(req);
    status = String(res.status);
    result = { ok: true, res };
  } catch (err) {
    const failure = errorFromTransport(ctx, err, timeoutMs);
    status = failure.status;
    result = { ok: false, error: failure.error };
  }
  try {
    hooks?.onCall?.(ctx.operation, status, (performance.now() - started) / 1000);
  } catch {
    // A broken metrics hook must never fail a call to MissionX.
  }
  return result;
}
