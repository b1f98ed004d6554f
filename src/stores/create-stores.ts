import type { Config } from '../core/config.ts';
import type { RestrictedStore, TrackerStore } from '../core/ports.ts';
import { XlsxRestrictedStore, XlsxTrackerStore } from './xlsx-store.ts';

export function createStores(store: Config['store']): { tracker: TrackerStore; restricted: RestrictedStore } {
  switch (store.kind) {
    case 'xlsx':
      return {
        tracker: new XlsxTrackerStore({ path: store.path }),
        restricted: new XlsxRestrictedStore(store.restrictedPath),
      };
  }
}
