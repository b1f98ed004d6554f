/**
 * The bodies of chat posts, built from a service-neutral card: a Microsoft Teams message carrying an
 * Adaptive Card 1.4, or a Google Chat message with `text` and `cardsV2`. Pure functions of the card,
 * so a retried post carries the same bytes as the first try.
 */

/** What a post shows, whatever the service: a title, facts, a list of rows each with a link, links. */
export interface ChatCard {
  readonly title: string;
  readonly subtitle: string;
  readonly facts: readonly { readonly label: string; readonly value: string }[];
  readonly listTitle?: string;
  readonly items: readonly ChatCardItem[];
  /** Rows the list leaves out beyond `items`: shown as "and N more", with `moreLink` where there is one. */
  readonly more: number;
  readonly moreLink: string | null;
  readonly links: readonly { readonly label: string; readonly url: string }[];
}

export interface ChatCardItem {
  readonly title: string;
  readonly detail: string;
  /** Where its button goes; null for no button (a local workbook's file link, which chat cannot open). */
  readonly link: string | null;
}

/**
 * Size limits, in bytes of the JSON body. Teams Workflows refuses posts of 28 KB and more; Google Chat
 * messages, text and cards together, may hold at most 32,000 bytes. A margin is kept under each.
 */
export const TEAMS_MAX_BYTES = 27_000;
export const GOOGLE_CHAT_MAX_BYTES = 30_000;

/** The longest staff text shown in one field: a row's name is a label, not a document. */
const MAX_FIELD = 300;

export function clip(text: string, max = MAX_FIELD): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * Staff text as literal text in a Teams TextBlock, whose Markdown subset reads `*`, `_`, `[`, `]`,
 * `(`, `)`, a leading `-`, `+`, `#` or `1.` (lists and headings), and backslash escapes. Line breaks
 * become spaces so text cannot start a list of its own, and `{{` cannot start a DATE/TIME function.
 */
