import type { INode } from 'n8n-workflow';

/** The BUCP Tracker node as the unit tests' execution contexts present it to an operation. */
export const UNIT_NODE: INode = {
  id: 'unit',
  name: 'BUCP Tracker',
  type: 'CUSTOM.bucpTracker',
  typeVersion: 1,
  position: [0, 0],
  parameters: {},
};
