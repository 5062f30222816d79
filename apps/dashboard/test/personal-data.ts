import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import type { TestDashboard } from './build-app';

/** A lead full of personal data, distinctive enough to be found anywhere it leaks. */
export const LEAD = {
  'Client Name': 'Zebulon Quartermaine',
  Email: 'zebulon.q@quartermaine-holdings.example',
  Phone: '+44 20 7946 0958',
  Company: 'Quartermaine Holdings',
};
/**
 * What the second adversarial round got past the masks (issue 15): a name and a phone number split
 * by a raw line break in a body that is not JSON, an address with a non-ASCII domain, and a phone
 * number stored as a JSON number under a key the configuration does not list.
 */
export const SECOND_ROUND = {
  splitName: 'Robert\nTablesworth',
  splitPhone: '+44 20 79\n46 0958',
  idnEmail: 'john.smithers@exämple.de',
  telefon: 4915112345678,
};
/** What must not appear in any answer a viewer gets: each value and its telling parts. */
export const LEAKS = [
  ...Object.values(LEAD),
  'Zebulon',
  'Quartermaine',
  'zebulon.q',
  '7946 0958',
  '2079460958',
  'Tablesworth',
  '46 0958',
  'john.smithers',
  'exämple',
  String(SECOND_ROUND.telefon),
  '5112345678',
];

/** Every planted value found in a text, case-insensitively. */
export const leaksIn = (text: string) => LEAKS.filter((v) => text.toLowerCase().includes(v.toLowerCase()));

export interface Planted {
  jobs: { queue: 'leads' | 'orders' | 'audit-results'; id: string }[];
  deliveries: string[];
  bulkRuns: string[];
}

// An API error echoing the request, as MissionX and AITable do.
const ECHO = `MissionX 422 for ${LEAD.Email} (${LEAD.Phone}): {"Client Name": "${LEAD['Client Name']}", "Company": "${LEAD.Company}"}`;
const leadBody = (fields: Record<string, string>) => ({
  datasheetId: 'dstLeads1',
  recordId: 'recPd1',
  eventType: 'record.created',
  fields,
});

/**
 * Personal data everywhere a viewer can look: failed, completed and delayed jobs (data, error,
 * logs), rejected deliveries with JSON and non-JSON bodies and details quoting values, sync rows.
 */
export async function plantPersonalData(t: TestDashboard): Promise<Planted> {
  const failed = await t.h.failJob('leads', 'recPd1', ECHO, { fields: LEAD });
  // Names are found by field only (no pattern tells a name), so logs quote them the way code logs objects.
  await failed.log(`lead {"Client Name": "${LEAD['Client Name']}", "Phone": "${LEAD.Phone}"}, wrote to ${LEAD.Email}`);
  const completed = await t.h.addJob('orders', 'recPd2', {
    fields: { ...LEAD, Kontakt: SECOND_ROUND.idnEmail, Telefon: SECOND_ROUND.telefon },
  });
  await t.h.waitForState('orders', completed, 'completed');
  const event = {
    kind: 'aitable.event' as const,
    deliveryId: randomUUID(),
    requestId: 'req-pd3',
    receivedAt: new Date().toISOString(),
    datasheetId: 'dstAudit1',
  };
  const delayed = await t.h.queues['audit-results'].add(
    'aitable.event',
    { ...event, recordId: 'recPd3', fields: LEAD },
    { delay: 600_000 },
  );

  const unescaped =
    `{"datasheetId": "dstLeads1", "recordId": "recPd4", "fields": {"Client Name": "Zebulon "Zeb" Quartermaine", ` +
    `"Company": "Quartermaine "QH" Holdings", "Email": "${LEAD.Email}", "Phone": "${LEAD.Phone}"}}`;
  // A raw line break inside a string is what breaks this body; a split value must be masked whole.
  const lineBreaks =
    `{"datasheetId": "dstLeads1", "recordId": "recPd6", "fields": {"Client Name": "${SECOND_ROUND.splitName}", ` +
    `"Phone": "${SECOND_ROUND.splitPhone}", "Notes": "write to ${SECOND_ROUND.idnEmail}", "Telefon":${SECOND_ROUND.telefon}}}`;
  const rows = [
    { reason: 'invalid_json', rawBody: unescaped, detail: "invalid JSON at line 1, column 96: expected ',' or '}' after a property value" },
    { reason: 'invalid_json', rawBody: lineBreaks, detail: 'invalid JSON at line 1, column 88: bad control character in string literal' },
    {
      reason: 'unknown_datasheet',
      rawBody: JSON.stringify({ ...leadBody(LEAD), datasheetId: 'dstNope' }),
      detail: 'datasheet dstNope is not configured',
    },
    {
      reason: 'invalid_payload',
      rawBody: JSON.stringify(leadBody({ ...LEAD, Email: 'x' })),
      detail: `fields.Email: "${LEAD.Email}" or ${LEAD.Phone} expected`,
    },
  ];
  const deliveries: string[] = [];
  for (const r of rows) {
    const id = randomUUID();
    deliveries.push(id);
    await t.db.webhookDelivery.create({
      data: {
        id,
        requestId: `req-${id}`,
        source: 'aitable',
        outcome: 'rejected',
        httpStatus: 400,
        contentType: 'application/json',
        datasheetId: 'dstLeads1',
        ...r,
      },
    });
  }
  await t.db.aITableSync.createMany({
    data: [
      {
        recordId: 'recPd1',
        datasheetId: 'dstLeads1',
        entityType: 'lead',
        syncDirection: 'aitable_to_app',
        syncStatus: 'failed',
        errorMessage: ECHO,
        retryCount: 3,
      },
      {
        recordId: 'recPd5',
        datasheetId: 'dstLeads1',
        entityType: 'lead',
        syncDirection: 'aitable_to_app',
        syncStatus: 'pending',
        metadata: LEAD,
      },
    ],
  });
  // A bulk run whose formula and error name a lead, as an operator may type and AITable may echo.
  const bulkRun = await t.db.bulkRun.create({
    data: {
      kind: 'backfill',
      datasheet: 'leads',
      filter: { where: `{Email} = "${LEAD.Email}"` },
      startedBy: 'olga',
      status: 'failed',
      error: ECHO,
      finishedAt: new Date(),
    },
  });
  return {
    bulkRuns: [bulkRun.id],
    jobs: [
      { queue: 'leads', id: failed.id! },
      { queue: 'orders', id: completed },
      { queue: 'audit-results', id: delayed.id! },
    ],
    deliveries,
  };
}

type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: unknown };
const stackOf = (x: unknown): Layer[] | undefined => {
  const r = x as { stack?: Layer[]; router?: { stack?: Layer[] } } | undefined;
  return r?.stack ?? r?.router?.stack;
};

/** Every path an Express app or router answers to `method` (GET unless said), mounted routers included. */
export function getRoutes(app: Router | { router?: unknown }, method = 'get'): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const l of stack) {
      if (l.route?.methods[method]) out.push(...[l.route.path].flat());
      else if (!l.route && stackOf(l.handle)) walk(stackOf(l.handle)!);
    }
  };
  walk(stackOf(app) ?? []);
  return out;
}
