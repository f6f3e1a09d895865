/**
 * A local SMTP server that delivers nowhere: ./scripts/dev points the account subgraph's mailer at
 * it (SMTP_URL), keeps every message as an .eml file and logs its subject, recipient and links;
 * the tests' SMTP server (test/support/smtp.ts) is the same sink, read in memory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** Anything larger is refused (552): the shop's emails are a few kilobytes. */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export interface SinkMessage {
  /** The envelope: who the client said the message is from and for (RCPT TO). */
  envelope: { from: string | null; to: string[] };
  mail: ParsedMail;
  raw: Buffer;
  /** The .eml file, when the sink keeps files. */
  file?: string;
}

export interface MailSinkOptions {
  /** On 127.0.0.1; 0 picks a free port. */
  port: number;
  /** Keep each message as <dir>/<time>-<n>.eml. */
  dir?: string;
  onMessage?: (message: SinkMessage) => void;
  /** How long stop() waits for open connections (default 1 s: a client mid-message gets cut off). */
  closeTimeoutMs?: number;
}

export interface RunningMailSink {
  url: string;
  port: number;
  stop: () => Promise<void>;
}

/** Every http(s) link of a message: the text part's URLs and the HTML part's hrefs, each once. */
export function linksIn(mail: { text?: string | undefined; html?: string | false | undefined }): string[] {
  const fromText = mail.text?.match(/https?:\/\/[^\s<>"')\]]+/g) ?? [];
  const fromHtml = [...(mail.html || '').matchAll(/href="(https?:\/\/[^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
  return [...new Set([...fromText, ...fromHtml])];
}

/** One log line: "mail to a@b.c: Subject — https://…". */
export function describeMail(message: SinkMessage): string {
  const links = linksIn(message.mail);
  return `mail to ${message.envelope.to.join(', ')}: ${message.mail.subject ?? '(no subject)'}${links.length ? ` — ${links.join(' ')}` : ''}`;
}

export async function startMailSink(options: MailSinkOptions): Promise<RunningMailSink> {
  const { port, dir, onMessage, closeTimeoutMs = 1_000 } = options;
  if (dir) mkdirSync(dir, { recursive: true });
  let count = 0;
  const server = new SMTPServer({
    // Plain SMTP on loopback: no TLS offered (a client would reject the self-signed certificate) and no login.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    size: MAX_MESSAGE_BYTES,
    logger: false,
    closeTimeout: closeTimeoutMs,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(Object.assign(new Error('Message too large'), { responseCode: 552 }));
        const raw = Buffer.concat(chunks);
        // Text and HTML as sent, without the HTML mailparser would make of the text (textAsHtml, linkified): unused.
        simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true })
          .then((mail) => {
            const envelope = {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
              to: session.envelope.rcptTo.map((r) => r.address),
            };
            let file: string | undefined;
            if (dir) {
              count += 1;
              file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(count).padStart(4, '0')}.eml`);
              writeFileSync(file, raw);
            }
            onMessage?.({ envelope, mail, raw, file });
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After start-up a connection's error (a client that hangs up) must not end the process.
  server.on('error', () => undefined);
  const bound = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${bound}`,
    port: bound,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
