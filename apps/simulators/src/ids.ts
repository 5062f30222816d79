import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An AITable-looking id: a prefix (`rec`, `fld`, `opt`) and 10 random letters or digits. */
export function newId(prefix: string, length = 10): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const b of bytes) id += ALPHABET[b % ALPHABET.length];
  return id;
}

/** A MongoDB ObjectId-looking id (24 hex characters), as MissionX uses for `_id`. */
export const newObjectId = (): string => randomBytes(12).toString('hex');