export function escapeTeamsMarkdown(text: string): string {
  return clip(text)
    .replace(/[\\*_[\]()`~>#|]/g, (c) => `\\${c}`)
    .replace(/^([-+]|\d+\.)(\s)/, '\\$1$2')
    .replace(/\{\{/g, '{\u200b{');
}

/** Staff text in a Google Chat card widget, which reads a small HTML subset. */
export function escapeGoogleHtml(text: string): string {
  return clip(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** Plain text in a Google Chat card header, with no `<...>` a reader could take for a mention or a link. */
function noAngles(text: string): string {
  return clip(text).replace(/[<>]/g, (c) => (c === '<' ? '‹' : '›'));
}

/** Staff text in a Google Chat message's `text`, whose formatting reads `*_~\``, and `<...>` as links and mentions. */
export function escapeGoogleText(text: string): string {
  return clip(text)
    .replace(/[<>]/g, (c) => (c === '<' ? '‹' : '›'))
    .replace(/[*_~`]/g, ' ');
}

export function byteSize(body: unknown): number {
  return new TextEncoder().encode(JSON.stringify(body)).length;
}

/**
 * The longest version of a card whose body fits: list rows are taken off the end, and counted in
 * "and N more", until it does.
 */
function fit<T>(card: ChatCard, render: (card: ChatCard) => T, maxBytes: number): T {
  const withShown = (shown: number) =>
    render({ ...card, items: card.items.slice(0, shown), more: card.more + card.items.length - shown });
  const full = withShown(card.items.length);
  if (byteSize(full) <= maxBytes) return full;
  // A body grows with every row shown: the most rows that fit are found by bisection.
  let fits = 0;
  let tooMany = card.items.length;
  while (tooMany - fits > 1) {
    const middle = Math.floor((fits + tooMany) / 2);
    if (byteSize(withShown(middle)) <= maxBytes) fits = middle;
    else tooMany = middle;
  }
  const body = withShown(fits);
  if (byteSize(body) > maxBytes) {
    throw new Error(`a chat card titled "${card.title}" does not fit in ${maxBytes} bytes even without its list`);
  }
  return body;
}

const moreText = (n: number) => `and ${n} more`;

/** The card's buttons: its own links, and the tracker's where the list is cut short; each once. */
function cardLinks(card: ChatCard): { label: string; url: string }[] {
  const links = [
    ...card.links,
    ...(card.more > 0 && card.moreLink ? [{ label: 'Open the tracker', url: card.moreLink }] : []),
  ];
  return links.filter((l, i) => links.findIndex((o) => o.url === l.url) === i);
}

// --- Microsoft Teams -------------------------------------------------------------------------------

export interface TeamsMessage {
  readonly type: 'message';
  readonly attachments: readonly {
    readonly contentType: 'application/vnd.microsoft.card.adaptive';
    readonly contentUrl: null;
    readonly content: Record<string, unknown>;
  }[];
}

/** A Teams Workflows message: one Adaptive Card 1.4 (Workflows cannot show 1.5), under the size limit. */
export function teamsMessage(card: ChatCard): TeamsMessage {
  return fit(card, renderTeams, TEAMS_MAX_BYTES);
}

const openUrl = (title: string, url: string) => ({ type: 'Action.OpenUrl', title, url });

function renderTeams(card: ChatCard): TeamsMessage {
  const md = escapeTeamsMarkdown;
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: md(card.title), weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: md(card.subtitle), isSubtle: true, spacing: 'None', wrap: true },
  ];
  if (card.facts.length > 0) {
    body.push({ type: 'FactSet', facts: card.facts.map((f) => ({ title: md(f.label), value: md(f.value) })) });
  }
  if (card.listTitle && (card.items.length > 0 || card.more > 0)) {
    body.push({ type: 'TextBlock', text: md(card.listTitle), weight: 'Bolder', separator: true, wrap: true });
  }
  for (const item of card.items) {
    body.push({
      type: 'ColumnSet',
      separator: true,
      columns: [
        {
          type: 'Column',
          width: 'stretch',
          items: [
            { type: 'TextBlock', text: md(item.title), weight: 'Bolder', wrap: true },
            { type: 'TextBlock', text: md(item.detail), isSubtle: true, spacing: 'None', wrap: true },
          ],
        },
        ...(item.link
          ? [
              {
                type: 'Column',
                width: 'auto',
                verticalContentAlignment: 'Center',
                items: [{ type: 'ActionSet', actions: [openUrl('Open row', item.link)] }],
              },
            ]
          : []),
      ],
    });
  }
  if (card.more > 0) {
    body.push({
      type: 'Container',
      items: [{ type: 'TextBlock', text: moreText(card.more), isSubtle: true, wrap: true }],
    });
  }
  const unique = cardLinks(card);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          actions: unique.map((l) => openUrl(l.label, l.url)),
        },
      },
    ],
  };
}

// --- Google Chat -----------------------------------------------------------------------------------

export interface GoogleChatMessage {
  readonly text: string;
  readonly cardsV2: readonly { readonly cardId: string; readonly card: Record<string, unknown> }[];
}

/** A Google Chat space message: a line of `text` and one card, under the size limit. */
export function googleChatMessage(card: ChatCard): GoogleChatMessage {
  return fit(card, renderGoogle, GOOGLE_CHAT_MAX_BYTES);
}

const openLink = (text: string, url: string) => ({ text, onClick: { openLink: { url } } });

function renderGoogle(card: ChatCard): GoogleChatMessage {
  const html = escapeGoogleHtml;
  const sections: Record<string, unknown>[] = [];
  if (card.facts.length > 0) {
    sections.push({
      widgets: card.facts.map((f) => ({ decoratedText: { topLabel: html(f.label), text: html(f.value) } })),
    });
  }
  if (card.listTitle && (card.items.length > 0 || card.more > 0)) {
    const widgets: Record<string, unknown>[] = card.items.map((item) => ({
      decoratedText: {
        text: `<b>${html(item.title)}</b>`,
        bottomLabel: html(item.detail),
        wrapText: true,
        ...(item.link ? { button: openLink('Open row', item.link) } : {}),
      },
    }));
    if (card.more > 0) widgets.push({ textParagraph: { text: moreText(card.more) } });
    sections.push({ header: html(card.listTitle), widgets });
  }
  const unique = cardLinks(card);
  if (unique.length > 0) {
    sections.push({ widgets: [{ buttonList: { buttons: unique.map((l) => openLink(l.label, l.url)) } }] });
  }
  return {
    text: escapeGoogleText(card.title),
    cardsV2: [
      {
        cardId: 'bucp-tracker',
        card: { header: { title: noAngles(card.title), subtitle: noAngles(card.subtitle) }, sections },
      },
    ],
  };
}
