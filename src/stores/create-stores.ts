import { OAuth2Client } from 'google-auth-library';
import { ConfigError } from '../config-file.ts';
import type { Config } from '../core/config.ts';
import type { RestrictedStore, TrackerStore } from '../core/ports.ts';
import { GoogleSheetsRestrictedStore, GoogleSheetsTrackerStore } from './google-sheets-store.ts';
import { createSheetsClient } from './google/transport.ts';
import { XlsxRestrictedStore, XlsxTrackerStore } from './xlsx-store.ts';

/** A client for an access token handed over in the environment, when the config names one. */
function tokenClient(store: Extract<Config['store'], { kind: 'google-sheets' }>): OAuth2Client | undefined {
  if (!store.accessTokenEnv) return undefined;
  const token = process.env[store.accessTokenEnv];
  if (!token)
    throw new ConfigError('(environment)', [
      { path: 'store.accessTokenEnv', message: `${store.accessTokenEnv} is not set` },
    ]);
  const client = new OAuth2Client();
  client.setCredentials({ access_token: token });
  return client;
}

/** The stores a config names. `authClient` signs Google requests in place of the config's own credentials (n8n's). */
export function createStores(
  store: Config['store'],
  options: { authClient?: OAuth2Client } = {},
): { tracker: TrackerStore; restricted: RestrictedStore } {
  switch (store.kind) {
    case 'xlsx':
      return {
        tracker: new XlsxTrackerStore({ path: store.path }),
        restricted: new XlsxRestrictedStore(store.restrictedPath),
      };
    case 'google-sheets': {
      const client = createSheetsClient({
        keyFile: store.credentials,
        rootUrl: store.rootUrl,
        tokenUrl: store.tokenUrl,
        authClient: options.authClient ?? tokenClient(store),
      });
      return {
        tracker: new GoogleSheetsTrackerStore({ spreadsheetId: store.spreadsheetId, client }),
        restricted: new GoogleSheetsRestrictedStore({ spreadsheetId: store.restrictedSpreadsheetId, client }),
      };
    }
  }
}
