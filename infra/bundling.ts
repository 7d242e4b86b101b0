/**
 * How every function is bundled (esbuild), shared by the CDK construct and the bundle benchmark so
 * the measured bundle is the deployed one. Plain data: importing it pulls in no CDK.
 */
export const bundling = {
  format: 'esm',
  target: 'node22',
  // ESM entry points let esbuild drop what a module does not use (zod, the AWS SDK).
  mainFields: ['module', 'main'],
  minify: true,
  // The bundle is ESM; CommonJS dependencies that call `require` need one in module scope.
  banner:
    "import { createRequire as __tollgateCreateRequire } from 'node:module'; const require = __tollgateCreateRequire(import.meta.url);",
} as const;
