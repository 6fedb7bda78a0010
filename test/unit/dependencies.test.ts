// The Docker image installs production dependencies only (`pnpm install --prod`): a package that
// imports a library it does not declare works in development (hoisted dev dependencies) and
// crashes in production. This keeps every workspace package's imports declared.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const packages = ['apps/api', 'apps/worker', 'apps/cli', 'packages/shared', 'packages/client'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function importedPackages(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  // Type-only imports are erased at run time and need no runtime dependency.
  const specifiers = [...source.matchAll(/^import (?!type )[^;]*?from '([^']+)'/gms), ...source.matchAll(/import\('([^']+)'\)/g)].map(
    (m) => m[1]!,
  );
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
}

describe('workspace dependencies', () => {
  for (const pkg of packages) {
    it(`when ${pkg} imports a library at run time, then its package.json declares it as a dependency`, () => {
      const manifest = JSON.parse(readFileSync(join(root, pkg, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      const declared = new Set(Object.keys(manifest.dependencies ?? {}));
      const missing = new Set(
        sourceFiles(join(root, pkg, 'src'))
          .flatMap(importedPackages)
          .filter((name) => !declared.has(name)),
      );
      expect([...missing]).toEqual([]);
    });
  }
});
