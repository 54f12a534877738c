import type { z } from 'zod';
import type { Logger } from '../../logger.js';
import type { Deps } from '../../deps.js';
import type { ActionEvent, ChatEvent, ChatUser, CommandEvent } from './chat-event.js';
import type { FormSpec, Reply } from './reply.js';

/**
 * Who may run something. `anyone`: any chat user; `linked`: the user must act as an active Atmosphere
 * account; `staff`: that account must have `is_staff` (checked on every run and every click);
 * `admin`: a bot admin named in BOT_ADMINS (no Atmosphere account needed).
 */
export type Permission = 'anyone' | 'linked' | 'staff' | 'admin';

/** The permissions under which the dispatcher has always resolved an Atmosphere account. */
export type ActorPermission = 'linked' | 'staff';

/** The Atmosphere account a chat user acts as, reloaded for every event. */
export interface Actor {
  userId: number;
  username: string;
  email: string;
  isStaff: boolean;
  /** How the chat user was tied to the account. */
  via: 'email' | 'link' | 'console';
}

/**
 * The actor a handler of permission `P` sees: never null for `linked` and `staff`, because the
 * dispatcher refuses the event before `run` when it cannot resolve one (tRPC's protectedProcedure).
 */
export type ActorFor<P extends Permission> = P extends ActorPermission ? Actor : Actor | null;

/**
 * What a handler gets for one event. `P` is the permission the dispatcher checked; with the default
 * (any permission) `actor` may be null, under `linked` or `staff` it is always set. `out` makes the
 * check explicit: a context of any permission is not one of `staff`, which TypeScript's own variance
 * measurement of the conditional `actor` type would let through.
 */
export interface HandlerContext<E extends ChatEvent = ChatEvent, out P extends Permission = Permission> {
  event: E;
  chatUser: ChatUser;
  /** Always set under `linked` and `staff`; may be set for the others (help and whoami use it). */
  actor: ActorFor<P>;
  isBotAdmin: boolean;
  deps: Deps;
  log: Logger;
  /** Send another message to the person who triggered the event (progress, follow-ups). */
  respond(reply: Reply): Promise<void>;
  /** Edit the message the clicked button sat on (no-op for commands). */
  updateSource(reply: Reply): Promise<void>;
  /**
   * Replace this event's first answer (the first `respond`) with `reply`, for evidence that arrives
   * after the answer went out. False when the platform cannot edit that answer here (nothing is sent
   * then; the caller sends its reply as a new message instead).
   */
  editAnswer(reply: Reply): Promise<boolean>;
  /** Adds detail to this event's audit row (decision taken, record id, API outcome). */
  audit(detail: Record<string, unknown>): void;
}

/** The context of code that acts for someone: a `linked` or `staff` handler, or what it calls. */
export type ActingContext<E extends ChatEvent = ChatEvent> = HandlerContext<E, ActorPermission>;

/** An option of a command: names positional words in text, and becomes a typed Discord option. */
export interface OptionSpec {
  name: string;
  description: string;
  type: 'string' | 'integer' | 'boolean';
  required?: boolean;
  choices?: readonly string[];
  /** Takes every remaining word (a reason, a message). Only the last positional may. */
  rest?: boolean;
  /** Only settable as `--name value`, never positionally. */
  flag?: boolean;
}

export interface CommandDefinition<S extends z.ZodType = z.ZodType, P extends Permission = Permission> {
  /** Space-separated path after `/atmo`: `requests`, `imaging triage`, `maintenance start`. */
  name: string;
  /** One line for `/atmo help` and the Discord description (at most 100 characters). */
  summary: string;
  /** Usage line, e.g. `/atmo request <id>`, shown with every usage error. */
  usage: string;
  options: readonly OptionSpec[];
  /** Validates the object built from the options; a failure is a usage reply and `run` never starts. */
  args: S;
  permission: P;
  run(ctx: HandlerContext<CommandEvent, P>, args: z.infer<S>): Promise<Reply | void>;
}

interface ActionBase<S extends z.ZodType, P extends Permission, K> {
  /** The button's action name, e.g. `rr:approve`. At most 40 characters so ids fit Discord's 100. */
  name: string;
  /** Parses the button value (untrusted). */
  value: S;
  permission: P;
  /**
   * Refuses early (already decided, self-approval) before a form is shown. Throw a UserError. Not run
   * again for the submitted form: a form action's `run` must check at decision time anyway (the state
   * may have changed while the form was open), so a second look would only repeat the same reads.
   * What it returns (the record it read) is handed to a form action's `prefill`.
   */
  precheck?(ctx: HandlerContext<ActionEvent, P>, value: z.infer<S>): Promise<K>;
}

/** A button that runs at once. */
export interface PlainActionDefinition<S extends z.ZodType = z.ZodType, P extends Permission = Permission> extends ActionBase<S, P, void> {
  form?: undefined;
  formValues?: undefined;
  run(ctx: HandlerContext<ActionEvent, P>, value: z.infer<S>): Promise<Reply | void>;
}

/**
 * A button that collects a form first; `run` gets the form's values as `formValues` parsed them. `K`
 * is what `precheck` returns, inferred from it alone (void without one), so `prefill` can take only
 * what a precheck really gives it.
 */
