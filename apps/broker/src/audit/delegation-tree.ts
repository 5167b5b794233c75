import type { TaskRecord, WritStore } from '../store/index.js';
import { deriveTaskStatus, type EffectiveTaskStatus } from './task-status.js';

export const MAX_TREE_DEPTH = 16;
export const MAX_TREE_NODES = 500;

export interface DelegationNode {
  id: string;
  status: EffectiveTaskStatus;
  principal: string;
  client_id: string;
  children: DelegationNode[];
  /** Present when this node has children the bounds left out. */
  truncated?: true;
}

export type DelegationTreeStore = Pick<WritStore, 'getTask' | 'getTaskChildren'>;

/**
 * The task and its delegated descendants, breadth first so the node bound keeps the levels nearest
 * the task. Children whose records are gone (past retention) are left out.
 */
export async function buildDelegationTree(
  store: DelegationTreeStore,
  root: TaskRecord,
  rootStatus: EffectiveTaskStatus,
  nowSeconds: number,
): Promise<DelegationNode> {
  const tree = nodeOf(root, rootStatus);
  // A corrupt children index must not make a node appear twice (or loop).
  const seen = new Set([root.id]);
  let level: DelegationNode[] = [tree];
  for (let depth = 0; level.length > 0; depth++) {
    const next: DelegationNode[] = [];
    for (const node of level) {
      const childIds = await store.getTaskChildren(node.id);
      if (childIds.length === 0) continue;
      if (depth >= MAX_TREE_DEPTH) {
        node.truncated = true;
        continue;
      }
      for (const id of childIds) {
        if (seen.has(id)) continue;
        if (seen.size >= MAX_TREE_NODES) {
          node.truncated = true;
          break;
        }
        seen.add(id);
        const child = await store.getTask(id);
        if (!child) continue;
        const childNode = nodeOf(child, deriveTaskStatus(child, node.status, nowSeconds));
        node.children.push(childNode);
        next.push(childNode);
      }
    }
    level = next;
  }
  return tree;
}

function nodeOf(task: TaskRecord, status: EffectiveTaskStatus): DelegationNode {
  return { id: task.id, status, principal: task.principal, client_id: task.client_id, children: [] };
}
