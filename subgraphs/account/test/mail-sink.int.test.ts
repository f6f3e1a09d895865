import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMail, startMailSink, type RunningMailSink, type SinkMessage } from '../../../scripts/lib/mail-sink.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { createMailer } from '../src/notifications/mailer.ts';
import { verificationEmail } from '../src/notifications/templates.ts';

let dir: string;
let sink: RunningMailSink;
const received: SinkMessage[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mail-sink-'));
  sink = await startMailSink({ port: 0, dir: join(dir, 'mail'), onMessage: (m) => received.push(m) });
});
afterAll(async () => {
  await sink?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dev mail sink', () => {
  it('keeps what the mailer sends as an .eml file and describes it in one line with its link', async () => {
    const mailer = createMailer({ smtpUrl: sink.url, from: 'Dev Shop <no-reply@shop.localhost>' });
    const email = verificationEmail(
      { shopName: mailer.shopName, storefrontUrl: 'http://localhost:3000' },
      { firstName: 'Ada', token: 'tok-123', expiresAt: '2030-01-01T00:00:00Z' },
    );
    try {
      await mailer.send({ ...email, to: 'ada@example.com', key: 'event-1' });
    } finally {
      mailer.close();
    }
    const message = await waitFor('the message in the sink', () => received[0]);
    const files = readdirSync(join(dir, 'mail'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    const eml = readFileSync(join(dir, 'mail', files[0]!), 'utf8');
    expect(eml).toContain('Message-ID: <event-1@shop.localhost>');
    expect(eml).toContain('Subject: Confirm your email address for Dev Shop');
    expect(describeMail(message)).toBe(
      'mail to ada@example.com: Confirm your email address for Dev Shop — http://localhost:3000/account/verify?token=tok-123',
    );
  });
});
