// Reading a whole list, page after page, whichever way the service pages it.

/** Where a page starts: after a cursor (v1.1), at an offset (v1.0), or at the beginning. */
export interface PageStart {
  cursor?: string;
  offset?: number;
}

/** A page of any list of the API, as v1.0 (offset) or v1.1 (cursor) answers it. */
export interface Page {
  limit: number;
  offset?: number;
  total?: number;
  /** v1.1: absent from a service that pages by offset only. */
  nextCursor?: string | null;
}

/**
 * Every item of a list, page after page, handed to `onItems` as each page arrives (so a long
 * list is never held whole): by `nextCursor` while the service gives one, else (a service that
 * pages by offset only) by offset until a short page or `total`. Resolves with the item count.
 *
 * ```ts
 * const count = await forEachPage((start) => dnc.list({ limit: 1000, ...start }), (page) => page.entries, print);
 * ```
 */
export async function forEachPage<P extends Page, Item>(
  fetchPage: (start: PageStart) => Promise<P>,
  itemsOf: (page: P) => Item[],
  onItems: (items: Item[]) => void,
): Promise<number> {
  let count = 0;
  let start: PageStart = {};
  for (;;) {
    const page = await fetchPage(start);
    const items = itemsOf(page);
    count += items.length;
    onItems(items);
    if (page.nextCursor !== undefined) {
      if (page.nextCursor === null) return count;
      start = { cursor: page.nextCursor };
      continue;
    }
    const nextOffset = (start.offset ?? 0) + items.length;
    if (items.length === 0 || items.length < page.limit || (page.total !== undefined && nextOffset >= page.total)) return count;
    start = { offset: nextOffset };
  }
}
