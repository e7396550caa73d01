/**
 * A pcloudkit plugin to start from. It shows the three things a plugin is
 * made of, all from `@pcloudkit/core`'s public API:
 *
 * - a method described once as data with `defineMethod` (its params, their
 *   rules and its result type), which is also a standalone function;
 * - a plugin made with `definePlugin` that adds the method to a client;
 * - a helper built on the method, added through the plugin's `extend`.
 *
 * Rename the package, the plugin and the method, and keep the shape.
 */
import { type CoreClient, definePlugin, defineMethod, type FileMetadata, param, returns } from '@pcloudkit/core';

/** What `stat` answers. */
export interface StatResult {
  metadata: FileMetadata;
}

/**
 * Metadata of one file, by id or by path. (pCloud's `stat`; the JSDoc written
 * here is what editors show on `client.stat`.)
 */
export const stat = /* @__PURE__ */ defineMethod({
  name: 'stat',
  group: 'file',
  params: {
    /** Numeric id of the file. */
    fileid: /* @__PURE__ */ param.int({ min: 0 }),
    /** Absolute path of the file, starting with `/`. */
    path: /* @__PURE__ */ param.string(),
  },
  // Exactly one of the two must be given: the client checks it before sending, and the types enforce it.
  oneOf: { target: ['fileid', 'path'] },
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<StatResult>(),
});

/** Helpers the plugin adds next to its methods. */
export interface TemplateHelpers {
  /** Size in bytes of the file at `path`. */
  sizeOf(path: string): Promise<number>;
}

function helpers(client: CoreClient): TemplateHelpers {
  return {
    async sizeOf(path) {
      const { metadata } = await stat(client, { path });
      return metadata.size;
    },
  };
}

/** `createClient(...).use(template)` adds `client.stat(params)` and `client.sizeOf(path)`. */
export const template = /* @__PURE__ */ definePlugin({
  name: 'template',
  methods: [stat],
  extend: helpers,
});
