import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { assertPortFree, getFreePort } from './ports.ts';

function listen(port = 0): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('assertPortFree', () => {
  it('names the port and the variable that moves it when the port is taken', async () => {
    const blocker = await listen();
    const { port } = blocker.address() as net.AddressInfo;
    try {
      await expect(assertPortFree(port, 'POSTGRES_PORT')).rejects.toThrow(`Port ${port} is already in use (set POSTGRES_PORT to use another port)`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('passes for a free port, and getFreePort returns one that can be bound', async () => {
    const port = await getFreePort();
    await expect(assertPortFree(port, 'REDIS_PORT')).resolves.toBeUndefined();
    const server = await listen(port);
    await new Promise((resolve) => server.close(resolve));
  });

  it('hands out ports below the ephemeral range (outgoing connections never take them), never the same one twice', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => getFreePort()));
    expect(new Set(ports).size).toBe(20);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(32_768);
    }
  });
});
