import { readFile } from 'node:fs/promises';
import { type WorkbookLayout, withDepartments } from './core/layout.ts';
import { packagePath } from './package-root.ts';

/** The folder of the committed templates, which `npm run templates` writes from the contract. */
export const TEMPLATES_DIR = packagePath('sheets-templates/');

export const TEMPLATE_FILES = {
  tracker: 'tracker.layout.json',
  restricted: 'restricted.layout.json',
} as const;

async function loadLayout(file: string): Promise<WorkbookLayout> {
  const text = await readFile(new URL(file, `file://${TEMPLATES_DIR}`), 'utf8');
  const layout = JSON.parse(text) as WorkbookLayout;
  if (!Array.isArray(layout.tabs) || typeof layout.dataRows !== 'number') {
    throw new Error(`sheets-templates/${file} is not a workbook layout: run \`npm run templates\` to rewrite it`);
  }
  return layout;
}

/** The tracker template, with the configured departments as the Departments dropdown. */
export async function loadTrackerTemplate(departments: readonly string[]): Promise<WorkbookLayout> {
  return withDepartments(await loadLayout(TEMPLATE_FILES.tracker), departments);
}

export async function loadRestrictedTemplate(): Promise<WorkbookLayout> {
  return loadLayout(TEMPLATE_FILES.restricted);
}
