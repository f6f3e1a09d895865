/**
 * `pnpm token --sub <id> --roles customer|admin [--expires 12h]`: prints a JWT signed with the
 * configured HS256 secret (the dev secret by default) for trying the API by hand.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { jwtEnvModel, loadEnv, signToken, type Role } from '@shop/platform';

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
process.stdout.write(`${await signToken(settings, { sub: values.sub, roles: roles as Role[], expiresIn: values.expires })}\n`);
