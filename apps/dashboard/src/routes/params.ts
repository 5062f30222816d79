import { permanent } from '@bridge/errors';

/** A boolean from JSON (`true`) or a form/query string (`"true"`); anything else names the field. */
export function flag(v: unknown, field: string): boolean {
  if (v === undefined || v === null || v === '' || v === false || v === 'false') return false;
  if (v === true || v === 'true') return true;
  throw permanent('invalid_argument', `${field} must be true or false`, { httpStatus: 400, details: { field } });
}

/** An optional string from a JSON body. */
export function optionalText(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw permanent('invalid_argument', `${field} must be a string`, { httpStatus: 400, details: { field } });
  return v;
}
