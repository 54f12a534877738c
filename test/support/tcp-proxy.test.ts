import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

async function echoServer(): Promise<Server> {
  const server = createServer((socket) => socket.on('data', (chunk) => socket.write(chunk)).on('error', () => {}));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function roundTrip(port: number, text: string, waitMs = 300): Promise<string | 'no answer' | 'closed'> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('no answer');
    }, waitMs);
    socket.on('data', (chunk) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(chunk.toString());
    });
    socket.on('error', () => {
      clearTimeout(timer);
      resolve('closed');
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
    socket.write(text);
  });
}

describe('the fault-test TCP proxy', () => {
  let server: Server;
  let proxy: TcpProxy;
  afterEach(async () => {
    await proxy?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('passes bytes, hangs them until healed, refuses, and cuts open connections', async () => {
    server = await echoServer();
    proxy = await startTcpProxy({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
    expect(await roundTrip(proxy.port, 'ping')).toBe('ping');

    proxy.hang();
    expect(await roundTrip(proxy.port, 'held')).toBe('no answer');

    proxy.refuse();
    expect(await roundTrip(proxy.port, 'x')).toBe('closed');
    proxy.heal();
    expect(await roundTrip(proxy.port, 'back')).toBe('back');

    const socket = connect(proxy.port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()).on('error', () => {}));
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(proxy.connections).toBe(1);
    proxy.cut();
    await closed;
    expect(proxy.connections).toBe(0);
    expect(proxy.rewrite('postgres://postgres@127.0.0.1:5432/test')).toBe(`postgres://postgres@127.0.0.1:${proxy.port}/test`);
  });
});
