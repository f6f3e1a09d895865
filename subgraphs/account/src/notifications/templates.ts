import type { OrderDetails } from '@shop/platform';
import { button, escapeHtml, formatInstant, formatMoney, greeting, htmlLayout, para, storefrontLink, type Email } from './format.ts';

/** What every template knows besides its event. */
export interface TemplateContext {
  shopName: string;
  storefrontUrl: string;
}

interface TokenMessage {
  firstName: string | null;
  token: string;
  expiresAt: string;
}

function tokenEmail(
  ctx: TemplateContext,
  message: TokenMessage,
  copy: { subject: string; intro: string; action: string; path: string; ignore: string },
): Email {
  const link = storefrontLink(ctx.storefrontUrl, copy.path, { token: message.token });
  const expiry = `The link works once and expires at ${formatInstant(message.expiresAt)}.`;
  const hello = greeting(message.firstName);
  return {
    subject: copy.subject,
    text: [hello, '', copy.intro, '', link, '', expiry, copy.ignore, '', ctx.shopName].join('\n'),
    html: htmlLayout(
      ctx.shopName,
      copy.subject,
      [para(hello), para(copy.intro), button(link, copy.action), para(expiry), para(copy.ignore)].join('\n'),
    ),
  };
}

export function verificationEmail(ctx: TemplateContext, message: TokenMessage): Email {
  return tokenEmail(ctx, message, {
    subject: `Confirm your email address for ${ctx.shopName}`,
    intro: 'Please confirm your email address by opening this link:',
    action: 'Confirm my email',
    path: '/account/verify',
    ignore: 'If you did not create an account, you can ignore this email.',
  });
}

export function passwordResetEmail(ctx: TemplateContext, message: TokenMessage): Email {
  return tokenEmail(ctx, message, {
    subject: `Reset your ${ctx.shopName} password`,
    intro: 'We received a request to reset your password. Choose a new one here:',
    action: 'Choose a new password',
    path: '/account/reset',
    ignore: 'If you did not ask for this, ignore this email: your password stays as it is.',
  });
}

const lineTitle = (line: OrderDetails['lines'][number]) => (line.variantTitle ? `${line.title} (${line.variantTitle})` : line.title);

/** Label and amount of each total shown; a discount only when there is one. */
function totalRows(details: OrderDetails): Array<[string, string]> {
  const m = (minor: number) => formatMoney(minor, details.currency);
  const { subtotal, discount, shipping, tax, total, taxesIncluded } = details.totals;
  return [
    ['Subtotal', m(subtotal)],
    ...(discount ? [['Discount', m(-discount)] as [string, string]] : []),
    ['Shipping', m(shipping)],
    [taxesIncluded ? 'Tax (included)' : 'Tax', m(tax)],
    ['Total', m(total)],
  ];
}

function addressLines(address: OrderDetails['shippingAddress']): string[] {
  return [address.name, address.line1, address.line2, `${address.postalCode} ${address.city}`, address.countryCode].filter((l): l is string =>
    Boolean(l?.trim()),
  );
}

function orderText(details: OrderDetails): string[] {
  const m = (minor: number) => formatMoney(minor, details.currency);
  return [
    ...details.lines.map((l) => `  ${l.quantity} x ${lineTitle(l)}  ${m(l.quantity * l.unitPriceAmount)} (${m(l.unitPriceAmount)} each)`),
    '',
    ...totalRows(details).map(([label, amount]) => `  ${label}: ${amount}`),
  ];
}

function orderHtml(details: OrderDetails): string {
  const m = (minor: number) => formatMoney(minor, details.currency);
  const cell = 'style="padding:4px 8px;border-bottom:1px solid #eee"';
  const right = 'style="padding:4px 8px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap"';
  const lines = details.lines.map(
    (l) =>
      `<tr><td ${cell}>${escapeHtml(lineTitle(l))}</td><td ${right}>${l.quantity} &times; ${escapeHtml(m(l.unitPriceAmount))}</td><td ${right}>${escapeHtml(m(l.quantity * l.unitPriceAmount))}</td></tr>`,
  );
  const totals = totalRows(details).map(
    ([label, amount]) => `<tr><td ${cell} colspan="2">${escapeHtml(label)}</td><td ${right}>${escapeHtml(amount)}</td></tr>`,
  );
  return `<table style="width:100%;border-collapse:collapse">\n${[...lines, ...totals].join('\n')}\n</table>`;
}

const addressHtml = (details: OrderDetails) => `<p>${addressLines(details.shippingAddress).map(escapeHtml).join('<br>')}</p>`;

export function orderConfirmedEmail(ctx: TemplateContext, details: OrderDetails): Email {
  const subject = `Your order ${details.number} is confirmed`;
  const hello = greeting(details.shippingAddress.name);
  const intro = `Thank you for your order ${details.number}. We have received your payment and are getting it ready.`;
  return {
    subject,
    text: [hello, '', intro, '', ...orderText(details), '', 'Shipping to:', ...addressLines(details.shippingAddress), '', ctx.shopName].join('\n'),
    html: htmlLayout(ctx.shopName, subject, [para(hello), para(intro), orderHtml(details), '<h3>Shipping to</h3>', addressHtml(details)].join('\n')),
  };
}

export function orderShippedEmail(ctx: TemplateContext, details: OrderDetails): Email {
  const subject = `Your order ${details.number} has shipped`;
  const hello = greeting(details.shippingAddress.name);
  const intro = `Good news: your order ${details.number} is on its way.`;
  const tracking = details.trackingNumber ? `Tracking number: ${details.trackingNumber}` : 'No tracking number was given for this shipment.';
  const items = details.lines.map((l) => `  ${l.quantity} x ${lineTitle(l)}`);
  return {
    subject,
    text: [hello, '', intro, tracking, '', ...items, '', 'Shipping to:', ...addressLines(details.shippingAddress), '', ctx.shopName].join('\n'),
    html: htmlLayout(
      ctx.shopName,
      subject,
      [
        para(hello),
        para(intro),
        details.trackingNumber
          ? `<p>Tracking number: <strong>${escapeHtml(details.trackingNumber)}</strong></p>`
          : para('No tracking number was given for this shipment.'),
        `<ul>${details.lines.map((l) => `<li>${l.quantity} &times; ${escapeHtml(lineTitle(l))}</li>`).join('')}</ul>`,
        '<h3>Shipping to</h3>',
        addressHtml(details),
      ].join('\n'),
    ),
  };
}

export interface RefundMessage {
  number: string;
  amount: number;
  currency: string;
}

export function refundIssuedEmail(ctx: TemplateContext, refund: RefundMessage): Email {
  const subject = `Refund for your order ${refund.number}`;
  const body = `We have refunded ${formatMoney(refund.amount, refund.currency)} for your order ${refund.number}.`;
  const note = 'It may take a few business days to appear on your statement.';
  return {
    subject,
    text: ['Hello,', '', body, note, '', ctx.shopName].join('\n'),
    html: htmlLayout(ctx.shopName, subject, [para('Hello,'), para(body), para(note)].join('\n')),
  };
}
