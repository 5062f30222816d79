import { AppError, isAppError, permanent } from '@bridge/errors';
import { z } from 'zod';
import { AITABLE_ERROR_CODES, describeCall, type CallContext } from './errors';
import { missingFieldNames, missingFieldsError } from './field-mapping';
import { resolveAitableOptions, type AitableClientOptions, type AitableOperation, type ResolvedAitableOptions } from './options';
import { encodeListQuery, type ListRecordsQuery } from './query';
import {
  fieldsDataSchema,
  recordPageSchema,
  recordsDataSchema,
  type AitableField,
  type AitableRecord,
  type FieldValues,
  type RecordPage,
} from './schemas';
import { AitableTransport } from './transport';
import type { LimiterSlot } from './rate-limiter';
import { MAX_RECORDS_PER_READ, MAX_RECORDS_PER_WRITE, RecordBatcher } from './write-batcher';

export interface RecordUpdate {
  recordId: string;
  fields: FieldValues;
}

const recordsPath = (datasheetId: string) => `/datasheets/${encodeURIComponent(datasheetId)}/records`;

/**
 * The AITable REST API as the bridge uses it. Every method takes a slot of the shared
 * per-datasheet rate limit first, and throws only `AppError`s (codes in `AITABLE_ERROR_CODES`).
 */
export class AitableClient {
  private readonly opts: ResolvedAitableOptions;
  private readonly transport: AitableTransport;
  private readonly updates: RecordBatcher<RecordUpdate>;
  private readonly creates: RecordBatcher<FieldValues>;
  private readonly reads: RecordBatcher<string>;

  constructor(options: AitableClientOptions) {
    this.opts = resolveAitableOptions(options);
    this.transport = new AitableTransport(this.opts);
    const batching = (operation: AitableOperation, maxBatch = MAX_RECORDS_PER_WRITE) => ({
      operation,
      maxBatch,
      maxInFlight: this.opts.rateLimitPerSecond,
      bulkQuietMs: this.opts.bulkQuietMs,
      bulkMaxWaitMs: this.opts.bulkMaxWaitMs,
      acquire: (datasheetId: string, live: () => boolean) => this.transport.acquire({ operation, datasheetId }, live),
    });
    const byRecordId =
      <I>(id: (input: I) => string) =>
      (inputs: I[], records: AitableRecord[]) =>
        inputs.map((input) => records.find((r) => r.recordId === id(input)));
    this.updates = new RecordBatcher<RecordUpdate>({
      ...batching('updateRecords'),
      send: (ds, inputs, opts) => this.writeChunk('updateRecords', ds, inputs, opts),
      match: byRecordId((u) => u.recordId),
      key: (u) => u.recordId,
    });
    this.creates = new RecordBatcher<FieldValues>({
      ...batching('createRecords'),
      send: (ds, inputs, opts) =>
        this.writeChunk(
          'createRecords',
          ds,
          inputs.map((fields) => ({ fields })),
          opts,
        ),
      // AITable answers created records in the order they were sent.
      match: (inputs, records) => (records.length === inputs.length ? records : []),
    });
    this.reads = new RecordBatcher<string>({
      ...batching('getRecord', MAX_RECORDS_PER_READ),
      send: (ds, ids, opts) => this.readChunk(ds, ids, opts),
      match: byRecordId((id) => id),
      missing: (datasheetId, recordId) => recordNotFound({ operation: 'getRecord', datasheetId, recordIds: [recordId] }),
    });
  }

  /**
   * One record by id, sharing a request (`recordIds`, up to {@link MAX_RECORDS_PER_READ}) with
   * concurrent reads of the same datasheet; `aitable_record_not_found` (permanent) when AITable
   * does not know it. With `bulk` (a backfill's job) it waits behind every live read, and for a
   * full request of bulk reads (see `RecordBatcher`).
   */
  async getRecord(datasheetId: string, recordId: string, opts: { bulk?: boolean } = {}): Promise<AitableRecord> {
    requireId(recordId, 'recordId', 'getRecord', datasheetId);
    try {
      return await this.reads.add(datasheetId, recordId, opts);
    } catch (err) {
      // With recordIds, a 400 can only be about the id: AITable's way of saying "no such record".
      // (A batch refused for one unknown id is retried id by id, so the 400 is this id's own.)
      if (isAppError(err) && err.code === AITABLE_ERROR_CODES.badRequest) {
        throw recordNotFound({ operation: 'getRecord', datasheetId, recordIds: [recordId] }, err);
      }
      throw err;
    }
  }

