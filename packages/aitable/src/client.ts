import { AppError, isAppError, permanent } from '@bridge/errors';
import { z } from 'zod';
import { AITABLE_ERROR_CODES, describeCall, type CallContext } from './errors';
import { missingFieldNames, missingFieldsError } from './field-mapping';
import { resolveAitableOptions, type AitableClientOptions, type ResolvedAitableOptions } from './options';
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
import { MAX_RECORDS_PER_WRITE, WriteBatcher } from './write-batcher';

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
  private readonly updates: WriteBatcher<RecordUpdate>;
  private readonly creates: WriteBatcher<FieldValues>;

  constructor(options: AitableClientOptions) {
    this.opts = resolveAitableOptions(options);
    this.transport = new AitableTransport(this.opts);
    this.updates = new WriteBatcher<RecordUpdate>({
      operation: 'updateRecords',
      windowMs: this.opts.batchWindowMs,
      send: (ds, inputs) => this.updateRecords(ds, inputs),
      match: (inputs, records) => inputs.map((u) => records.find((r) => r.recordId === u.recordId)),
      key: (u) => u.recordId,
    });
    this.creates = new WriteBatcher<FieldValues>({
      operation: 'createRecords',
      windowMs: this.opts.batchWindowMs,
      send: (ds, inputs) => this.createRecords(ds, inputs.map((fields) => ({ fields }))),
      // AITable answers created records in the order they were sent.
      match: (inputs, records) => (records.length === inputs.length ? records : []),
    });
  }

  /** One record by id; `aitable_record_not_found` (permanent) when AITable does not know it. */
  async getRecord(datasheetId: string, recordId: string): Promise<AitableRecord> {
    requireId(recordId, 'recordId', 'getRecord', datasheetId);
    const ctx: CallContext = { operation: 'getRecord', datasheetId, recordIds: [recordId] };
    let page: RecordPage;
    try {
      const query = encodeListQuery({ recordIds: [recordId] });
      page = await this.transport.call(ctx, { method: 'GET', path: recordsPath(datasheetId), query }, recordPageSchema);
    } catch (err) {
      // With recordIds, a 400 can only be about the id: AITable's way of saying "no such record".
      if (isAppError(err) && err.code === AITABLE_ERROR_CODES.badRequest) throw recordNotFound(ctx, err);
      throw err;
    }
    const record = page.records.find((r) => r.recordId === recordId);
    if (!record) throw recordNotFound(ctx);
    return record;
  }

  /** One page of records. */
  async listRecords(datasheetId: string, query: ListRecordsQuery = {}): Promise<RecordPage> {
    const ctx: CallContext = { operation: 'listRecords', datasheetId };
    return this.transport.call(ctx, { method: 'GET', path: recordsPath(datasheetId), query: encodeListQuery(query) }, recordPageSchema);
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
  async findRecords(datasheetId: string, formula: string, query: Omit<ListRecordsQuery, 'filterByFormula' | 'pageNum'> = {}): Promise<AitableRecord[]> {
    const all: AitableRecord[] = [];
    for await (const page of this.iteratePages(datasheetId, { pageSize: 1000, ...query, filterByFormula: formula })) all.push(...page.records);
    return all;
  }

  /** Creates records, 10 per request in order; answers them in input order. */
  async createRecords(datasheetId: string, records: readonly { fields: FieldValues }[]): Promise<AitableRecord[]> {
    return this.inChunks(records, async (chunk) => {
      const ctx: CallContext = { operation: 'createRecords', datasheetId };
      const data = await this.transport.call(ctx, { method: 'POST', path: recordsPath(datasheetId), body: { records: chunk, fieldKey: 'name' } }, recordsDataSchema);
      return data.records;
    });
  }

  /** Updates the given fields of records (others untouched), 10 per request in order. */
  async updateRecords(datasheetId: string, updates: readonly RecordUpdate[]): Promise<AitableRecord[]> {
    for (const u of updates) requireId(u.recordId, 'recordId', 'updateRecords', datasheetId);
    return this.inChunks(updates, async (chunk) => {
      const ctx: CallContext = { operation: 'updateRecords', datasheetId, recordIds: chunk.map((u) => u.recordId) };
      const body = { records: chunk.map((u) => ({ recordId: u.recordId, fields: u.fields })), fieldKey: 'name' };
      const data = await this.transport.call(ctx, { method: 'PATCH', path: recordsPath(datasheetId), body }, recordsDataSchema);
      return data.records;
    });
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

  /** Updates one record, sharing a request with concurrent calls for the same datasheet. */
  async updateRecord(datasheetId: string, recordId: string, fields: FieldValues): Promise<AitableRecord> {
    requireId(recordId, 'recordId', 'updateRecords', datasheetId);
    return this.updates.add(datasheetId, { recordId, fields });
  }

  /** Creates one record, sharing a request with concurrent calls for the same datasheet. */
  async createRecord(datasheetId: string, fields: FieldValues): Promise<AitableRecord> {
    return this.creates.add(datasheetId, fields);
  }

  /** Sends the batched writes still waiting and waits for them; call before shutting down. */
  async flush(): Promise<void> {
    await Promise.all([this.updates.flush(), this.creates.flush()]);
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
        throw new AppError(err.message, { code: err.code, kind: err.kind, httpStatus: err.httpStatus, retryAfterMs: err.retryAfterMs, details: { ...err.details, writtenRecords: i } });
      }
    }
    return out;
  }
}

function recordNotFound(ctx: CallContext, cause?: AppError): AppError {
  const aitableMessage = cause?.details?.aitableMessage;
  const said = typeof aitableMessage === 'string' && aitableMessage ? ` (AITable: ${aitableMessage})` : '';
  return permanent(AITABLE_ERROR_CODES.recordNotFound, `AITable has no record ${ctx.recordIds?.[0]} in datasheet ${ctx.datasheetId}${said}`, {
    details: { datasheetId: ctx.datasheetId, recordId: ctx.recordIds?.[0] },
  });
}

function requireId(value: unknown, name: string, operation: CallContext['operation'], datasheetId: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw permanent(AITABLE_ERROR_CODES.invalidInput, `${describeCall({ operation, datasheetId })}: ${name} must be a non-empty string`, {
      details: { datasheetId, field: name },
    });
  }
}
