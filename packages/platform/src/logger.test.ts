import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from './logger.ts';
import { withRequestId } from './request-context.ts';

describe('logger', () => {
  it('redacts authorization and cookies and stamps the request id', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger('test', 'info', sink);
    withRequestId('req-42', () => log.info({ headers: { authorization: 'Bearer secret', cookie: 'sid=1' } }, 'hello'));
    const line = JSON.parse(lines.at(-1)!);
    expect(line).toMatchObject({ service: 'test', requestId: 'req-42', msg: 'hello' });
    expect(line.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]' });
  });
});