  /** One page of records; with `bulk` (a backfill's scan) it waits while live requests wait for the datasheet's limit. */
  async listRecords(datasheetId: string, query: ListRecordsQuery = {}, opts: { bulk?: boolean } = {}): Promise<RecordPage> {
    const ctx: CallContext = { operation: 'listRecords', datasheetId };
    const req = { method: 'GET', path: recordsPath(datasheetId), query: encodeListQuery(query) } as const;
    return this.transport.call(ctx, req, recordPageSchema, opts);
  }

  /** Every page of the query in turn, from `query.pageNum` (default 1) to the last. */
  async *iteratePages(datasheetId: string, query: ListRecordsQuery = {}): AsyncGenerator<RecordPage> {
    const pageSize = query.pageSize ?? 100;
    for (let pageNum = query.pageNum ?? 1; ; pageNum++) {
      const page = await this.listRecords(datasheetId, { ...query, pageSize, pageNum });
      yield page;
      if (page.records.length < pageSize || pageNum * pageSize >= page.total) return;
    }
  }

  /** Every record matching an AITable formula (all pages). */
  async findRecords(
    datasheetId: string,
    formula: string,
    query: Omit<ListRecordsQuery, 'filterByFormula' | 'pageNum'> = {},
  ): Promise<AitableRecord[]> {
    const all: AitableRecord[] = [];
    for await (const page of this.iteratePages(datasheetId, { pageSize: 1000, ...query, filterByFormula: formula }))
      all.push(...page.records);
    return all;
  }

  /** Creates records, 10 per request in order; answers them in input order. */
  async createRecords(datasheetId: string, records: readonly { fields: FieldValues }[]): Promise<AitableRecord[]> {
    return this.inChunks(records, (chunk) => this.writeChunk('createRecords', datasheetId, chunk));
  }

  /** Updates the given fields of records (others untouched), 10 per request in order. */
  async updateRecords(datasheetId: string, updates: readonly RecordUpdate[]): Promise<AitableRecord[]> {
    for (const u of updates) requireId(u.recordId, 'recordId', 'updateRecords', datasheetId);
    return this.inChunks(updates, (chunk) => this.writeChunk('updateRecords', datasheetId, chunk));
  }

  /** Deletes records, 10 per request. */
  async deleteRecords(datasheetId: string, recordIds: readonly string[]): Promise<void> {
    for (const id of recordIds) requireId(id, 'recordId', 'deleteRecords', datasheetId);
    await this.inChunks(recordIds, async (chunk) => {
      const ctx: CallContext = { operation: 'deleteRecords', datasheetId, recordIds: chunk };
      const query = new URLSearchParams({ recordIds: chunk.join(',') });
      await this.transport.call(ctx, { method: 'DELETE', path: recordsPath(datasheetId), query }, z.unknown());
      return [];
    });
  }

  /** The datasheet's fields (id, name, type, property). */
  async getFields(datasheetId: string): Promise<AitableField[]> {
    const ctx: CallContext = { operation: 'getFields', datasheetId };
    const path = `/datasheets/${encodeURIComponent(datasheetId)}/fields`;
    return (await this.transport.call(ctx, { method: 'GET', path }, fieldsDataSchema)).fields;
  }

  /**
   * Throws `aitable_missing_fields` (permanent) naming every required field the datasheet lacks;
   * resolves with the datasheet's fields otherwise. Run it at start-up: AITable drops unknown names silently.
   */
  async checkFieldMapping(datasheetId: string, requiredFieldNames: readonly string[]): Promise<AitableField[]> {
    const fields = await this.getFields(datasheetId);
    const missing = missingFieldNames(fields, requiredFieldNames);
    if (missing.length > 0) throw missingFieldsError(datasheetId, missing, fields);
    return fields;
  }

