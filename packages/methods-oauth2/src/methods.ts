/**
 * The OAuth2 methods and their result types. Its only run-time exports are
 * the method definitions, each under its wire name: the package's
 * `definitions` list and plugin are built from them, and each method's JSDoc
 * (params included) is what editors show on `client.<method>`.
 */
import { defineMethod, param, returns } from '@pcloudkit/core';

const group = 'oauth2';

/** Values pCloud puts on the redirect after the user approves the app (wire names). */
export interface AuthorizeRedirect {
  /** Code flow: the code to exchange with `oauth2_token`. */
  code?: string;
  /** Token flow: the bearer token. */
  access_token?: string;
  /** Token flow: always `bearer`. */
  token_type?: string;
  /** Token flow: id of the user who approved. */
  uid?: number;
  /** Your `state`, echoed. */
  state?: string;
  /** Data centre of the user: 1 US, 2 Europe. */
  locationid?: number;
  /** API host for every later call of this user. */
  hostname?: string;
}

/**
 * The authorize page, described for completeness. It is a browser page on
 * my.pcloud.com, not an API call: build its URL with {@link authorizeUrl}
 * instead of calling this definition.
 */
export const authorize = /* @__PURE__ */ defineMethod({
  name: 'authorize',
  group,
  params: {
    /** The app's id. */
    client_id: /* @__PURE__ */ param.string({ required: true }),
    /** 'code' for the code flow, 'token' for the token flow. */
    response_type: /* @__PURE__ */ param.string({ required: true, enum: ['code', 'token'] }),
    /** Where the browser goes after approval; needed for the token flow. */
    redirect_uri: /* @__PURE__ */ param.string(),
    /** Opaque value echoed on the redirect. */
    state: /* @__PURE__ */ param.string(),
    /** Ask for approval again even if the app was approved before. */
    force_reapprove: /* @__PURE__ */ param.bool(),
    /** Extra permissions to ask for; currently only 'manageshares'. */
    permissions: /* @__PURE__ */ param.stringList(),
  },
  auth: false,
  idempotent: true,
  result: /* @__PURE__ */ returns<AuthorizeRedirect>(),
});

/** Answer of {@link oauth2_token}. */
export interface OAuth2TokenResult {
  /** Token for later calls. */
  access_token: string;
  /** Always `bearer`. */
  token_type: string;
  /** Id of the user who approved the app. */
  uid: number;
  /** Data centre of the user, when pCloud includes it (not documented). */
  locationid?: number;
}

/**
 * Code flow, second step: swaps the code from the redirect (plus the app's
 * id and secret) for an access token. Call it on the user's region — the
 * one the redirect reported. Codes are single-use, so it is never retried.
 */
export const oauth2_token = /* @__PURE__ */ defineMethod({
  name: 'oauth2_token',
  group,
  params: {
    /** The app's id. */
    client_id: /* @__PURE__ */ param.string({ required: true }),
    /** The app's secret. */
    client_secret: /* @__PURE__ */ param.string({ required: true }),
    /** Code received on the redirect. */
    code: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: false,
  idempotent: false,
  result: /* @__PURE__ */ returns<OAuth2TokenResult>(),
});
