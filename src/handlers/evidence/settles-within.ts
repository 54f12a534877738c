/** Whether `work` settles within `waitMs` (a rejection counts as settled and is thrown); it runs on either way. */
export async function settlesWithin(work: Promise<unknown>, waitMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, waitMs))))]);
  } finally {
    clearTimeout(timer);
  }
}
