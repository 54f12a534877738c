import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Deps } from '../../deps.js';
import { IntegrationError, UserError, type UserErrorCode } from '../../errors.js';
import { describeIntegrationError } from '../../integrations/atmosphere/describe-error.js';
import { writeAudit, type AuditOutcome } from '../../db/queries/audit.js';
import { asDatabaseOutage } from '../../db/database-error.js';
import type { ActionEvent, ChatEvent, CommandEvent } from './chat-event.js';
import type {
  ActionDefinition,
  Actor,
  CommandDefinition,
  DispatchOutcome,
  Dispatcher,
  EventIO,
  HandlerContext,
  Permission,
} from './command.js';
import { bindOptions, matchCommandPath, tokenize } from './parse-command-text.js';
import { isBotAdmin, resolveActor } from './resolve-actor.js';
import type { Reply } from './reply.js';
import { ACTION_NAME } from './action-id.js';

const REFUSAL_CODES: ReadonlySet<UserErrorCode> = new Set([
  'not_linked',
  'forbidden',
  'not_found',
  'already_decided',
  'self_approval',
  'ambiguous_link',
  'conflict',
  'maintenance',
  'unavailable',
]);

/** Everything the dispatcher learns about one event, written to the audit log at the end. */
interface AuditDraft {
  kind: 'command' | 'action' | 'form';
  name: string;
  input: string;
  outcome: AuditOutcome;
  message: string | null;
  detail: Record<string, unknown>;
  actor: Actor | null;
}

/**
 * Builds the one place where events meet handlers: it resolves who is acting, checks permission,
 * validates arguments and button values, runs the handler, turns every error into a reply and writes
 * one audit row per event. Startup fails if two commands or actions share a name.
 */
export function createDispatcher(deps: Deps, commands: readonly CommandDefinition[], actions: readonly ActionDefinition[]): Dispatcher {
  assertUnique(commands.map((c) => c.name), 'command');
  assertUnique(actions.map((a) => a.name), 'action');
  for (const action of actions) {
    if (!ACTION_NAME.test(action.name)) throw new Error(`action name "${action.name}" must look like "rr:approve"`);
  }
  const actionsByName = new Map(actions.map((a) => [a.name, a]));

  async function handle(event: ChatEvent, io: EventIO): Promise<DispatchOutcome> {
    const log = deps.log.child({ platform: event.platform, eventId: event.id, user: event.user.id, kind: event.kind });
    const draft: AuditDraft = {
      kind: event.kind,
      name: event.kind === 'command' ? '(none)' : event.action,
      input: event.kind === 'command' ? event.text : event.value,
      outcome: 'ok',
      message: null,
      detail: {},
      actor: null,
    };
    let outcome: DispatchOutcome = { kind: 'done' };
    try {
      outcome =
        event.kind === 'command'
          ? await handleCommand(event, io, draft, log)
          : await handleAction(event, io, draft, log);
    } catch (caught) {
      // A lost or hung database is an outage to report as such, not a bug in the handler.
      const error = asDatabaseOutage(caught) ?? caught;
      const text = errorText(error, event.id);
      draft.message = text;
      if (error instanceof UserError) {
        draft.outcome = REFUSAL_CODES.has(error.code) ? 'refused' : 'usage';
        log.info({ code: error.code, name: draft.name }, 'refused');
      } else {
        draft.outcome = 'failed';
        if (error instanceof IntegrationError) {
          draft.detail.service = error.service;
          draft.detail.status = error.status;
          log.warn({ err: error, name: draft.name }, 'integration failed');
        } else {
          log.error({ err: error, name: draft.name }, 'handler failed');
        }
      }
      await safeRespond(io, { text, visibility: 'ephemeral', tone: error instanceof UserError ? 'warning' : 'danger' }, log);
    }
    try {
      await writeAudit(deps.db, {
        at: deps.now(),
        eventId: event.id,
        platform: event.platform,
        chatUserId: event.user.id,
        atmosphereUsername: draft.actor?.username ?? null,
        kind: draft.kind,
        name: draft.name,
        input: draft.input.slice(0, 4000),
        outcome: draft.outcome,
        message: draft.message,
        detail: Object.keys(draft.detail).length > 0 ? draft.detail : null,
        channel: event.channel,
        messageId: event.kind === 'action' ? (event.message?.id ?? null) : null,
      }, log);
    } catch (error) {
      log.error({ err: error }, 'could not write the audit row');
    }
    return outcome;
  }

  async function handleCommand(event: CommandEvent, io: EventIO, draft: AuditDraft, log: Deps['log']): Promise<DispatchOutcome> {
    let command: CommandDefinition | undefined;
    let raw: Record<string, unknown>;
    if (event.options) {
      const path = event.options.path.join(' ');
      command = commands.find((c) => c.name === path);
      if (!command) throw new UserError('usage', `I don't know the command "${path}". Try /atmo help.`);
      raw = { ...event.options.values };
    } else {
      const tokens = tokenize(event.text);
      if (!tokens.ok) throw new UserError('usage', `I could not read that: ${tokens.error}. Try /atmo help.`);
      const words = tokens.words.length === 0 ? ['help'] : tokens.words;
      const match = matchCommandPath(words, commands);
      if (!match) throw new UserError('usage', `I don't know the command "${words[0]}". Try /atmo help for what you can run.`);
      command = match.command;
      const bound = bindOptions(match.rest, command.options);
      if (!bound.ok) throw usageError(command, bound.error);
      raw = bound.values;
    }
    draft.name = command.name;
    const parsed = command.args.safeParse(raw);
    if (!parsed.success) throw usageError(command, describeIssues(parsed.error));
    const ctx = await authorize(event, command.permission, io, draft, log.child({ command: command.name }));
    const result = await command.run(ctx as HandlerContext<CommandEvent>, parsed.data);
    if (result) await deliver(io, result, draft, log);
    return { kind: 'done' };
  }

  async function handleAction(event: ActionEvent, io: EventIO, draft: AuditDraft, log: Deps['log']): Promise<DispatchOutcome> {
    const action = actionsByName.get(event.action);
    if (!action) {
      throw new UserError('invalid_value', 'That button is not one I know; it may come from an older version of the bot. Run the command again for fresh buttons.');
    }
    const value = action.value.safeParse(event.value);
    if (!value.success) {
      throw new UserError('invalid_value', 'That button carries a value I cannot accept, so I did nothing. Run the command again for fresh buttons.');
    }
    const ctx = (await authorize(event, action.permission, io, draft, log.child({ action: action.name }))) as HandlerContext<ActionEvent>;
    if (action.precheck) await action.precheck(ctx, value.data);
    let form: unknown;
    if (action.form) {
      if (!event.form) {
        draft.kind = 'form';
        draft.outcome = 'form';
        return { kind: 'form', form: action.form, action: action.name, value: event.value };
      }
      const parsedForm = (action.formValues ?? passthrough).safeParse(event.form);
      if (!parsedForm.success) {
        throw new UserError('usage', `${describeIssues(parsedForm.error)}. Nothing was changed; click the button again to retry.`);
      }
      form = parsedForm.data;
    }
    const result = await action.run(ctx, value.data, form);
    if (result) await deliver(io, result, draft, log);
    return { kind: 'done' };
  }

  async function authorize(event: ChatEvent, permission: Permission, io: EventIO, draft: AuditDraft, log: Deps['log']): Promise<HandlerContext> {
    const admin = isBotAdmin(deps, event.user);
    let actor: Actor | null = null;
    if (permission === 'linked' || permission === 'staff') {
      const resolution = await resolveActor(deps, event.user);
      if (!resolution.actor) throw resolution.problem;
      actor = resolution.actor;
      if (permission === 'staff' && !actor.isStaff) {
        draft.actor = actor;
        throw new UserError('forbidden', `Only Atmosphere staff can do that, and ${actor.username} is not staff.`);
      }
    } else {
      // Help and whoami still want to know who is asking; a failure to resolve is not an error here.
      const resolution = await resolveActor(deps, event.user).catch(() => null);
      actor = resolution?.actor ?? null;
      if (permission === 'admin' && !admin) {
        draft.actor = actor;
        throw new UserError('forbidden', 'Only bot admins can do that. Bot admins are listed in BOT_ADMINS.');
      }
    }
    draft.actor = actor;
    const childLog = log.child({ actor: actor?.username });
    return {
      event,
      chatUser: event.user,
      actor,
      isBotAdmin: admin,
      deps,
      log: childLog,
      respond: (reply) => io.respond(reply),
      updateSource: (reply) => (io.updateSource ? io.updateSource(reply) : Promise.resolve()),
      audit: (detail) => Object.assign(draft.detail, detail),
    };
  }

  return { handle, commands, actions };
}

