import type { Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createBrokerServer } from './broker-server.js';
import { createClientAddressResolver } from './client-address.js';

/** Raw sockets against the real server: connection caps and the header timeout. */
describe('createBrokerServer — connection caps and timeouts', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function start(limits: Partial<ReturnType<typeof loadConfig>['limits']>, trusted: string[] = []) {
    const app = new Hono();
    app.get('*', (c) => c.text('ok'));
    server = createBrokerServer(app.fetch, {
      operators: { blockedFor: () => null },
      clientAddress: createClientAddressResolver(trusted),
      limits: { ...loadConfig({}).limits, ...limits },
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  /** Opens a connection from `localAddress`; resolves with whether it answers a GET. */
  async function open(
    port: number,
    localAddress = '127.0.0.1',
  ): Promise<{ socket: Socket; answered: boolean }> {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const answered = await new Promise<boolean>((resolve) => {
      socket.once('data', (chunk: Buffer) => resolve(chunk.toString().startsWith('HTTP/1.1 200')));
      socket.once('close', () => resolve(false));
      socket.once('error', () => resolve(false));
      socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    });
    return { socket, answered };
  }

  it('closes connections over the per-address cap at once; other addresses still get in', async () => {
    const port = await start({ max_connections_per_address: 2 });
    expect((await open(port)).answered).toBe(true);
    expect((await open(port)).answered).toBe(true);
    expect((await open(port)).answered).toBe(false);
    expect((await open(port, '127.0.0.2')).answered).toBe(true);
    // A closed connection frees its slot.
    sockets[0]?.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await open(port)).answered).toBe(true);
  });

  it('does not count a trusted proxy per address, only in the total', async () => {
    const port = await start({ max_connections_per_address: 1, max_connections: 3 }, ['127.0.0.1']);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await open(port)).answered);
    expect(answers).toEqual([true, true, true, false]);
  });

  it('closes connections over the total cap at once', async () => {
    const port = await start({ max_connections: 2 });
    expect((await open(port)).answered).toBe(true);
    expect((await open(port, '127.0.0.2')).answered).toBe(true);
    expect((await open(port, '127.0.0.3')).answered).toBe(false);
  });

  it('drops a client that never finishes its headers after headers_timeout_ms', async () => {
    const port = await start({ headers_timeout_ms: 300, request_timeout_ms: 1000 });
    const socket = connect({ port, host: '127.0.0.1' });
    sockets.push(socket);
    const started = Date.now();
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
    });
    socket.write('GET / HTTP/1.1\r\nhost: x\r\n');
    await new Promise((resolve) => socket.once('close', resolve));
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
