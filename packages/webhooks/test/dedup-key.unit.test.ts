import { dedupKey, dedupOf, sha256Hex } from '@bridge/webhooks';

const base = { kind: 'event' as const, datasheetId: 'dstLeads', recordId: 'rec1', eventType: 'record.created', bodyHash: sha256Hex('{}') };

describe('dedupKey', () => {
  it('when two deliveries share a webhook-id, then they share a key whatever their bodies', () => {
    expect(dedupKey({ ...base, webhookId: 'msg_1' })).toBe(dedupKey({ ...base, webhookId: 'msg_1', bodyHash: sha256Hex('other') }));
  });

  it('when the webhook-ids differ, then the keys differ', () => {
    expect(dedupKey({ ...base, webhookId: 'msg_1' })).not.toBe(dedupKey({ ...base, webhookId: 'msg_2' }));
  });

  it('when there is no webhook-id and everything is the same, then the key is the same', () => {
    expect(dedupKey(base)).toBe(dedupKey({ ...base }));
  });

  it.each([
    ['datasheetId', 'dstOrders'],
    ['recordId', 'rec2'],
    ['eventType', 'record.updated'],
    ['bodyHash', sha256Hex('{"a":1}')],
  ])('when only %s differs, then the key differs', (field, value) => {
    expect(dedupKey({ ...base, [field]: value })).not.toBe(dedupKey(base));
  });

  it('when an audit result is keyed, then auditId and body decide', () => {
    const a = dedupKey({ kind: 'audit', auditId: 'A1', bodyHash: sha256Hex('x') });
    expect(a).toBe(dedupKey({ kind: 'audit', auditId: 'A1', bodyHash: sha256Hex('x') }));
    expect(a).not.toBe(dedupKey({ kind: 'audit', auditId: 'A2', bodyHash: sha256Hex('x') }));
  });

  it('when a delivery is named (webhook-id, audit), then it holds for the window; an event known only by content holds until its job ends', () => {
    const event = { kind: 'event' as const, datasheetId: 'dstA', recordId: 'recB', bodyHash: sha256Hex('{}') };
    expect(dedupOf({ ...event, webhookId: 'msg_1' }, 60_000).ttlMs).toBe(60_000);
    expect(dedupOf({ kind: 'audit', auditId: 'A-1', bodyHash: sha256Hex('{}') }, 60_000).ttlMs).toBe(60_000);
    expect(dedupOf(event, 60_000)).toEqual({ key: dedupKey(event) });
  });
});
