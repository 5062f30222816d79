import { parsePointInTime } from '../src/time-window';

describe('parsePointInTime', () => {
  const now = new Date('2025-06-01T12:00:00Z');
  test('when given a duration, an ISO date or epoch ms, then it reads the point in time', () => {
    expect(parsePointInTime('90s', 'since', now)).toEqual(new Date('2025-06-01T11:58:30Z'));
    expect(parsePointInTime('1d', 'since', now)).toEqual(new Date('2025-05-31T12:00:00Z'));
    expect(parsePointInTime('2025-05-01', 'until', now)).toEqual(new Date('2025-05-01T00:00:00Z'));
    expect(parsePointInTime('1748779200000', 'until', now)).toEqual(new Date(1748779200000));
  });
  test('when given anything else, then the error names the field', () => {
    expect(() => parsePointInTime('2 hours', 'until', now)).toThrow(/^until must be a duration/);
  });
});
