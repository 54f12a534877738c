import type { AnyActionDefinition, AnyCommandDefinition } from '../bot/chat/command.js';
import { createHelpCommand } from './help.js';
import { linkCommand, unlinkCommand, whoamiCommand } from './account/account-commands.js';
import { usersDuplicatesCommand } from './account/duplicate-accounts.js';
import { homeCommand } from './home/build-home.js';
import { linksCommand } from './account/links-command.js';
import { auditCommand } from './audit/audit-command.js';
import { approveRequestCommand, closeRequestCommand, confirmRequestCommand, denyRequestCommand, listRequestsCommand, showRequestCommand } from './resource-requests/request-commands.js';
import { approveRequestAction, closeRequestAction, confirmRequestAction, denyRequestAction } from './resource-requests/request-actions.js';
import {
  approveImagingCommand,
  denyImagingCommand,
  imagingListCommands,
  resubmitImagingCommand,
  showImagingCommand,
  triageImagingCommand,
} from './imaging/imaging-commands.js';
import { imagingQueueCommand } from './imaging/imaging-queue-command.js';
import { moveVersionCommand, publishImageCommand, replicasCommand } from './images/image-commands.js';
import { statsCommand } from './stats/stats-command.js';
import { reconcileCommand } from './reconcile/reconcile-command.js';
import { cancelImageAction, moveVersionAction, moveVersionFormAction, publishAction, publishFlagAction, verifyMoveAction, verifyPublicAction } from './images/image-actions.js';
import { instanceCommand, stuckInstancesCommand, userInstancesCommand } from './instances/instance-commands.js';
import {
  cancelInstanceAction,
  confirmInstanceAction,
  reportInstanceAction,
  showInstanceAction,
  stepInstanceAction,
} from './instances/instance-actions.js';
import { confirmResubmitAction, resubmitWorkflowAction } from './instances/resubmit-workflow.js';
import { approveImagingAction, denyImagingAction, resubmitImagingAction, triageImagingAction } from './imaging/imaging-actions.js';
import { prepareReleaseCommand, releaseStatusCommand, tagReleaseCommand } from './releases/release-commands.js';
import { cancelReleaseTagAction, confirmReleaseTagAction } from './releases/release-actions.js';
import { planReleaseCommand, releaseHotfixCommand, releaseImagesCommand, releasePlanDoneCommand, releasePlanStatusCommand, runbookDoneAction } from './releases/runbook/runbook-commands.js';
import {
  runbookPrepareAction,
  runbookScheduleAction,
  runbookStartAction,
  runbookStopAction,
  runbookImagesAction,
  runbookTagAction,
} from './releases/runbook/runbook-run-actions.js';
import { maintenanceStatusCommand, startMaintenanceCommand, stopMaintenanceCommand } from './maintenance/maintenance-commands.js';
import { cancelMaintenanceCommand, scheduleMaintenanceCommand } from './maintenance/schedule-commands.js';
import { cancelMaintenanceRequestAction, confirmStartAction, confirmStopAction } from './maintenance/maintenance-actions.js';
import {
  statusioFinishCommand,
  statusioScheduleCommand,
  statusioStartCommand,
  statusioUpdateCommand,
} from './statusio/statusio-maintenance-commands.js';
import {
  statusioIncidentCommand,
  statusioIncidentUpdateCommand,
  statusioListCommand,
  statusioResolveCommand,
} from './statusio/statusio-incident-commands.js';

/**
 * Every command and button the bot knows, listed by hand: what is here is what runs. The dispatcher
 * refuses to start if two share a name. `help` lists from this same array.
 * The arrays hold the erased definition types (see AnyCommandDefinition), so no cast is needed.
 */
export const commandDefinitions: readonly AnyCommandDefinition[] = [
  createHelpCommand(() => commandDefinitions),
  whoamiCommand,
  linkCommand,
  unlinkCommand,
  linksCommand,
  usersDuplicatesCommand,
  homeCommand,
  listRequestsCommand,
  showRequestCommand,
  approveRequestCommand,
  confirmRequestCommand,
  denyRequestCommand,
  closeRequestCommand,
  ...imagingListCommands,
  showImagingCommand,
  triageImagingCommand,
  approveImagingCommand,
  denyImagingCommand,
  resubmitImagingCommand,
  imagingQueueCommand,
  moveVersionCommand,
  publishImageCommand,
  replicasCommand,
  statsCommand,
  reconcileCommand,
  instanceCommand,
  stuckInstancesCommand,
  userInstancesCommand,
  prepareReleaseCommand,
  tagReleaseCommand,
  releaseStatusCommand,
  planReleaseCommand,
  releasePlanStatusCommand,
  releasePlanDoneCommand,
  releaseImagesCommand,
  releaseHotfixCommand,
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
  auditCommand,
];

export const actionDefinitions: readonly AnyActionDefinition[] = [
  approveRequestAction,
  confirmRequestAction,
  denyRequestAction,
  closeRequestAction,
  approveImagingAction,
  denyImagingAction,
  resubmitImagingAction,
  triageImagingAction,
  showInstanceAction,
  reportInstanceAction,
  stepInstanceAction,
  confirmInstanceAction,
  cancelInstanceAction,
  resubmitWorkflowAction,
  confirmResubmitAction,
  confirmReleaseTagAction,
  cancelReleaseTagAction,
  runbookDoneAction,
  runbookPrepareAction,
  runbookTagAction,
  runbookScheduleAction,
  runbookStartAction,
  runbookStopAction,
  runbookImagesAction,
  confirmStartAction,
  confirmStopAction,
  cancelMaintenanceRequestAction,
  moveVersionAction,
  verifyMoveAction,
  cancelImageAction,
  publishAction,
  publishFlagAction,
  verifyPublicAction,
  moveVersionFormAction,
];