const passthrough = { safeParse: (value: unknown) => ({ success: true as const, data: value }) } as unknown as z.ZodType;

function usageError(command: CommandDefinition, problem: string): UserError {
  return new UserError('usage', `${capitalize(problem)}.\nUsage: ${command.usage}`);
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    // Messages written for a field already name it; zod's defaults don't, so those get the field name.
    .map((issue) => {
      const field = issue.path.join('.');
      return field && !issue.message.toLowerCase().includes(field.toLowerCase()) ? `${field}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function errorText(error: unknown, eventId: string): string {
  if (error instanceof UserError) return error.message;
  if (error instanceof IntegrationError) return describeIntegrationError(error);
  return `Something went wrong on my side, and nothing more was done (ref ${eventId}). The error is in the bot's log under that reference.`;
}

/**
 * Sends the answer of a handler that has already done its work. A failed delivery (an expired
 * response_url, a chat outage) must not turn a completed decision into a "failed, nothing was done"
 * audit row and reply, so it is only logged and noted on the audit row.
 */
async function deliver(io: EventIO, reply: Reply, draft: AuditDraft, log: Deps['log']): Promise<void> {
  try {
    await io.respond(reply);
  } catch (error) {
    draft.detail.replyFailed = true;
    log.warn({ err: error, name: draft.name }, 'the handler finished but its reply could not be sent');
  }
}

async function safeRespond(io: EventIO, reply: Reply, log: Deps['log']): Promise<void> {
  try {
    await io.respond(reply);
  } catch (error) {
    log.error({ err: error }, 'could not send the error reply');
  }
}

function assertUnique(names: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`two ${what}s are registered as "${name}"`);
    seen.add(name);
  }
}

/** A fresh id for events whose platform gives none. */
export function newEventId(): string {
  return randomUUID();
}
