import { partBounds } from './nvr-exporter';

describe('partBounds', () => {
  it('splits dose ids into contiguous ranges that cover every id once', () => {
    expect(partBounds(1)).toEqual([[null, null]]);
    expect(partBounds(2)).toEqual([
      [null, '8'],
      ['8', null],
    ]);
    expect(partBounds(4)).toEqual([
      [null, '4'],
      ['4', '8'],
      ['8', 'c'],
      ['c', null],
    ]);
  });

  it('puts each id in exactly one part', () => {
    const ids = ['00000000-aaaa', '7fffffff-ffff', '80000000-0000', 'ffffffff-ffff', 'c0ffee00-0000'];
    for (const parts of [1, 2, 3, 4]) {
      const bounds = partBounds(parts);
      for (const id of ids) {
        const hits = bounds.filter(([from, to]) => (from === null || id >= from) && (to === null || id < to));
        expect(hits).toHaveLength(1);
      }
    }
  });
});
