/**
 * Checks that a verified Slack request body has the shape Bolt and our listeners read, before Bolt
 * sees it. A validly signed body can still be `null`, a number, an array, a `payload` that is not an
 * object or an interaction without its user: Bolt reads `body.ssl_check` and `body.type` unguarded
 * (HTTPReceiver, @slack/bolt 5.1.0), so `null` ends the process with an unhandled TypeError, and
 * the rest fail deep inside a listener. Returns what is wrong, or null when the body is usable.
 *
 * The fields named are the ones every real payload carries (slash commands:
 * https://docs.slack.dev/interactivity/implementing-slash-commands#app_command_handling;
 * block_actions: https://docs.slack.dev/reference/interaction-payloads/block_actions-payload;
 * view_submission: https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload).
 */
export function checkSlackRequestBody(body: unknown): string | null {
  if (!isRecord(body)) return `the body is ${describe(body)}, not an object`;
  if (body['ssl_check'] === '1') return null;
  if (typeof body['command'] === 'string') {
    return missing(body, ['command', 'user_id', 'channel_id', 'response_url'], 'a slash command');
  }
  const type = body['type'];
  if (typeof type !== 'string') return 'it has neither a "type" nor a "command"';
  switch (type) {
    case 'url_verification':
      return typeof body['challenge'] === 'string' ? null : 'a url_verification without its challenge';
    case 'block_actions': {
      const problem = userProblem(body);
      if (problem) return problem;
      if (!isRecord(body['container'])) return 'a block_actions payload without its container';
      const actions = body['actions'];
      if (!Array.isArray(actions) || actions.length === 0 || !actions.every((action) => isRecord(action) && typeof action['action_id'] === 'string')) {
        return 'a block_actions payload without actions that each have an action_id';
      }
      return null;
    }
    case 'view_submission':
    case 'view_closed': {
      const problem = userProblem(body);
      if (problem) return problem;
      const view = body['view'];
      if (!isRecord(view) || typeof view['callback_id'] !== 'string' || typeof view['private_metadata'] !== 'string') {
        return `a ${type} payload without a view carrying callback_id and private_metadata`;
      }
      if (type === 'view_submission' && !(isRecord(view['state']) && isRecord(view['state']['values']))) {
        return 'a view_submission payload without view.state.values';
      }
      return null;
    }
    case 'event_callback':
      return isRecord(body['event']) && typeof body['event_id'] === 'string' ? null : 'an event_callback without its event and event_id';
    default:
      // Shortcuts, suggestions and the like: the bot registers no listener, and Bolt answers them.
      return null;
  }
}

function userProblem(body: Record<string, unknown>): string | null {
  const user = body['user'];
  return isRecord(user) && typeof user['id'] === 'string' ? null : `a ${String(body['type'])} payload without user.id`;
}

function missing(body: Record<string, unknown>, fields: readonly string[], what: string): string | null {
  const absent = fields.filter((field) => typeof body[field] !== 'string');
  return absent.length === 0 ? null : `${what} without ${absent.join(', ')}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
