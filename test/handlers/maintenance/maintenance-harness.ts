import { createDispatcher } from '../../../src/bot/create-dispatcher.js';
import { actionDefinitions, commandDefinitions } from '../../../src/handlers/index.js';
import type { ActionDefinition, CommandDefinition } from '../../../src/bot/command.js';
import { maintenanceStatusCommand, startMaintenanceCommand, stopMaintenanceCommand } from '../../../src/handlers/maintenance/maintenance-commands.js';
import { cancelMaintenanceCommand, scheduleMaintenanceCommand } from '../../../src/handlers/maintenance/schedule-commands.js';
import { cancelMaintenanceRequestAction, confirmStartAction, confirmStopAction } from '../../../src/handlers/maintenance/maintenance-actions.js';
import {
  statusioFinishCommand,
  statusioScheduleCommand,
  statusioStartCommand,
  statusioUpdateCommand,
} from '../../../src/handlers/statusio/statusio-maintenance-commands.js';
import {
  statusioIncidentCommand,
  statusioIncidentUpdateCommand,
  statusioListCommand,
  statusioResolveCommand,
} from '../../../src/handlers/statusio/statusio-incident-commands.js';
import type { Deps } from '../../../src/deps.js';

export const maintenanceCommands = [
  startMaintenanceCommand,
  stopMaintenanceCommand,
  maintenanceStatusCommand,
  scheduleMaintenanceCommand,
  cancelMaintenanceCommand,
  statusioScheduleCommand,
  statusioStartCommand,
  statusioUpdateCommand,
  statusioFinishCommand,
  statusioIncidentCommand,
  statusioIncidentUpdateCommand,
  statusioResolveCommand,
  statusioListCommand,
] as CommandDefinition[];

export const maintenanceActions = [confirmStartAction, confirmStopAction, cancelMaintenanceRequestAction] as ActionDefinition[];

/** The registered handlers plus this part's, until the lead adds them to the registry. */
export function maintenanceDispatcher(deps: Deps) {
  const names = new Set(commandDefinitions.map((c) => c.name));
  const actionNames = new Set(actionDefinitions.map((a) => a.name));
  return createDispatcher(
    deps,
    [...commandDefinitions, ...maintenanceCommands.filter((c) => !names.has(c.name))],
    [...actionDefinitions, ...maintenanceActions.filter((a) => !actionNames.has(a.name))],
  );
}

export const staff = { id: 'op', actingAs: 'kpatel' };
export const otherStaff = { id: 'op2', actingAs: 'mdelgado' };
export const user = { id: 'op3', actingAs: 'jsmith' };
