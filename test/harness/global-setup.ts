import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import './provided.js';
import { startRedis } from './redis-server.js';

const HOW_TO_GET_REDIS = [
  'No Redis for the tests. Any one of these works:',
  '  - install redis-server (Debian/Ubuntu: apt-get install redis-server) so it is on PATH;',
  '  - start a Docker engine (the harness then runs redis:7 through testcontainers);',
  '  - set WRIT_TEST_REDIS_URL=redis://host:port to a disposable Redis (never a shared 6379).',
].join('\n');

/**
 * Vitest global setup: gives the run its own Redis and provides its URL as `inject('redisUrl')`.
 * Order: WRIT_TEST_REDIS_URL → redis-server on PATH → testcontainers redis:7.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const explicit = process.env.WRIT_TEST_REDIS_URL;
  if (explicit) {
    project.provide('redisUrl', explicit);
    return async () => {};
  }

  if (hasRedisServerBinary()) {
    const server = await startRedis();
    project.provide('redisUrl', server.url);
    return () => server.stop();
  }

  const { GenericContainer, getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    throw new Error(`${HOW_TO_GET_REDIS}\n(Docker did not answer: ${(error as Error).message})`);
  }
  const container = await new GenericContainer('redis:7')
    .withExposedPorts(6379)
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no'])
    .start();
  project.provide('redisUrl', `redis://${container.getHost()}:${container.getMappedPort(6379)}`);
  return async () => {
    await container.stop();
  };
}

function hasRedisServerBinary(): boolean {
  const result = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}
