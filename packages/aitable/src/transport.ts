import axios, { type AxiosInstance, type AxiosResponse, type Method } from 'axios';
import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import { throttled, type AppError } from '@bridge/errors';
import {
  AITABLE_ERROR_CODES,
  badResponse,
  describeCall,
  errorFromAnswer,
  errorFromTransport,
  scrubSecret,
  throttledError,
  type CallContext,
} from './errors';
import type { AitableOperation, ResolvedAitableOptions } from './options';
import { SlidingWindowLimiter, type LimiterSlot } from './rate-limiter';
import { SlotQueue } from './slot-queue';
import { envelopeSchema } from './schemas';

export interface AitableRequest {
  method: Method;
  /** Path under `/v1`, e.g. `/datasheets/dst1/records`. */
  path: string;
  query?: URLSearchParams;
  body?: unknown;
}

type Outcome<T> = { ok: true; data: T; status: string } | { ok: false; error: AppError; status: string; throttled: boolean };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const jitter = (ms: number, spread = 0.2) => Math.round(ms * (1 - spread + 2 * spread * Math.random()));

/**
 * One HTTP exchange with AITable, wrapped in the shared rate limit, the in-client 429 retries,
 * the envelope check and the error classification. Everything above it sees data or an AppError.
 */
export class AitableTransport {
  private readonly http: AxiosInstance;
  private readonly slots: SlotQueue;

  constructor(private readonly opts: ResolvedAitableOptions) {
    this.http = axios.create({
      baseURL: `${opts.baseUrl.replace(/\/+$/, '')}/v1`,
      timeout: opts.timeoutMs,
      headers: { Authorization: `Bearer ${opts.apiKey}` },
      // Every status is read: the envelope, not the HTTP status, says whether it worked.
      validateStatus: () => true,
    });
    const limiter = new SlidingWindowLimiter({
      redis: opts.redis,
      prefix: opts.rateLimitPrefix,
      limit: opts.rateLimitPerSecond,
      windowMs: 1000 + opts.rateLimitMarginMs,
      // A request is in flight at most the HTTP timeout; a second on top for the event loop.
      leaseMs: opts.timeoutMs + 1000,
    });
    this.slots = new SlotQueue({
      limiter,
      maxWaitMs: opts.maxLimiterWaitMs,
      onWait: (datasheetId, ms) => this.hook(() => this.opts.hooks?.onRateLimitWait?.(datasheetId, 'limiter', ms)),
    });
  }

  /**
   * @param opts.slot a slot already taken with `acquire` (a batcher takes the slot before it picks
   *   what to send); retries after a 429 take their own.
   * @param opts.bulk a backfill's request: it waits while live requests wait (see `acquire`).
   */
  async call<S extends z.ZodType>(
    ctx: CallContext,
    req: AitableRequest,
    dataSchema: S,
    opts: { slot?: LimiterSlot; bulk?: boolean } = {},
  ): Promise<z.output<S>> {
    for (let retries = 0; ; retries++) {
      const slot = retries === 0 && opts.slot ? opts.slot : await this.acquire(ctx, () => !opts.bulk);
      const outcome = await this.exchange(ctx, req, dataSchema, slot);
      if (outcome.ok) return outcome.data;
      if (!outcome.throttled) throw outcome.error;
      // 429 despite our limiter: someone else uses the token. Wait here, attempts untouched.
      if (retries >= this.opts.throttleRetries) {
        throw throttledError(ctx, retries, jitter(this.opts.throttleBackoffMs * Math.max(1, retries)));
      }
      const ms = jitter(this.opts.throttleBackoffMs);
      this.hook(() => this.opts.hooks?.onRateLimitWait?.(ctx.datasheetId, 'http_429', ms));
      this.opts.logger?.warn('AITable answered 429; waiting before retrying', {
        operation: ctx.operation,
        datasheetId: ctx.datasheetId,
        waitMs: ms,
        retry: retries + 1,
      });
      await sleep(ms);
    }
  }

  /**
   * Waits for a slot of the shared per-datasheet limit; throttled after `maxLimiterWaitMs`.
   * `live()` is asked before each try (a batch waiting for a slot may be joined by a live call
   * meanwhile): a live caller keeps its place in line across processes and goes before every
   * bulk one, so a backfill can use the whole budget without delaying a webhook's job.
   */
  acquire(ctx: CallContext, live: () => boolean = () => true): Promise<LimiterSlot> {
    return this.slots.acquire(ctx.datasheetId, live, (waitedMs, waitMs) =>
      throttled(
        AITABLE_ERROR_CODES.throttled,
        `No AITable rate-limit slot for ${describeCall(ctx)} within ${this.opts.maxLimiterWaitMs} ms`,
        waitMs,
        { details: { operation: ctx.operation, datasheetId: ctx.datasheetId, waitedMs } },
      ),
    );
  }

  /** One request with `slot`, settled as soon as the answer is in (before it is checked: the window counts from the answer). */
  private async exchange<S extends z.ZodType>(
    ctx: CallContext,
    req: AitableRequest,
    dataSchema: S,
    slot: LimiterSlot,
  ): Promise<Outcome<z.output<S>>> {
    const started = performance.now();
    let outcome: Outcome<z.output<S>>;
    try {
      const query = req.query?.toString();
      const res = await this.http
        .request({ method: req.method, url: query ? `${req.path}?${query}` : req.path, data: req.body })
        .finally(() => void slot.settle());
      outcome = this.interpret(ctx, res, dataSchema);
    } catch (err) {
      const { error, status } = errorFromTransport(ctx, err, this.opts.timeoutMs);
      outcome = { ok: false, error, status, throttled: false };
    }
    this.observe(ctx.operation, outcome.status, started);
    return outcome;
  }

  private interpret<S extends z.ZodType>(ctx: CallContext, res: AxiosResponse, dataSchema: S): Outcome<z.output<S>> {
    const envelope = envelopeSchema.safeParse(res.data);
    const httpOk = res.status >= 200 && res.status < 300;
    if (envelope.success && envelope.data.success && httpOk) {
      const data = dataSchema.safeParse(envelope.data.data);
      if (data.success) return { ok: true, data: data.data, status: String(res.status) };
      return { ok: false, error: badResponse(ctx, summarise(data.error)), status: 'bad_response', throttled: false };
    }
    if (!envelope.success && httpOk) {
      return { ok: false, error: badResponse(ctx, 'not an AITable envelope'), status: 'bad_response', throttled: false };
    }
    // AITable's own code wins over the HTTP status (errors usually come as HTTP 200).
    const failed = envelope.success && !envelope.data.success;
    const code = failed ? envelope.data.code : res.status;
    const message = failed ? scrubSecret(envelope.data.message, this.opts.apiKey) : '';
    const error = errorFromAnswer(ctx, code, message, res.status);
    this.hook(() => this.opts.hooks?.onErrorAnswer?.(ctx.datasheetId, code));
    return { ok: false, error, status: String(code), throttled: code === 429 };
  }

  private observe(operation: AitableOperation, status: string, started: number): void {
    const seconds = (performance.now() - started) / 1000;
    this.hook(() => this.opts.hooks?.onCall?.(operation, status, seconds));
  }

  private hook(fn: () => void): void {
    try {
      fn();
    } catch {
      // A broken metrics hook must never fail a call to AITable.
    }
  }
}

function summarise(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
