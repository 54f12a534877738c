import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPModuleFunctions, HTTPReceiver, defaultBodyLimit, isRawBodyError, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { ReplayGuard } from '../chat/replay-guard.js';
import { checkSlackRequestBody } from './check-request-body.js';
import { writeDraining, type HttpRouter } from '../http-server.js';

const EVENTS_PATH = '/slack/events';

/** Slack refuses requests whose timestamp is more than five minutes off; Bolt checks only the past side. */
const MAX_CLOCK_DIFFERENCE_S = 5 * 60;

export interface GuardedReceiverOptions {
  signingSecret: string;
  /** The bot's other routes on this port (probes, metrics, Discord interactions), asked first. */
  router?: HttpRouter;
  boltLogger: BoltLogger;
  log: Logger;
  /** Without one, replays are not detected (tests of other things). */
  replayGuard?: ReplayGuard;
  /**
   * True once a shutdown began: every request is then answered 503 before Bolt reads it, so the event
   * is never acknowledged and Slack retries it (on another replica) instead of handing it to a process
   * about to exit.
   */
  isDraining?: () => boolean;
  now?: () => number;
}

/**
 * Bolt's HTTP receiver with a screen in front of `POST /slack/events`. The request is verified
 * with Bolt's own functions first (so an unsigned request is still a 401), then:
 * - a body Bolt could not survive (`null`, a number, an array, a payload without its user: see
 *   checkSlackRequestBody) is answered 400 and never reaches Bolt;
 * - a signed request seen before (a replay of the same bytes inside Slack's five-minute window), or
 *   an Events API retry of an event already taken, is acknowledged 200 so Slack stops, and not run.
 * Everything else goes to Bolt unchanged, already buffered.
 */
export class GuardedReceiver extends HTTPReceiver {
  constructor(private readonly guard: GuardedReceiverOptions) {
    super({ signingSecret: guard.signingSecret, logger: guard.boltLogger });
    const bolt = this.requestListener;
    this.requestListener = (req, res) => {
      if (guard.router?.dispatch(req, res)) return;
      if (guard.isDraining?.()) {
        writeDraining(res);
        return;
      }
      if (req.method === 'POST' && new URL(req.url ?? '/', 'http://localhost').pathname === EVENTS_PATH) {
        void this.screen(req, res, bolt);
        return;
      }
      bolt(req, res);
    };
  }

  private async screen(req: IncomingMessage, res: ServerResponse, bolt: (req: IncomingMessage, res: ServerResponse) => void): Promise<void> {
    const { log } = this.guard;
    try {
      let buffered: IncomingMessage;
      try {
        buffered = await HTTPModuleFunctions.parseAndVerifyHTTPRequest({ enabled: true, signingSecret: this.guard.signingSecret, bodyLimit: defaultBodyLimit }, req, res);
      } catch (error) {
        // The rest of the oversized body is still on the connection, unread: close it after the answer,
        // or its bytes would be read as the next request on a kept-alive socket.
        if (isRawBodyError(error) && (error.type === 'entity.too.large' || error.statusCode === 413)) return answer(res, 413, { close: true });
        log.warn({ reason: error instanceof Error ? error.message : String(error) }, 'refused a Slack request that failed verification');
        return answer(res, 401);
      }
      let body: unknown;
      try {
        body = HTTPModuleFunctions.parseHTTPRequestBody(buffered as Parameters<typeof HTTPModuleFunctions.parseHTTPRequestBody>[0]);
      } catch {
        log.warn({ contentType: req.headers['content-type'] }, 'refused a signed Slack request whose body is not JSON');
        return answer(res, 400);
      }
      const problem = checkSlackRequestBody(body);
      if (problem) {
        // Only the shape is logged: a body carries the legacy verification token and user text.
        log.warn({ problem }, 'refused a signed Slack request with an unusable body');
        return answer(res, 400);
      }
      const record = body as Record<string, unknown>;
      // ssl_check is the one request Slack sends unsigned (Bolt lets it through sanitised).
      if (record['ssl_check'] !== '1' && !(await this.fresh(req, record, res))) return;
      bolt(buffered, res);
    } catch (error) {
      log.error({ err: error }, 'the Slack request screen failed');
      if (!res.headersSent) answer(res, 500);
    }
  }

  /** False (and answered) for a request from the future, a replay, or a retry of a taken event. */
  private async fresh(req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse): Promise<boolean> {
    const { log, replayGuard } = this.guard;
    const nowS = Math.floor((this.guard.now ?? Date.now)() / 1000);
    const timestamp = Number(req.headers['x-slack-request-timestamp']);
    if (timestamp > nowS + MAX_CLOCK_DIFFERENCE_S) {
      log.warn({ ahead: timestamp - nowS }, 'refused a Slack request timestamped in the future');
      answer(res, 401);
      return false;
    }
    if (!replayGuard) return true;
    const signature = String(req.headers['x-slack-signature']);
    if (!(await replayGuard.firstTime('slack-request', signature))) {
      log.warn({ retryNum: req.headers['x-slack-retry-num'] }, 'acknowledged a replayed Slack request without running it again');
      answer(res, 200);
      return false;
    }
    // Slack's Events API resends an event it thinks failed, newly signed, with X-Slack-Retry-Num
    // (https://docs.slack.dev/apis/events-api/#retries); the event_id stays the same.
    const eventId = body['event_id'];
    if (typeof eventId === 'string' && !(await replayGuard.firstTime('slack-event', eventId))) {
      log.info({ eventId, retryNum: req.headers['x-slack-retry-num'] }, 'acknowledged a retry of a Slack event already taken');
      answer(res, 200);
      return false;
    }
    return true;
  }
}

function answer(res: ServerResponse, status: number, options: { close?: boolean } = {}): void {
  res.writeHead(status, options.close ? { connection: 'close' } : {});
  res.end();
}
