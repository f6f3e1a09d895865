// Money is quoted the platform's one way ("25.00 USD"), in emails as in API messages.
export { formatMoney } from '@shop/platform';

/** An email as it is sent: both parts say the same thing. */
export interface Email {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text into HTML, for element content and quoted attribute values alike: the five characters that
 * can end either (OWASP's rule). Every value from an event goes through here: a customer chooses
 * their name and address.
 */
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** `${storefront}/account/verify?token=…`: the storefront URL may end in a slash or carry a path. */
export function storefrontLink(storefrontUrl: string, path: string, params: Record<string, string>): string {
  const query = new URLSearchParams(params).toString();
  return `${storefrontUrl.replace(/\/+$/, '')}${path}${query ? `?${query}` : ''}`;
}

/** "2026-12-02 14:05 UTC": one unambiguous form, whatever the reader's time zone. */
export function formatInstant(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a date: ${JSON.stringify(iso)}`);
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "Hi Ada," or "Hello," without a name. */
export const greeting = (name: string | null | undefined): string => (name?.trim() ? `Hi ${name.trim()},` : 'Hello,');

/** The HTML part's frame: inline styles only (mail clients drop <style> blocks and external CSS). */
export function htmlLayout(shopName: string, title: string, body: string): string {
  return [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    '<body style="margin:0;padding:24px;background:#f6f6f6;font-family:Helvetica,Arial,sans-serif;color:#222;line-height:1.5">',
    '<div style="max-width:560px;margin:0 auto;background:#fff;padding:24px;border-radius:6px">',
    body,
    `<p style="color:#888;font-size:12px;margin-top:32px">${escapeHtml(shopName)}</p>`,
    '</div></body></html>',
  ].join('\n');
}

/** A paragraph of escaped text. */
export const para = (text: string): string => `<p>${escapeHtml(text)}</p>`;

/** A call-to-action link; the URL is shown in full too (some clients hide buttons). */
export function button(href: string, label: string): string {
  const url = escapeHtml(href);
  return [
    `<p><a href="${url}" style="display:inline-block;background:#222;color:#fff;padding:10px 18px;border-radius:4px;text-decoration:none">${escapeHtml(label)}</a></p>`,
    `<p style="font-size:12px;color:#555;word-break:break-all">Or open this link: <a href="${url}">${url}</a></p>`,
  ].join('\n');
}
