import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { pingRedis } from './ping-redis.js';
import { type RedisServer, RedisStartError, startRedis } from './redis-server.js';

const servers: RedisServer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function start(args?: string[], dir?: string): Promise<RedisServer> {
  const server = await startRedis({ ...(args ? { args } : {}), ...(dir ? { dir } : {}) });
  servers.push(server);
  return server;
}

/** One short-lived client per step, so a killed server never leaves a reconnecting client behind. */
async function withClient<T>(url: string, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

describe('freePort', () => {
  it('returns a bindable loopback port that is not 6379', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(1023);
    expect(port).toBeLessThan(65536);
    expect(port).not.toBe(6379);
  });
});

describe('startRedis', () => {
  it('starts a private server on a free loopback port with persistence off', async () => {
    const server = await start();
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).not.toBe(6379);
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(server.pid).toBeGreaterThan(0);
    const config = await withClient(server.url, async (redis) => ({
      save: await redis.config('GET', 'save'),
      appendonly: await redis.config('GET', 'appendonly'),
      bind: await redis.config('GET', 'bind'),
      dir: await redis.config('GET', 'dir'),
    }));
    expect(config.save).toEqual(['save', '']);
    expect(config.appendonly).toEqual(['appendonly', 'no']);
    expect(config.bind).toEqual(['bind', '127.0.0.1']);
    expect(config.dir).toEqual(['dir', server.dir]);
  });

  it('keeps AOF data across kill -9 and restart with appendfsync always', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'writ-harness-aof-'));
    dirs.push(dir);
    const server = await start(['--appendonly', 'yes', '--appendfsync', 'always'], dir);
    expect(server.dir).toBe(dir);
    await withClient(server.url, async (redis) => {
      expect(await redis.set('durable', 'yes')).toBe('OK');
    });
    const firstPid = server.pid;

    await server.kill('SIGKILL');
    await expect(pingRedis(server.host, server.port)).rejects.toThrow(/ECONNREFUSED/);
    await server.restart();

    expect(server.pid).not.toBe(firstPid);
    expect(await withClient(server.url, (redis) => redis.get('durable'))).toBe('yes');
    expect(await readdir(dir)).toContain('appendonlydir');
  });

  it('loses data across kill -9 and restart without persistence (so the AOF test can fail)', async () => {
    const server = await start();
    await withClient(server.url, async (redis) => {
      expect(await redis.set('volatile', 'yes')).toBe('OK');
      expect(await redis.dbsize()).toBe(1);
    });
    await server.kill('SIGKILL');
    await server.restart();
    const after = await withClient(server.url, async (redis) => [
      await redis.get('volatile'),
      await redis.dbsize(),
    ]);
    expect(after).toEqual([null, 0]);
  });

  it('stop() ends the process and removes the temp dir it created, but not a given dir', async () => {
    const owned = await startRedis();
    const given = await mkdtemp(join(tmpdir(), 'writ-harness-given-'));
    dirs.push(given);
    const kept = await startRedis({ dir: given });
    await owned.stop();
    await kept.stop();
    expect(existsSync(owned.dir)).toBe(false);
    expect(existsSync(given)).toBe(true);
    await expect(pingRedis(owned.host, owned.port)).rejects.toThrow(/ECONNREFUSED/);
    await expect(pingRedis(kept.host, kept.port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('rejects port 6379 without starting anything', async () => {
    await expect(startRedis({ port: 6379 })).rejects.toBeInstanceOf(RedisStartError);
  });

  it('fails with the server output when redis-server refuses its arguments', async () => {
    const failure = startRedis({ args: ['--no-such-directive', 'x'] });
    await expect(failure).rejects.toBeInstanceOf(RedisStartError);
    await expect(failure).rejects.toThrow(/FATAL CONFIG FILE ERROR/);
  });

  it('fails clearly when the binary does not exist', async () => {
    await expect(startRedis({ bin: 'writ-no-such-redis-server' })).rejects.toThrow(/could not run .*ENOENT/);
  });
});
