import type { Request, RequestHandler } from 'express';
import type { FieldKey } from './datasheet';
import { badParam, sendOk } from './envelope';
import { listParam, parseListQuery, selectRecords } from './query';
import type { AitableStore } from './store';
import type { StoredField } from './values';

/** AITable rejects writes of more than 10 records. */
export const MAX_RECORDS_PER_WRITE = 10;

const datasheetIdOf = (req: Request): string => String(req.params.datasheetId);

function writeBody(req: Request): { records: Record<string, unknown>[]; fieldKey: FieldKey } {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { records?: unknown }).records)) {
    throw badParam('body must be JSON with a records array');
  }
  const { records, fieldKey = 'name' } = body as { records: unknown[]; fieldKey?: unknown };
  if (fieldKey !== 'name' && fieldKey !== 'id') throw badParam(`fieldKey must be name or id, got ${JSON.stringify(fieldKey)}`);
  if (records.length === 0) throw badParam('records must not be empty');
  if (records.length > MAX_RECORDS_PER_WRITE) throw badParam(`at most ${MAX_RECORDS_PER_WRITE} records per request, got ${records.length}`);
  records.forEach((r, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw badParam(`records[${i}] must be an object`);
  });
  return { records: records as Record<string, unknown>[], fieldKey };
}

export function recordHandlers(store: AitableStore): Record<'list' | 'create' | 'update' | 'remove' | 'fields', RequestHandler> {
  return {
    list(req, res) {
      const sheet = store.require(datasheetIdOf(req));
      const query = parseListQuery(req.query as Record<string, unknown>);
      const only = query.fields && new Set(query.fields.map((f) => sheet.requireField(f, query.fieldKey, 'fields').id));
      const matched = selectRecords(sheet, query);
      const page = matched.slice((query.pageNum - 1) * query.pageSize, query.pageNum * query.pageSize);
      sendOk(res, {
        total: matched.length,
        pageNum: query.pageNum,
        pageSize: page.length,
        records: page.map((rec) => store.read(sheet, rec, { fieldKey: query.fieldKey, cellFormat: query.cellFormat, only })),
      });
    },

    create(req, res) {
      const sheet = store.require(datasheetIdOf(req));
      const { records, fieldKey } = writeBody(req);
      const created = store.createRecords(
        sheet,
        records.map((r) => ({ fields: r.fields })),
        { fieldKey },
      );
      sendOk(res, { records: created.map((rec) => store.read(sheet, rec, { fieldKey, cellFormat: 'json' })) });
    },

    update(req, res) {
      const sheet = store.require(datasheetIdOf(req));
      const { records, fieldKey } = writeBody(req);
      const inputs = records.map((r, i) => {
        if (typeof r.recordId !== 'string') throw badParam(`records[${i}].recordId must be a string`);
        return { recordId: r.recordId, fields: r.fields };
      });
      const updated = store.updateRecords(sheet, inputs, { fieldKey });
      sendOk(res, { records: updated.map((rec) => store.read(sheet, rec, { fieldKey, cellFormat: 'json' })) });
    },

    remove(req, res) {
      const sheet = store.require(datasheetIdOf(req));
      const ids = listParam(req.query as Record<string, unknown>, 'recordIds') ?? [];
      if (ids.length === 0) throw badParam('recordIds is required');
      if (ids.length > MAX_RECORDS_PER_WRITE) throw badParam(`at most ${MAX_RECORDS_PER_WRITE} records per request, got ${ids.length}`);
      store.deleteRecords(sheet, ids);
      sendOk(res, true);
    },

    fields(req, res) {
      const sheet = store.require(datasheetIdOf(req));
      sendOk(res, { fields: sheet.fields.map((f, i) => describeField(f, i === 0)) });
    },
  };
}

function describeField(f: StoredField, isPrimary: boolean): Record<string, unknown> {
  const property =
    f.type === 'SingleSelect'
      ? { options: (f.options ?? []).map((o) => ({ ...o })) }
      : f.type === 'Link'
        ? { foreignDatasheetId: f.linkDatasheetId }
        : f.type === 'DateTime'
          ? { format: 'YYYY-MM-DD HH:mm', includeTime: true, autoFill: false }
          : f.type === 'Number'
            ? { precision: 0 }
            : undefined;
  return {
    id: f.id,
    name: f.name,
    type: f.type,
    ...(property ? { property } : {}),
    editable: true,
    ...(isPrimary ? { isPrimary: true } : {}),
  };
}
