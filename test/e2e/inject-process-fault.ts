/**
 * Loaded into the bot's process with `--import` by the crash-guard suite. On SIGUSR2 it causes the
 * fault named by ATMO_TEST_FAULT from a timer of its own, outside any of the bot's code, as a bug in
 * a dependency would: `rejection` rejects a promise nobody handles, `exception` throws from a callback.
 * SIGUSR2 because Node keeps SIGUSR1 for its inspector.
 */
process.on('SIGUSR2', () => {
  const fault = process.env.ATMO_TEST_FAULT;
  setTimeout(() => {
    if (fault === 'exception') throw new Error('injected fault: a callback threw');
    void Promise.reject(new Error('injected fault: a promise nobody handled'));
  }, 0);
});
