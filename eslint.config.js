// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** The dependency direction of ARCHITECTURE §2, enforced. */
const boundaries = [
  {
    target: './shared/domain',
    from: [
      './shared/ports',
      './shared/adapters',
      './shared/runtime',
      './shared/usecases',
      './functions',
      './infra',
    ],
    message: 'domain imports only itself',
  },
  {
    target: './shared/ports',
    from: ['./shared/adapters', './shared/runtime', './shared/usecases', './functions', './infra'],
    message: 'ports import only domain and contracts',
  },
  {
    target: './shared/usecases',
    from: ['./shared/adapters', './shared/runtime', './functions', './infra'],
    message: 'use cases depend on ports, not adapters',
  },
  {
    target: './shared/runtime',
    from: ['./shared/adapters', './functions', './infra'],
    message: 'runtime never imports adapters',
  },
  {
    target: './shared/contracts',
    from: [
      './shared/adapters',
      './shared/runtime',
      './shared/usecases',
      './shared/ports',
      './functions',
      './infra',
    ],
    message: 'contracts are pure schemas',
  },
  {
    target: './shared/composition',
    from: ['./functions', './infra'],
    message: 'composition modules are shared by functions and never import them',
  },
  {
    target: './shared/adapters',
    from: ['./functions', './infra', './shared/usecases', './shared/composition'],
    message: 'adapters do not import their callers',
  },
  {
    target: './infra',
    from: [
      './functions',
      './shared/adapters/secrets',
      './shared/adapters/sqs',
      './shared/usecases',
      './shared/runtime/http.ts',
      './shared/runtime/auth.ts',
    ],
    message: 'infra refers to function code by path only',
  },
  {
    target: ['./shared', './functions', './infra', './cli', './console'],
    from: './test',
    message: 'nothing imports test/',
  },
];

export default tseslint.config(
  { ignores: ['node_modules', 'cdk.out', '.tollgate', 'coverage', 'console/dist'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: boundaries }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['infra/local/start.ts', 'bench/**', 'cli/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tests read JSON bodies of many shapes.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Functions are composition roots and never import each other.
    files: ['functions/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../../functions/*', '../*/handler', '../../*/handler'],
              message: 'functions never import each other',
            },
          ],
        },
      ],
    },
  },
  prettier,
);
