/**
 * A Web API argument (`blocks`, `view`) handed to the WebClient already written as JSON. The client
 * sends every call form-encoded, with each object argument as a JSON string
 * (https://docs.slack.dev/apis/web-api/#post-bodies), so the request Slack receives is the same.
 * What it spares: before sending, @slack/web-api copies the whole argument tree for its debug log
 * (`JSON.stringify(redact(body))`, built whatever the log level) and then stringifies it itself; for
 * a 14 KiB list message that walk is most of the client's own CPU per call. A string is passed
 * through by both.
 *
 * The return type stays the argument's so the call keeps its checked shape; only the value changes.
 */
export function asFormJson<T>(value: T): T {
  return JSON.stringify(value) as unknown as T;
}
