import { permanent, type AppError } from '@bridge/errors';
import { AITABLE_ERROR_CODES } from './errors';
import type { AitableField } from './schemas';

/** The required names that are not fields of the datasheet (exact, case-sensitive, as AITable matches them). */
export function missingFieldNames(fields: readonly Pick<AitableField, 'name'>[], required: readonly string[]): string[] {
  const present = new Set(fields.map((f) => f.name));
  return [...new Set(required)].filter((name) => !present.has(name));
}

/** The error `checkFieldMapping` throws: it names every missing field and what the datasheet has. */
export function missingFieldsError(
  datasheetId: string,
  missing: readonly string[],
  fields: readonly Pick<AitableField, 'name'>[],
): AppError {
  const list = missing.map((m) => `"${m}"`).join(', ');
  return permanent(
    AITABLE_ERROR_CODES.missingFields,
    `Datasheet ${datasheetId} has no field${missing.length > 1 ? 's' : ''} named ${list}; AITable silently drops writes to unknown fields, ` +
      `so fix the field mapping or rename the field in AITable. Fields present: ${fields.map((f) => `"${f.name}"`).join(', ')}`,
    { details: { datasheetId, missing: [...missing], present: fields.map((f) => f.name) } },
  );
}
