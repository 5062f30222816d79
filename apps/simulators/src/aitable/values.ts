import type { FieldType } from '../types';

export interface SelectOption {
  id: string;
  name: string;
  color: number;
}

export interface StoredField {
  id: string;
  name: string;
  type: FieldType;
  options?: SelectOption[];
  linkDatasheetId?: string;
}

/** What the value rules need from the rest of the store. */
export interface ValueContext {
  linkedRecordExists(datasheetId: string, recordId: string): boolean;
  linkedRecordTitle(datasheetId: string, recordId: string): string;
}

/** A value that breaks the field's rules; the caller names the field. */
export class ValueRuleError extends Error {}

const TEXT_TYPES: ReadonlySet<FieldType> = new Set(['SingleText', 'Text', 'Email', 'Phone']);

/**
 * Turns a value written through the API into what the simulator stores, following AITable's rules:
 * text is a string only, number a number, a date an ISO string or epoch ms (stored as ms), a select
 * an option name, a URL a string, a link a non-empty array of existing recordIds, a checkbox a boolean.
 * `null` (and an empty string or `false` checkbox, which AITable stores as empty) clears the field:
 * the result is `undefined`.
 */
export function toStored(field: StoredField, value: unknown, ctx: ValueContext): unknown {
  if (value === null || value === undefined) return undefined;
  if (TEXT_TYPES.has(field.type) || field.type === 'SingleSelect' || field.type === 'URL') {
    if (typeof value !== 'string') throw new ValueRuleError(`must be a string, got ${describe(value)}`);
    return value === '' ? undefined : value;
  }
  switch (field.type) {
    case 'Number':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new ValueRuleError(`must be a number, got ${describe(value)}`);
      }
      return value;
    case 'DateTime':
      return toEpochMs(value);
    case 'Checkbox':
      if (typeof value !== 'boolean') throw new ValueRuleError(`must be a boolean, got ${describe(value)}`);
      return value ? true : undefined;
    case 'Link':
      return toLinkIds(field, value, ctx);
    default:
      throw new ValueRuleError(`has an unsupported type ${String(field.type)}`);
  }
}

function toEpochMs(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new ValueRuleError(`must be an ISO date string or epoch milliseconds, got ${describe(value)}`);
}

function toLinkIds(field: StoredField, value: unknown, ctx: ValueContext): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new ValueRuleError(`must be an array of recordIds, got ${describe(value)}`);
  }
  if (value.length === 0) throw new ValueRuleError('must not be an empty array (use null to clear it)');
  const target = field.linkDatasheetId ?? '';
  const missing = value.filter((id) => !ctx.linkedRecordExists(target, id));
  if (missing.length > 0) {
    throw new ValueRuleError(`links records that do not exist in ${target}: ${missing.join(', ')}`);
  }
  return [...new Set(value)];
}

/** The REST API read form of a stored value, for `cellFormat=json` or `cellFormat=string`. */
export function toRead(field: StoredField, stored: unknown, cellFormat: 'json' | 'string', ctx: ValueContext): unknown {
  if (cellFormat === 'string') return toReadString(field, stored, ctx);
  // AITable reads a URL back as an object; the simulator has no page to fetch a title from.
  if (field.type === 'URL') return { text: stored, title: stored, favicon: '' };
  if (field.type === 'Link') return [...(stored as string[])];
  return stored;
}

function toReadString(field: StoredField, stored: unknown, ctx: ValueContext): string {
  switch (field.type) {
    case 'DateTime':
      return new Date(stored as number).toISOString();
    case 'Link':
      return (stored as string[]).map((id) => ctx.linkedRecordTitle(field.linkDatasheetId ?? '', id)).join(', ');
    case 'Checkbox':
      return '1';
    default:
      return String(stored);
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}
