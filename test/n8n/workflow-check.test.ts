import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { n8nHarness } from './harness-paths.ts';
import { type NodeTypeInfo, type Workflow, baseNodeTypes, checkWorkflow } from './workflow-check.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKFLOWS = path.join(ROOT, 'workflows');
const files = readdirSync(WORKFLOWS).filter((f) => f.endsWith('.json'));
const load = (file: string) => JSON.parse(readFileSync(path.join(WORKFLOWS, file), 'utf8')) as Workflow;

let types: Map<string, NodeTypeInfo[]>;

beforeAll(() => {
  const { dir } = n8nHarness();
  expect(existsSync(dir), `n8n is not installed in ${dir}: run npm run n8n:install`).toBe(true);
  types = baseNodeTypes(dir);
  // Our own nodes as n8n loads them from N8N_CUSTOM_EXTENSIONS: the built CommonJS bundles.
  const require = createRequire(import.meta.url);
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } };
  for (const file of pkg.n8n.nodes) {
    const exports = require(path.join(ROOT, file)) as Record<string, new () => { description: NodeTypeInfo }>;
    const NodeClass = exports[path.basename(file, '.node.js')]!;
    const { description } = new NodeClass();
    types.set(`CUSTOM.${description.name}`, [description]);
  }
});

describe('the shipped workflows name only node types, parameters and operations that exist', () => {
  test.each(files)('%s', (file) => {
    expect(checkWorkflow(load(file), types)).toEqual([]);
  });

  test('the check finds a wrong type, operation, parameter, credential and connection', () => {
    const workflow = load('daily-reminders.json');
    const plan = workflow.nodes.find((n) => n.name === 'Plan Reminders')!;
    plan.parameters.operation = 'planRemindrs';
    plan.parameters.claimMinuts = 5;
    plan.credentials = { slackApi: {} };
    workflow.nodes.find((n) => n.name === 'Send Email')!.type = 'n8n-nodes-base.emailSnd';
    workflow.connections['Record Sent'] = { main: [[{ node: 'Nowhere' }]] };
    expect(checkWorkflow(workflow, types)).toEqual([
      'Plan Reminders: CUSTOM.bucpTracker has no operation "planRemindrs"',
      'Plan Reminders: CUSTOM.bucpTracker has no parameter "claimMinuts"',
      'Plan Reminders: CUSTOM.bucpTracker takes no slackApi credential',
      'Send Email: node type n8n-nodes-base.emailSnd does not exist',
      'Record Sent connects to Nowhere, which is not a node',
    ]);
  });
});
