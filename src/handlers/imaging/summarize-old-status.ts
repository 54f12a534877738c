/**
 * Reading a MachineRequest `old_status`. Atmosphere's error task stores
 * `(<previous old_status>) ERROR - <repr(result)> Exception:<repr(traceback)>` (later releases put
 * ` - ` before ERROR), as Python 2 reprs: one line, `\n` and `\'` escaped. Progress values are plain
 * (`pending`, `imaging`, `processing - <glance id>`, `validating`, `completed`).
 */
import { cutMarker } from '../../bot/chat/reply.js';

export type ImagingStep = 'pending' | 'imaging' | 'processing' | 'validating';

export interface ParsedOldStatus {
  /** The stored text, trimmed ('' for null). */
  text: string;
  /** Text inside the leading `(...)`, outer parentheses of a wrapped earlier error stripped. */
  prefix: string | null;
  /** The pipeline step the text names: the `(...)` prefix, else its first word. */
  step: ImagingStep | null;
  /** The exact substring that marks the text as an error, or null. */
  errorMarker: string | null;
  exceptionClass: string | null;
  exceptionMessage: string | null;
  /** Everything before the traceback repr, still escaped (the whole text when there is none). */
  head: string;
  /** The traceback with real newlines and quotes, or null. */
  traceback: string | null;
}

const STEP_WORD = /^(pending|imaging|processing|validating)\b/i;
// Atmosphere writes the `(...)` prefix and nested wraps like `((validating) ERROR - ...) ERROR - ...`;
// Django's own resume rule takes the text up to the first `)`, and so do we. No `\s*` around the
// capture: three quantifiers that all match spaces backtrack cubically on "(" + spaces with no ")";
// the capture is trimmed instead.
const LEADING_PREFIX = /^\(+([^()]*)\)/;
// Troposphere's ImageMaster marks a request (ERROR) on these three, case-sensitively.
const TROPOSPHERE_MARKER = /ERROR|Traceback|Exception/;
// The guide itself writes "(validating) Error ..." and the legacy v1 API stored "error".
const WORD_MARKER = /\b(?:error|exception|traceback)\b/i;
const ERROR_HEAD = /ERROR\s+-\s+/gi;
// Only the class and its colon: a `\s*(.*)$` tail would retry every split of a long run of spaces.
const TRACEBACK_LAST_LINE = /^([A-Za-z_][\w.]*):/;
// `Exception:` before a quoted traceback, in the format that has no "ERROR - <repr>" head.
const OLD_TRACEBACK = /Exception:/g;
const BARE_EXCEPTION = /^[A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit)$/;

/** Undoes Python string-literal escapes (`\n`, `\'`, `\\`, `\xNN`, `\uNNNN`). */
export function unescapePythonString(escaped: string): string {
  return escaped.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[ntr'"\\])/g, (_all, seq: string) => {
    switch (seq[0]) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'x':
      case 'u':
        return String.fromCharCode(Number.parseInt(seq.slice(1), 16));
      default:
        return seq;
    }
  });
}

function skipSpaces(s: string, i: number): number {
  while (i < s.length && /\s/.test(s[i] ?? '')) i += 1;
  return i;
}

/** End (exclusive) of the string literal whose opening quote is at `quoteAt`. */
function endOfStringLiteral(s: string, quoteAt: number): number {
  const quote = s[quoteAt];
  let i = quoteAt + 1;
  while (i < s.length) {
    if (s[i] === '\\') i += 2;
    else if (s[i] === quote) return i + 1;
    else i += 1;
  }
  return s.length;
}

