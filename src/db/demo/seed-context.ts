import type { Database } from '../client.js';
import { DAY, HOUR } from './demo-catalogue.js';

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

/** What every seeding step shares: the open transaction and the clock all demo dates are relative to. */
export interface SeedContext {
  tx: Tx;
  /** `hours` before `now`. */
  ago(hours: number): Date;
  /** `n` days before `now`. */
  days(n: number): Date;
}

/** The seeding context for one run of the demo seed inside `tx`. */
export function seedContext(tx: Tx, now: Date): SeedContext {
  const ago = (hours: number) => new Date(now.getTime() - hours * HOUR);
  return { tx, ago, days: (n) => ago(n * DAY) };
}
