import type { Budget, DataClass } from '@writ/claims';

export type TaskStatus = 'live' | 'completed' | 'revoked' | 'quarantined';

export type ClientAttributeValue = string | number | boolean | string[];

/** What the broker knows of a task; the writs carry a signed copy of the plan. */
export interface TaskRecord {
  id: string;
  parent?: string;
  /** Ancestor task ids, root first (same as the writ's task.chain). */
  chain: string[];
  principal: string;
  issuer: string;
  client_id: string;
  /**
   * The verified identity attributes of `client_id` (bounded), so policies on later exchanges and
   * calls of the task see the same principal tags as when it was started or delegated.
   */
  client_attributes?: Record<string, ClientAttributeValue>;
  intent: string;
  data_class: DataClass;
  tools: string[];
  resources: string[];
  data_classes: DataClass[];
  budget?: Budget;
  /** Epoch seconds. */
  created_at: number;
  /** Epoch seconds; the task (and every writ of it) is dead after this. */
  expires_at: number;
  status: TaskStatus;
}

export interface WritRecord {
  jti: string;
  task_id: string;
  audience: string;
  tools: string[];
  principal: string;
  client_id: string;
  /** Actor chain subs, current first; empty when not delegated. */
  actor_chain: string[];
  issued_at: number;
  expires_at: number;
  /** The revocation generation current when the writ was issued (the writ's `gen` claim). */
  gen: number;
  /** Set (true) by the store when the writ was revoked by jti; never written by callers. */
  revoked?: boolean;
}
