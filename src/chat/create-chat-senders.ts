import type { ChatChannel } from '../core/config.ts';
import type { ChatSender } from '../core/ports.ts';
import { googleChatSender } from './google-chat.ts';
import { teamsSender } from './teams.ts';
import { webhookUrlProblem } from './webhook-url.ts';

/** A chat channel that cannot be used as configured: the message names the key path, never the URL. */
export class ChatConfigError extends Error {
  override readonly name = 'ChatConfigError';
}

/**
 * A sender for each configured channel, by channel name. Each URL is read from its environment
 * variable and checked against the service's hosts before anything is posted.
 */
export function createChatSenders(
  channels: readonly ChatChannel[],
  env: NodeJS.ProcessEnv = process.env,
  options: { readonly backoffMs?: number } = {},
): Map<string, ChatSender> {
  const senders = new Map<string, ChatSender>();
  channels.forEach((channel, i) => {
    const at = `chat.${i}.webhookUrlEnv`;
    const url = env[channel.webhookUrlEnv];
    if (!url) {
      throw new ChatConfigError(
        `${at}: the environment variable ${channel.webhookUrlEnv} is not set; it must hold the webhook URL of channel ${channel.name}`,
      );
    }
    const problem = webhookUrlProblem(url, channel.kind, channel.allowHosts);
    if (problem) throw new ChatConfigError(`${at}: the URL in ${channel.webhookUrlEnv} ${problem}`);
    const senderOptions = {
      channel: channel.name,
      url,
      urlEnv: channel.webhookUrlEnv,
      timeoutMs: channel.timeoutMs,
      maxTries: channel.maxTries,
      maxRetryAfterSeconds: channel.maxRetryAfterSeconds,
      ...options,
    };
    senders.set(channel.name, channel.kind === 'teams' ? teamsSender(senderOptions) : googleChatSender(senderOptions));
  });
  return senders;
}
