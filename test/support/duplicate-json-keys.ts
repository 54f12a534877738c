/**
 * The keys that appear twice in one object of a JSON text, with their path (`a.b`). JSON.parse keeps
 * the last of two equal keys silently, so a log line that names `component` twice looks fine parsed.
 */
export function duplicateJsonKeys(text: string): string[] {
  let at = 0;
  const found: string[] = [];
  const space = () => {
    while (/\s/.test(text[at] ?? '')) at++;
  };
  const string = (): string => {
    const start = at;
    at++;
    while (text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const value = (path: string): void => {
    space();
    const c = text[at];
    if (c === '{') {
      at++;
      const seen = new Set<string>();
      space();
      if (text[at] === '}') return void at++;
      for (;;) {
        space();
        const key = string();
        const full = path ? `${path}.${key}` : key;
        if (seen.has(key)) found.push(full);
        seen.add(key);
        space();
        at++; // the colon
        value(full);
        space();
        if (text[at++] === '}') return;
      }
    }
    if (c === '[') {
      at++;
      space();
      if (text[at] === ']') return void at++;
      for (;;) {
        value(`${path}[]`);
        space();
        if (text[at++] === ']') return;
      }
    }
    if (c === '"') return void string();
    while (at < text.length && !/[,}\]\s]/.test(text[at]!)) at++;
  };
  value('');
  return found;
}
