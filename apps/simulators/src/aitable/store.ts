import type { DatasheetSeed, SimRecord } from '../types';
import { newId } from '../ids';
import { Datasheet, type FieldKey, type StoredRecord } from './datasheet';
import { EnvelopeError, badParam } from './envelope';
import { ValueRuleError, toRead, toStored, type StoredField, type ValueContext } from './values';

export interface ReadOptions {
  fieldKey: FieldKey;
  cellFormat: 'json' | 'string';
  /** Only these field ids; all when absent. */
  only?: Set<string>;
}

interface WriteOptions {
  fieldKey: FieldKey;
  /** Control API writes: an unknown field name is an error instead of being dropped. */
  strictNames?: boolean;
  /** Prefix for error messages, e.g. `records[2]`. */
  where?: string;
}

type Changes = Array<[StoredField, unknown]>;

/** All simulated datasheets, rebuilt from their seeds on reset. */
export class AitableStore implements ValueContext {
  private readonly seeds = new Map<string, DatasheetSeed>();
  private sheets = new Map<string, Datasheet>();

  constructor(seeds: DatasheetSeed[]) {
    for (const seed of seeds) this.seeds.set(seed.id, seed);
    this.reset();
  }

  /** Back to the seeds: every datasheet seeded so far, with only its seed records. */
  reset(): void {
    this.sheets = new Map([...this.seeds.values()].map((s) => [s.id, Datasheet.fromSeed(s)]));
    for (const seed of this.seeds.values()) this.insertSeedRecords(seed);
  }

  /** Adds or replaces a datasheet; it also survives later resets. Invalid seeds change nothing. */
  seed(seed: DatasheetSeed): void {
    const previous = this.sheets.get(seed.id);
    this.sheets.set(seed.id, Datasheet.fromSeed(seed));
    try {
      this.insertSeedRecords(seed);
    } catch (err) {
      if (previous) this.sheets.set(seed.id, previous);
      else this.sheets.delete(seed.id);
      throw err;
    }
    this.seeds.set(seed.id, seed);
  }

  private insertSeedRecords(seed: DatasheetSeed): void {
    const sheet = this.require(seed.id);
    (seed.records ?? []).forEach((r, i) => {
      this.createRecords(sheet, [{ recordId: r.recordId, fields: r.fields }], {
        fieldKey: 'name',
        strictNames: true,
        where: `${seed.id} records[${i}]`,
      });
    });
  }

  /** The datasheet, or AITable's answer for one that does not exist: HTTP 200, code 301. */
  require(datasheetId: string): Datasheet {
    const sheet = this.sheets.get(datasheetId);
    if (!sheet) throw new EnvelopeError(301, `datasheet ${datasheetId} does not exist or is not visible to this API key`);
    return sheet;
  }

  createRecords(sheet: Datasheet, inputs: { recordId?: string; fields: unknown }[], opts: WriteOptions): StoredRecord[] {
    const planned = inputs.map((input, i) => {
      if (input.recordId !== undefined && (!/^rec\w+$/.test(input.recordId) || sheet.records.has(input.recordId))) {
        throw badParam(`recordId ${input.recordId} is not a new rec… id`);
      }
      return {
        recordId: input.recordId ?? newId('rec'),
        changes: this.convert(sheet, input.fields, { ...opts, where: opts.where ?? `records[${i}]` }),
      };
    });
    const now = Date.now();
    return planned.map(({ recordId, changes }) => {
      const rec: StoredRecord = { recordId, createdAt: now, updatedAt: now, values: new Map() };
      this.apply(sheet, rec, changes);
      sheet.records.set(recordId, rec);
      return rec;
    });
  }

  updateRecords(sheet: Datasheet, inputs: { recordId: string; fields: unknown }[], opts: WriteOptions): StoredRecord[] {
    // Validate the whole batch before touching anything: a bad record fails the request, not half of it.
    const planned = inputs.map((input, i) => ({
      rec: sheet.requireRecord(input.recordId),
      changes: this.convert(sheet, input.fields, { ...opts, where: opts.where ?? `records[${i}]` }),
    }));
    const now = Date.now();
    return planned.map(({ rec, changes }) => {
      this.apply(sheet, rec, changes);
      rec.updatedAt = Math.max(now, rec.updatedAt);
      return rec;
    });
  }

  deleteRecords(sheet: Datasheet, recordIds: string[]): void {
    for (const id of recordIds) sheet.requireRecord(id);
    for (const id of recordIds) sheet.records.delete(id);
    // Links to deleted records disappear, as in AITable.
    for (const other of this.sheets.values()) {
      for (const field of other.fields.filter((f) => f.type === 'Link' && f.linkDatasheetId === sheet.id)) {
        for (const rec of other.records.values()) {
          const ids = rec.values.get(field.id) as string[] | undefined;
          const kept = ids?.filter((id) => !recordIds.includes(id));
          if (!ids || !kept || kept.length === ids.length) continue;
          if (kept.length > 0) rec.values.set(field.id, kept);
          else rec.values.delete(field.id);
        }
      }
    }
  }

  /** A record in the REST API read format; empty fields are left out. */
  read(sheet: Datasheet, rec: StoredRecord, opts: ReadOptions): SimRecord {
    const fields: Record<string, unknown> = {};
    for (const field of sheet.fields) {
      const value = rec.values.get(field.id);
      if (value === undefined || (opts.only && !opts.only.has(field.id))) continue;
      fields[opts.fieldKey === 'id' ? field.id : field.name] = toRead(field, value, opts.cellFormat, this);
    }
    return { recordId: rec.recordId, createdAt: rec.createdAt, updatedAt: rec.updatedAt, fields };
  }

  linkedRecordExists(datasheetId: string, recordId: string): boolean {
    return this.sheets.get(datasheetId)?.records.has(recordId) ?? false;
  }

  linkedRecordTitle(datasheetId: string, recordId: string): string {
    return this.sheets.get(datasheetId)?.title(recordId) ?? '';
  }

  private convert(sheet: Datasheet, fields: unknown, opts: WriteOptions): Changes {
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      throw badParam(`${opts.where}.fields must be an object of field values`);
    }
    const entries = Object.entries(fields);
    const changes: Changes = [];
    const unknown: string[] = [];
    for (const [key, value] of entries) {
      const field = sheet.field(key, opts.fieldKey);
      if (!field) {
        unknown.push(key);
        continue;
      }
      try {
        changes.push([field, toStored(field, value, this)]);
      } catch (err) {
        if (err instanceof ValueRuleError) throw badParam(`${opts.where}: field "${key}" ${err.message}`);
        throw err;
      }
    }
    // AITable drops unknown field names without a word; only a write matching no field at all fails.
    if (unknown.length > 0 && (opts.strictNames || changes.length === 0)) {
      throw badParam(`${opts.where}: field(s) ${unknown.map((k) => `"${k}"`).join(', ')} do not exist in datasheet ${sheet.id}`);
    }
    return changes;
  }

  private apply(sheet: Datasheet, rec: StoredRecord, changes: Changes): void {
    for (const [field, value] of changes) {
      if (value === undefined) {
        rec.values.delete(field.id);
        continue;
      }
      if (field.type === 'SingleSelect') sheet.ensureOption(field, value as string);
      rec.values.set(field.id, value);
    }
  }
}
