import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../src/config-file.ts';
import { CONTACTS } from './support/workspace.ts';

/** A config file in <temp>/etc/bucp.yaml, as on a server, with these mail settings. */
async function configWith(mail: Record<string, unknown>): Promise<{ file: string; root: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'bucp-config-'));
  const file = path.join(root, 'etc', 'bucp.yaml');
  await mkdir(path.dirname(file));
  await writeFile(
    file,
    stringify({
      store: { kind: 'xlsx', path: 'tracker.xlsx', restrictedPath: 'restricted.xlsx' },
      mail: { kind: 'smtp', host: 'relay.example.gov', from: 'bucp@example.gov', ...mail },
      contacts: CONTACTS,
    }),
  );
  return { file, root };
}

test.each([
  {
    journal: 'left out, under systemd',
    mail: {},
    env: { STATE_DIRECTORY: '/var/lib/bucp-tracker' },
    expected: '/var/lib/bucp-tracker/smtp-sent.jsonl',
  },
  {
    journal: 'left out, with several state directories',
    mail: {},
    env: { STATE_DIRECTORY: '/var/lib/bucp-tracker:/var/lib/other' },
    expected: '/var/lib/bucp-tracker/smtp-sent.jsonl',
  },
  { journal: 'left out, outside systemd', mail: {}, env: {}, expected: '<root>/data/smtp-sent.jsonl' },
  {
    journal: 'left out, with an empty STATE_DIRECTORY',
    mail: {},
    env: { STATE_DIRECTORY: '' },
    expected: '<root>/data/smtp-sent.jsonl',
  },
  {
    journal: 'relative, under systemd',
    mail: { journal: 'sent.jsonl' },
    env: { STATE_DIRECTORY: '/srv/state' },
    expected: '<root>/etc/sent.jsonl',
  },
  {
    journal: 'absolute',
    mail: { journal: '/srv/mail/sent.jsonl' },
    env: { STATE_DIRECTORY: '/srv/state' },
    expected: '/srv/mail/sent.jsonl',
  },
])('mail.journal $journal: $expected', async ({ mail, env, expected }) => {
  const { file, root } = await configWith(mail);

  const { config } = await loadConfig(file, env);

  expect(config.mail.kind === 'smtp' && config.mail.journal).toBe(expected.replace('<root>', root));
});
