import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IntegrationError } from '../../errors.js';
import type { ReplyFile } from '../chat/reply.js';

/** A file name from a reply, reduced to one harmless path segment. */
function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '');
  return cleaned || 'file';
}

/**
 * Where the console puts the files that come with replies: each under `dir`, named so that no earlier
 * file (of this or a past session) is overwritten. Returns a line per file saying where it went.
 */
export function createFileSaver(dir: string) {
  let nextFile = 1;
  return async function saveFiles(files: readonly ReplyFile[]): Promise<string[]> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const paths: string[] = [];
    for (const file of files) {
      const path = join(dir, `${stamp}-${nextFile++}-${safeName(file.name)}`);
      try {
        await mkdir(dir, { recursive: true });
        await writeFile(path, file.data, { flag: 'wx' });
      } catch (error) {
        const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'error';
        throw new IntegrationError('console', `could not write ${path} (${code})`, { cause: error });
      }
      paths.push(`${path} (${file.title ?? file.name}, ${file.data.byteLength} bytes)`);
    }
    return paths;
  };
}
