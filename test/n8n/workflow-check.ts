import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Enough of a node type's description to check a workflow against it. */
export interface NodeTypeInfo {
  readonly name: string;
  readonly version: number | number[];
  readonly properties: readonly { name: string; options?: readonly { value?: unknown }[] }[];
  readonly credentials?: readonly { name: string }[];
  /** n8n gives every polling node a `pollTimes` parameter of its own. */
  readonly polling?: boolean;
}

interface WorkflowNode {
  name: string;
  type: string;
  typeVersion: number;
  parameters: Record<string, unknown>;
  credentials?: Record<string, unknown>;
}

export interface Workflow {
  nodes: WorkflowNode[];
  connections: Record<string, { main: { node: string }[][] }>;
}

/** Every node type n8n-nodes-base ships, from its own type list, keyed as workflows name them. */
export function baseNodeTypes(n8nDir: string): Map<string, NodeTypeInfo[]> {
  const file = path.join(n8nDir, 'node_modules/n8n-nodes-base/dist/types/nodes.json');
  const types = new Map<string, NodeTypeInfo[]>();
  for (const t of JSON.parse(readFileSync(file, 'utf8')) as NodeTypeInfo[]) {
    const key = `n8n-nodes-base.${t.name}`;
    types.set(key, [...(types.get(key) ?? []), t]);
  }
  return types;
}

/**
 * What is wrong with a workflow: a node type or version that does not exist, a parameter its type
 * does not have, an operation that is not one of its options, a credential it does not take, or a
 * connection to a node that is not there. Empty when it is sound.
 */
export function checkWorkflow(workflow: Workflow, types: ReadonlyMap<string, NodeTypeInfo[]>): string[] {
  const problems: string[] = [];
  const names = new Set(workflow.nodes.map((n) => n.name));
  for (const node of workflow.nodes) {
    const candidates = types.get(node.type);
    if (!candidates) {
      problems.push(`${node.name}: node type ${node.type} does not exist`);
      continue;
    }
    const type = candidates.find((t) => [t.version].flat().includes(node.typeVersion));
    if (!type) {
      problems.push(`${node.name}: ${node.type} has no version ${node.typeVersion}`);
      continue;
    }
    const properties = new Map<string, NodeTypeInfo['properties'][number][]>();
    for (const p of type.properties) properties.set(p.name, [...(properties.get(p.name) ?? []), p]);
    for (const [key, value] of Object.entries(node.parameters)) {
      const declared = properties.get(key);
      if (key === 'pollTimes' && type.polling) continue;
      if (!declared) {
        problems.push(`${node.name}: ${node.type} has no parameter "${key}"`);
        continue;
      }
      if (key === 'operation' && !declared.some((p) => p.options?.some((o) => o.value === value))) {
        problems.push(`${node.name}: ${node.type} has no operation "${String(value)}"`);
      }
    }
    for (const credential of Object.keys(node.credentials ?? {})) {
      if (!type.credentials?.some((c) => c.name === credential))
        problems.push(`${node.name}: ${node.type} takes no ${credential} credential`);
    }
  }
  for (const [from, { main }] of Object.entries(workflow.connections)) {
    if (!names.has(from)) problems.push(`a connection starts at ${from}, which is not a node`);
    for (const to of main.flat())
      if (!names.has(to.node)) problems.push(`${from} connects to ${to.node}, which is not a node`);
  }
  return problems;
}
