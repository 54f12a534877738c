import { randomUUID } from 'node:crypto';
import type { Deps } from '../../deps.js';
import { IntegrationError, UserError, type UserErrorCode } from '../../errors.js';
import { writeAudit } from '../../db/queries/audit.js';
import { asDatabaseOutage } from '../../db/database-error.js';
import type { ActionEvent, ChatEvent, CommandEvent } from './chat-event.js';
import type {
  Actor,
  AnyActionDefinition,
  AnyCommandDefinition,
  DispatchOutcome,
  Dispatcher,
  EventIO,
  HandlerContext,
  Permission,
} from './command.js';
import { bindOptions, matchCommandPath, tokenize } from './parse-command-text.js';
import { isBotAdmin, resolveActor } from './resolve-actor.js';
import { permits } from './permits.js';
import type { Reply } from './reply.js';
import { ACTION_NAME } from './action-id.js';
import { askAgain, createFormChecker, fieldsOf } from './check-form.js';
import type { AuditDraft } from './audit-draft.js';
import { clipWord, describeIssues, errorText, refusal, usageError } from './dispatch-replies.js';
import { deliver, safeRespond } from './deliver-answer.js';

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

/**
 * Builds the one place where events meet handlers: it resolves who is acting, checks permission,
 * validates arguments and button values, runs the handler, turns every error into a reply and writes
 * one audit row per event. Startup fails if two commands or actions share a name.
 */
