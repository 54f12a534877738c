/**
 * Quantities in the units staff read them in: `512 GB`, `2 TB`, `1.5 TB`, `16 GB` of memory from
 * Atmosphere's megabytes, `100,000 AU`. Pure.
 */

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** `1,234.5`: thousands separated, at most one decimal. */
export function formatNumber(value: number): string {
  return numberFormat.format(value);
}

/** Gigabytes as people say them: TB from 1024 GB on (`2 TB`, `1.5 TB`), GB below. */
export function formatGigabytes(gb: number): string {
  return gb >= 1024 ? `${formatNumber(gb / 1024)} TB` : `${formatNumber(gb)} GB`;
}

/** Atmosphere's sizes give memory in MB (`size.mem`); staff think in GB. */
export function formatMegabytes(mb: number): string {
  return formatGigabytes(mb / 1024);
}

/** Allocation units: `100,000 AU`. */
export function formatAu(au: number): string {
  return `${formatNumber(au)} AU`;
}
