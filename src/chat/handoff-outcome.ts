import type { ChatChannel } from '../core/config.ts';
import type { SendOutcome } from '../core/ports.ts';
import { GOOGLE_CHAT_WEBHOOK } from './google-chat.ts';
import { TEAMS_WORKFLOWS } from './teams.ts';
import { type WebhookService, answerOutcome, codeOf, connectionErrorOutcome } from './webhook-sender.ts';

export const CHAT_SERVICES: Record<ChatChannel['kind'], WebhookService> = {
  teams: TEAMS_WORKFLOWS,
  'google-chat': GOOGLE_CHAT_WEBHOOK,
};

/**
 * What n8n's HTTP Request node did with a handed-over post, by the same rules as the service's own
 * sender: its output item when it got an accepted answer, or the item it gave on error (its `error`,
 * with Continue On Error). The outcome is built from the status and error code only: n8n's error text
 * may quote the request, and with it the webhook URL.
 */
export function httpRequestOutcome(
  kind: ChatChannel['kind'],
  item: Record<string, unknown>,
  urlEnv: string,
  messageId: string,
): SendOutcome {
  const service = CHAT_SERVICES[kind];
  const error = item.error;
  if (!error) return { status: 'sent', messageId: messageId || `accepted by ${service.name}` };
  const status = statusOf(error);
  if (status !== undefined) {
    return (
      answerOutcome(service, status, '', urlEnv) ?? {
        status: 'failed',
        error: `${service.name} answered ${status} after the HTTP Request node's tries: tried again next cycle`,
        permanent: false,
      }
    );
  }
  return connectionErrorOutcome(codeOf(error) ?? codeInText(error), service.name);
}

/** The HTTP status an n8n error item carries, wherever the node version put it. */
function statusOf(error: unknown): number | undefined {
  if (error && typeof error === 'object') {
    const e = error as Record<string, unknown>;
    for (const value of [
      e.httpCode,
      e.status,
      e.statusCode,
      (e.response as { status?: unknown } | undefined)?.status,
    ]) {
      const n = Number(value);
      if (Number.isInteger(n) && n >= 100 && n < 600) return n;
    }
  }
  const text = typeof error === 'string' ? error : String((error as { message?: unknown })?.message ?? '');
  const match = /^(\d{3}) - |status code (\d{3})/.exec(text);
  return match ? Number(match[1] ?? match[2]) : undefined;
}

function codeInText(error: unknown): string | undefined {
  const text = typeof error === 'string' ? error : JSON.stringify(error);
  if (/timeout|timed out/i.test(text)) return 'ETIMEDOUT';
  return /\b(E[A-Z]{4,}|UND_ERR_[A-Z_]+)\b/.exec(text)?.[1];
}
