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

/** The Atmosphere account a chat user acts as, reloaded for every event. */
export interface Actor {
  userId: number;
  username: string;
  email: string;
  isStaff: boolean;
  /** How the chat user was tied to the account. */
  via: 'email' | 'link' | 'console';
}

export interface HandlerContext<E extends ChatEvent = ChatEvent> {
  event: E;
  chatUser: ChatUser;
  /** Set whenever the permission is `linked` or `staff`; may be set for the others. */
  actor: Actor | null;
  isBotAdmin: boolean;
  deps: Deps;
  log: Logger;
  /** Send another message to the person who triggered the event (progress, follow-ups). */
  respond(reply: Reply): Promise<void>;
  /** Edit the message the clicked button sat on (no-op for commands). */
  updateSource(reply: Reply): Promise<void>;
  /** Adds detail to this event's audit row (decision taken, record id, API outcome). */
  audit(detail: Record<string, unknown>): void;
}

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

export interface CommandDefinition<S extends z.ZodType = z.ZodType> {
  /** Space-separated path after `/atmo`: `requests`, `imaging triage`, `maintenance start`. */
  name: string;
  /** One line for `/atmo help` and the Discord description (at most 100 characters). */
  summary: string;
  /** Usage line, e.g. `/atmo request <id>`, shown with every usage error. */
  usage: string;
  options: readonly OptionSpec[];
  /** Validates the object built from the options; a failure is a usage reply and `run` never starts. */
  args: S;
  permission: Permission;
  run(ctx: HandlerContext<CommandEvent>, args: z.infer<S>): Promise<Reply | void>;
}

export interface ActionDefinition<S extends z.ZodType = z.ZodType, F extends z.ZodType = z.ZodType> {
  /** The button's action name, e.g. `rr:approve`. At most 40 characters so ids fit Discord's 100. */
  name: string;
  /** Parses the button value (untrusted). */
  value: S;
  permission: Permission;
  /** A form to collect before `run`; `precheck` runs first so a refusal comes before the form. */
  form?: FormSpec;
  /** Validates the submitted form values. */
  formValues?: F;
  /** Refuses early (already decided, self-approval) before a form is shown. Throw a UserError. */
  precheck?(ctx: HandlerContext<ActionEvent>, value: z.infer<S>): Promise<void>;
  run(ctx: HandlerContext<ActionEvent>, value: z.infer<S>, form: z.infer<F> | undefined): Promise<Reply | void>;
}

/** How the dispatcher talks back for one event; the adapter implements it for its platform. */
export interface EventIO {
  respond(reply: Reply): Promise<void>;
  updateSource?(reply: Reply): Promise<void>;
}

/** What the adapter must do after dispatch: nothing, or show a form for the action. */
export type DispatchOutcome =
  | { kind: 'done' }
  | { kind: 'form'; form: FormSpec; action: string; value: string };

export interface Dispatcher {
  /**
   * Handles one event: resolves the actor, checks permission, validates arguments, runs the handler,
   * writes the audit row and sends every reply through `io`. Never throws.
   * For an action with a form and no `event.form`, returns the form to show instead of running.
   */
  handle(event: ChatEvent, io: EventIO): Promise<DispatchOutcome>;
  /** The command definitions, for help and for Discord registration. */
  readonly commands: readonly CommandDefinition[];
  readonly actions: readonly ActionDefinition[];
}

/** Helper so each command file reads `export const x = defineCommand({...})` with inferred args. */
export function defineCommand<S extends z.ZodType>(definition: CommandDefinition<S>): CommandDefinition<S> {
  return definition;
}

export function defineAction<S extends z.ZodType, F extends z.ZodType = z.ZodType>(
  definition: ActionDefinition<S, F>,
): ActionDefinition<S, F> {
  return definition;
}
