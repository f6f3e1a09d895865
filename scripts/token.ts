/**
 * `pnpm token --sub <id> --roles customer|admin [--expires 12h]`: prints an access token signed with
 * the published dev key (DEV ONLY), which the account subgraph's JWKS lists outside production, for
 * trying the API by hand. Shoppers get real tokens from `customerLogin`.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { jwtEnvModel, loadEnv, signDevToken, type Role } from '@shop/platform';

const { values } = parseArgs({
  options: {
    sub: { type: 'string', default: 'c0ffee00-0000-4000-8000-000000000001' },
    roles: { type: 'string', default: 'customer' },
    expires: { type: 'string', default: '12h' },
  },
});
const roles = values.roles.split(',').map((r) => r.trim());
const unknown = roles.filter((r) => r !== 'customer' && r !== 'admin');
if (unknown.length) {
  process.stderr.write(`Unknown role(s): ${unknown.join(', ')} (use customer, admin)\n`);
  process.exit(1);
}
const settings = loadEnv(z.object(jwtEnvModel));
const claims = { sub: values.sub, roles: roles as Role[], expiresIn: values.expires, issuer: settings.JWT_ISSUER, audience: settings.JWT_AUDIENCE };
process.stdout.write(`${await signDevToken(claims)}\n`);
