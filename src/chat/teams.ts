import { WebhookChatSender, type WebhookSenderOptions, type WebhookService } from './webhook-sender.ts';

/**
 * A Microsoft Teams Workflows flow ("When a Teams webhook request is received", then "Post card in a
 * chat or channel"). It answers 202 when it has accepted the request: that does not prove Teams showed
 * the card, but it is all the flow says, so 202 counts as sent.
 */
export const TEAMS_WORKFLOWS: WebhookService = {
  kind: 'teams',
  name: 'the Teams flow',
  accepted: (status) => status === 200 || status === 202,
  messageId: (status) => `accepted by the flow (${status})`,
  fix(status, urlEnv) {
    if (status === 404)
      return `there is no flow at this URL: the flow was deleted or turned off. Turn it on in Power Automate, or put the URL of its trigger in ${urlEnv}`;
    if (status === 401 || status === 403)
      return `the flow does not let this caller trigger it. In the trigger "When a Teams webhook request is received", set who can trigger the flow to Anyone, or copy the trigger's URL again into ${urlEnv}`;
    if (status === 400)
      return 'the flow could not take the card. Open the flow\'s run history in Power Automate: its "Post card in a chat or channel" step says why';
    return `check the flow's run history in Power Automate and the URL in ${urlEnv}`;
  },
};

export function teamsSender(options: WebhookSenderOptions): WebhookChatSender {
  return new WebhookChatSender(TEAMS_WORKFLOWS, options);
}
