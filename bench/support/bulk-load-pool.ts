/**
 * Pool options for the connections that load production-size data: one INSERT of a million rows takes
 * longer than the bot's own statement timeout (DATABASE_STATEMENT_TIMEOUT_MS, 15 s), which is right
 * for the bot and wrong for a loader. 0 turns both the server's and the client's timeout off.
 */
export const BULK_LOAD_POOL = { statementTimeoutMs: 0 } as const;
