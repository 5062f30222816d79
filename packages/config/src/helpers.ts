import { z } from 'zod';

/** Integer from an env string, with bounds. */
export const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);

export const port = (def: number) => int(def, 0, 65535);

/** `true/false/1/0/yes/no`; anything else is an error naming the variable. */
export const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Comma-separated list, blanks dropped. */
export const list = () =>
  z.string().transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

export const url = () => z.url({ protocol: /^https?$/ });

/** AITable datasheet ids look like `dstXXXXXXXX`. */
export const datasheetId = () => z.string().regex(/^dst[A-Za-z0-9]+$/, 'must be an AITable datasheet id (dst…)');

/** JSON object of string → string, for field-name overrides. */
export const stringMap = () =>
  z
    .string()
    .default('{}')
    .transform((v, ctx) => {
      try {
        return z.record(z.string(), z.string().min(1)).parse(JSON.parse(v));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of strings, e.g. {"email":"E-mail"}' });
        return z.NEVER;
      }
    });
