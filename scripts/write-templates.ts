// Writes sheets-templates/ from the column contract. A test fails when the committed files drift.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_DEPARTMENTS } from '../src/core/config.ts';
import { restrictedLayout, trackerLayout } from '../src/core/layout.ts';
import { TEMPLATES_DIR, TEMPLATE_FILES } from '../src/templates.ts';

const files = [
  [TEMPLATE_FILES.tracker, trackerLayout(DEFAULT_DEPARTMENTS)],
  [TEMPLATE_FILES.restricted, restrictedLayout()],
] as const;
for (const [name, layout] of files) {
  await writeFile(path.join(TEMPLATES_DIR, name), `${JSON.stringify(layout, null, 2)}\n`);
  console.log(`wrote sheets-templates/${name}`);
}
