import { OAuth2Client } from 'google-auth-library';
import { GoogleSheetsRestrictedStore, GoogleSheetsTrackerStore } from '../../src/stores/google-sheets-store.ts';
import { type RetryPolicy, type SheetsClient, createSheetsClient } from '../../src/stores/google/transport.ts';
import { SheetsEmulator } from '../emulator/sheets-emulator.ts';

export const SERVICE_ACCOUNT = 'bucp-tracker@test-project.iam.gserviceaccount.com';

/** Fast, but still bounded: tests exercise the same retry code with shorter waits. */
export const TEST_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 2, maxDelayMs: 20, maxRetryAfterMs: 20 };

/** The real Google client with a static token, pointed at the emulator. */
export function emulatorClient(rootUrl: string): SheetsClient {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'test-token', expiry_date: Date.now() + 3_600_000 });
  return createSheetsClient({ authClient: Object.assign(auth, { email: SERVICE_ACCOUNT }), rootUrl });
}

export interface GoogleRig {
  readonly emulator: SheetsEmulator;
  readonly rootUrl: string;
  readonly client: SheetsClient;
  readonly tracker: GoogleSheetsTrackerStore;
  readonly restricted: GoogleSheetsRestrictedStore;
  stop(): Promise<void>;
}

let counter = 0;

/** An emulator with an empty tracker and restricted spreadsheet, and the stores pointed at them. */
export async function googleRig(options: { retry?: RetryPolicy } = {}): Promise<GoogleRig> {
  const emulator = new SheetsEmulator();
  const rootUrl = await emulator.start();
  counter += 1;
  const trackerId = `tracker-spreadsheet-${counter}`;
  const restrictedId = `restricted-spreadsheet-${counter}`;
  emulator.createSpreadsheet(trackerId, { title: 'BUCP tracker' });
  emulator.createSpreadsheet(restrictedId, { title: 'BUCP restricted' });
  const client = emulatorClient(rootUrl);
  const retry = options.retry ?? TEST_RETRY;
  return {
    emulator,
    rootUrl,
    client,
    tracker: new GoogleSheetsTrackerStore({ spreadsheetId: trackerId, client, retry }),
    restricted: new GoogleSheetsRestrictedStore({ spreadsheetId: restrictedId, client, retry }),
    stop: () => emulator.stop(),
  };
}
