// Lists the devices hand out in pages (children, schedule rules, countdown
// rules): each page says where it starts and how many items there are in all
// (`sum`); the next page is asked for at start_index = items so far.

import { ProtocolError, describe } from '../errors';
import { own } from './envelope';

export interface PagingOptions {
  /** Pages fetched at most (a device that never finishes cannot loop us). Default 64. */
  maxPages?: number;
}

/** `get_child_device_list` params for a page. */
export function childListParams(startIndex: number): Record<string, unknown> {
  return { start_index: startIndex };
}

/** `get_schedule_rules` params for a page. */
export function scheduleRulesParams(startIndex: number): Record<string, unknown> {
  return { start_index: startIndex, schedule_mode: '' };
}

/** `get_countdown_rules` params (never null: a P110 answers -1008 to params null). */
export function countdownRulesParams(startIndex: number): Record<string, unknown> {
  return { start_index: startIndex };
}

/**
 * Fetches every page and returns the concatenated list plus the last page's
 * other fields (e.g. `enable`, `schedule_rule_max_count`). A page without `sum`
 * is the whole list. A page that adds nothing before `sum` is reached, or a
 * list that overshoots `sum`, is a protocol error: partial lists are not passed
 * off as whole ones.
 */
export async function fetchAllPages(
  fetchPage: (startIndex: number) => Promise<Record<string, unknown>>,
  listField: string,
  opts: PagingOptions = {},
): Promise<{ items: unknown[]; last: Record<string, unknown> }> {
  const maxPages = opts.maxPages ?? 64;
  const items: unknown[] = [];
  for (let page = 0; page < maxPages; page++) {
    const r = await fetchPage(items.length);
    const list = own(r, listField);
    if (!Array.isArray(list)) throw new ProtocolError(`page at ${items.length} has ${listField} ${describe(list)}, expected an array`);
    items.push(...list);
    const sum = own(r, 'sum');
    if (sum === undefined) return { items, last: r };
    if (typeof sum !== 'number' || !Number.isInteger(sum) || sum < 0) throw new ProtocolError(`page at ${items.length - list.length} has sum ${describe(sum)}`);
    if (items.length === sum) return { items, last: r };
    if (items.length > sum) throw new ProtocolError(`${listField}: ${items.length} items listed but the device says ${sum}`);
    if (list.length === 0) throw new ProtocolError(`${listField}: the device says ${sum} items but stopped after ${items.length}`);
  }
  throw new ProtocolError(`${listField}: still not complete after ${maxPages} pages`);
}
