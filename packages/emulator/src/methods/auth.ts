import type { MethodGroup } from '../context.js';
import { ApiError } from '../errors.js';
import { AUTH_TOKEN_INACTIVE } from '../store.js';

export const authMethods: MethodGroup = {
  listtokens(c) {
    const user = c.requireUser();
    const tokens = [...c.store.tokens.values()]
      .filter((t) => t.userid === user.userid && t.kind === 'auth')
      .sort((a, b) => a.tokenid - b.tokenid)
      .map((t) => ({
        tokenid: t.tokenid,
        device: t.device,
        created: c.time(t.created),
        expires_inactive: c.time(Math.min(t.lastUsed + AUTH_TOKEN_INACTIVE, t.expires)),
        expires: c.time(t.expires),
        current: c.token?.token === t.token,
      }));
    return { tokens };
  },

  deletetoken(c) {
    const user = c.requireUser();
    const id = c.params.needInt('tokenid', 1076);
    const rec = [...c.store.tokens.values()].find((t) => t.tokenid === id && t.userid === user.userid && t.kind === 'auth');
    if (!rec) throw new ApiError(2102);
    c.store.deleteToken(rec.token);
    return {};
  },

  logout(c) {
    c.requireUser();
    const t = c.token;
    if (t && t.kind === 'auth' && c.store.tokens.has(t.token)) {
      c.store.deleteToken(t.token);
      if (c.conn.authToken === t.token) {
        c.conn.userid = undefined;
        c.conn.authToken = undefined;
      }
      return { auth_deleted: true };
    }
    return { auth_deleted: false };
  },
};
