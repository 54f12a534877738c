import { createDispatcher } from '../../../src/bot/create-dispatcher.js';
import { actionDefinitions, commandDefinitions } from '../../../src/handlers/index.js';
import type { Deps } from '../../../src/deps.js';

/** A dispatcher over the registered handlers, for suites that swap in their own deps. */
export function maintenanceDispatcher(deps: Deps) {
  return createDispatcher(deps, commandDefinitions, actionDefinitions);
}

export const staff = { id: 'op', actingAs: 'kpatel' };
export const otherStaff = { id: 'op2', actingAs: 'mdelgado' };
export const user = { id: 'op3', actingAs: 'jsmith' };
