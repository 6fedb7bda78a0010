// forEachPage reads a whole list from a v1.1 service (by nextCursor) and from a v1.0 one, which
// pages by offset only and whose pages carry no nextCursor. The API under test is v1.1, so the
// offset path is checked here against a list served the way v1.0 serves it.
import { forEachPage, type Page, type PageStart } from '@dnc/client';
import { describe, expect, it } from 'vitest';

interface ListPage extends Page {
  entries: number[];
}

/** A v1.0 list of `total` items: `{ entries, total, limit, offset }`, no nextCursor. */
function offsetOnlyList(total: number) {
  const requested: PageStart[] = [];
  const fetchPage = (start: PageStart, limit: number): Promise<ListPage> => {
    requested.push(start);
    const offset = start.offset ?? 0;
    const entries = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => offset + i);
    return Promise.resolve({ entries, total, limit, offset });
  };
  return { fetchPage, requested };
}

describe('forEachPage on a service that pages by offset only (v1.0)', () => {
  it.each([
    { total: 0, limit: 10, pages: 1 },
    { total: 7, limit: 10, pages: 1 },
    { total: 10, limit: 10, pages: 1 },
    { total: 25, limit: 10, pages: 3 },
  ])(
    'when the list holds $total items and a page $limit, then every item arrives once, in order, in $pages request(s)',
    async ({ total, limit, pages }) => {
      const list = offsetOnlyList(total);
      const seen: number[] = [];
      const count = await forEachPage(
        (start) => list.fetchPage(start, limit),
        (page) => page.entries,
        (items) => seen.push(...items),
      );
      expect(count).toBe(total);
      expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
      expect(list.requested).toHaveLength(pages);
      expect(list.requested[0]).toEqual({});
      expect(list.requested.slice(1).map((start) => start.offset)).toEqual(Array.from({ length: pages - 1 }, (_, i) => (i + 1) * limit));
    },
  );
});

describe('forEachPage on a service that pages by cursor (v1.1)', () => {
  it('when pages carry nextCursor, then it follows the cursors until null and never sends an offset', async () => {
    const pages: Record<string, ListPage> = {
      first: { entries: [1, 2], limit: 2, nextCursor: 'c2' },
      c2: { entries: [3, 4], limit: 2, nextCursor: 'c3' },
      c3: { entries: [5], limit: 2, nextCursor: null },
    };
    const requested: PageStart[] = [];
    const seen: number[] = [];
    const count = await forEachPage(
      (start) => {
        requested.push(start);
        return Promise.resolve(pages[start.cursor ?? 'first']!);
      },
      (page) => page.entries,
      (items) => seen.push(...items),
    );
    expect(count).toBe(5);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(requested).toEqual([{}, { cursor: 'c2' }, { cursor: 'c3' }]);
  });
});
