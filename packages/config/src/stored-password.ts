/**
 * The forms a DASHBOARD_USERS password may take, parsed in one place: the config checks the
 * format at start, the dashboard verifies against the parsed form, `npm run hash-password`
 * writes it. No hashing here: that is the dashboard's.
 */
export type StoredPassword =
  | { kind: 'plain'; value: string }
  /** Unsalted and fast: deprecated, kept so existing deployments keep working. */
  | { kind: 'sha256'; digest: Buffer }
  | { kind: 'scrypt'; params: ScryptParams; salt: Buffer; hash: Buffer };

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/** What `npm run hash-password` uses: about 32 MB and a fraction of a second per check. */
export const SCRYPT_DEFAULTS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

const SHA256 = /^sha256:[0-9a-fA-F]{64}$/;
const SCRYPT = /^scrypt:(\d+):(\d+):(\d+):([A-Za-z0-9+/]+={0,2}):([A-Za-z0-9+/]+={0,2})$/;
const SCRYPT_FORMAT = 'scrypt:N:r:p:saltBase64:hashBase64 (run npm run hash-password)';

function scryptProblem({ N, r, p }: ScryptParams, salt: Buffer, hash: Buffer): string | undefined {
  if (N < 2 ** 14 || N > 2 ** 20 || (N & (N - 1)) !== 0) return 'has a scrypt: N that is not a power of two from 16384 to 1048576';
  if (r < 1 || r > 32 || p < 1 || p > 16) return 'has a scrypt: r or p out of range (r 1-32, p 1-16)';
  // Bounds the memory one check may take (128·N·r bytes).
  if (128 * N * r > 256 * 1024 * 1024) return 'has scrypt: parameters needing more than 256 MB (128·N·r)';
  if (salt.length < 16) return 'has a scrypt: salt shorter than 16 bytes';
  if (hash.length < 16 || hash.length > 64) return 'has a scrypt: hash that is not 16 to 64 bytes';
  return undefined;
}

/** Parses a configured password; a problem is phrased to follow "entry N " and never holds the secret. */
export function parseStoredPassword(s: string): { ok: true; password: StoredPassword } | { ok: false; problem: string } {
  if (s.startsWith('sha256:')) {
    if (!SHA256.test(s)) return { ok: false, problem: 'has a sha256: password that is not 64 hex digits' };
    return { ok: true, password: { kind: 'sha256', digest: Buffer.from(s.slice(7), 'hex') } };
  }
  if (s.startsWith('scrypt:')) {
    const m = SCRYPT.exec(s);
    if (!m) return { ok: false, problem: `has a scrypt: password not of the form ${SCRYPT_FORMAT}` };
    const params = { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
    const salt = Buffer.from(m[4]!, 'base64');
    const hash = Buffer.from(m[5]!, 'base64');
    const problem = scryptProblem(params, salt, hash);
    return problem ? { ok: false, problem } : { ok: true, password: { kind: 'scrypt', params, salt, hash } };
  }
  if (s.length < 8) return { ok: false, problem: 'has a password shorter than 8 characters' };
  return { ok: true, password: { kind: 'plain', value: s } };
}

/** The string to put in DASHBOARD_USERS for a scrypt hash. */
export function formatScryptPassword(params: ScryptParams, salt: Buffer, hash: Buffer): string {
  return `scrypt:${params.N}:${params.r}:${params.p}:${salt.toString('base64')}:${hash.toString('base64')}`;
}
