import type { DatasheetSeed } from '../types';
import { newId } from '../ids';
import { badParam } from './envelope';
import type { StoredField } from './values';

export interface StoredRecord {
  recordId: string;
  createdAt: number;
  updatedAt: number;
  /** Non-empty values by field id. */
  values: Map<string, unknown>;
}

export type FieldKey = 'name' | 'id';

/** One datasheet's fields and records, in creation order. */
export class Datasheet {
  readonly records = new Map<string, StoredRecord>();

  constructor(
    readonly id: string,
    readonly name: string,
    readonly fields: StoredField[],
  ) {}

  static fromSeed(seed: DatasheetSeed): Datasheet {
    const names = new Set<string>();
    const fields = seed.fields.map((f): StoredField => {
      if (names.has(f.name)) throw new Error(`datasheet ${seed.id}: field "${f.name}" appears twice`);
      names.add(f.name);
      if (f.type === 'Link' && !f.linkDatasheetId) throw new Error(`datasheet ${seed.id}: link field "${f.name}" needs linkDatasheetId`);
      return {
        id: newId('fld'),
        name: f.name,
        type: f.type,
        ...(f.type === 'SingleSelect' ? { options: (f.options ?? []).map((name, i) => ({ id: newId('opt'), name, color: i })) } : {}),
        ...(f.linkDatasheetId ? { linkDatasheetId: f.linkDatasheetId } : {}),
      };
    });
    if (fields.length === 0) throw new Error(`datasheet ${seed.id} needs at least one field`);
    return new Datasheet(seed.id, seed.name, fields);
  }

  /** The field a name (or, with `fieldKey=id`, an id) refers to. */
  field(key: string, fieldKey: FieldKey): StoredField | undefined {
    return this.fields.find((f) => (fieldKey === 'id' ? f.id : f.name) === key);
  }

  /** Like `field`, but an unknown key is a 400 naming it. */
  requireField(key: string, fieldKey: FieldKey, param: string): StoredField {
    const field = this.field(key, fieldKey);
    if (!field) throw badParam(`${param}: field "${key}" does not exist in datasheet ${this.id}`);
    return field;
  }

  requireRecord(recordId: string): StoredRecord {
    const rec = this.records.get(recordId);
    if (!rec) throw badParam(`record ${recordId} does not exist in datasheet ${this.id}`);
    return rec;
  }

  /** Adds a select option the first time an unknown name is written, as AITable does. */
  ensureOption(field: StoredField, name: string): void {
    if (!field.options || field.options.some((o) => o.name === name)) return;
    field.options.push({ id: newId('opt'), name, color: field.options.length });
  }

  /** Primary field value as text, used where AITable shows a record's title. */
  title(recordId: string): string {
    const primary = this.fields[0];
    const value = primary ? this.records.get(recordId)?.values.get(primary.id) : undefined;
    return value === undefined ? '' : String(value);
  }
}
