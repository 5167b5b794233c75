import './provided.js';

export { createFaultProxy, type FaultProxy, type FaultProxyOptions } from './fault-proxy.js';
export { freePort } from './free-port.js';
export { pingRedis } from './ping-redis.js';
export { type RedisServer, RedisStartError, type StartRedisOptions, startRedis } from './redis-server.js';
export { redisUrlOfThisRun } from './redis-url.js';
export { type WaitForOptions, WaitForTimeoutError, waitFor } from './wait-for.js';
