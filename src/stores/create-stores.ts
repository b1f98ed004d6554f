import type { Config } from '../core/config.ts';
import type { RestrictedStore, TrackerStore } from '../core/ports.ts';
import { GoogleSheetsRestrictedStore, GoogleSheetsTrackerStore } from './google-sheets-store.ts';
import { createSheetsClient } from './google/transport.ts';
import { XlsxRestrictedStore, XlsxTrackerStore } from './xlsx-store.ts';

export function createStores(store: Config['store']): { tracker: TrackerStore; restricted: RestrictedStore } {
  switch (store.kind) {
    case 'xlsx':
      return {
        tracker: new XlsxTrackerStore({ path: store.path }),
        restricted: new XlsxRestrictedStore(store.restrictedPath),
      };
    case 'google-sheets': {
      const client = createSheetsClient({ keyFile: store.credentials, rootUrl: store.rootUrl });
      return {
        tracker: new GoogleSheetsTrackerStore({ spreadsheetId: store.spreadsheetId, client }),
        restricted: new GoogleSheetsRestrictedStore({ spreadsheetId: store.restrictedSpreadsheetId, client }),
      };
    }
  }
}
