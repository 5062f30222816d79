import { sections } from '@bridge/config';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** .env.example is the configuration reference: it must list every variable the schema reads, and no other. */
const text = readFileSync(path.resolve(__dirname, '../.env.example'), 'utf8');
const listed = [...text.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!);
const schema = Object.values(sections).flatMap((s) => Object.keys(s));
// Read by the simulators, npm start and the tests, outside the service's config schema.
const outsideSchema = [
  'NEXT_PUBLIC_APP_URL',
  'SIMULATORS_PORT',
  'SIMULATORS_AITABLE_LATENCY_MS',
  'SIMULATORS_MISSIONX_LATENCY_MS',
  'SIMULATORS_LATENCY_JITTER_MS',
  'TEST_DATABASE_URL',
  'TEST_REDIS_URL',
];

describe('.env.example', () => {
  it('when the config schema reads a variable, then .env.example lists it', () => {
    expect(schema.filter((k) => !listed.includes(k))).toEqual([]);
  });

  it('when .env.example lists a variable, then something reads it', () => {
    expect(listed.filter((k) => !schema.includes(k) && !outsideSchema.includes(k))).toEqual([]);
  });

  it('when a variable is listed, then a comment above it says what it is for', () => {
    const isVar = (l: string) => /^#?\s?[A-Z][A-Z0-9_]+=/.test(l);
    const isComment = (l: string) => l.startsWith('#') && !isVar(l);
    const lines = text.split('\n');
    const undocumented = lines.filter((l, i) => isVar(l) && !isComment(lines[i - 1] ?? ''));
    expect(undocumented).toEqual([]);
  });
});
