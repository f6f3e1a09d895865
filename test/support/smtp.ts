import { linksIn as linksOf, startMailSink, type SinkMessage } from '../../scripts/lib/mail-sink.ts';
import { waitFor } from './wait.ts';

/** A message as the test SMTP server received it, parsed. */
export interface ReceivedMail {
  /** Envelope recipients (RCPT TO), lower case. */
  to: string[];
  from: string | null;
  subject: string;
  text: string;
  html: string;
  messageId: string | undefined;
  raw: Buffer;
}

export interface TestSmtpServer {
  url: string;
  port: number;
  /** Everything received so far, in arrival order. */
  readonly messages: readonly ReceivedMail[];
  /** The first message (received before or after the call) `predicate` accepts; fails after `timeoutMs`. */
  waitForMail: (predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number) => Promise<ReceivedMail>;
  /** Messages for one recipient (case-insensitive). */
  mailsTo: (address: string) => ReceivedMail[];
  stop: () => Promise<void>;
}

function received(message: SinkMessage): ReceivedMail {
  const { mail } = message;
  return {
    to: message.envelope.to.map((a) => a.toLowerCase()),
    from: message.envelope.from,
    subject: mail.subject ?? '',
    text: mail.text ?? '',
    html: mail.html || '',
    messageId: mail.messageId,
    raw: message.raw,
  };
}

/** The links of a received message (text URLs and HTML hrefs, each once). */
export const linksIn = (mail: ReceivedMail): string[] => linksOf(mail);

/** A link's query parameter, e.g. the token of `…/account/verify?token=…`. */
export function linkParam(mail: ReceivedMail, path: string, param: string): string | null {
  const link = linksIn(mail).find((l) => new URL(l).pathname.endsWith(path));
  return link ? new URL(link).searchParams.get(param) : null;
}

/**
 * A real SMTP server (smtp-server) on loopback for one test file; messages parsed with mailparser.
 * `port`: a given one (a test that starts the server after the mailer already tried it).
 */
export async function startTestSmtpServer({ port = 0 }: { port?: number } = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const sink = await startMailSink({ port, onMessage: (message) => messages.push(received(message)), closeTimeoutMs: 500 });
  const mailsTo = (address: string) => messages.filter((m) => m.to.includes(address.toLowerCase()));
  return {
    url: sink.url,
    port: sink.port,
    messages,
    mailsTo,
    waitForMail: (predicate, timeoutMs = 15_000) =>
      waitFor(`an email (received so far: ${messages.length})`, () => messages.find(predicate), { timeoutMs }).catch((error: Error) => {
        const seen = messages.map((m) => `  ${m.to.join(', ')}: ${m.subject}`).join('\n');
        throw new Error(`${error.message}\nreceived:\n${seen || '  (nothing)'}`);
      }),
    stop: sink.stop,
  };
}

/** The predicate for "a message to this address", optionally with this subject. */
export const mailTo =
  (address: string, subject?: RegExp) =>
  (mail: ReceivedMail): boolean =>
    mail.to.includes(address.toLowerCase()) && (!subject || subject.test(mail.subject));
