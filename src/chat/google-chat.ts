import { WebhookChatSender, type WebhookSenderOptions, type WebhookService } from './webhook-sender.ts';

/** A Google Chat space's incoming webhook. It answers 200 with the message it created. */
export const GOOGLE_CHAT_WEBHOOK: WebhookService = {
  kind: 'google-chat',
  name: 'the Google Chat webhook',
  accepted: (status) => status === 200,
  messageId(status, body) {
    try {
      const name = (JSON.parse(body) as { name?: unknown }).name;
      if (typeof name === 'string' && name !== '') return name;
    } catch {
      // An answer without the message's name is still an accepted post.
    }
    return `accepted by Google Chat (${status})`;
  },
  fix(status, urlEnv) {
    if (status === 404)
      return `the space or its webhook no longer exists. In the space, open Apps & integrations, add a webhook, and put its URL in ${urlEnv}`;
    if (status === 401 || status === 403)
      return `the webhook's key or token is not accepted: the webhook was removed from the space, or the URL in ${urlEnv} was copied incompletely`;
    if (status === 400) return 'Google Chat could not take the message; its answer in the service log says which field';
    return `check the space's webhooks and the URL in ${urlEnv}`;
  },
};

export function googleChatSender(options: WebhookSenderOptions): WebhookChatSender {
  return new WebhookChatSender(GOOGLE_CHAT_WEBHOOK, options);
}
