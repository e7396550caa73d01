/**
 * A TypeDoc plugin that names each module after the import path users write
 * (`@pcloudkit/core`, `@pcloudkit/core/node`) instead of its folder
 * (`core/src`, `core/src/node`).
 */
import { Converter, ReflectionKind } from 'typedoc';

/** `core/src` -> `@pcloudkit/core`; `core/src/node` -> `@pcloudkit/core/node`. */
export function importPath(name) {
  const m = /^([^/]+)\/src(?:\/(.+))?$/.exec(name);
  if (!m) return name;
  return m[2] && m[2] !== 'index' ? `@pcloudkit/${m[1]}/${m[2]}` : `@pcloudkit/${m[1]}`;
}

export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const mod of context.project.getReflectionsByKind(ReflectionKind.Module)) mod.name = importPath(mod.name);
  });
}