function literalQuoteAt(s: string, i: number): number | null {
  const m = /^[uUbBrR]{0,2}(['"])/.exec(s.slice(i, i + 3));
  return m ? i + m[0].length - 1 : null;
}

/** End (exclusive) of one Python repr starting at `start`: a string, `Name(...)`, or a bare token. */
function endOfRepr(s: string, start: number): number {
  const quoteAt = literalQuoteAt(s, start);
  if (quoteAt !== null) return endOfStringLiteral(s, quoteAt);
  const name = /^[A-Za-z_][\w.]*/.exec(s.slice(start));
  if (name && s[start + name[0].length] === '(') {
    let depth = 0;
    let i = start + name[0].length;
    while (i < s.length) {
      const c = s[i];
      if (c === "'" || c === '"') {
        i = endOfStringLiteral(s, i);
        continue;
      }
      if (c === '(') depth += 1;
      if (c === ')') {
        depth -= 1;
        if (depth === 0) return i + 1;
      }
      i += 1;
    }
    return s.length;
  }
  const token = /^\S*/.exec(s.slice(start));
  return start + (token ? token[0].length : 0);
}

/** The content of the first string literal in `s`, unescaped. */
function firstStringLiteral(s: string): string | null {
  const quoteAt = s.search(/['"]/);
  if (quoteAt < 0) return null;
  const end = endOfStringLiteral(s, quoteAt);
  return unescapePythonString(s.slice(quoteAt + 1, Math.max(quoteAt + 1, end - 1)));
}

function exceptionFromRepr(repr: string): { cls: string | null; message: string | null } {
  const call = /^([A-Za-z_][\w.]*)\(([\s\S]*)\)$/.exec(repr);
  if (call) {
    const args = call[2] ?? '';
    const message = firstStringLiteral(args) ?? (args.replace(/,\s*$/, '').trim() || null);
    return { cls: call[1] ?? null, message };
  }
  if (literalQuoteAt(repr, 0) !== null) return { cls: null, message: firstStringLiteral(repr) };
  return { cls: null, message: null };
}

function exceptionFromTraceback(traceback: string): { cls: string | null; message: string | null } {
  const lines = traceback.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const line = lines.at(-1) ?? '';
  const last = TRACEBACK_LAST_LINE.exec(line);
  if (last) return { cls: last[1] ?? null, message: line.slice(last[0].length).trim() || null };
  // An exception raised without a message prints its class alone (`KeyError`).
  return BARE_EXCEPTION.test(line) ? { cls: line, message: null } : { cls: null, message: null };
}

const STEPS: readonly ImagingStep[] = ['pending', 'imaging', 'processing', 'validating'];

function stepOf(word: string): ImagingStep | null {
  const name = STEP_WORD.exec(word.trim())?.[1]?.toLowerCase();
  return STEPS.find((s) => s === name) ?? null;
}

/** Splits an `old_status` into step, error marker, exception and traceback. */
export function parseOldStatus(oldStatus: string | null): ParsedOldStatus {
  const text = (oldStatus ?? '').trim();
  const prefixMatch = LEADING_PREFIX.exec(text);
  const prefix = prefixMatch ? (prefixMatch[1] ?? '').trim() : null;
  const step = stepOf(prefix ?? text);
  // Only the error task writes a leading "(": the bare "(imaging)" the guide quotes is an error too.
  const errorMarker =
    TROPOSPHERE_MARKER.exec(text)?.[0] ?? WORD_MARKER.exec(text)?.[0] ?? (prefixMatch ? prefixMatch[0] : null);

  let head = text;
  let traceback: string | null = null;
  let exception: { cls: string | null; message: string | null } = { cls: null, message: null };
  // The last "ERROR - " is the newest error when an earlier one was wrapped into the prefix.
  const heads = [...text.matchAll(ERROR_HEAD)];
  const lastHead = heads.at(-1);
  if (lastHead) {
    const reprStart = skipSpaces(text, lastHead.index + lastHead[0].length);
    const reprEnd = endOfRepr(text, reprStart);
    exception = exceptionFromRepr(text.slice(reprStart, reprEnd));
    const tail = /^\s*Exception:\s*/.exec(text.slice(reprEnd));
    const tbStart = tail ? reprEnd + tail[0].length : -1;
    const tbQuote = tbStart >= 0 ? literalQuoteAt(text, tbStart) : null;
    if (tbQuote !== null) {
      const tbEnd = endOfStringLiteral(text, tbQuote);
      traceback = unescapePythonString(text.slice(tbQuote + 1, Math.max(tbQuote + 1, tbEnd - 1)));
      head = text.slice(0, tbStart).trimEnd();
      // The traceback's last line is the repr's exception as Python prints it, often with more
      // detail (`IOError: [Errno 2] No such file or directory: '/dev/nbd0'`).
      const printed = exceptionFromTraceback(traceback);
      if (printed.cls) exception = printed;
    }
  } else {
    // The older format has no "ERROR - <repr>", only `(imaging) Exception:'Traceback ...'` (or
    // `imaging: Exception:'...'`): the cause is the traceback's last line, never its first frame.
    for (const found of text.matchAll(OLD_TRACEBACK)) {
      const tbQuote = literalQuoteAt(text, skipSpaces(text, found.index + found[0].length));
      if (tbQuote === null) continue;
      const tbEnd = endOfStringLiteral(text, tbQuote);
      traceback = unescapePythonString(text.slice(tbQuote + 1, Math.max(tbQuote + 1, tbEnd - 1)));
      head = text.slice(0, found.index + found[0].length).trimEnd();
      exception = exceptionFromTraceback(traceback);
      break;
    }
  }
  return {
    text,
    prefix,
    step,
    errorMarker,
    exceptionClass: exception.cls,
    exceptionMessage: exception.message,
    head,
    traceback,
  };
}

function oneLine(escaped: string): string {
  return unescapePythonString(escaped)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^['"]+$/.test(l))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function truncate(line: string, maxLength: number, fullTextAt: string | undefined): string {
  if (maxLength <= 0) return '';
  if (line.length <= maxLength) return line;
  return `${line.slice(0, maxLength - 1)}${fullTextAt ? cutMarker(fullTextAt, 'chat') : '…'}`;
}

/**
 * One readable line for lists: `validating: AttributeError: 'NoneType' object has no attribute 'id'`.
 * Progress values come back as they are; null or blank gives ''. A line cut at `maxLength` names
 * `fullTextAt` (`/atmo imaging show 12`) when given.
 */
export function summarizeOldStatus(oldStatus: string | null, maxLength = 120, fullTextAt?: string): string {
  const parsed = parseOldStatus(oldStatus);
  if (parsed.text === '') return '';
  if (!parsed.errorMarker) return truncate(oneLine(parsed.text), maxLength, fullTextAt);

  // The Glance id in "processing - <id>" is noise in a one-line list; the report keeps it.
  const stepLabel = parsed.step ?? (parsed.prefix ? oneLine(parsed.prefix) : null);
  let detail: string;
  if (parsed.exceptionClass || parsed.exceptionMessage) {
    detail = [parsed.exceptionClass, parsed.exceptionMessage].filter((p) => p).join(': ');
  } else if (parsed.prefix !== null) {
    detail = parsed.text.replace(LEADING_PREFIX, '');
  } else {
    // No prefix: the guide's shorthand ("validating + ...") or a bare traceback tail; keep it whole.
    return truncate(oneLine(parsed.text), maxLength, fullTextAt);
  }
  detail = oneLine(detail).replace(/^-\s*/, '');
  const line = stepLabel ? `${stepLabel}: ${detail}`.replace(/:\s*$/, '') : detail;
  return truncate(line, maxLength, fullTextAt);
}
