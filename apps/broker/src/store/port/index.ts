// The broker's state port, in layers without cycles: the records (task-records.ts), the
// operation ports built on them (operations.ts), and WritStore, which joins them (writ-store.ts).
export type * from './operations.js';
export type * from './task-records.js';
export type * from './writ-store.js';
