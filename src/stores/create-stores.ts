import type { OAuth2Client } from 'google-auth-library';
import { ConfigError } from '../config-file.ts';
import type { Config } from '../core/config.ts';
import type { RestrictedImportTarget, RestrictedStore, StaffImportTarget, TrackerStore } from '../core/ports.ts';

/** A client for an access token handed over in the environment, when the config names one. */
async function tokenClient(
  store: Extract<Config['store'], { kind: 'google-sheets' }>,
): Promise<OAuth2Client | undefined> {
  if (!store.accessTokenEnv) return undefined;
  const token = process.env[store.accessTokenEnv];
  if (!token)
    throw new ConfigError('(environment)', [
      { path: 'store.accessTokenEnv', message: `${store.accessTokenEnv} is not set` },
    ]);
  const { OAuth2Client } = await import('google-auth-library');
  const client = new OAuth2Client();
  client.setCredentials({ access_token: token });
  return client;
}

/**
 * The stores a config names. `authClient` signs Google requests in place of the config's own
 * credentials (n8n's), and `airtableToken` stands in for the token environment variable (n8n's credential). Each kind's adapter is loaded only when a config names it: the Excel library
 * and the Google client each take 25 to 35 MB of a process's memory once loaded.
 */
export async function createStores(
  store: Config['store'],
  options: { authClient?: OAuth2Client; airtableToken?: string } = {},
): Promise<{ tracker: TrackerStore; restricted: RestrictedStore }> {
  switch (store.kind) {
    case 'xlsx': {
      const { XlsxRestrictedStore, XlsxTrackerStore } = await import('./xlsx-store.ts');
      return {
        tracker: new XlsxTrackerStore({ path: store.path }),
        restricted: new XlsxRestrictedStore(store.restrictedPath),
      };
    }
    case 'google-sheets': {
      const [{ GoogleSheetsRestrictedStore, GoogleSheetsTrackerStore }, { createSheetsClient }] = await Promise.all([
        import('./google-sheets-store.ts'),
        import('./google/transport.ts'),
      ]);
      const client = createSheetsClient({
        keyFile: store.credentials,
        rootUrl: store.rootUrl,
        tokenUrl: store.tokenUrl,
        authClient: options.authClient ?? (await tokenClient(store)),
      });
      return {
        tracker: new GoogleSheetsTrackerStore({ spreadsheetId: store.spreadsheetId, client }),
        restricted: new GoogleSheetsRestrictedStore({ spreadsheetId: store.restrictedSpreadsheetId, client }),
      };
    }
    case 'airtable': {
      const [{ AirtableRestrictedStore, AirtableTrackerStore }, { AirtableTransport }] = await Promise.all([
        import('./airtable-store.ts'),
        import('./airtable/transport.ts'),
      ]);
      const token = options.airtableToken ?? process.env[store.tokenEnv];
      if (!token)
        throw new ConfigError('(environment)', [
          {
            path: 'store.tokenEnv',
            message: `${store.tokenEnv} is not set: put an Airtable personal access token in it (see "Airtable set-up" in the README)`,
          },
        ]);
      // One transport per base: its pacing keeps every request to that base, the lease's too, below 5 a second.
      const transport = (baseId: string) =>
        new AirtableTransport({ baseId, token, tokenEnv: store.tokenEnv, endpointUrl: store.endpointUrl });
      return {
        tracker: new AirtableTrackerStore({
          baseId: store.baseId,
          transport: transport(store.baseId),
          recordLimit: store.recordLimit,
        }),
        restricted: new AirtableRestrictedStore({
          baseId: store.restrictedBaseId,
          transport: transport(store.restrictedBaseId),
        }),
      };
    }
  }
}

/** The stores a config names, as `bucp import` writes them; a store kind without an import says so. */
export async function createImportStores(store: Config['store']): Promise<{
  tracker: TrackerStore & StaffImportTarget;
  restricted: RestrictedStore & RestrictedImportTarget;
}> {
  const { tracker, restricted } = await createStores(store);
  if (!('importStaff' in tracker) || !('importRecords' in restricted)) {
    throw new ConfigError('(config)', [
      { path: 'store.kind', message: `bucp import cannot write a ${store.kind} store yet` },
    ]);
  }
  return {
    tracker: tracker as TrackerStore & StaffImportTarget,
    restricted: restricted as RestrictedStore & RestrictedImportTarget,
  };
}
