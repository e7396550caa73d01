import { packageBuild } from '../../tsup.base';

// `node` is an entry of its own (Node-only helpers); shared chunks keep one copy of the error classes for both.
export default packageBuild(['src/index.ts', 'src/node.ts'], { splitting: true });
