// The broker's programmatic entry, for the test kit and the benchmarks that run a broker in
// process (the service itself starts from main.ts). Nothing here is published: @writ/broker is private.
export { createApp } from './app.js';
export { type BrokerConfig, loadConfig } from './config.js';
export { buildBroker } from './deps.js';
export { createBrokerServer } from './http/broker-server.js';
export type { OperatorAuthenticatorOptions } from './operators/create-operator-authenticator.js';
export { verifySecret } from './operators/key-hashing.js';
export { generateOperatorKey } from './operators/operator-key.js';
export { createLogger } from './shared/create-logger.js';
export type { WritStore } from './store/index.js';
