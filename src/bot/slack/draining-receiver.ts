import { HTTPReceiver, type HTTPReceiverOptions } from '@slack/bolt';
import { writeDraining } from '../http-server.js';

/**
 * Bolt's HTTP receiver (`/slack/events` and the custom routes), except that once `isDraining()` is
 * true every request is answered 503 before Bolt reads it: the event is never acknowledged, so Slack
 * retries it (on another replica) instead of handing it to a process that is shutting down.
 */
export class DrainingReceiver extends HTTPReceiver {
  constructor(options: HTTPReceiverOptions, isDraining: () => boolean) {
    super(options);
    // Bolt's server calls `this.requestListener` for every request (HTTPReceiver.start).
    const route = this.requestListener;
    this.requestListener = (req, res) => {
      if (isDraining()) {
        writeDraining(res);
        return;
      }
      route(req, res);
    };
  }
}