  /**
   * Updates one record, sharing a request with concurrent calls for the same datasheet. With
   * `bulk` (a backfill's job) it waits behind every other pending update of the datasheet, and
   * for a full request of 10.
   */
  async updateRecord(datasheetId: string, recordId: string, fields: FieldValues, opts: { bulk?: boolean } = {}): Promise<AitableRecord> {
    requireId(recordId, 'recordId', 'updateRecords', datasheetId);
    return this.updates.add(datasheetId, { recordId, fields }, opts);
  }

  /** Creates one record, sharing a request with concurrent calls for the same datasheet. */
  async createRecord(datasheetId: string, fields: FieldValues): Promise<AitableRecord> {
    return this.creates.add(datasheetId, fields);
  }

  /** Sends the batched writes still waiting and waits for them; call before shutting down. */
  async flush(): Promise<void> {
    await Promise.all([this.updates.flush(), this.creates.flush()]);
  }

  /** One POST (creates) or PATCH (updates) of at most 10 records, with a slot already taken or its own. */
  private async writeChunk(
    operation: 'createRecords' | 'updateRecords',
    datasheetId: string,
    chunk: readonly { recordId?: string; fields: FieldValues }[],
    opts: { slot?: LimiterSlot; bulk?: boolean } = {},
  ): Promise<AitableRecord[]> {
    const recordIds = operation === 'updateRecords' ? chunk.map((u) => u.recordId as string) : undefined;
    const ctx: CallContext = { operation, datasheetId, ...(recordIds ? { recordIds } : {}) };
    const records = chunk.map((r) => (recordIds ? { recordId: r.recordId, fields: r.fields } : { fields: r.fields }));
    const req = { method: recordIds ? 'PATCH' : 'POST', path: recordsPath(datasheetId), body: { records, fieldKey: 'name' } } as const;
    return (await this.transport.call(ctx, req, recordsDataSchema, opts)).records;
  }

  /** One GET of at most {@link MAX_RECORDS_PER_READ} records by id. */
  private async readChunk(
    datasheetId: string,
    recordIds: string[],
    opts: { slot?: LimiterSlot; bulk?: boolean },
  ): Promise<AitableRecord[]> {
    const ctx: CallContext = { operation: 'getRecord', datasheetId, recordIds };
    const query = encodeListQuery({ recordIds, pageSize: recordIds.length });
    return (await this.transport.call(ctx, { method: 'GET', path: recordsPath(datasheetId), query }, recordPageSchema, opts)).records;
  }

  /**
   * Chunks of 10, sent one after another. If a later chunk fails, the earlier ones stay written:
   * the error's `details.writtenRecords` says how many.
   */
  private async inChunks<I>(items: readonly I[], send: (chunk: I[]) => Promise<AitableRecord[]>): Promise<AitableRecord[]> {
    const out: AitableRecord[] = [];
    for (let i = 0; i < items.length; i += MAX_RECORDS_PER_WRITE) {
      try {
        out.push(...(await send(items.slice(i, i + MAX_RECORDS_PER_WRITE))));
      } catch (err) {
        if (i === 0 || !(err instanceof AppError)) throw err;
        throw new AppError(err.message, {
          code: err.code,
          kind: err.kind,
          httpStatus: err.httpStatus,
          retryAfterMs: err.retryAfterMs,
          details: { ...err.details, writtenRecords: i },
        });
      }
    }
    return out;
  }
}

function recordNotFound(ctx: CallContext, cause?: AppError): AppError {
  const aitableMessage = cause?.details?.aitableMessage;
  const said = typeof aitableMessage === 'string' && aitableMessage ? ` (AITable: ${aitableMessage})` : '';
  return permanent(
    AITABLE_ERROR_CODES.recordNotFound,
    `AITable has no record ${ctx.recordIds?.[0]} in datasheet ${ctx.datasheetId}${said}`,
    {
      details: { datasheetId: ctx.datasheetId, recordId: ctx.recordIds?.[0] },
    },
  );
}

function requireId(value: unknown, name: string, operation: CallContext['operation'], datasheetId: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw permanent(AITABLE_ERROR_CODES.invalidInput, `${describeCall({ operation, datasheetId })}: ${name} must be a non-empty string`, {
      details: { datasheetId, field: name },
    });
  }
}
