import { packageBuild } from '../../tsup.base';

// `methods` is an entry of its own whose declarations TypeScript writes unbundled (see
// scripts/method-declarations.mjs); index's declarations refer to it by its public path, kept external,
// so editors find each method's JSDoc on `client.<method>` in the published package too.
export default packageBuild(['src/index.ts', 'src/methods.ts'], {
  dts: { entry: ['src/index.ts'] },
  external: ['@pcloudkit/methods-sharing/methods'],
  // One copy of the definitions for both entries, in CommonJS too.
  splitting: true,
});