export interface FormActionDefinition<S extends z.ZodType = z.ZodType, F extends z.ZodType = z.ZodType, P extends Permission = Permission, K = void>
  extends ActionBase<S, P, K> {
  /** The form to collect before `run`; `precheck` runs first so a refusal comes before the form. */
  form: FormSpec;
  /** Validates the submitted form values; a failure is a usage reply and `run` never starts. */
  formValues: F;
  run(ctx: HandlerContext<ActionEvent, P>, value: z.infer<S>, form: z.infer<F>): Promise<Reply | void>;
  /**
   * Reads, never writes: finds what is wrong with a submitted form before it is accepted, by throwing
   * a UserError whose `field` names the field, so a form can say it on that field while still open
   * (Slack's `response_action: "errors"`). `run` must check the same things again; this only says
   * them earlier.
   */
  check?(ctx: HandlerContext<ActionEvent, P>, value: z.infer<S>, form: z.infer<F>): Promise<void>;
  /**
   * What the form opens with, by field name: editable defaults read from the record, and hints. Runs
   * right after `precheck` and gets what it returned (`checked`), so the record is not read twice.
   */
  prefill?(ctx: HandlerContext<ActionEvent, P>, value: z.infer<S>, checked: NoInfer<K>): Promise<FormDefaults>;
}

export type ActionDefinition<S extends z.ZodType = z.ZodType, F extends z.ZodType = z.ZodType, P extends Permission = Permission, K = unknown> =
  | PlainActionDefinition<S, P>
  | FormActionDefinition<S, F, P, K>;

/**
 * The registry's erased types: a definition of any schema and permission. `run` and `precheck` are
 * methods, so TypeScript compares their parameters bivariantly and every definition fits without a
 * cast. That is sound because the dispatcher is their only caller, and it passes only what the same
 * definition's schemas parsed and a context it built after checking the same definition's permission,
 * and hands `prefill` only what the same definition's `precheck` returned.
 */
export type AnyCommandDefinition = CommandDefinition<z.ZodType, Permission>;
export type AnyActionDefinition = ActionDefinition<z.ZodType, z.ZodType, Permission, unknown>;

/** How the dispatcher talks back for one event; the adapter implements it for its platform. */
export interface EventIO {
  respond(reply: Reply): Promise<void>;
  updateSource?(reply: Reply): Promise<void>;
  /**
   * Replaces the first answer sent through `respond`: Slack through the slash command's response_url
   * (`replace_original`), Discord by editing the interaction's original response (`@original`) or
   * the follow-up it was, the console by printing it again as updated. Resolves false, sending
   * nothing, when that answer cannot be edited (no answer yet; on Slack, a click's answer that was not
   * a `provisional` one put in the place of the asker's own ephemeral message).
   */
  editAnswer?(reply: Reply): Promise<boolean>;
}

/**
 * What the adapter must do after dispatch: nothing, or show a form for the action. After a submitted
 * form with a wrong field, `form` holds only the fields to ask again (with what was typed) and `keep`
 * the other values, which the adapter adds to the next submission so nothing typed is lost.
 */
export type DispatchOutcome =
  | { kind: 'done' }
  | { kind: 'form'; form: FormSpec; action: string; value: string; keep?: Record<string, string> };

/** A form's opening values (`initial`) and what each field holds now (`hints`), by field name. */
export interface FormDefaults {
  initial?: Record<string, string>;
  hints?: Record<string, string>;
}

/** Problems of a submitted form by field name, said on the fields while the form is still open. */
export type FieldErrors = Record<string, string>;

export interface Dispatcher {
  /**
   * Handles one event: resolves the actor, checks permission, validates arguments, runs the handler,
   * writes the audit row and sends every reply through `io`. Never throws.
   * For an action with a form and no `event.form`, returns the form to show instead of running.
   */
  handle(event: ChatEvent, io: EventIO): Promise<DispatchOutcome>;
  /**
   * Looks at a submitted form before it is accepted: the field errors to show in the form, or null
   * when there are none to show there (the submission is then handled as usual, which reports any
   * other refusal). Never throws; field errors are audited as a usage outcome.
   */
  checkForm(event: ActionEvent): Promise<FieldErrors | null>;
  /** The command definitions, for help and for Discord registration. */
  readonly commands: readonly AnyCommandDefinition[];
  readonly actions: readonly AnyActionDefinition[];
}

/**
 * Helper so each command file reads `export const x = defineCommand({...})` with the argument type
 * inferred from `args` and the context narrowed by `permission`.
 */
export function defineCommand<S extends z.ZodType, P extends Permission>(definition: CommandDefinition<S, P>): CommandDefinition<S, P> {
  return definition;
}

/** A button without a form; `defineFormAction` is the one with. */
export function defineAction<S extends z.ZodType, P extends Permission>(definition: PlainActionDefinition<S, P>): PlainActionDefinition<S, P> {
  return definition;
}

/** A button that shows a form before `run`; `run` gets the values as `formValues` parsed them. */
export function defineFormAction<S extends z.ZodType, F extends z.ZodType, P extends Permission, K = void>(
  definition: FormActionDefinition<S, F, P, K>,
): FormActionDefinition<S, F, P, K> {
  return definition;
}
