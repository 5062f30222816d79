import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIELD_OWNERSHIP } from '@bridge/config';

const RUNBOOK = readFileSync(path.join(__dirname, '../docs/runbook.md'), 'utf8');
const SHEETS = { lead: 'Leads', order: 'Orders', audit: 'Audit Results' } as const;
const OWNER_TEXT = { aitable: 'AITable', bridge: 'the bridge', 'audit-engine': 'the audit engine' } as const;

/** The owner cell of a field's row in the runbook's field table. */
function ownerCell(sheet: string, key: string): string | undefined {
  const row = RUNBOOK.split('\n').find((l) => l.startsWith(`| ${sheet} |`) && l.includes(`| \`${key}\` |`));
  return row?.split('|')[5]?.trim();
}

describe('field ownership', () => {
  it.each(
    Object.entries(FIELD_OWNERSHIP).flatMap(([role, fields]) =>
      Object.entries(fields).map(([key, o]) => [SHEETS[role as keyof typeof SHEETS], key, o.owner, o.policy ?? null] as const),
    ),
  )('when the runbook field table is read, then %s %s shows its owner %s and policy %s', (sheet, key, owner, policy) => {
    const cell = ownerCell(sheet, key);
    expect(cell).toBeDefined();
    expect(cell!.startsWith(OWNER_TEXT[owner])).toBe(true);
    if (policy) expect(cell).toContain(`(${policy})`);
  });

  it("when a field is not the bridge's, then it has no conflict policy (the bridge never writes it)", () => {
    for (const fields of Object.values(FIELD_OWNERSHIP)) {
      for (const o of Object.values(fields)) expect(o.policy === undefined).toBe(o.owner !== 'bridge');
    }
  });
});
