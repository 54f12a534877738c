import { openPglite } from './db/client.js';

/**
 * Creates empty PGlite clusters: `create-embedded-clusters.ts <dir> [<dir> ...]`. The bot runs this
 * in a child process on the first start of embedded mode, because PGlite's initdb grows the WebAssembly
 * heap to several hundred megabytes that a process never gives back; done here, that memory goes when
 * this process exits, and the bot then opens the clusters it made at a fraction of the size.
 */
const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  process.stderr.write('usage: create-embedded-clusters <data dir> [<data dir> ...]\n');
  process.exit(2);
}
for (const dir of dirs) {
  const handle = await openPglite(dir);
  await handle.close();
}
