import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.ts';
import { createLogger } from '../../src/log.ts';
import { googleWorkspace } from '../support/google.ts';
import { CONTACTS, enteredDaysAgo, proposal } from '../support/workspace.ts';

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
});

const email = 'keyfile-account@agency-project.iam.gserviceaccount.com';

/** Preloaded with --import: writes every module specifier the process resolved to $BUCP_TEST_LOADED at exit. */
const RECORD_RESOLVED = `
  import { registerHooks } from 'node:module';
  import { writeFileSync } from 'node:fs';
  const seen = new Set();
  registerHooks({ resolve: (specifier, context, next) => { seen.add(specifier); return next(specifier, context); } });
  process.on('exit', () => writeFileSync(process.env.BUCP_TEST_LOADED, JSON.stringify([...seen])));
`;

/** A config file for the tracker of `ws`, signing in with a key file as the Google Cloud console downloads it. */
async function keyFileConfig(ws: Awaited<ReturnType<typeof googleWorkspace>>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-keyfile-'));
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
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
  return path.join(dir, 'bucp.yaml');
}

test('the CLI signs in with a service-account key file: the JWT is exchanged at store.tokenUrl', async () => {
  const ws = await googleWorkspace({ quota: false });
  stops.push(() => ws.stop());
  ws.addProposals([proposal('K-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 30) })]);
  ws.addRestricted([{ 'BUCP ID': 'K-1' }]);
  const config = await keyFileConfig(ws);
  ws.emulator.resetCalls();
  const bin = fileURLToPath(new URL('../../bin/bucp.js', import.meta.url));
  const loaded = path.join(path.dirname(config), 'loaded.json');
  // Not spawnSync: the emulator answers from this process, so it must stay free to.
  const result = await promisify(execFile)(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(RECORD_RESOLVED)}`,
      bin,
      'run',
      '--once',
      '--json',
      '--config',
      config,
      '--now',
      '2026-11-23T09:00',
    ],
    { encoding: 'utf8', env: { ...process.env, BUCP_LOG_FORMAT: 'json', BUCP_TEST_LOADED: loaded } },
  );
  // A service on Google Sheets never loads the Excel library.
  const specifiers = JSON.parse(await readFile(loaded, 'utf8')) as string[];
  expect(specifiers).toContain('@googleapis/sheets');
  expect(specifiers).not.toContain('exceljs');
  expect((JSON.parse(result.stdout) as { findings: { bucpId: string }[] }).findings.map((f) => f.bucpId)).toEqual([
    'K-1',
  ]);
  expect(ws.emulator.stats.byApi['oauth.token']).toBeGreaterThanOrEqual(1);
  const sheetsCalls = ws.emulator.calls.filter((c) => c.api !== 'oauth.token');
  expect(sheetsCalls.length).toBeGreaterThan(0);
  expect(sheetsCalls.every((c) => c.user === email)).toBe(true);
});

test('bucp init says what it removed: the empty columns an older Activity Log was made with', async () => {
  const ws = await googleWorkspace({ quota: false });
  stops.push(() => ws.stop());
  const config = await keyFileConfig(ws);
  const log = ws.emulator.sheet(ws.tracker.spreadsheetId, 'Activity Log');
  // As `bucp init` made it before: Google's usual 26 columns.
  await ws.client.api.spreadsheets.batchUpdate({
    spreadsheetId: ws.tracker.spreadsheetId,
    requestBody: { requests: [{ appendDimension: { sheetId: log.sheetId, dimension: 'COLUMNS', length: 16 } }] },
  });
  const out: string[] = [];
  const io = { out: (t: string) => out.push(t), logger: createLogger({ level: 'silent' }) };
  expect(await main(['init', '--config', config], io)).toBe(0);
  const sheet = (id: string) => `https://docs.google.com/spreadsheets/d/${id}/edit`;
  expect(out[0]).toBe(
    `${sheet(ws.tracker.spreadsheetId)}: removed the empty columns K:Z of "Activity Log" (Google counts every cell of a tab against the spreadsheet's limit)`,
  );
  expect(log.columnCount).toBe(10);
  expect(await main(['init', '--config', config], io)).toBe(0);
  expect(out.slice(1)).toEqual([
    `${sheet(ws.restricted.spreadsheetId)}: already complete, nothing changed`,
    `${sheet(ws.tracker.spreadsheetId)}: already complete, nothing changed`,
    `${sheet(ws.restricted.spreadsheetId)}: already complete, nothing changed`,
  ]);
});
