/** The largest allowance the bot sets (AU); far above any real grant, it catches a pasted extra zero. */
export const MAX_ALLOCATION = 10_000_000;

export const ALLOCATION_HELP =
  'Write the allocation as a number of AU, e.g. "1000" or "1000 AU", and, when the user has several allocation sources, which one: "1000 AU on TG-BIO210056".';

export interface AllocationSpec {
  /** The new allowance in AU. */
  amount: number;
  /** The allocation source by name, when given. */
  source?: string;
}

/**
 * Reads "1000", "1,000 AU", "1000 AU on TG-BIO210056" or "TG-BIO210056: 1000". A whole number of AU
 * from 0 (Atmosphere refuses less) to MAX_ALLOCATION; anything else is refused with the accepted forms.
 */
export function parseAllocationSpec(text: string): { ok: true; value: AllocationSpec } | { ok: false; error: string } {
  const flat = text.replace(/\s+/g, ' ').trim();
  const shown = flat.length > 40 ? `${flat.slice(0, 39)}…` : flat;
  const amountFirst = /^(\d[\d,_]{0,12})(?: ?(?:au|su|sus|aus))?(?: (?:on|from|for|in|to) ([^\s]{1,255}))?$/i.exec(flat);
  const sourceFirst = amountFirst ? null : /^([^\s:=]{1,255}) ?[:=] ?(\d[\d,_]{0,12})(?: ?(?:au|su))?$/i.exec(flat);
  const digits = amountFirst?.[1] ?? sourceFirst?.[2];
  const source = amountFirst?.[2] ?? sourceFirst?.[1];
  if (digits === undefined || !/^\d{1,3}(?:[,_]\d{3})*$|^\d+$/.test(digits)) {
    return { ok: false, error: `"${shown}" is not an allocation. ${ALLOCATION_HELP}` };
  }
  const amount = Number(digits.replace(/[,_]/g, ''));
  if (amount > MAX_ALLOCATION) return { ok: false, error: `The allocation must be from 0 to ${MAX_ALLOCATION} AU, not ${amount}. ${ALLOCATION_HELP}` };
  return { ok: true, value: { amount, ...(source ? { source } : {}) } };
}
