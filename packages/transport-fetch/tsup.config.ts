import { packageBuild } from '../../tsup.base';

// The parts loaded on first use are entries of their own, so their files have stable names: no hash in the imports
// that load them (a hash costs the first load bytes that gzip cannot shrink).
export default packageBuild(['src/index.ts', 'src/data.ts', 'src/upload.ts', 'src/errors.ts'], { splitting: true });
