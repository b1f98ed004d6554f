import type { ChatChannel } from '../core/config.ts';

/** The hosts each service's webhooks live on. */
const SERVICE_HOSTS: Record<
  ChatChannel['kind'],
  { readonly names: string; readonly matches: (host: string) => boolean }
> = {
  teams: {
    names: '*.logic.azure.com or *.environment.api.powerplatform.com',
    matches: (host) => host.endsWith('.logic.azure.com') || host.endsWith('.environment.api.powerplatform.com'),
  },
  'google-chat': { names: 'chat.googleapis.com', matches: (host) => host === 'chat.googleapis.com' },
};

/**
 * Why a webhook URL may not be used, or null when it may: it must be https on one of the service's
 * hosts, or on a host the config allows by name. The answer names the host, never the whole URL,
 * which carries the webhook's secret.
 */
export function webhookUrlProblem(
  url: string,
  kind: ChatChannel['kind'],
  allowHosts: readonly string[],
): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  const host = parsed.hostname.toLowerCase();
  if (allowHosts.map((h) => h.toLowerCase()).includes(host)) return null;
  const service = SERVICE_HOSTS[kind];
  if (!service.matches(host)) {
    return `points at ${host}, which is not a ${kind === 'teams' ? 'Teams Workflows' : 'Google Chat'} host (${service.names}); add the host to allowHosts only if it is really meant`;
  }
  if (parsed.protocol !== 'https:') return 'must be an https URL';
  return null;
}

/** A URL's host, for messages: the rest of it is secret. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(not a URL)';
  }
}
