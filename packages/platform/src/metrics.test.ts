import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.ts';

describe('process metrics', () => {
  const sockets: Socket[] = [];
  let server: Server;

  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    // Open sockets: what made the per-handle lists expensive.
    for (let i = 0; i < 200; i++) sockets.push(connect(port, '127.0.0.1'));
    await Promise.all(sockets.map((s) => new Promise((resolve) => s.once('connect', resolve))));
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('keeps the process signals and leaves out the per-handle lists', async () => {
    const text = await createMetrics('test').registry.metrics();
    for (const kept of ['process_cpu_seconds_total', 'process_open_fds', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds'])
      expect(text).toContain(`# TYPE ${kept} `);
    for (const dropped of ['nodejs_active_handles', 'nodejs_active_resources', 'nodejs_active_requests']) expect(text).not.toContain(dropped);
  });
});
