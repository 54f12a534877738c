import type { ConsoleUser, ConsoleUsers } from './bot/console/console-adapter.js';
import type { Database } from './db/client.js';
import { findUserByUsername, isUsable, listUsersStaffFirst, type UserRow } from './db/queries/users.js';

/** The role `/as` shows: as the bot's permission check will see the account. */
function roleOf(user: UserRow, now: Date): ConsoleUser['role'] {
  if (!isUsable(user, now)) return 'disabled';
  return user.isStaff ? 'staff' : 'user';
}

/** The console's `/as` against the Atmosphere accounts of `db`: wiring, as the composition root does. */
export function consoleUsersOf(db: Database, now: () => Date): ConsoleUsers {
  return {
    async find(username) {
      const user = await findUserByUsername(db, username);
      return user ? { username: user.username, role: roleOf(user, now()) } : null;
    },
    async list(limit) {
      const { users, total } = await listUsersStaffFirst(db, limit);
      return { users: users.map((user) => ({ username: user.username, role: roleOf(user, now()) })), total };
    },
  };
}
