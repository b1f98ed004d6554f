import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { googleWorkspace } from '../support/google.ts';
import { CONTACTS, enteredDaysAgo, proposal } from '../support/workspace.ts';

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
});

test('the CLI signs in with a service-account key file: the JWT is exchanged at store.tokenUrl', async () => {
  const ws = await googleWorkspace({ quota: false });
  stops.push(() => ws.stop());
  ws.addProposals([proposal('K-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 30) })]);
  ws.addRestricted([{ 'BUCP ID': 'K-1' }]);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-keyfile-'));
  const email = 'keyfile-account@agency-project.iam.gserviceaccount.com';
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  // A key file as the Google Cloud console downloads it.
  await writeFile(
    path.join(dir, 'key.json'),
    JSON.stringify({
      type: 'service_account',
      project_id: 'agency-project',
      private_key_id: 'k1',
      private_key: privateKey,
      client_email: email,
      token_uri: 'https://oauth2.googleapis.com/token',
    }),
  );
  await writeFile(
    path.join(dir, 'bucp.yaml'),
    stringify({
      store: {
        kind: 'google-sheets',
        spreadsheetId: ws.tracker.spreadsheetId,
        restrictedSpreadsheetId: ws.restricted.spreadsheetId,
        credentials: 'key.json',
        rootUrl: ws.rootUrl,
        tokenUrl: new URL('token', ws.rootUrl).toString(),
      },
      mail: { kind: 'outbox', dir: 'outbox' },
      contacts: CONTACTS,
    }),
  );
  ws.emulator.resetCalls();
  const bin = fileURLToPath(new URL('../../bin/bucp.js', import.meta.url));
  // Not spawnSync: the emulator answers from this process, so it must stay free to.
  const result = await promisify(execFile)(
    process.execPath,
    [bin, 'run', '--once', '--json', '--config', path.join(dir, 'bucp.yaml'), '--now', '2026-11-23T09:00'],
    { encoding: 'utf8', env: { ...process.env, BUCP_LOG_FORMAT: 'json' } },
  );
  expect((JSON.parse(result.stdout) as { findings: { bucpId: string }[] }).findings.map((f) => f.bucpId)).toEqual([
    'K-1',
  ]);
  expect(ws.emulator.stats.byApi['oauth.token']).toBeGreaterThanOrEqual(1);
  const sheetsCalls = ws.emulator.calls.filter((c) => c.api !== 'oauth.token');
  expect(sheetsCalls.length).toBeGreaterThan(0);
  expect(sheetsCalls.every((c) => c.user === email)).toBe(true);
});
