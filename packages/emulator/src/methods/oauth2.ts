import type { MethodGroup } from '../context.js';
import { ApiError } from '../errors.js';

/**
 * oauth2 group. `authorize` is a browser page, served by the HTTP front end
 * at /oauth2/authorize (and /authorize); only the token exchange is a method.
 */
export const oauth2Methods: MethodGroup = {
  oauth2_token(c) {
    const p = c.params;
    const clientId = p.str('client_id');
    const secret = p.str('client_secret');
    const code = p.str('code');
    if (code === undefined || code === '') throw new ApiError(1022);
    const app = clientId !== undefined ? c.store.apps.get(clientId) : undefined;
    if (!app || app.client_secret !== secret) throw new ApiError(2000, { emulator: 'unknown client_id or wrong client_secret' });
    const grant = c.core.auth.redeemCode(code, app.client_id);
    const token = c.store.createToken(grant.userid, 'oauth', `oauth2 app ${app.name}`, app.client_id);
    return {
      access_token: token.token,
      token_type: 'bearer',
      uid: grant.userid,
      userid: grant.userid,
      locationid: c.core.server.locationid,
      hostname: c.core.server.apiHost,
    };
  },
};
