import { IntegrationError } from '../../errors.js';
import type { ChannelRef, MessageRef, Platform } from './chat-event.js';
import type { ChatPort } from './chat-port.js';
import type { Reply } from './reply.js';

/**
 * One ChatPort over all adapters: each message goes to the adapter of its channel's platform.
 * Adapters register once they are built (they need the dispatcher, which needs this router).
 */
export function createChatRouter(): ChatPort & { register(platform: Platform, port: ChatPort): void } {
  const ports = new Map<Platform, ChatPort>();
  const portFor = (platform: Platform): ChatPort => {
    const port = ports.get(platform);
    if (!port) {
      throw new IntegrationError(platform, `no ${platform} connection is configured, so nothing can be posted to a ${platform} channel`);
    }
    return port;
  };
  return {
    register(platform, port) {
      ports.set(platform, port);
    },
    post(channel: ChannelRef, reply: Reply, options?: { thread?: MessageRef }) {
      return portFor(channel.platform).post(channel, reply, options);
    },
    update(message: MessageRef, reply: Reply) {
      return portFor(message.platform).update(message, reply);
    },
  };
}
