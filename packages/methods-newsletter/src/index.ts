/**
 * pCloud newsletter methods: subscribe an address, confirm it, check the
 * signed-in user's subscription, and unsubscribe with a mailed code.
 *
 * Each method is a definition made with core's `defineMethod`. Use them as
 * standalone functions (`newsletter_check(client)`) or add the
 * {@link newsletter} plugin to a client (`client.use(newsletter)`).
 */
import { definePlugin, methodList, type MethodList } from '@pcloudkit/core';
// The same module by its public path, for the types (see tsup.config.ts).
import type * as Methods from '@pcloudkit/methods-newsletter/methods';
import * as methods from './methods.js';

// The definitions live in methods.ts, one export per method under its wire name.
export * from './methods.js';

/** Every newsletter method, sorted by name. */
export const definitions: MethodList<typeof Methods> = /* @__PURE__ */ methodList(methods);

/** Adds the newsletter methods to a client: `createClient(...).use(newsletter)`. */
export const newsletter = /* @__PURE__ */ definePlugin({
  name: 'newsletter',
  methods: definitions,
});
