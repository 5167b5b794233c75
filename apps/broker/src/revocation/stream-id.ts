/** Feed cursors are Redis Stream ids, `<ms>-<seq>`; the store owns their format. */
export { compareStreamIds, isStreamId } from '../store/index.js';

/** The cursor before the first entry: a follower starting here gets every retained entry. */
export const FEED_START = '0-0';
