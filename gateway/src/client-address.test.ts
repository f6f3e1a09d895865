import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddressOf, trustedProxies } from './client-address.ts';

const request = (peer: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: peer },
    connection: { remoteAddress: peer },
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  }) as unknown as http.IncomingMessage;

describe('client address behind trusted proxies', () => {
  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddressOf(request('198.51.100.4', '203.0.113.9'), trustedProxies(''))).toBe('198.51.100.4');
  });

  it('is the forwarded client when the peer is a trusted proxy', () => {
    expect(clientAddressOf(request('127.0.0.1', '203.0.113.9'), trustedProxies('loopback'))).toBe('203.0.113.9');
    expect(clientAddressOf(request('10.2.0.7', '203.0.113.9'), trustedProxies('uniquelocal'))).toBe('203.0.113.9');
    // A peer outside the list is the client itself, its header ignored.
    expect(clientAddressOf(request('198.51.100.4', '203.0.113.9'), trustedProxies('loopback'))).toBe('198.51.100.4');
  });

  it('takes the nearest hop not trusted: an address a client writes in front is not believed', () => {
    // The client sent "X-Forwarded-For: 6.6.6.6"; the proxy appended the address it saw.
    expect(clientAddressOf(request('127.0.0.1', '6.6.6.6, 203.0.113.9'), trustedProxies('loopback'))).toBe('203.0.113.9');
  });

  it('refuses a malformed entry at start-up', () => {
    expect(() => trustedProxies('loopback, not-an-address')).toThrow();
  });
});
