// What the dispatcher says when it refuses an event or a handler fails: the words people read.
import type { z } from 'zod';
import { IntegrationError, UserError } from '../../errors.js';
import { renderIntegrationError } from './render-error.js';
import { createRedactor } from '../../model/redactor.js';
import type { Actor, AnyCommandDefinition, Permission } from './command.js';

/** Why `permits` said no. `linked` and `staff` without an account never get here: resolution threw. */
export function refusal(permission: Permission, actor: Actor | null): UserError {
  if (permission === 'admin') return new UserError('forbidden', 'Only bot admins can do that. Bot admins are listed in BOT_ADMINS.');
  return new UserError('forbidden', actor ? `Only Atmosphere staff can do that, and ${actor.username} is not staff.` : 'Only Atmosphere staff can do that.');
}

export function usageError(command: AnyCommandDefinition, problem: string): UserError {
  return new UserError('usage', `${capitalize(problem)}.\nUsage: ${command.usage}`);
}

/**
 * What was wrong with the options, for people: a missing one is named with what it takes (its
 * description), a wrong kind says what kind is wanted, and messages written for a field keep their
 * words. zod's own defaults ("Invalid input: expected string, received undefined") never reach chat.
 */
export function describeIssues(error: z.ZodError, command?: AnyCommandDefinition): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.join('.');
      const option = command?.options.find((one) => one.name === issue.path[0]);
      if (issue.code === 'invalid_type' && /^Invalid input/.test(issue.message)) {
        const what = option ? `${option.flag ? `--${option.name}` : option.name} (${option.description})` : field || 'a value';
        return /received undefined$/.test(issue.message) ? `${what} is missing` : `${what} must be ${issue.expected === 'number' ? 'a number' : `a ${issue.expected}`}`;
      }
      // Messages written for a field already name it; zod's other defaults don't, so those get the field name.
      return field && !issue.message.toLowerCase().includes(field.toLowerCase()) ? `${field}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const STRIP_URL_CREDENTIALS = createRedactor([]);

export function errorText(error: unknown, eventId: string): string {
  if (error instanceof UserError) return error.message;
  // A service's own words can quote a URL with credentials in it (a client library's error message).
  if (error instanceof IntegrationError) return STRIP_URL_CREDENTIALS(renderIntegrationError(error));
  return `Something went wrong on my side, and nothing more was done (ref ${eventId}). The error is in the bot's log under that reference.`;
}

/** A word quoted back in a usage reply; a pasted wall of text gets a short answer. */
export function clipWord(word: string): string {
  return word.length > 60 ? `${word.slice(0, 59)}…` : word;
}

