import type { Config } from '../core/config.ts';
import type { LayoutReport, RestrictedStore, TrackerStore } from '../core/ports.ts';
import { loadRestrictedTemplate, loadTrackerTemplate } from '../templates.ts';

export interface InitReport {
  readonly tracker: LayoutReport & { readonly location: string };
  readonly restricted: LayoutReport & { readonly location: string };
}

/** Creates both workbooks from sheets-templates/, or repairs what they lack. Staff data stays as it is. */
export async function runInit(deps: {
  config: Config;
  store: TrackerStore;
  restricted: RestrictedStore;
}): Promise<InitReport> {
  const tracker = await deps.store.ensureLayout(await loadTrackerTemplate(deps.config.departments));
  const restricted = await deps.restricted.ensureLayout(await loadRestrictedTemplate());
  return {
    tracker: { ...tracker, location: deps.store.describe() },
    restricted: { ...restricted, location: deps.restricted.describe() },
  };
}
