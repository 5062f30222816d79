import { past, unseen, type PollCursor } from '../src/use-cases/poll-missionx';

const T1 = '2026-12-03T10:00:00.000Z';
const T2 = '2026-12-03T10:00:01.000Z';

describe('MissionX poll cursor', () => {
  it('when documents tie on the cursor time, then those already handled are dropped and the others kept', () => {
    const cursor: PollCursor = { at: T1, ids: ['a'] };
    const page = [
      { _id: 'a', updatedAt: T1 },
      { _id: 'b', updatedAt: T1 },
      { _id: 'c', updatedAt: T2 },
    ];
    expect(unseen(page, cursor).map((d) => d._id)).toEqual(['b', 'c']);
  });

  it('when a page ends on the cursor time, then the ids handled at it accumulate; past it, only the last time’s ids are kept', () => {
    const cursor: PollCursor = { at: T1, ids: ['a'] };
    expect(past(cursor, [{ _id: 'b', updatedAt: T1 }])).toEqual({ at: T1, ids: ['a', 'b'] });
    expect(
      past(cursor, [
        { _id: 'b', updatedAt: T1 },
        { _id: 'c', updatedAt: T2 },
        { _id: 'd', updatedAt: T2 },
      ]),
    ).toEqual({ at: T2, ids: ['c', 'd'] });
  });

  it('when a page is empty, then the cursor stays', () => {
    const cursor: PollCursor = { at: T2, ids: ['x'] };
    expect(past(cursor, [])).toBe(cursor);
  });
});