export function createDispatcher(deps: Deps, commands: readonly AnyCommandDefinition[], actions: readonly AnyActionDefinition[]): Dispatcher {
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
    io = timedReplies(io, event);
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
      // A wrong field of a submitted form: ask again for that field only, keeping what else was typed.
      if (error instanceof UserError && error.field && event.kind === 'action' && event.form) {
        outcome = askAgain(actionsByName.get(event.action), event, event.form, error.field) ?? outcome;
      }
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
    deps.metrics.eventHandled(event.platform, draft.kind, draft.outcome);
    return outcome;
  }

  /** The same io, reporting the time from the event's arrival to its first answer delivered. */
  function timedReplies(io: EventIO, event: ChatEvent): EventIO {
    let answered = false;
    const first = () => {
      if (answered) return;
      answered = true;
      deps.metrics.replied(event.platform, event.kind, (deps.now().getTime() - event.receivedAt.getTime()) / 1000);
    };
    const updateSource = io.updateSource;
    const editAnswer = io.editAnswer;
    return {
      respond: async (reply) => {
        await io.respond(reply);
        first();
      },
      ...(editAnswer ? { editAnswer: (reply: Reply) => editAnswer(reply) } : {}),
      ...(updateSource
        ? {
            updateSource: async (reply: Reply) => {
              await updateSource(reply);
              first();
            },
          }
        : {}),
    };
  }

  /**
   * A group word alone (`maintenance`) or with a subcommand that is not one (`maintenance frob`) is
   * answered with that group's part of help, not "I don't know the command".
   */
  function groupHelp(words: readonly string[]): { command: AnyCommandDefinition; rest: string[]; note?: string } | null {
    const first = words[0]!.toLowerCase();
    const help = commands.find((c) => c.name === 'help');
    if (!help || !commands.some((c) => c.name.startsWith(`${first} `))) return null;
    const note = words.length > 1 ? `"${clipWord(words.slice(0, 2).join(' '))}" is not a command.` : undefined;
    return { command: help, rest: [first], ...(note ? { note } : {}) };
  }

  async function handleCommand(event: CommandEvent, io: EventIO, draft: AuditDraft, log: Deps['log']): Promise<DispatchOutcome> {
    let command: AnyCommandDefinition | undefined;
    let raw: Record<string, unknown>;
    let note: string | undefined;
    if (event.options) {
      const path = event.options.path.join(' ');
      command = commands.find((c) => c.name === path);
      if (!command) throw new UserError('usage', `I don't know the command "${path}". Try /atmo help.`);
      raw = { ...event.options.values };
    } else {
      const tokens = tokenize(event.text);
      if (!tokens.ok) throw new UserError('usage', `I could not read that: ${tokens.error}. Try /atmo help.`);
      const words = tokens.words.length === 0 ? ['help'] : tokens.words;
      const match: { command: AnyCommandDefinition; rest: string[]; note?: string } | null = matchCommandPath(words, commands) ?? groupHelp(words);
      if (!match) throw new UserError('usage', `I don't know the command "${clipWord(words[0]!)}". Try /atmo help for what you can run.`);
      command = match.command;
      const bound = bindOptions(match.rest, command.options);
      if (!bound.ok) throw usageError(command, bound.error);
      raw = bound.values;
      if (match.note) note = match.note;
    }
    draft.name = command.name;
    const parsed = command.args.safeParse(raw);
    if (!parsed.success) throw usageError(command, describeIssues(parsed.error, command));
    const ctx = await authorize(event, command.permission, io, draft, log.child({ command: command.name }));
    const result = await command.run(ctx, parsed.data);
    if (result) await deliver(io, note ? { ...result, text: `${note} ${result.text}` } : result, draft, log);
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
    // A submission names its action itself on Discord (the modal's custom id). It must be the form
    // this action shows: a Deny form re-labelled as an approval, or a form sent to an action that has
    // none, is refused before anything runs.
    const fields = action.form?.fields ?? [];
    if (event.form && (!action.form || Object.keys(event.form).some((name) => !fields.some((field) => field.name === name)))) {
      throw new UserError('invalid_value', 'That form does not belong to this button, so I did nothing. Click the button again for a fresh form.');
    }
    const ctx = await authorize(event, action.permission, io, draft, log.child({ action: action.name }));
    // A submitted form skips the precheck: its `run` checks again at decision time (command.ts).
    const checked = action.precheck && !(action.form && event.form) ? await action.precheck(ctx, value.data) : undefined;
    let result: Reply | void;
    if (action.form) {
      if (!event.form) {
        draft.kind = 'form';
        draft.outcome = 'form';
        const { initial = {}, hints = {} } = action.prefill ? await action.prefill(ctx, value.data, checked) : {};
        const form = {
          ...action.form,
          fields: action.form.fields.map((field) => ({
            ...field,
            ...(initial[field.name] ? { initial: initial[field.name] } : {}),
            ...(hints[field.name] ? { hint: hints[field.name] } : {}),
          })),
        };
        return { kind: 'form', form, action: action.name, value: event.value };
      }
      const parsedForm = action.formValues.safeParse(event.form);
      if (!parsedForm.success) {
        const field = fieldsOf(parsedForm.error, action.form)[0];
        throw new UserError('usage', `${describeIssues(parsedForm.error)}. Nothing was changed.`, field ? { field } : undefined);
      }
      result = await action.run(ctx, value.data, parsedForm.data);
    } else {
      result = await action.run(ctx, value.data);
    }
    if (result) await deliver(io, result, draft, log);
    return { kind: 'done' };
  }

  async function authorize<E extends ChatEvent>(event: E, permission: Permission, io: EventIO, draft: AuditDraft, log: Deps['log']): Promise<HandlerContext<E>> {
    const admin = isBotAdmin(deps, event.user);
    let actor: Actor | null = null;
    if (permission === 'linked' || permission === 'staff') {
      const resolution = await resolveActor(deps, event.user);
      if (!resolution.actor) throw resolution.problem;
      actor = resolution.actor;
    } else {
      // Help and whoami still want to know who is asking; a failure to resolve is not an error here.
      const resolution = await resolveActor(deps, event.user).catch(() => null);
      actor = resolution?.actor ?? null;
    }
    draft.actor = actor;
    if (!permits(permission, { actor, isBotAdmin: admin })) throw refusal(permission, actor);
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
      editAnswer: (reply) => (io.editAnswer ? io.editAnswer(reply) : Promise.resolve(false)),
      audit: (detail) => Object.assign(draft.detail, detail),
    };
  }

  const checkForm = createFormChecker({ deps, actionsByName, authorize });

  return { handle, checkForm, commands, actions };
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
