import { backoffDelay } from '@bridge/queues';

describe('backoffDelay', () => {
  const retry = { backoffMs: 1000, backoffMaxMs: 10_000 };

  it('when attempts grow, then the delay doubles between half and all of the exponential step', () => {
    expect(backoffDelay(1, retry, () => 0)).toBe(500);
    expect(backoffDelay(1, retry, () => 1)).toBe(1000);
    expect(backoffDelay(3, retry, () => 0)).toBe(2000);
    expect(backoffDelay(3, retry, () => 1)).toBe(4000);
  });

  it('when the exponential step passes the cap, then the delay stays within the cap', () => {
    expect(backoffDelay(30, retry, () => 1)).toBe(10_000);
    expect(backoffDelay(30, retry, () => 0)).toBe(5000);
  });
});
