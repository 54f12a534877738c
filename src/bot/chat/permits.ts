import type { Actor, Permission } from './command.js';

/** Who is asking, as far as permissions go. A HandlerContext is one. */
export interface Who {
  actor: Actor | null;
  isBotAdmin: boolean;
}

/**
 * Whether `who` may run something of `permission`: the one rule behind the dispatcher's refusals
 * and the list `/atmo help` shows.
 */
export function permits(permission: Permission, who: Who): boolean {
  switch (permission) {
    case 'anyone':
      return true;
    case 'linked':
      return who.actor !== null;
    case 'staff':
      return who.actor?.isStaff === true;
    case 'admin':
      return who.isBotAdmin;
  }
}
