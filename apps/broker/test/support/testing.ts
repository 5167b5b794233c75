// The broker's test kit for code outside this package (benchmarks): one entry, no deep paths.
export { type ServedBroker, serveBroker } from './serve-broker.js';
export { startForm } from './tokens.js';
