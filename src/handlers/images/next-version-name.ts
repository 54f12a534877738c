/**
 * The name a moved version can take in its new application: the one asked for (or its own) when no
 * version there has it, otherwise the next free `<major>.<minor>` after the highest one there. The
 * guide: "you *must* have a unique combination of 'version name' and 'application ID', so you will
 * likely need to rename one of the versions from the default (1.0) name".
 */
export function nextVersionName(wanted: string, taken: readonly string[]): { name: string; free: boolean } {
  const names = new Set(taken);
  if (!names.has(wanted)) return { name: wanted, free: true };
  const numbered = taken
    .map((name) => /^(\d{1,6})\.(\d{1,6})$/.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [Number(match[1]), Number(match[2])] as const);
  let [major, minor] = numbered.reduce<readonly [number, number]>((top, pair) => (pair[0] > top[0] || (pair[0] === top[0] && pair[1] > top[1]) ? pair : top), [1, 0]);
  let name: string;
  do {
    minor += 1;
    name = `${major}.${minor}`;
  } while (names.has(name));
  return { name, free: false };
}

/** A version name as a person may give it: what Atmosphere stores (varchar 256), kept short enough for a button. */
export const MAX_VERSION_NAME = 40;
