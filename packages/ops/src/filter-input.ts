import { permanent } from '@bridge/errors';
import { QUEUE_NAMES, type QueueName } from '@bridge/queues';
import type { FailedJobFilter } from './find-failed-jobs';
import { DELIVERY_OUTCOMES, type DeliveryFilter, type DeliveryOutcomeName } from './deliveries/list-deliveries';
import { parsePointInTime } from './time-window';

/**
 * The filters as people type them, in the CLI (`--queue leads --since 2h`) and in the
 * dashboard's query strings and JSON bodies (`?queue=leads&since=2h`): one parser for both,
 * so the same words select the same jobs.
 */
export interface FailedJobFilterInput {
  queue?: unknown;
  since?: unknown;
  until?: unknown;
  record?: unknown;
  error?: unknown;
  limit?: unknown;
}

const bad = (field: string, message: string) =>
  permanent('invalid_argument', `${field} ${message}`, { httpStatus: 400, details: { field } });

function text(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw bad(field, 'must be a string');
  return v;
}

function positiveInt(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < 1) throw bad(field, 'must be a positive integer');
  return n;
}

function queueName(v: unknown): QueueName | undefined {
  const q = text(v, 'queue');
  if (q !== undefined && !QUEUE_NAMES.includes(q as QueueName)) throw bad('queue', `must be one of ${QUEUE_NAMES.join(', ')}; got "${q}"`);
  return q as QueueName | undefined;
}

function when(v: unknown, field: string, now: Date): Date | undefined {
  const t = text(v, field);
  return t === undefined ? undefined : parsePointInTime(t, field, now);
}

/** Reads failed-job filters from CLI options or a query/body; throws a 400 AppError naming the field. */
export function parseFailedJobFilter(input: FailedJobFilterInput, now = new Date()): FailedJobFilter {
  const record = text(input.record, 'record');
  if (record !== undefined && !/^rec[A-Za-z0-9]+$/.test(record))
    throw bad('record', `must be an AITable record id (rec…); got "${record}"`);
  return {
    queue: queueName(input.queue),
    since: when(input.since, 'since', now),
    until: when(input.until, 'until', now),
    recordId: record,
    errorIncludes: text(input.error, 'error'),
    limit: positiveInt(input.limit, 'limit'),
  };
}

export interface DeliveryFilterInput {
  outcome?: unknown;
  reason?: unknown;
  datasheet?: unknown;
  since?: unknown;
  until?: unknown;
  awaitingFix?: unknown;
  limit?: unknown;
}

/** Reads delivery-list filters (`datasheet`, `awaitingFix`, ...) the same way. */
export function parseDeliveryFilter(input: DeliveryFilterInput, now = new Date()): DeliveryFilter {
  const outcome = text(input.outcome, 'outcome');
  if (outcome !== undefined && !DELIVERY_OUTCOMES.includes(outcome as DeliveryOutcomeName)) {
    throw bad('outcome', `must be one of ${DELIVERY_OUTCOMES.join(', ')}; got "${outcome}"`);
  }
  const awaiting = input.awaitingFix;
  if (awaiting !== undefined && !['true', 'false', true, false, ''].includes(awaiting as string | boolean))
    throw bad('awaitingFix', 'must be true or false');
  return {
    outcome: outcome as DeliveryOutcomeName | undefined,
    reason: text(input.reason, 'reason'),
    datasheetId: text(input.datasheet, 'datasheet'),
    since: when(input.since, 'since', now),
    until: when(input.until, 'until', now),
    awaitingFix: awaiting === true || awaiting === 'true',
    limit: positiveInt(input.limit, 'limit'),
  };
}

/**
 * A bulk replay must say what it selects: with no filter at all it would replay every failed
 * job of every queue, so that takes an explicit `all`.
 */
export function assertSelective(filter: FailedJobFilter, all: boolean): void {
  const any = filter.queue ?? filter.since ?? filter.until ?? filter.recordId ?? filter.errorIncludes;
  if (any === undefined && !all) {
    throw bad('filter', 'is empty: give at least one of queue, since, until, record, error (or all=true to replay every failed job)');
  }
}
