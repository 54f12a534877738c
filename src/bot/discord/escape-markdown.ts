/**
 * Makes text that a cloud user or Atmosphere wrote show as written in Discord, where message content,
 * embed descriptions, titles and field values are all markdown. Every character that opens markup is
 * backslash-escaped (Discord hides the backslash before any punctuation): `[label](url)` can no
 * longer become a masked link, `**`, `__`, `~~`, `||`, code fences, `#` headings, `-#` subtext, `>`
 * quotes and `<@id>` / `<#id>` / `<t:…>` tags print literally. A bare URL is wrapped as `<url>`, which
 * Discord shows as the URL itself (no preview), so an escape never lands inside a link.
 *
 * discord.js's own `escapeMarkdown` is not used: it leaves masked links alone by default, and its
 * lookbehind patterns (`https?:\/\/\S*` inside `(?<!…)`) rescan the text at every `*` and `_`,
 * which is quadratic on a long line of them. This is one pass.
 */
const URL_TOKEN = /https?:\/\/[^\s<>]+/g;
const MARKUP = /[\\*_~`|[\]()<>@]/g;
// Headings (`# `, `## `, `### `) and subtext (`-# `) open only at the start of a line and only with
// the space; `#41` stays as it is.
const LINE_START_MARKUP = /^([ \t]*)(#{1,3} |-# )/gm;

function escapePlain(text: string): string {
  return text.replace(MARKUP, '\\$&').replace(LINE_START_MARKUP, '$1\\$2');
}

export function escapeDiscordMarkdown(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(URL_TOKEN)) {
    out += `${escapePlain(text.slice(last, match.index))}<${match[0]}>`;
    last = match.index + match[0].length;
  }
  return out + escapePlain(text.slice(last));
}

/**
 * Cuts escaped text to `max` characters with `marker` at the end, never leaving half an escape
 * (a lone trailing backslash would escape the marker) or half a `<url>` behind.
 */
export function cutEscaped(text: string, max: number, marker: string): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - marker.length);
  const open = text.lastIndexOf('<', end);
  if (open !== -1 && open < end && text.startsWith('<http', open) && text.indexOf('>', open) >= end) end = open;
  let slashes = 0;
  while (slashes < end && text[end - 1 - slashes] === '\\') slashes += 1;
  if (slashes % 2 === 1) end -= 1;
  return text.slice(0, end) + marker;
}
