import { packageBuild } from '../../tsup.base';

// `node` is an entry of its own (Node-only helpers); shared chunks keep one copy of the error classes for both.
// `password` (loaded on first use) is an entry too, so its file has a stable name: no hash in the import that loads it.
export default packageBuild(['src/index.ts', 'src/node.ts', 'src/password.ts'], { splitting: true });
