import {
  decideLivenessFromList,
  type LivenessResult,
  type RevocationList,
  type WritClaims,
} from '@writ/claims';

/** GET /v1/revocations, as docs/revocation.md describes it (a page of it, when paged). */
export interface RevocationSnapshot {
  last_id: string;
  generation?: number;
  all_below?: number;
  principals?: Record<string, number>;
  issuers?: Record<string, number>;
  tasks?: Array<{ task_id: string; status: string; until: number }>;
  writs?: Array<{ jti: string; until: number }>;
  /** Present when the snapshot continues on another page. */
  next_cursor?: string | null;
}

/** One `revocation` event of GET /v1/revocations/stream. */
export interface RevocationEntry {
  id: string;
  target:
    | { kind: 'task'; task_id: string }
    | { kind: 'writ'; jti: string }
    | { kind: 'principal'; principal: string }
    | { kind: 'issuer'; issuer: string }
    | { kind: 'all' };
  below_gen?: number;
  until?: number;
  status?: string;
}

/**
 * A verifier's copy of the broker's revocations: rebuilt from the snapshot, updated by the feed,
 * judged by the shared rules of @writ/claims. Task and jti entries carry `until` (the covered
 * writs' expiry plus skew) and are dropped after it; generation marks only ever rise.
 */
export class RevocationView {
  #tasks = new Map<string, { status: string; until: number }>();
  #writs = new Map<string, number>();
  #principals = new Map<string, number>();
  #issuers = new Map<string, number>();
  #allBelow = 0;
  #list: RevocationList;
  #cursor: string | undefined;
  #prunedAt = 0;

  constructor() {
    this.#list = this.#makeList();
  }

  /** The feed id the view is consistent with (the snapshot's `last_id` or the last entry's id). */
  get cursor(): string | undefined {
    return this.#cursor;
  }

  /** Replaces the view with a snapshot's pages (the first page's `last_id` is the cursor). */
  replace(pages: readonly RevocationSnapshot[]): void {
    this.#tasks.clear();
    this.#writs.clear();
    this.#principals.clear();
    this.#issuers.clear();
    this.#allBelow = 0;
    for (const page of pages) {
      this.#allBelow = Math.max(this.#allBelow, page.all_below ?? 0);
      for (const [p, below] of Object.entries(page.principals ?? {})) raise(this.#principals, p, below);
      for (const [i, below] of Object.entries(page.issuers ?? {})) raise(this.#issuers, i, below);
      for (const t of page.tasks ?? []) this.#tasks.set(t.task_id, { status: t.status, until: t.until });
      for (const w of page.writs ?? []) this.#writs.set(w.jti, w.until);
    }
    this.#cursor = pages[0]?.last_id;
  }

  /** Applies one feed entry; returns false when it was not understood (the caller resyncs). */
  apply(entry: RevocationEntry): boolean {
    const until = entry.until ?? Number.MAX_SAFE_INTEGER;
    const below = entry.below_gen ?? 0;
    switch (entry.target.kind) {
      case 'task':
        this.#tasks.set(entry.target.task_id, { status: entry.status ?? 'revoked', until });
        break;
      case 'writ':
        this.#writs.set(entry.target.jti, until);
        break;
      case 'principal':
        raise(this.#principals, entry.target.principal, below);
        break;
      case 'issuer':
        raise(this.#issuers, entry.target.issuer, below);
        break;
      case 'all':
        this.#allBelow = Math.max(this.#allBelow, below);
        break;
      default:
        return false;
    }
    this.#cursor = entry.id;
    return true;
  }

  /** The shared liveness rules of @writ/claims over this view. `nowSeconds` prunes old entries. */
  liveness(claims: WritClaims, nowSeconds: number): LivenessResult {
    if (nowSeconds - this.#prunedAt >= 60) this.#prune(nowSeconds);
    return decideLivenessFromList(this.#list, claims, nowSeconds);
  }

  /** Sizes, for diagnostics. */
  get size(): { tasks: number; writs: number; principals: number; issuers: number } {
    return {
      tasks: this.#tasks.size,
      writs: this.#writs.size,
      principals: this.#principals.size,
      issuers: this.#issuers.size,
    };
  }

  #prune(nowSeconds: number): void {
    this.#prunedAt = nowSeconds;
    for (const [id, t] of this.#tasks) if (t.until < nowSeconds) this.#tasks.delete(id);
    for (const [jti, until] of this.#writs) if (until < nowSeconds) this.#writs.delete(jti);
  }

  #makeList(): RevocationList {
    const tasks = this.#tasks;
    const writs = this.#writs;
    const view = this;
    // Live views over the maps: no copy per verify.
    return {
      tasks: { get: (id: string) => tasks.get(id)?.status },
      writs,
      get allBelow() {
        return view.#allBelow;
      },
      principals: this.#principals,
      issuers: this.#issuers,
    };
  }
}

function raise(map: Map<string, number>, key: string, value: number): void {
  if (Number.isSafeInteger(value) && value > (map.get(key) ?? 0)) map.set(key, value);
}
